import { describe, expect, test, vi } from 'vitest'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { migrate, openDatabase, schemaVersion } from '../../electron/core/db/index.ts'
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from '../../electron/core/db/migrations/index.ts'
import { INTEGRITY_SQL } from '../../electron/core/db/migrations/0090_integrity.ts'
import { appendAudit, verifyAudit } from '../../electron/core/audit.ts'
import { sealAll } from '../../electron/core/integrity/seals.ts'
import { checkRows } from '../../electron/core/integrity/verify.ts'
import { AppError } from '../../shared/errors.ts'
import { createCore } from '../../electron/core/core.ts'
import { REPO, tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { noiseFile } from '../helpers/media.ts'
import { startTsa } from '../helpers/tsa.ts'

function dbPath() {
  return path.join(tempDir(), 'liuhen.db')
}

function tables(db: Database.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string
    }[]
  ).map((r) => r.name)
}

const RELEASED = (
  JSON.parse(fs.readFileSync(path.join(REPO, 'tests/fixtures/released-migrations.json'), 'utf8')) as {
    released: { version: number; name: string }[]
  }
).released
const SCHEMA_FIXTURE = path.join(REPO, 'tests/fixtures/schema.sql')

/** What is wrong with a migration list against the released ones (empty: nothing). */
function numberingProblems(
  migrations: readonly Migration[],
  released: readonly { version: number; name: string }[],
): string[] {
  const problems: string[] = []
  const last = Math.max(...released.map((r) => r.version))
  for (const r of released) {
    const m = migrations.find((x) => x.version === r.version)
    if (!m) problems.push(`released ${r.version} ${r.name} is gone`)
    else if (m.name !== r.name) problems.push(`released ${r.version} ${r.name} is now named ${m.name}`)
  }
  for (const m of migrations)
    if (!released.some((r) => r.version === m.version) && m.version <= last)
      problems.push(`${m.version} ${m.name} is numbered below the last released (${last})`)
  return problems
}

/**
 * The schema as SQL text: every object of sqlite_master that has SQL (FTS5's own shadow tables included), comments
 * dropped and white space collapsed so re-indenting a migration is no change, sorted by type and name; then the
 * rows the migrations seed (the catalogues), sorted, so a changed seed row is a change of the snapshot too.
 */
function schemaSnapshot(db: Database.Database): string {
  const objects = db
    .prepare('SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name')
    .all() as { type: string; name: string; sql: string }[]
  const norm = (sql: string) =>
    sql
      .replace(/--[^\n]*/g, '')
      .replace(/\s+/g, ' ')
      .replace(/\( /g, '(')
      .replace(/ \)/g, ')')
      .replace(/ ,/g, ',')
      .trim()
  const out = [
    '-- The schema of a new database after every migration (tests/unit/migrations.test.ts).',
    '-- Regenerate after a deliberate change: LIUHEN_UPDATE_SCHEMA=1 npx vitest run tests/unit/migrations.test.ts -t schema',
    ...objects.map((o) => `${o.type === 'table' ? oneColumnALine(norm(o.sql)) : norm(o.sql)};`),
  ]
  const virtual = new Set(objects.filter((o) => /^CREATE VIRTUAL/i.test(o.sql)).map((o) => o.name))
  for (const { name } of objects.filter((o) => o.type === 'table')) {
    // FTS5 keeps its own rows (version, config) in its shadow tables: not ours to snapshot.
    if ([...virtual].some((v) => name.startsWith(`${v}_`)) || virtual.has(name)) continue
    const rows = db.prepare(`SELECT * FROM "${name}"`).raw().all() as unknown[][]
    for (const r of rows.map((x) => JSON.stringify(x)).sort()) out.push(`-- row ${name} ${r}`)
  }
  return `${out.join('\n')}\n`
}

/** A table's columns and constraints one a line, so a snapshot diff names the column that changed. */
function oneColumnALine(sql: string): string {
  let depth = 0
  let quote: string | null = null
  let out = ''
  for (const ch of sql) {
    if (quote) {
      out += ch
      if (ch === quote) quote = null
      continue
    }
    if (ch === "'" || ch === '"') quote = ch
    if (ch === '(' && depth++ === 0) out += '(\n  '
    else if (ch === ')' && --depth === 0) out += '\n)'
    else if (ch === ',' && depth === 1) out += ',\n '
    else out += ch
  }
  return out
}

