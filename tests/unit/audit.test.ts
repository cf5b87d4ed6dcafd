import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import Database from 'better-sqlite3'
import { eventHash } from '../../electron/core/audit.ts'
import { verifyAuditOffline } from '../../electron/core/signing/checkpoints.ts'
import { dataLayout } from '../../electron/core/paths.ts'
import { testCore } from '../helpers/core.ts'

/*
 * The chain must catch what an outside SQLite client can do to the audit table: change any column of
 * any row, delete a row, reorder, empty the table. Each case names the event that was touched.
 */

let t: ReturnType<typeof testCore>
let dbFile: string

beforeEach(async () => {
  t = testCore()
  const admin = await t.adminSession()
  await t.call(
    'users.create',
    { username: 'auditor1', displayName: '审计员', roles: ['auditor'], initialPassword: 'Shenji2026a' },
    admin,
  )
  await t.call('agency.update', { lockoutMinutes: 30 }, admin)
  t.core.close()
  dbFile = dataLayout(t.dataDir).db
})
afterEach(() => undefined)

function tamper(sql: string, ...params: unknown[]) {
  const db = new Database(dbFile)
  db.prepare(sql).run(...params)
  db.close()
}

describe('audit chain', () => {
  test('an untouched chain verifies', () => {
    const r = verifyAuditOffline(dbFile)
    expect(r.ok).toBe(true)
    expect(r.checked).toBeGreaterThanOrEqual(5)
    expect(r.firstBad).toBeNull()
  })

  const columns: [string, unknown][] = [
    ['id', '00000000-0000-0000-0000-000000000000'],
    ['ts', '2020-01-01T00:00:00.000Z'],
    ['actor_id', 'someone-else'],
    ['actor_name', '张三'],
    ['action', 'users.delete'],
    ['target_type', 'case'],
    ['target_id', 'x'],
    ['details', '{"username":"other"}'],
    ['prev_hash', 'f'.repeat(64)],
    ['hash', 'e'.repeat(64)],
  ]
  test.each(columns)('changing column %s of one event is detected and names that event', (column, value) => {
    tamper(`UPDATE audit_events SET ${column} = ? WHERE seq = 3`, value)
    const r = verifyAuditOffline(dbFile)
    expect(r.ok).toBe(false)
    expect(r.firstBad?.seq).toBe(3)
  })

  test('renumbering an event is detected at the number it left', () => {
    tamper('UPDATE audit_events SET seq = 1000 WHERE seq = 2')
    const r = verifyAuditOffline(dbFile)
    expect(r.firstBad).toEqual({ seq: 2, id: null, reason: 'missing' })
    expect(r.problems.some((p) => p.seq === 1000 && p.reason === 'hash_mismatch')).toBe(true)
  })

  test('a deleted event is reported missing', () => {
    tamper('DELETE FROM audit_events WHERE seq = 4')
    const r = verifyAuditOffline(dbFile)
    expect(r.firstBad).toEqual({ seq: 4, id: null, reason: 'missing' })
  })

  test('a rewritten event with a recomputed hash still breaks the link to the next one', () => {
    const db = new Database(dbFile)
    const row = db.prepare('SELECT * FROM audit_events WHERE seq = 2').get() as Record<string, unknown>
    const forged = { ...row, actor_name: '伪造' } as Parameters<typeof eventHash>[0]
    db.prepare('UPDATE audit_events SET actor_name = ?, hash = ? WHERE seq = 2').run(
      '伪造',
      eventHash(forged),
    )
    db.close()
    const r = verifyAuditOffline(dbFile)
    expect(r.firstBad).toMatchObject({ seq: 3, reason: 'prev_mismatch' })
  })

  test('an emptied trail of an initialised agency is not "intact"', () => {
    tamper('DELETE FROM audit_events')
    expect(verifyAuditOffline(dbFile).firstBad).toEqual({ seq: 1, id: null, reason: 'missing' })
  })

  test('the offline check changes nothing in the database', () => {
    const before = new Database(dbFile, { readonly: true })
    const n = (before.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number }).n
    before.close()
    verifyAuditOffline(dbFile)
    const after = new Database(dbFile, { readonly: true })
    expect((after.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number }).n).toBe(n)
    after.close()
  })
})
