import type { Migration } from './types.ts'
import { m0010 } from './0010_initial.ts'
import { m0020 } from './0020_security_policy.ts'
import { m0030 } from './0030_ingest.ts'
import { m0040 } from './0040_signing.ts'
import { m0050 } from './0050_signing_trust.ts'
import { m0060 } from './0060_cases.ts'
import { m0070 } from './0070_access.ts'
import { m0080 } from './0080_archive.ts'
import { m0090 } from './0090_integrity.ts'
import { m0100 } from './0100_retention.ts'
import { m0110 } from './0110_review_disclosure.ts'
import { m0120 } from './0120_case_changes.ts'
import { m0130 } from './0130_pins_passwords.ts'
import { m0140 } from './0140_process_owners.ts'
import { m0170 } from './0170_post_commit.ts'
import { m0180 } from './0180_archived_cases.ts'
import { m0200 } from './0200_capture_time.ts'
import { m0210 } from './0210_device_retire.ts'
import { m0230 } from './0230_substring_search.ts'

/** Every migration ever released, oldest first. Never edit a released one: add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  m0010,
  m0020,
  m0030,
  m0040,
  m0050,
  m0060,
  m0070,
  m0080,
  m0090,
  m0100,
  m0110,
  m0120,
  m0130,
  m0140,
  m0170,
  m0180,
  m0200,
  m0210,
  m0230,
]

for (let i = 1; i < MIGRATIONS.length; i++) {
  if (MIGRATIONS[i]!.version <= MIGRATIONS[i - 1]!.version) throw new Error('migrations out of order')
}

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version
export type { Migration }