/**
 * A database left at 0080 (the version before sealing) holding rows in every table 0090 seals: 5001 recordings
 * (two baseline events of at most 5000), a tag, a case, a text record, an access grant, after one audit event.
 */
function seededAt80(): string {
  const file = path.join(tempDir(), 'at80.db')
  const db = openDatabase(file, { create: true, migrations: MIGRATIONS.filter((m) => m.version <= 80) })
  const at = '2026-11-23T08:00:00.000Z'
  db.exec(`
    INSERT INTO agency (id, name, code, created_at) VALUES (1, '旧局', 'OLD', '${at}');
    INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES
      ('u1', 'admin', '管理员', 'x', '${at}'), ('u2', 'lijing', '李静', 'x', '${at}');
    INSERT INTO devices (id, kind, identity, label, created_at) VALUES ('d1', 'folder', 'f1', '执法记录仪', '${at}');
    INSERT INTO ingest_batches (id, device_id, source_root, user_id, started_at, status)
      VALUES ('b1', 'd1', '/media', 'u2', '${at}', 'done');
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5001)
    INSERT INTO evidence (id, sha256, size, media_type, original_name, ingested_at, ingested_by, batch_id, device_id,
                          capture_source, capture_precision, sm3, duration_ms)
      SELECT printf('e%05d', i), printf('%064x', i), i * 1000, 'video', printf('REC%05d.MP4', i), '${at}', 'u2', 'b1',
             'd1', 'file', 'second', CASE WHEN i % 2 THEN printf('%064x', i * 7) END, CASE WHEN i % 3 THEN i END FROM n;
    INSERT INTO cases (id, case_no, year, seq, cause, source, type, party_kind, party_name, created_at, created_by,
                       updated_at)
      VALUES ('c1', '闽医保罚〔2026〕1号', 2026, 1, '欺诈骗保', 'ex_officio', 'penalty', 'person', '张三', '${at}', 'u2',
              '${at}');
    INSERT INTO record_tags (evidence_id, case_id, stage, version, updated_at, updated_by)
      VALUES ('e00001', 'c1', 'investigation', 1, '${at}', 'u2');
    INSERT INTO text_records (id, case_id, doc_type, stage, doc_date, sha256, size, file_kind, original_name,
                              created_at, created_by)
      VALUES ('t1', 'c1', 'filing_approval', 'start', '2026-11-23', '${'a'.repeat(64)}', 1234, 'pdf', '立案.pdf',
              '${at}', 'u2');
    INSERT INTO access_requests (id, requester_id, case_id, purpose, kind, starts_at, ends_at, created_at)
      VALUES ('r1', 'u1', 'c1', 'supervision', 'view', '${at}', '2026-12-23T08:00:00.000Z', '${at}');
    INSERT INTO access_grants (id, request_id, holder_id, case_id, kind, starts_at, ends_at, approved_by, created_at)
      VALUES ('g1', 'r1', 'u1', 'c1', 'view', '${at}', '2026-12-23T08:00:00.000Z', 'u2', '${at}');
  `)
  db.transaction(() =>
    appendAudit(db, { actorId: 'u1', actorName: '管理员', action: 'system.initialize' }, new Date(at)),
  ).immediate()
  db.close()
  return file
}

