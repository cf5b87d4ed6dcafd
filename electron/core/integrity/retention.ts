import crypto from 'node:crypto'
import fs from 'node:fs'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { gateDecision, gateRecord } from '../access/gate.ts'
import { AppError } from '../../../shared/errors.ts'
import type { CallContext, CoreDeps } from '../context.ts'
import { actorFields, actorOf, auditedChange } from '../context.ts'
import type { Db } from '../db/index.ts'
import { objectPath } from '../vault.ts'
import { thumbnailPath } from '../ingest/thumbnails.ts'
import { previewPath } from '../media.ts'

/*
 * An original leaves the vault only at the end of its retention period, which runs from the day its case was
 * first written to a good archive disc, for the longest period of the case's good discs (永久 never ends). A
 * records officer asks, another person (an approver) decides; on approval the evidence row is marked deleted, a
 * tombstone keeps its hash, size and name, both people and the request, and only after that is committed are the
 * file and its derived copies removed. A crash in between leaves an orphan file, never a record without one.
 */

const YEARS = { '30y': 30, '10y': 10 } as const

export function retentionOf(
  db: Db,
  evidenceId: string,
): { expiredOn: string | null; permanent: boolean; basis: string } {
  const discs = db
    .prepare(
      `SELECT d.disc_no, d.retention, d.written_at FROM record_tags t
       JOIN archive_volumes v ON v.case_id = t.case_id JOIN discs d ON d.volume_id = v.id
       WHERE t.evidence_id = ? AND d.status = 'good' ORDER BY d.written_at`,
    )
    .all(evidenceId) as { disc_no: string; retention: keyof typeof YEARS | 'permanent'; written_at: string }[]
  if (!discs.length) return { expiredOn: null, permanent: false, basis: '' }
  if (discs.some((d) => d.retention === 'permanent'))
    return { expiredOn: null, permanent: true, basis: discs.map((d) => d.disc_no).join(' ') }
  const years = Math.max(...discs.map((d) => YEARS[d.retention as keyof typeof YEARS]))
  const from = new Date(discs[0]!.written_at)
  from.setUTCFullYear(from.getUTCFullYear() + years)
  return { expiredOn: from.toISOString(), permanent: false, basis: discs.map((d) => d.disc_no).join(' ') }
}

export function requestDeletion(
  deps: CoreDeps,
  i: ParsedInput<'vault.requestDeletion'>,
  ctx: CallContext,
): MethodOutput<'vault.requestDeletion'> {
  const actor = actorOf(ctx)
  // The records officer's custody of the record (filing basis); an unknown id answers as forbidden.
  gateRecord(deps, ctx, i.evidenceId, 'file', 'vault.requestDeletion')
  const e = deps.db.prepare('SELECT id, deleted_at FROM evidence WHERE id = ?').get(i.evidenceId) as {
    id: string
    deleted_at: string | null
  }
  if (e.deleted_at) throw new AppError('NOT_FOUND')
  const r = retentionOf(deps.db, i.evidenceId)
  if (r.permanent) throw new AppError('RETENTION_PERMANENT')
  if (!r.expiredOn) throw new AppError('NOT_ARCHIVED')
  if (r.expiredOn > deps.now().toISOString())
    throw new AppError('RETENTION_NOT_EXPIRED', { until: r.expiredOn.slice(0, 10) })
  const id = crypto.randomUUID()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'vault.requestDeletion',
      targetType: 'evidence',
      targetId: i.evidenceId,
      details: { requestId: id, reason: i.reason, expiredOn: r.expiredOn, basis: r.basis },
    },
    () =>
      deps.db
        .prepare(
          `INSERT INTO deletion_requests (id, evidence_id, reason, expired_on, basis, requested_by, requested_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, i.evidenceId, i.reason, r.expiredOn, r.basis, actor.userId, deps.now().toISOString()),
  )
  return { request: requestById(deps.db, id) }
}

export function decideDeletion(
  deps: CoreDeps,
  i: ParsedInput<'vault.decideDeletion'>,
  ctx: CallContext,
): MethodOutput<'vault.decideDeletion'> {
  const actor = actorOf(ctx)
  const found = deps.db.prepare('SELECT * FROM deletion_requests WHERE id = ?').get(i.requestId) as
    { id: string; evidence_id: string; requested_by: string; status: string } | undefined
  // An approver who may decide on the record's case (named for its level above 一般).
  const caseId = found
    ? ((
        deps.db.prepare('SELECT case_id FROM record_tags WHERE evidence_id = ?').get(found.evidence_id) as
          { case_id: string | null } | undefined
      )?.case_id ?? null)
    : null
  gateDecision(deps, ctx, caseId, 'vault.decideDeletion', { type: 'deletion_request', id: i.requestId })
  const req = found!
  if (req.status !== 'pending') throw new AppError('REQUEST_DECIDED')
  // Two people: whoever asked cannot also approve.
  if (req.requested_by === actor.userId) throw new AppError('SELF_APPROVAL')
  const e = deps.db
    .prepare('SELECT id, sha256, size, original_name FROM evidence WHERE id = ?')
    .get(req.evidence_id) as {
    id: string
    sha256: string
    size: number
    original_name: string
  }
  const now = deps.now().toISOString()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: i.approve ? 'vault.delete' : 'vault.deletionRejected',
      targetType: 'evidence',
      targetId: e.id,
      details: { requestId: req.id, sha256: e.sha256, size: e.size, note: i.note ?? null },
    },
    () => {
      deps.db
        .prepare(
          'UPDATE deletion_requests SET status = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ?',
        )
        .run(i.approve ? 'approved' : 'rejected', actor.userId, now, i.note ?? null, req.id)
      if (!i.approve) return
      deps.db.prepare('UPDATE evidence SET deleted_at = ? WHERE id = ?').run(now, e.id)
      deps.db
        .prepare(
          `INSERT INTO tombstones (evidence_id, sha256, size, original_name, request_id, deleted_at, requested_by,
             approved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(e.id, e.sha256, e.size, e.original_name, req.id, now, req.requested_by, actor.userId)
    },
  )
  if (i.approve) removeIfUnused(deps, e.sha256)
  return { request: requestById(deps.db, req.id) }
}

