import crypto from 'node:crypto'
import path from 'node:path'
import type { MethodInput } from '../../shared/contract.ts'
import type { Role } from '../../shared/roles.ts'
import { tempDir } from './bridge.ts'
import type { testCore } from './core.ts'
import { makeClip } from './media.ts'

/*
 * A small agency for the security tests, made by the real writers through the real dispatch: staff with roles,
 * recordings ingested by one of them, cases created by another.
 */

type T = ReturnType<typeof testCore>
export interface Person {
  id: string
  session: string
}

export async function agency<K extends string>(
  t: T,
  staff: Record<K, Role[]>,
): Promise<{ admin: string; p: Record<K, Person> }> {
  const admin = await t.adminSession()
  // Grants and reviews run for hours or days; the clock moves without the sessions locking for idleness.
  await t.call('agency.update', { idleLockMinutes: 240 }, admin)
  const p = {} as Record<K, Person>
  for (const [name, roles] of Object.entries(staff) as [K, Role[]][]) {
    const s = await t.userSession(admin, name, roles)
    p[name] = { id: s.user.id, session: s.session }
  }
  return { admin, p }
}

let clips = 0

/** Recordings brought in by `by` (optionally naming who recorded them); their evidence ids, in file order. */
export async function ingest(
  t: T,
  by: Person,
  count = 1,
  opts: Partial<MethodInput<'ingest.start'>> = {},
): Promise<string[]> {
  const dir = tempDir('liuhen-sec-')
  // Each clip distinct (the vault is content-addressed: the same bytes again would be the same record).
  for (let i = 0; i < count; i++, clips++) {
    const hh = String(8 + Math.floor(clips / 60)).padStart(2, '0')
    const mm = String(clips % 60).padStart(2, '0')
    makeClip(path.join(dir, `ZD_20261120${hh}${mm}00_${String(clips).padStart(4, '0')}.MP4`), {
      creationTime: `2026-11-20T${hh}:${mm}:00Z`,
    })
  }
  const { jobId, batchId } = await t.call(
    'ingest.start',
    { sourceRoot: dir, lateReason: '外出执法', ...opts },
    by.session,
  )
  await t.core.waitForJob(jobId)
  const { items } = await t.call('evidence.list', { batchId, limit: 100 }, by.session)
  return items.map((e) => e.id).sort()
}

export async function newCase(
  t: T,
  by: Person,
  handlers: Person[],
  extra: Partial<MethodInput<'cases.create'>> = {},
): Promise<string> {
  const c = await t.call(
    'cases.create',
    {
      type: 'penalty',
      cause: '串换药品违规结算',
      source: 'complaint',
      party: { kind: 'organisation', name: '某大药房' },
      handlerIds: handlers.map((h) => h.id),
      ...extra,
    },
    by.session,
  )
  return c.case.id
}

/** The newest audit events (newest first), for the access-log lines a test expects. */
export async function audit(t: T, admin: string, action?: string) {
  return (await t.call('audit.list', { limit: 200, ...(action ? { action } : {}) }, admin)).events
}

export const unknownId = () => crypto.randomUUID()
