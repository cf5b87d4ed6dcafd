import fs from 'node:fs'
import Database from 'better-sqlite3'
import { AppError } from '../../../shared/errors.ts'
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations/index.ts'

export type Db = Database.Database

/**
 * SQLite's and the OS's failure codes as typed errors with their own (translated) message: a full disk, a
 * disk that fails to read or write, a damaged file — never SQLite's English text inside a Chinese sentence,
 * and never "cannot open the database" for what is a disk error. Null for anything else.
 */
export function storageError(e: unknown): AppError | null {
  const code = String((e as { code?: unknown } | null)?.code ?? '')
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC') return new AppError('DISK_FULL')
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return new AppError('IO_ERROR', { detail: code })
  // (SQLITE_NOTADB stays "cannot open the database": most often a file that never was one.)
  if (code.startsWith('SQLITE_CORRUPT')) return new AppError('DB_DAMAGED', { detail: code })
  return null
}

/**
 * Open (creating if asked) the agency database with the settings every connection needs,
 * and bring its schema up to date. A database from a newer Liuhen is refused, never touched.
 */
export function openDatabase(file: string, opts: { create: boolean; migrations?: readonly Migration[] }): Db {
  if (!opts.create && !fs.existsSync(file)) throw new AppError('NOT_INITIALIZED')
  // Made 0600 before SQLite sees it: SQLite gives the WAL and shared-memory files the database file's mode.
  if (opts.create && !fs.existsSync(file)) {
    try {
      fs.writeFileSync(file, '', { mode: 0o600, flag: 'wx' })
    } catch {
      /* another process made it first, or the folder is unusable: SQLite says which below */
    }
  }
  let db: Db
  try {
    db = new Database(file, { fileMustExist: !opts.create })
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    db.pragma('synchronous = FULL')
    db.pragma('busy_timeout = 5000')
  } catch (e) {
    throw (
      storageError(e) ?? new AppError('DB_UNREADABLE', { reason: e instanceof Error ? e.message : String(e) })
    )
  }
  try {
    migrate(db, opts.migrations ?? MIGRATIONS)
  } catch (e) {
    db.close()
    throw e
  }
  return db
}

/**
 * Open an existing database read-only, without migrating: for checks that must change nothing
 * (an integrity check run by an auditor, or on a copy handed to a court).
 */
export function openDatabaseReadOnly(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (!fs.existsSync(file)) throw new AppError('NOT_INITIALIZED')
  let db: Db
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    db.pragma('busy_timeout = 5000')
  } catch (e) {
    throw (
      storageError(e) ?? new AppError('DB_UNREADABLE', { reason: e instanceof Error ? e.message : String(e) })
    )
  }
  const supported = migrations[migrations.length - 1]?.version ?? 0
  const found = schemaVersion(db)
  if (found > supported) {
    db.close()
    throw new AppError('DB_TOO_NEW', { found, supported })
  }
  return db
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

/** Each migration runs in its own transaction together with the version bump, so a crash leaves a valid version. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): void {
  const supported = migrations.length ? migrations[migrations.length - 1]!.version : 0
  const current = schemaVersion(db)
  if (current > supported) throw new AppError('DB_TOO_NEW', { found: current, supported })
  for (const m of migrations) {
    if (m.version <= current) continue
    // IMMEDIATE, and the version read again under the write lock: two processes opening an old database at
    // once migrate it once, the second waiting for the first (busy_timeout) and then finding nothing to do.
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return
      m.up(db)
      db.pragma(`user_version = ${Math.trunc(m.version)}`)
    }).immediate()
    const problems = db.pragma('foreign_key_check') as unknown[]
    if (problems.length) throw new Error(`migration ${m.version} left foreign key problems`)
  }
}

export { SCHEMA_VERSION }
