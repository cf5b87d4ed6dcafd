import crypto from 'node:crypto'
import type { MethodName } from '../../../shared/contract.ts'
import type { ArchiveState } from '../../../shared/cases.ts'
import { AppError } from '../../../shared/errors.ts'
import { basisForCase, gateCase } from '../access/gate.ts'
import type { CallContext, CoreDeps } from '../context.ts'
import type { Db } from '../db/index.ts'
import { displayNameOf } from '../accounts/users.ts'

/*
 * Archived cases are frozen (issue 18, item 9; 003 art. 25: no arbitrary modification of records). A case with a
 * disc registered good holds still: every method that changes what the case file is — recordings filed in or out,
 * their tags, documents and corrections, stage, dates, actions, staffing, confidentiality, reviews, disclosures —
 * is refused with CASE_ARCHIVED, in one place: the dispatcher asks `refuseIfFrozen` before any handler runs, from
 * the table below. Changing it needs a reopening (case change 'reopen_archived': one asks with a reason, another
 * approver decides); whatever changes then goes onto a supplementary disc (补充归档 第N次), and a good
 * supplementary disc freezes the case again.
 *
 * What a disc holds is the case as of the audit event its bag was assembled at (archive_volumes.head_seq): a
 * change after that — between imaging and burning, or made in another process in the instant before a disc was
 * registered — is not on any disc, and is listed as owed to a supplementary disc rather than silently lost.
 */

type Input = Record<string, unknown>
/** The cases a call would change, from its parsed input (ids that name nothing resolve to nothing). */
type Resolver = (db: Db, input: Input) => (string | null | undefined)[]

const one = (db: Db, sql: string, arg: unknown): string | null =>
  (
    (arg === undefined || arg === null ? undefined : db.prepare(sql).get(arg)) as
      { c: string | null } | undefined
  )?.c ?? null
const ofRecord = (db: Db, id: unknown) =>
  one(db, 'SELECT case_id AS c FROM record_tags WHERE evidence_id = ?', id)
const ofText = (db: Db, id: unknown) => one(db, 'SELECT case_id AS c FROM text_records WHERE id = ?', id)
const ofReview = (db: Db, id: unknown) => one(db, 'SELECT case_id AS c FROM reviews WHERE id = ?', id)
const ofDisclosure = (db: Db, id: unknown) => one(db, 'SELECT case_id AS c FROM disclosures WHERE id = ?', id)
const caseId: Resolver = (_db, i) => [i.caseId as string | undefined]
const reviewCase: Resolver = (db, i) => [ofReview(db, i.reviewId)]
const disclosureCase: Resolver = (db, i) => [ofDisclosure(db, i.disclosureId)]

/** Every changing method that touches a case's content, and how to find the case(s) it touches. */
export const FROZEN_METHODS: Partial<Record<MethodName, Resolver>> = {
  // Filing: the cases the recordings are in now (moving one out changes that case) and the case they go to.
  'records.tag': (db, i) => {
    const ids = (i.evidenceIds as string[] | undefined)?.length
      ? (i.evidenceIds as string[])
      : i.batchId
        ? (db.prepare('SELECT id FROM evidence WHERE batch_id = ?').all(i.batchId) as { id: string }[]).map(
            (r) => r.id,
          )
        : []
    return [...ids.map((e) => ofRecord(db, e)), (i.tags as { caseId?: string | null }).caseId]
  },
  'evidence.setLateReason': (db, i) => [ofRecord(db, i.evidenceId)],
  // A corrected capture time is part of what the disc recorded about the recording.
  'evidence.setCaptureTime': (db, i) => [ofRecord(db, i.evidenceId)],
  'textRecords.add': (db, i) => [i.caseId as string | undefined, ofText(db, i.previousId)],
  'cases.update': caseId,
  'cases.addAction': caseId,
  'cases.archiveException': caseId,
  // Asking to reopen an archived case is how it is changed; any other change request waits for the reopening.
  'cases.requestChange': (_db, i) => (i.kind === 'reopen_archived' ? [] : [i.caseId as string]),
  'cases.decideChange': (db, i) => {
    const r = db.prepare('SELECT case_id, kind FROM case_changes WHERE id = ?').get(i.changeId) as
      { case_id: string; kind: string } | undefined
    return r && r.kind !== 'reopen_archived' ? [r.case_id] : []
  },
  'review.submit': caseId,
  'review.assign': reviewCase,
  'review.opinion': reviewCase,
  'review.extend': reviewCase,
  'review.decideExtension': reviewCase,
  'review.dispute': reviewCase,
  'review.discuss': reviewCase,
  'disclosure.draft': caseId,
  'disclosure.approve': disclosureCase,
  'disclosure.withdraw': disclosureCase,
}

const READ = 'a read: it writes only its line in the access log (who saw what), never the case file'

/**
 * Changing methods that name a case or record and still run on an archived case, each with why it does not
 * change the case file. tests/security/frozen-table.test.ts requires every such method to be in one table or the
 * other.
 */