describe('migrations', () => {
  test('are numbered upwards', () => {
    const versions = MIGRATIONS.map((m) => m.version)
    expect(versions.length).toBeGreaterThan(5)
    expect(versions).toEqual([...versions].sort((a, b) => a - b))
    expect(SCHEMA_VERSION).toBe(versions[versions.length - 1])
  })

  // A database already at the last released version skips any migration numbered below it: a new one slotted
  // in between two released ones would never run there. So released ones stay as they are, and new ones go above.
  test('every released migration is still there under its number, and every new one is numbered above them', () => {
    expect(RELEASED.length).toBeGreaterThan(10)
    expect(numberingProblems(MIGRATIONS, RELEASED)).toEqual([])
    // The check itself refuses a slotted-in 0095, a renumbered or dropped released one, and a renamed one.
    const up = () => {}
    const slotted = [...MIGRATIONS, { version: 95, name: 'fix', up }].sort((a, b) => a.version - b.version)
    expect(numberingProblems(slotted, RELEASED)).toEqual(['95 fix is numbered below the last released (140)'])
    expect(
      numberingProblems(
        MIGRATIONS.filter((m) => m.version !== 90),
        RELEASED,
      ),
    ).toEqual(['released 90 integrity is gone'])
    const renamed = MIGRATIONS.map((m) => (m.version === 60 ? { ...m, name: 'cases_v2' } : m))
    expect(numberingProblems(renamed, RELEASED)).toEqual(['released 60 cases is now named cases_v2'])
    expect(numberingProblems([...MIGRATIONS, { version: 9000, name: 'later', up }], RELEASED)).toEqual([])
  })

  // The schema a fresh database gets, checked in: a change to any migration, released or new, shows up as a diff
  // of tests/fixtures/schema.sql. LIUHEN_UPDATE_SCHEMA=1 rewrites the file after a deliberate change.
  test('the schema after all migrations matches tests/fixtures/schema.sql', () => {
    const db = openDatabase(dbPath(), { create: true })
    const now = schemaSnapshot(db)
    db.close()
    if (process.env.LIUHEN_UPDATE_SCHEMA === '1') fs.writeFileSync(SCHEMA_FIXTURE, now)
    expect(now.split('\n').length).toBeGreaterThan(100)
    expect(now).toBe(fs.readFileSync(SCHEMA_FIXTURE, 'utf8'))
  })

  test('0090 seals existing rows through its frozen copy byte for byte as the live seal and audit code does, and the trail verifies', () => {
    const seeded = seededAt80()
    // The same database twice: one migrated by 0090 (frozen copy), one given 0090's tables and then sealed by
    // today's live sealAll/appendAudit — with the same clock and the same event ids, the rows must be equal.
    const frozen = path.join(tempDir(), 'frozen.db')
    const live = path.join(tempDir(), 'live.db')
    fs.copyFileSync(seeded, frozen)
    fs.copyFileSync(seeded, live)
    let n = 0
    const uuid = vi
      .spyOn(crypto, 'randomUUID')
      .mockImplementation(() => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-24T02:00:00.000Z'))
    try {
      const a = openDatabase(frozen, { create: false, migrations: MIGRATIONS.filter((m) => m.version <= 90) })
      a.close()
      n = 0
      const b = new Database(live)
      b.transaction(() => {
        b.exec(INTEGRITY_SQL)
        for (const t of ['evidence', 'record_tags', 'cases', 'text_records', 'access_grants']) sealAll(b, t)
        b.pragma('user_version = 90')
      }).immediate()
      b.close()
    } finally {
      vi.useRealTimers()
      uuid.mockRestore()
    }
    const rows = (file: string) => {
      const db = new Database(file, { readonly: true })
      const out = {
        audit: db.prepare('SELECT * FROM audit_events ORDER BY seq').all(),
        seals: db.prepare('SELECT * FROM row_seals ORDER BY tbl, row_key').all(),
      }
      db.close()
      return out
    }
    const f = rows(frozen)
    // 5001 recordings are two baseline events; one each for tags, cases, text records, grants; after the one
    // event already there.
    expect(f.audit).toHaveLength(1 + 2 + 4)
    expect(f.seals).toHaveLength(5001 + 1 + 1 + 1 + 1)
    expect(f).toEqual(rows(live))

    // And after every later migration, today's verifiers accept the trail and every seal.
    const db = openDatabase(frozen, { create: false })
    try {
      const audit = verifyAudit(db, new Date())
      expect(audit.problems).toEqual([])
      expect(audit.checked).toBe(7)
      const checked = checkRows(db, () => false)
      expect(checked.problems).toEqual([])
      expect(checked.rows).toBe(5001 + 4)
    } finally {
      db.close()
    }
  })

  test('a new database gets the whole schema, WAL and foreign keys', () => {
    const db = openDatabase(dbPath(), { create: true })
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION)
    expect(tables(db)).toEqual(
      expect.arrayContaining(['agency', 'audit_events', 'meta', 'user_roles', 'users']),
    )
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    db.close()
  })

  // Upgrade from every earlier schema: stop at each released version with data in it, then open normally.
  test.each(MIGRATIONS.slice(0, -1).map((m) => m.version))(
    'upgrades a database left at version %i',
    (version) => {
      const file = dbPath()
      const old = openDatabase(file, {
        create: true,
        migrations: MIGRATIONS.filter((m) => m.version <= version),
      })
      expect(schemaVersion(old)).toBe(version)
      old
        .prepare(
          "INSERT INTO agency (id, name, code, created_at) VALUES (1, '旧局', 'OLD', '2026-01-01T00:00:00Z')",
        )
        .run()
      old.close()
      const db = openDatabase(file, { create: false })
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION)
      const row = db.prepare('SELECT * FROM agency').get() as Record<string, unknown>
      expect(row).toMatchObject({
        name: '旧局',
        code: 'OLD',
        idle_lock_minutes: 15,
        max_failed_sign_ins: 5,
        lockout_minutes: 15,
      })
      expect(db.pragma('foreign_key_check')).toEqual([])
      db.close()
    },
  )

  test('0060 rebuilds `signatures` without losing one: real signatures in every time-stamp state survive intact and still verify', async () => {
    // Signatures made by the real writers: an agency CA, an officer's certificate, three signed ingests —
    // before any TSA (ts_status none), with a real TSA (granted, with its .tsr), with a TSA that is down (pending).
    const t = testCore()
    const admin = await t.adminSession()
    const officer = await t.userSession(admin, 'lijing', ['enforcement_officer'])
    await t.call('ca.init', { passphrase: 'RootPass2026' }, admin)
    await t.call(
      'ca.issue',
      { userId: officer.user.id, rootPassphrase: 'RootPass2026', pin: '246810' },
      admin,
    )
    const tsa = await startTsa()
    const ingest = async (batch: string) => {
      const dir = tempDir(`liuhen-migdev-${batch}-`)
      for (const i of [1, 2]) noiseFile(path.join(dir, `RECORD/${batch}-${i}.wav`), 40_000 + i)
      const { jobId } = await t.call(
        'ingest.start',
        { sourceRoot: dir, signingPin: '246810', lateReason: '外出执法' },
        officer.session,
      )
      await t.core.waitForJob(jobId)
      await t.core.timestampsIdle()
    }
    try {
      await ingest('none')
      await t.call('ca.import', { purpose: 'tsa', pem: fs.readFileSync(tsa.caPem, 'utf8') }, admin)
      await t.call('signing.setSettings', { tsaUrl: tsa.url }, admin)
      await ingest('granted')
      expect(await t.call('timestamps.retry', {}, officer.session)).toMatchObject({ pending: 0, error: null })
      // Nothing listens on port 9 of the loopback: these stay pending.
      await t.call('signing.setSettings', { tsaUrl: 'http://127.0.0.1:9/tsa' }, admin)
      await ingest('pending')
    } finally {
      t.core.close()
      await tsa.stop()
    }

    // The same agency as a database left at 0050, the version before the rebuild. The writers of that version
    // are gone from the tree, so today's rows are carried over column by column — every column 0050 has —
    // which is exactly what a 0050 database holding these signatures looked like.
    const live = path.join(t.dataDir, 'liuhen.db')
    const file = path.join(tempDir(), 'old.db')
    const old = openDatabase(file, { create: true, migrations: MIGRATIONS.filter((m) => m.version <= 50) })
    expect(schemaVersion(old)).toBe(50)
    old.pragma('foreign_keys = OFF')
    old.prepare('ATTACH DATABASE ? AS live').run(live)
    let copied = 0
    for (const table of tables(old).filter((n) => !n.startsWith('sqlite_'))) {
      const cols = (old.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name)
      const liveCols = new Set(
        (old.pragma(`live.table_info(${table})`) as { name: string }[]).map((c) => c.name),
      )
      const both = cols.filter((c) => liveCols.has(c)).map((c) => `"${c}"`)
      if (!both.length) continue
      const list = both.join(', ')
      copied += old
        .prepare(`INSERT OR REPLACE INTO main.${table} (${list}) SELECT ${list} FROM live.${table}`)
        .run().changes
    }
    old.exec('DETACH DATABASE live')
    expect(copied).toBeGreaterThan(20)
    const before = old.prepare('SELECT * FROM signatures ORDER BY id').all() as Record<string, unknown>[]
    old.pragma('foreign_keys = ON')
    expect(old.pragma('foreign_key_check')).toEqual([])
    old.close()
    expect(before).toHaveLength(6)
    expect(before.map((r) => r.ts_status).sort()).toEqual([
      'granted',
      'granted',
      'none',
      'none',
      'pending',
      'pending',
    ])
    expect(before.filter((r) => r.ts_status === 'granted' && r.tsr_path && r.ts_time)).toHaveLength(2)

    // The agency's data folder now holds the 0050 database; opening it runs 0060 and everything after.
    for (const f of ['liuhen.db', 'liuhen.db-wal', 'liuhen.db-shm'])
      fs.rmSync(path.join(t.dataDir, f), { force: true })
    fs.copyFileSync(file, live)
    const db = openDatabase(live, { create: false })
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION)
    const after = db.prepare('SELECT * FROM signatures ORDER BY id').all() as Record<string, unknown>[]
    expect(db.pragma('foreign_key_check')).toEqual([])
    db.close()
    expect(after).toEqual(before.map((r) => ({ ...r, text_record_id: null })))

    // And the core of today still finds every one of them valid, the granted ones with their time-stamp.
    const core = createCore({ dataDir: t.dataDir, create: false })
    try {
      const signIn = (await core.dispatch(
        { method: 'auth.signIn', input: { username: 'lijing', password: 'Zhengshi2026y' } },
        'test',
      )) as { ok: true; value: { session: string } }
      expect(signIn.ok).toBe(true)
      const evidence = [...new Set(after.map((r) => r.evidence_id as string))]
      expect(evidence).toHaveLength(6)
      const stamps: string[] = []
      for (const evidenceId of evidence) {
        const v = (await core.dispatch(
          { method: 'signatures.verify', input: { evidenceId }, session: signIn.value.session },
          'test',
        )) as {
          ok: true
          value: { ok: boolean; signatures: { valid: boolean; timestamp: { status: string } }[] }
        }
        expect(v.ok, JSON.stringify(v)).toBe(true)
        expect(v.value.signatures).toHaveLength(1)
        expect(v.value.signatures[0]!.valid, evidenceId).toBe(true)
        stamps.push(v.value.signatures[0]!.timestamp.status)
      }
      expect(stamps.sort()).toEqual(['granted', 'granted', 'none', 'none', 'pending', 'pending'])
    } finally {
      core.close()
    }
  })

  test('a database written by a newer Liuhen is refused and left untouched', () => {
    const file = dbPath()
    const db = new Database(file)
    db.pragma(`user_version = ${SCHEMA_VERSION + 10}`)
    db.exec('CREATE TABLE future (x)')
    db.close()
    let err: unknown
    try {
      openDatabase(file, { create: false })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).toValue()).toEqual({
      code: 'DB_TOO_NEW',
      params: { found: SCHEMA_VERSION + 10, supported: SCHEMA_VERSION },
    })
    const again = new Database(file, { readonly: true })
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 10)
    again.close()
  })

  test('a failing migration leaves the previous version in place', () => {
    const file = dbPath()
    const db = openDatabase(file, { create: true, migrations: MIGRATIONS.slice(0, 1) })
    const broken = {
      version: 9990,
      name: 'broken',
      up: (d: Database.Database) => d.exec('CREATE TABLE half (x); SELECT nope FROM nowhere'),
    }
    expect(() => migrate(db, [...MIGRATIONS.slice(0, 1), broken])).toThrow()
    expect(schemaVersion(db)).toBe(MIGRATIONS[0]!.version)
    expect(tables(db)).not.toContain('half')
    db.close()
  })

  test('the audit list by action uses its index', () => {
    const db = openDatabase(dbPath(), { create: true })
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT * FROM audit_events WHERE action = 'auth.signIn' ORDER BY seq DESC LIMIT 50",
      )
      .all() as { detail: string }[]
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/audit_events_by_action/)
    db.close()
  })
})
