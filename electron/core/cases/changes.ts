import crypto from 'node:crypto'
import type { CaseChange, MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { CASE_STAGES } from '../../../shared/cases.ts'
import { AppError } from '../../../shared/errors.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import type { Db } from '../db/index.ts'
import { displayNameOf } from '../accounts/users.ts'
import { accessPolicy, gateCase, gateDecision, mayDecideLevel, opensWider } from '../access/gate.ts'
import { archiveState, isFrozen } from './archived.ts'
import { caseRow } from './repo.ts'
import { checkHandlers, handlersOf, sameSet, toCase, writeCase } from './service.ts'

/*
 * Changes to a case that widen who sees it or undo its record, which a handler may not make alone (003 art. 25:
 * no arbitrary modification; 000 §4(4)2: access only by approval): reopening it (back a stage), a different set
 * of handlers (a new handler can open the case's media), a lower or sideways confidentiality. One person asks,
 * with a reason; a different approver — named for the case's level above 一般 — approves or rejects. The same
 * shape as access requests (access/requests.ts); the change is applied in the approval's own transaction and
 * every step is an audit event.
 */

interface ChangeRow {
  id: string
  case_id: string
  kind: CaseChange['kind']
  payload: string
  reason: string
  status: CaseChange['status']
  requested_by: string
  requested_at: string
  decided_by: string | null
  decided_at: string | null
  note: string | null
}

interface Payload {
  stage?: CaseChange['stage']
  handlerIds?: string[]
  confidentiality?: CaseChange['confidentiality']
}

function toChange(db: Db, r: ChangeRow): CaseChange {
  const p = JSON.parse(r.payload) as Payload
  return {
    id: r.id,
    caseId: r.case_id,
    caseNo: (db.prepare('SELECT case_no FROM cases WHERE id = ?').get(r.case_id) as { case_no: string })
      .case_no,
    kind: r.kind,
    stage: p.stage ?? null,
    handlers: p.handlerIds ? p.handlerIds.map((id) => ({ id, name: displayNameOf(db, id) ?? id })) : null,
    confidentiality: p.confidentiality ?? null,
    reason: r.reason,
    status: r.status,
    requestedById: r.requested_by,
    requestedBy: displayNameOf(db, r.requested_by) ?? r.requested_by,
    requestedAt: r.requested_at,
    decidedBy: displayNameOf(db, r.decided_by),
    decidedAt: r.decided_at,
    note: r.note,
  }
}

const stageIndex = (s: string) => (CASE_STAGES as readonly string[]).indexOf(s)

/** What the change would do to the case as it is now; refused when it no longer applies. */
function checkPayload(db: Db, caseId: string, kind: CaseChange['kind'], p: Payload): void {
  const c = caseRow(db, caseId)
  if (kind === 'reopen_archived') {
    // Only a frozen case is reopened this way (an open one needs nothing); one request at a time.
    if (!isFrozen(db, caseId)) throw new AppError('VALIDATION', { fields: 'kind' })
    return
  }
  if (kind === 'reopen') {
    if (!p.stage || p.stage === 'closed' || stageIndex(p.stage) >= stageIndex(c.stage))
      throw new AppError('VALIDATION', { fields: 'stage' })
  } else if (kind === 'handlers') {
    if (!p.handlerIds) throw new AppError('VALIDATION', { fields: 'handlerIds' })
    checkHandlers(db, p.handlerIds)
    if (sameSet(p.handlerIds, handlersOf(db, caseId)))
      throw new AppError('VALIDATION', { fields: 'handlerIds' })
  } else if (!p.confidentiality || !opensWider(c.confidentiality, p.confidentiality)) {
    // Raising the level is something a handler may do alone (cases.update); this is for lowering it.
    throw new AppError('VALIDATION', { fields: 'confidentiality' })
  }
}

export function requestChange(
  deps: CoreDeps,
  input: ParsedInput<'cases.requestChange'>,
  ctx: CallContext,
): MethodOutput<'cases.requestChange'> {
  const actor = actorOf(ctx)
  const db = deps.db
  gateCase(deps, ctx, input.caseId, 'file', 'cases.requestChange')
  if (
    input.kind === 'reopen_archived' &&
    db
      .prepare(
        `SELECT 1 FROM case_changes WHERE case_id = ? AND kind = 'reopen_archived' AND status = 'pending'`,
      )
      .get(input.caseId)
  )
    throw new AppError('VALIDATION', { fields: 'kind' })
  const payload: Payload =
    input.kind === 'reopen_archived'
      ? {}
      : input.kind === 'reopen'
        ? { stage: input.stage ?? null }
        : input.kind === 'handlers'
          ? { handlerIds: [...new Set(input.handlerIds ?? [])] }
          : { confidentiality: input.confidentiality ?? null }
  checkPayload(db, input.caseId, input.kind, payload)
  const c = caseRow(db, input.caseId)
  const id = crypto.randomUUID()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'cases.requestChange',
      targetType: 'case',
      targetId: c.id,
      details: {
        caseId: c.id,
        caseNo: c.case_no,
        changeId: id,
        kind: input.kind,
        ...payload,
        reason: input.reason,
      },
    },
    () =>
      db
        .prepare(
          `INSERT INTO case_changes (id, case_id, kind, payload, reason, requested_by, requested_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          c.id,
          input.kind,
          JSON.stringify(payload),
          input.reason,
          actor.userId,
          deps.now().toISOString(),
        ),
  )
  return { change: toChange(db, db.prepare('SELECT * FROM case_changes WHERE id = ?').get(id) as ChangeRow) }
}

export function decideChange(
  deps: CoreDeps,
  input: ParsedInput<'cases.decideChange'>,
  ctx: CallContext,
): MethodOutput<'cases.decideChange'> {
  const actor = actorOf(ctx)
  const db = deps.db
  const found = db.prepare('SELECT * FROM case_changes WHERE id = ?').get(input.changeId) as
    ChangeRow | undefined
  // An approver who may decide on the case's level; an unknown change answers like a forbidden one.
  gateDecision(deps, ctx, found?.case_id ?? null, 'cases.decideChange', {
    type: 'case_change',
    id: input.changeId,
  })
  const r = found!
  if (r.status !== 'pending') throw new AppError('REQUEST_DECIDED')
  // Two people: whoever asked does not approve it, even holding the approver role.
  if (r.requested_by === actor.userId) throw new AppError('SELF_APPROVAL')
  const payload = JSON.parse(r.payload) as Payload
  const before = caseRow(db, r.case_id)
  if (input.approve) checkPayload(db, r.case_id, r.kind, payload)
  const now = deps.now().toISOString()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: input.approve ? 'cases.changeApproved' : 'cases.changeRejected',
      targetType: 'case',
      targetId: r.case_id,
      details: {
        caseId: r.case_id,
        caseNo: before.case_no,
        changeId: r.id,
        kind: r.kind,
        requestedBy: displayNameOf(db, r.requested_by),
        reason: r.reason,
        before: {
          stage: before.stage,
          confidentiality: before.confidentiality,
          handlerIds: handlersOf(db, r.case_id),
          ...(r.kind === 'reopen_archived'
            ? { archive: 'frozen', discs: archiveState(db, r.case_id).discs.map((d) => d.discNo) }
            : {}),
        },
        after:
          r.kind === 'reopen_archived'
            ? input.approve
              ? { archive: 'reopened' }
              : { archive: 'frozen' }
            : payload,
        ...(input.note ? { note: input.note } : {}),
      },
    },
    () => {
      db.prepare(
        'UPDATE case_changes SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ?',
      ).run(input.approve ? 'approved' : 'rejected', actor.userId, now, input.note ?? null, r.id)
      if (!input.approve || r.kind === 'reopen_archived') return
      writeCase(
        deps,
        r.case_id,
        {
          stage: payload.stage ?? before.stage,
          decided_on: before.decided_on,
          executed_on: before.executed_on,
          confidentiality: payload.confidentiality ?? before.confidentiality,
          major: before.major,
        },
        payload.handlerIds,
      )
    },
  )
  return {
    change: toChange(db, db.prepare('SELECT * FROM case_changes WHERE id = ?').get(r.id) as ChangeRow),
    case: toCase(db, caseRow(db, r.case_id)),
  }
}

/** One case's change requests (for whoever may see the case), or the approver's inbox and one's own requests. */
export function listChanges(
  deps: CoreDeps,
  input: ParsedInput<'cases.changes'>,
  ctx: CallContext,
): MethodOutput<'cases.changes'> {
  const actor = actorOf(ctx)
  const db = deps.db
  if (input.caseId) {
    gateCase(deps, ctx, input.caseId, 'summary', 'cases.changes')
    const rows = db
      .prepare('SELECT * FROM case_changes WHERE case_id = ? ORDER BY requested_at DESC')
      .all(input.caseId) as ChangeRow[]
    return { changes: rows.map((r) => toChange(db, r)) }
  }
  const policy = accessPolicy(db)
  const rows = db
    .prepare(
      `SELECT ch.*, c.confidentiality FROM case_changes ch JOIN cases c ON c.id = ch.case_id
       WHERE ch.status = 'pending' OR ch.requested_by = ? ORDER BY ch.requested_at DESC LIMIT 500`,
    )
    .all(actor.userId) as (ChangeRow & { confidentiality: string })[]
  return {
    changes: rows
      .filter(
        (r) =>
          r.requested_by === actor.userId ||
          (r.status === 'pending' && mayDecideLevel(policy, actor, r.confidentiality)),
      )
      .map((r) => toChange(db, r)),
  }
}
