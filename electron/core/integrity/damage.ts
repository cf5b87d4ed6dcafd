import fs from 'node:fs'
import path from 'node:path'
import type { IntegrityProblem } from '../../../shared/integrity.ts'
import { AppError } from '../../../shared/errors.ts'
import { writeAtomicSync } from '../durable.ts'
import type { DataLayout } from '../paths.ts'

/*
 * A database that failed its own check is not written into: every write would build on pages SQLite cannot
 * trust, and ingest would keep copying originals whose rows may not survive. The finding lives in a file in
 * the data folder, not in the database (which is the thing in doubt, and which `liuhen verify` opens
 * read-only). Any later check that finds the file sound removes it; a restore starts from a folder without it.
 */

export interface DamageRecord {
  at: string
  detail: string
}

export const damageMarkerPath = (layout: DataLayout): string => path.join(layout.root, 'DB-DAMAGED.json')

/** Record what a verify run found about the database file: mark it damaged, or clear an earlier mark. */
export function recordDatabaseCheck(layout: DataLayout, problems: IntegrityProblem[], at: Date): void {
  const bad = problems.filter((p) => p.check === 'database')
  const file = damageMarkerPath(layout)
  if (!bad.length) {
    fs.rmSync(file, { force: true })
    return
  }
  const first = bad[0]!
  const record: DamageRecord = {
    at: at.toISOString(),
    detail: `${first.table ? `${first.table} ` : ''}${first.id}`,
  }
  writeAtomicSync(file, JSON.stringify({ ...record, problems: bad.slice(0, 20) }, null, 2), {
    replace: true,
    mode: 0o644,
  })
}

/** SQLite said the file is corrupt in the middle of some call: mark it at once, a verify may clear it. */
export function markDamaged(layout: DataLayout, detail: string, at: Date): void {
  try {
    writeAtomicSync(damageMarkerPath(layout), JSON.stringify({ at: at.toISOString(), detail }, null, 2), {
      replace: true,
      mode: 0o644,
    })
  } catch {
    /* the error itself still reaches the caller */
  }
}

export function damageRecord(layout: DataLayout): DamageRecord | null {
  let raw: string
  try {
    raw = fs.readFileSync(damageMarkerPath(layout), 'utf8')
  } catch {
    return null
  }
  try {
    const r = JSON.parse(raw) as Partial<DamageRecord>
    return { at: String(r.at ?? ''), detail: String(r.detail ?? '') }
  } catch {
    // A mark that cannot be read still marks the database.
    return { at: '', detail: 'liuhen.db' }
  }
}

/** Methods still allowed on a damaged database: signing in and out, and the check that may clear the mark. */
const WHILE_DAMAGED = new Set([
  'auth.signIn',
  'auth.signOut',
  'auth.lock',
  'auth.unlock',
  'integrity.verify',
  'integrity.cancel',
  'backup.run',
])

export function refuseIfDamaged(layout: DataLayout, method: string, readOnly: boolean): void {
  if (readOnly || WHILE_DAMAGED.has(method)) return
  const d = damageRecord(layout)
  if (d) throw new AppError('DB_DAMAGED', { detail: d.detail })
}
