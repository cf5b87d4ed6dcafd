import type { Db } from './db/index.ts'

/*
 * Agency settings kept in the `meta` table: one row per key, JSON for structured settings. A missing or
 * damaged value reads as the default, so a hand-edited database cannot stop the app from starting.
 */

export function readMeta(db: Db, key: string): string | undefined {
  return (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value
}

export function writeMeta(db: Db, key: string, value: string): void {
  db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, value)
}

/** A JSON setting over its defaults: stored fields win, absent ones keep the default. */
export function readSetting<T extends object>(db: Db, key: string, defaults: T): T {
  const raw = readMeta(db, key)
  if (raw === undefined) return defaults
  try {
    return { ...defaults, ...(JSON.parse(raw) as Partial<T>) }
  } catch {
    return defaults
  }
}

export function writeSetting(db: Db, key: string, value: object): void {
  writeMeta(db, key, JSON.stringify(value))
}
