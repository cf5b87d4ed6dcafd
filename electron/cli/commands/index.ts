import type { CommandSpec } from '../runner.ts'
import { commands as system } from './system.ts'
import { commands as users } from './users.ts'
import { commands as integrity } from './integrity.ts'
import { commands as ingest } from './ingest.ts'
import { commands as signing } from './signing.ts'
import { commands as cases } from './cases.ts'
import { commands as access } from './access.ts'
import { commands as archive } from './archive.ts'
import { commands as review } from './review.ts'

/** Every command, in the order `liuhen --help` and docs/cli.md list them (a group's commands stay together). */
export const COMMANDS: readonly CommandSpec[] = [
  ...system.slice(0, 1),
  ...users,
  ...integrity,
  ...ingest,
  ...signing,
  ...cases,
  ...access,
  ...archive,
  ...review,
  ...system.slice(1),
]