export const NOT_CASE_CONTENT: Partial<Record<MethodName, string>> = {
  'access.log': READ,
  'access.register': READ,
  'archive.catalogue': READ,
  'archive.volumes': READ,
  'cases.check': READ,
  'cases.get': READ,
  'discs.label': READ,
  'discs.list': READ,
  'evidence.list': READ,
  'evidence.thumbnail': READ,
  'evidence.captureTimeHistory': READ,
  'records.tagHistory': READ,
  'review.get': READ,
  'review.reviewers': READ,
  'signatures.verify': READ,
  'textRecords.open': READ,
  'ingest.start':
    'a case chosen at ingest is applied per recording through records.tag and its own frozen check (fileAtIngest): a frozen case leaves the recording stored and 待归案, never changed',
  'media.open': 'watching is access, written to the access log; the case file is unchanged',
  'media.progress': 'positions watched go into the access log only',
  'access.request': 'a request for access to the case, not a change of it',
  'access.approve': 'a grant to see the case, not a change of it',
  'access.reject': 'refusing an access request: the case is untouched',
  'access.revoke': 'ending a grant to see the case, not a change of it',
  'access.export': 'a copy for review or court: originals are only read',
  'archive.build': 'a package of the case as it is: nothing in the case changes',
  'archive.image': 'making the disc images (full or supplementary) is how a case is archived',
  'discs.burn': 'writing and registering a disc is archiving itself',
  'discs.verify': 'the inspection of a stored disc is recorded against the disc, not the case file',
  'discs.update': 'where a disc is stored and its retention: the disc registry, not the case file',
  'vault.requestDeletion':
    'retention ends only for archived cases (its period runs from the good disc); the disc keeps the original',
  'vault.decideDeletion': 'the same lawful end of retention, decided by another person',
}

interface VolumeRow {
  id: string
  volid: string
  head_seq: number | null
  supplement: number | null
  reopen_id: string | null
  manifest: string
  tagmanifest_sha256: string
  session_md5: string
}

/** Volumes of the case with at least one disc whose check at writing passed (a later failed inspection aside). */
function goodVolumes(db: Db, caseId: string): VolumeRow[] {
  return db
    .prepare(
      `SELECT v.* FROM archive_volumes v WHERE v.case_id = ? AND EXISTS (
         SELECT 1 FROM discs d JOIN disc_checks k ON k.disc_id = d.id AND k.kind = 'write' AND k.ok = 1
         WHERE d.volume_id = v.id)
       ORDER BY v.created_at, v.idx`,
    )
    .all(caseId) as VolumeRow[]
}

interface ReopenRow {
  id: string
  status: 'pending' | 'approved' | 'rejected'
  reason: string
  requested_by: string
  decided_by: string | null
  decided_at: string | null
}

function lastReopening(db: Db, caseId: string, status: 'approved' | 'pending'): ReopenRow | undefined {
  return db
    .prepare(
      `SELECT * FROM case_changes WHERE case_id = ? AND kind = 'reopen_archived' AND status = ?
       ORDER BY COALESCE(decided_at, requested_at) DESC, rowid DESC LIMIT 1`,
    )
    .get(caseId, status) as ReopenRow | undefined
}

/** Is the case frozen now: a good disc, and no approved reopening since that a good supplementary disc has not closed. */
export function isFrozen(db: Db, caseId: string): boolean {
  const good = goodVolumes(db, caseId)
  if (!good.length) return false
  const reopened = lastReopening(db, caseId, 'approved')
  return !reopened || good.some((v) => v.reopen_id === reopened.id)
}

/** Actions that read, grant, archive or ask: not changes of the case file. */
const NOT_CONTENT_ACTION = /^(access\.|media\.|archive\.|disc\.|audit\.|integrity\.|backup\.)/
const NOT_CONTENT_EXACT = new Set(['cases.requestChange', 'cases.changeRejected'])

export interface ChangeEvent {
  seq: number
  ts: string
  actorName: string | null
  action: string
  targetType: string | null
  targetId: string | null
  details: Record<string, unknown>
}

/** Audit events after `sinceSeq` that changed this case's content (its records, documents, header, reviews…). */
export function changesSince(db: Db, caseId: string, sinceSeq: number): ChangeEvent[] {
  const ids = [
    caseId,
    ...(db.prepare('SELECT evidence_id AS id FROM record_tags WHERE case_id = ?').all(caseId) as {
      id: string
    }[]),
    ...(db.prepare('SELECT id FROM text_records WHERE case_id = ?').all(caseId) as { id: string }[]),
    ...(db.prepare('SELECT id FROM reviews WHERE case_id = ?').all(caseId) as { id: string }[]),
    ...(db.prepare('SELECT id FROM disclosures WHERE case_id = ?').all(caseId) as { id: string }[]),
  ].map((x) => (typeof x === 'string' ? x : x.id))
  const rows = db
    .prepare(
      `SELECT seq, ts, actor_name, action, target_type, target_id, details FROM audit_events
       WHERE seq > ? AND (target_id IN (SELECT value FROM json_each(?))
         OR json_extract(details, '$.caseId') = ?
         OR json_extract(details, '$.before.caseId') = ?
         OR json_extract(details, '$.changed.caseId') = ?)
       ORDER BY seq`,
    )
    .all(sinceSeq, JSON.stringify(ids), caseId, caseId, caseId) as {
    seq: number
    ts: string
    actor_name: string | null
    action: string
    target_type: string | null
    target_id: string | null
    details: string
  }[]
  return rows
    .map((r) => ({
      seq: r.seq,
      ts: r.ts,
      actorName: r.actor_name,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }))
    .filter(
      (e) =>
        !NOT_CONTENT_ACTION.test(e.action) &&
        !NOT_CONTENT_EXACT.has(e.action) &&
        // The reopening itself is the gate to the changes, not one of them.
        !(e.action === 'cases.changeApproved' && e.details.kind === 'reopen_archived'),
    )
}

