import crypto from 'node:crypto'
import type { Db } from './db/index.ts'
import { Where } from './db/where.ts'
import type { AuditEvent, AuditProblem, AuditVerifyReport } from '../../shared/contract.ts'

export const GENESIS_HASH = '0'.repeat(64)

export interface AuditInput {
  actorId: string | null
  actorName: string | null
  action: string
  targetType?: string | null
  targetId?: string | null
  details?: Record<string, unknown>
}

interface AuditRow {
  seq: number
  id: string
  ts: string
  actor_id: string | null
  actor_name: string | null
  action: string
  target_type: string | null
  target_id: string | null
  details: string
  prev_hash: string
  hash: string
}

/**
 * The hash covers every column but itself, in a fixed order, over the stored text (details included
 * byte for byte), so any change to any column of a row, or to the order of rows, breaks the chain.
 */
export function eventHash(row: Omit<AuditRow, 'hash'>): string {
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

/** Append one event. Must be called inside the transaction that makes the change it records. */
export function appendAudit(db: Db, ev: AuditInput, now: Date): number {
  if (!db.inTransaction) throw new Error('appendAudit outside a transaction')
  const head = db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: string } | undefined
  const row: Omit<AuditRow, 'hash'> = {
    seq: (head?.seq ?? 0) + 1,
    id: crypto.randomUUID(),
    ts: now.toISOString(),
    actor_id: ev.actorId,
    actor_name: ev.actorName,
    action: ev.action,
    target_type: ev.targetType ?? null,
    target_id: ev.targetId ?? null,
    details: JSON.stringify(ev.details ?? {}),
    prev_hash: head?.hash ?? GENESIS_HASH,
  }
  db.prepare(
    `INSERT INTO audit_events (seq, id, ts, actor_id, actor_name, action, target_type, target_id, details, prev_hash, hash)
     VALUES (@seq, @id, @ts, @actor_id, @actor_name, @action, @target_type, @target_id, @details, @prev_hash, @hash)`,
  ).run({ ...row, hash: eventHash(row) })
  return row.seq
}

function toEvent(r: AuditRow): AuditEvent {
  let details: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(r.details)
    details =
      parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : { value: parsed }
  } catch {
    details = { unparsable: r.details }
  }
  return {
    seq: r.seq,
    id: r.id,
    ts: r.ts,
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    details,
    prevHash: r.prev_hash,
    hash: r.hash,
  }
}

export function listAudit(
  db: Db,
  q: { beforeSeq?: number | undefined; limit: number; action?: string | undefined },
): { events: AuditEvent[]; total: number } {
  // The total counts the filter (the action), not the page before beforeSeq.
  const filter = new Where().andIf(q.action, 'action = ?')
  const page = new Where().andIf(q.action, 'action = ?').andIf(q.beforeSeq, 'seq < ?')
  const rows = db
    .prepare(`SELECT * FROM audit_events ${page.clause} ORDER BY seq DESC LIMIT ?`)
    .all(...page.args, q.limit) as AuditRow[]
  const total = (
    db.prepare(`SELECT count(*) AS n FROM audit_events ${filter.clause}`).get(...filter.args) as { n: number }
  ).n
  return { events: rows.map(toEvent), total }
}

/**
 * Walk the whole chain in order. Reports every problem and the first one: a gap in the sequence
 * (a deleted or renumbered event), a row whose content no longer matches its hash, or a row that
 * does not link to the one before it. Streams rows, so memory stays flat however long the trail.
 */
export function verifyAudit(db: Db, now: Date): AuditVerifyReport {
  const problems: AuditProblem[] = []
  let expectedSeq = 1
  let prevHash = GENESIS_HASH
  let checked = 0
  let headSeq = 0
  let headHash = GENESIS_HASH
  const MAX_PROBLEMS = 1000
  for (const raw of db.prepare('SELECT * FROM audit_events ORDER BY seq').iterate()) {
    const r = raw as AuditRow
    checked++
    if (problems.length < MAX_PROBLEMS) {
      if (typeof r.seq !== 'number' || r.seq !== expectedSeq) {
        for (let s = expectedSeq; s < r.seq && problems.length < MAX_PROBLEMS; s++) {
          problems.push({ seq: s, id: null, reason: 'missing' })
        }
      }
      if (typeof r.hash !== 'string' || eventHash(r) !== r.hash) {
        problems.push({ seq: r.seq, id: String(r.id), reason: 'hash_mismatch' })
      } else if (r.prev_hash !== prevHash) {
        problems.push({ seq: r.seq, id: r.id, reason: 'prev_mismatch' })
      }
    }
    expectedSeq = r.seq + 1
    prevHash = r.hash
    headSeq = r.seq
    headHash = r.hash
  }
  // An initialised agency always has its system.initialize event: an empty trail means it was emptied.
  if (checked === 0 && db.prepare('SELECT 1 FROM agency').get()) {
    problems.push({ seq: 1, id: null, reason: 'missing' })
  }
  return {
    ok: problems.length === 0,
    checked,
    headSeq,
    headHash,
    checkpoints: 0,
    firstBad: problems[0] ?? null,
    problems,
    verifiedAt: now.toISOString(),
  }
}
