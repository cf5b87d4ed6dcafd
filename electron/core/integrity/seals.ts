import crypto from 'node:crypto'
import type { Db } from '../db/index.ts'
import { appendAudit } from '../audit.ts'

/*
 * Row seals: the rows that carry evidential weight (evidence, tags, cases, text records, grants) are hashed
 * whenever Liuhen changes them, and the hash goes into the audit event of that change, so it is chained and
 * covered by the signed checkpoints. Triggers queue every changed row (whoever changes it); the audited change
 * seals the queue in its own transaction. A row edited with an outside SQLite client no longer matches its
 * seal; to hide that, the audit chain itself would have to be rewritten, which its checks and checkpoints catch.
 */

export const SEALED: readonly { table: string; key: string }[] = [
  { table: 'evidence', key: 'id' },
  { table: 'record_tags', key: 'evidence_id' },
  { table: 'cases', key: 'id' },
  { table: 'text_records', key: 'id' },
  { table: 'access_grants', key: 'id' },
  // Migration 100: the end of an original's life.
  { table: 'deletion_requests', key: 'id' },
  { table: 'tombstones', key: 'evidence_id' },
  // Migration 110: legal review and disclosure.
  { table: 'reviews', key: 'id' },
  { table: 'disclosures', key: 'id' },
  // Migration 120: reopening, re-staffing and lowering a case, asked by one and decided by another.
  { table: 'case_changes', key: 'id' },
]

/**
 * The SQL that makes every change to these sealed tables queue its row. Migrations never call this (they import
 * nothing live): a new sealed table's migration pastes its output as literal text, as 0090-0120 do.
 */
export function sealTriggersSql(tables: readonly string[]): string {
  return SEALED.filter((s) => tables.includes(s.table))
    .map(({ table, key }) =>
      ['INSERT', 'UPDATE', 'DELETE']
        .map(
          (op) =>
            `CREATE TRIGGER seal_${table}_${op.toLowerCase()} AFTER ${op} ON ${table} BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('${table}', ${op === 'DELETE' ? 'OLD' : 'NEW'}.${key});
           END;`,
        )
        .join('\n'),
    )
    .join('\n')
}

/**
 * A row's hash: every column by name, values as SQLite returns them (BLOBs as hex). NULL columns are left out, so
 * a later migration that adds a nullable column does not change the hash of any existing row.
 */
export function rowHash(table: string, row: Record<string, unknown>): string {
  const cols = Object.keys(row)
    .filter((k) => row[k] !== null && row[k] !== undefined)
    .sort()
    .map((k) => {
      const v = row[k]
      return [k, Buffer.isBuffer(v) ? `x'${v.toString('hex')}'` : typeof v === 'bigint' ? v.toString() : v]
    })
  return crypto
    .createHash('sha256')
    .update(JSON.stringify(['liuhen-row-v1', table, cols]), 'utf8')
    .digest('hex')
}

/** Seal value of a row that no longer exists (deleted through Liuhen). */
export const DELETED = 'deleted'

const keyOf = (table: string) => SEALED.find((s) => s.table === table)!.key

/** The current seals of the queued rows, the queue emptied; null when nothing is queued. */
export function takeSeals(db: Db): Record<string, string> | null {
  const queued = db.prepare('SELECT tbl, row_key FROM seal_queue').all() as { tbl: string; row_key: string }[]
  if (!queued.length) return null
  const seals: Record<string, string> = {}
  for (const q of queued) {
    const row = db.prepare(`SELECT * FROM ${q.tbl} WHERE ${keyOf(q.tbl)} = ?`).get(q.row_key) as
      Record<string, unknown> | undefined
    seals[`${q.tbl}/${q.row_key}`] = row ? rowHash(q.tbl, row) : DELETED
  }
  db.prepare('DELETE FROM seal_queue').run()
  return seals
}

/** Record the seals an audit event `seq` carries, for fast lookup (the event stays the authority). */
export function storeSeals(db: Db, seals: Record<string, string>, seq: number): void {
  const up = db.prepare(
    `INSERT INTO row_seals (tbl, row_key, hash, seq) VALUES (?, ?, ?, ?)
     ON CONFLICT (tbl, row_key) DO UPDATE SET hash = excluded.hash, seq = excluded.seq`,
  )
  for (const [k, hash] of Object.entries(seals)) {
    const at = k.indexOf('/')
    up.run(k.slice(0, at), k.slice(at + 1), hash, seq)
  }
}

/** Seal every existing row of a table, in audit events of 5000 rows each (migrations that start sealing). */
export function sealAll(db: Db, table: string): void {
  const key = keyOf(table)
  const rows = db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]
  for (let i = 0; i < rows.length; i += 5000) {
    const seals = Object.fromEntries(
      rows.slice(i, i + 5000).map((r) => [`${table}/${String(r[key])}`, rowHash(table, r)]),
    )
    const seq = appendAudit(
      db,
      { actorId: null, actorName: null, action: 'integrity.baseline', targetType: table, details: { seals } },
      new Date(),
    )
    storeSeals(db, seals, seq)
  }
}
