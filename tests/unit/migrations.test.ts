import { describe, expect, test } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { migrate, openDatabase, schemaVersion } from '../../electron/core/db/index.ts'
import { MIGRATIONS, SCHEMA_VERSION } from '../../electron/core/db/migrations/index.ts'
import { AppError } from '../../shared/errors.ts'
import { createCore } from '../../electron/core/core.ts'
import { tempDir } from '../helpers/bridge.ts'
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

describe('migrations', () => {
  test('are numbered upwards, spaced by ten', () => {
    const versions = MIGRATIONS.map((m) => m.version)
    expect(versions.length).toBeGreaterThan(5)
    expect(versions).toEqual([...versions].sort((a, b) => a - b))
    for (const v of versions) expect(v % 10).toBe(0)
    expect(SCHEMA_VERSION).toBe(versions[versions.length - 1])
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
  }, 120_000)

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