/** The same content may be another live record's (the vault stores it once): only then is it kept. */
function removeIfUnused(deps: CoreDeps, sha256: string): void {
  const used =
    deps.db.prepare('SELECT 1 FROM evidence WHERE sha256 = ? AND deleted_at IS NULL').get(sha256) ||
    deps.db.prepare('SELECT 1 FROM text_records WHERE sha256 = ?').get(sha256)
  if (used) return
  for (const f of [
    objectPath(deps.layout, sha256),
    thumbnailPath(deps.layout, sha256),
    previewPath(deps.layout, sha256),
  ])
    try {
      fs.chmodSync(f, 0o600)
      fs.unlinkSync(f)
    } catch {
      /* absent already */
    }
}

interface RequestRow {
  id: string
  evidence_id: string
  reason: string
  expired_on: string
  basis: string
  requested_by: string
  requested_at: string
  status: 'pending' | 'approved' | 'rejected'
  decided_by: string | null
  decided_at: string | null
  decision_note: string | null
}

function toRequest(r: RequestRow) {
  return {
    id: r.id,
    evidenceId: r.evidence_id,
    reason: r.reason,
    expiredOn: r.expired_on,
    basis: r.basis,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    status: r.status,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    note: r.decision_note,
  }
}

function requestById(db: Db, id: string) {
  return toRequest(db.prepare('SELECT * FROM deletion_requests WHERE id = ?').get(id) as RequestRow)
}

export function listDeletions(deps: CoreDeps): MethodOutput<'vault.deletions'> {
  return {
    requests: (
      deps.db.prepare('SELECT * FROM deletion_requests ORDER BY requested_at DESC').all() as RequestRow[]
    ).map(toRequest),
  }
}

/** Records whose retention has ended (their case's good discs), not yet removed: what may be asked for. */
export function expiredRecords(deps: CoreDeps): MethodOutput<'vault.expired'> {
  const now = deps.now().toISOString()
  const rows = deps.db
    .prepare(
      `SELECT e.id, e.original_name, e.size, c.case_no,
         EXISTS (SELECT 1 FROM deletion_requests r WHERE r.evidence_id = e.id AND r.status = 'pending') AS pending
       FROM evidence e JOIN record_tags t ON t.evidence_id = e.id JOIN cases c ON c.id = t.case_id
       WHERE e.deleted_at IS NULL
         AND EXISTS (SELECT 1 FROM archive_volumes v JOIN discs d ON d.volume_id = v.id
                     WHERE v.case_id = c.id AND d.status = 'good')
       ORDER BY c.case_no, e.ingested_at`,
    )
    .all() as { id: string; original_name: string; size: number; case_no: string; pending: number }[]
  const records = []
  for (const r of rows) {
    const ret = retentionOf(deps.db, r.id)
    if (!ret.expiredOn || ret.expiredOn > now) continue
    records.push({
      evidenceId: r.id,
      caseNo: r.case_no,
      originalName: r.original_name,
      size: r.size,
      expiredOn: ret.expiredOn,
      pending: r.pending === 1,
    })
  }
  return { records }
}