/** The good discs a supplementary package refers to, with the hashes that identify what each holds. */
export function baseDiscs(db: Db, caseId: string) {
  return (
    db
      .prepare(
        `SELECT d.disc_no, d.copy, d.written_at, v.volid, v.idx, v.count, v.supplement, v.manifest,
           v.tagmanifest_sha256, v.session_md5
         FROM discs d JOIN archive_volumes v ON v.id = d.volume_id
         JOIN disc_checks k ON k.disc_id = d.id AND k.kind = 'write' AND k.ok = 1
         WHERE v.case_id = ? ORDER BY d.written_at, d.disc_no`,
      )
      .all(caseId) as {
      disc_no: string
      copy: string
      written_at: string
      volid: string
      idx: number
      count: number
      supplement: number | null
      manifest: string
      tagmanifest_sha256: string
      session_md5: string
    }[]
  ).map((d) => ({
    discNo: d.disc_no,
    copy: d.copy,
    writtenAt: d.written_at,
    volid: d.volid,
    volume: d.idx,
    volumes: d.count,
    supplement: d.supplement,
    manifestSha256: crypto.createHash('sha256').update(d.manifest).digest('hex'),
    tagmanifestSha256: d.tagmanifest_sha256,
    sessionMd5: d.session_md5,
  }))
}

/** Payload digests already on a good disc of the case: a supplement carries only originals not among them. */
export function archivedDigests(db: Db, caseId: string): Set<string> {
  const out = new Set<string>()
  for (const v of goodVolumes(db, caseId))
    for (const line of v.manifest.split('\n')) {
      const m = /^([0-9a-f]{64})\s/.exec(line)
      if (m) out.add(m[1]!)
    }
  return out
}

/** Where the case stands with its archive: frozen, reopened, what changed since its last good disc. */
export function archiveState(db: Db, caseId: string): ArchiveState {
  const good = goodVolumes(db, caseId)
  const discs = good.length ? baseDiscs(db, caseId) : []
  const frozen = isFrozen(db, caseId)
  const reopened = good.length ? lastReopening(db, caseId, 'approved') : undefined
  const pending = good.length ? lastReopening(db, caseId, 'pending') : undefined
  const coveredSeq = good.reduce((n, v) => Math.max(n, v.head_seq ?? 0), 0)
  const changes = good.length ? changesSince(db, caseId, coveredSeq) : []
  const supplements = good.reduce((n, v) => Math.max(n, v.supplement ?? 0), 0)
  return {
    archived: good.length > 0,
    frozen,
    reopened: !!reopened && !frozen,
    reopening: reopened
      ? {
          changeId: reopened.id,
          reason: reopened.reason,
          requestedBy: displayNameOf(db, reopened.requested_by) ?? reopened.requested_by,
          decidedBy: displayNameOf(db, reopened.decided_by),
          decidedAt: reopened.decided_at,
        }
      : null,
    pendingReopening: pending?.id ?? null,
    discs: discs.map((d) => ({ discNo: d.discNo, supplement: d.supplement, writtenAt: d.writtenAt })),
    supplementsDone: supplements,
    nextSupplement: supplements + 1,
    coveredSeq,
    changes: changes.slice(0, 500).map((e) => ({
      seq: e.seq,
      ts: e.ts,
      actorName: e.actorName,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
    })),
    supplementDue: changes.length > 0,
  }
}

/**
 * The one check the dispatcher makes before a changing method runs: refused with CASE_ARCHIVED when the call
 * would change a frozen case. A caller with no basis to see the case at all is answered by the gate (FORBIDDEN,
 * logged), exactly as an unknown id would be: whether a case is archived is not told to someone who may not see it.
 */
export function refuseIfFrozen(deps: CoreDeps, ctx: CallContext, method: MethodName, input: unknown): void {
  const resolve = FROZEN_METHODS[method]
  if (!resolve || !ctx.actor) return
  const ids = [...new Set(resolve(deps.db, (input ?? {}) as Input).filter((x): x is string => !!x))]
  for (const id of ids) {
    if (!isFrozen(deps.db, id)) continue
    if (!basisForCase(deps, ctx.actor, id, 'summary')) gateCase(deps, ctx, id, 'summary', method)
    throw new AppError('CASE_ARCHIVED')
  }
}
