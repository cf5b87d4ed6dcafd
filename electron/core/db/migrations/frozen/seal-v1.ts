import crypto from 'node:crypto'
import type Database from 'better-sqlite3'

/*
 * Sealing the rows that exist when a migration starts sealing a table (0090), frozen as it was released:
 * the row hash 'liuhen-row-v1' (integrity/seals.ts rowHash) and the audit event 'liuhen-audit-v1'
 * (audit.ts eventHash, appendAudit), copied here so that editing today's seal or audit code never changes what a
 * released migration writes into an agency's trail. The events must stay byte for byte what the live verifier
 * expects (tests/unit/migrations.test.ts runs this copy and the live code side by side and compares the rows).
 * Never edit this file; a new hash format is a new frozen file used by a new migration.
 */

const GENESIS_HASH = '0'.repeat(64)

/** The key column of each table 0090 seals (integrity/seals.ts SEALED, as released). */
const KEYS: Readonly<Record<string, string>> = {
  evidence: 'id',
  record_tags: 'evidence_id',
  cases: 'id',
  text_records: 'id',
  access_grants: 'id',
}

function rowHashV1(table: string, row: Record<string, unknown>): string {
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

interface EventV1 {
  seq: number
  id: string
  ts: string
  actor_id: null
  actor_name: null
  action: string
  target_type: string
  target_id: null
  details: string
  prev_hash: string
}

function eventHashV1(row: EventV1): string {
  const material = JSON.stringify([
    'liuhen-audit-v1',
    row.seq,
    row.id,
    row.ts,
    row.actor_id,
    row.actor_name,
    row.action,
    row.target_type,
    row.target_id,
    row.details,
    row.prev_hash,
  ])
  return crypto.createHash('sha256').update(material, 'utf8').digest('hex')
}

/** One 'integrity.baseline' event by the system (no actor), chained after the head; returns its seq. */
function appendBaselineV1(
  db: Database.Database,
  table: string,
  seals: Record<string, string>,
  now: Date,
): number {
  if (!db.inTransaction) throw new Error('appendAudit outside a transaction')
  const head = db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: string } | undefined
  const row: EventV1 = {
    seq: (head?.seq ?? 0) + 1,
    id: crypto.randomUUID(),
    ts: now.toISOString(),
    actor_id: null,
    actor_name: null,
    action: 'integrity.baseline',
    target_type: table,
    target_id: null,
    details: JSON.stringify({ seals }),
    prev_hash: head?.hash ?? GENESIS_HASH,
  }
  db.prepare(
    `INSERT INTO audit_events (seq, id, ts, actor_id, actor_name, action, target_type, target_id, details, prev_hash, hash)
     VALUES (@seq, @id, @ts, @actor_id, @actor_name, @action, @target_type, @target_id, @details, @prev_hash, @hash)`,
  ).run({ ...row, hash: eventHashV1(row) })
  return row.seq
}

/** Seal every existing row of a table, in audit events of 5000 rows each, and record the seals in row_seals. */
export function sealAllV1(db: Database.Database, table: string, now: Date = new Date()): void {
  const key = KEYS[table]
  if (!key) throw new Error(`seal-v1 does not know table ${table}`)
  const rows = db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]
  const up = db.prepare(
    `INSERT INTO row_seals (tbl, row_key, hash, seq) VALUES (?, ?, ?, ?)
     ON CONFLICT (tbl, row_key) DO UPDATE SET hash = excluded.hash, seq = excluded.seq`,
  )
  for (let i = 0; i < rows.length; i += 5000) {
    const seals = Object.fromEntries(
      rows.slice(i, i + 5000).map((r) => [`${table}/${String(r[key])}`, rowHashV1(table, r)]),
    )
    const seq = appendBaselineV1(db, table, seals, now)
    for (const [k, hash] of Object.entries(seals)) {
      const at = k.indexOf('/')
      up.run(k.slice(0, at), k.slice(at + 1), hash, seq)
    }
  }
}
