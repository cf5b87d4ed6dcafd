import { describe, expect, test } from 'vitest'
import path from 'node:path'
import Database from 'better-sqlite3'
import { migrate, openDatabase, schemaVersion } from '../../electron/core/db/index.ts'
import { MIGRATIONS, SCHEMA_VERSION } from '../../electron/core/db/migrations/index.ts'
import { AppError } from '../../shared/errors.ts'
import { tempDir } from '../helpers/bridge.ts'

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
