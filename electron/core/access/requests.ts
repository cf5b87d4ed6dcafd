import crypto from 'node:crypto'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { AppError } from '../../../shared/errors.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import type { Db } from '../db/index.ts'
import { displayNameOf } from '../accounts/users.ts'
import { accessPolicy, gateCase, gateDecision, mayDecideLevel, refuse } from './gate.ts'
import { tablePdf } from '../pdf.ts'
import { Where, placeholders } from '../db/where.ts'
import { formatBeijing } from '../../../shared/datetime.ts'

/*
 * Requests and grants. Anyone asks (a whole case or chosen records, a purpose, view or export, a period); an
 * approver other than the requester approves (possibly narrowed: fewer records, a shorter period, view only) or
 * rejects with a reason; confidential cases need one of the senior approvers the agency named. A grant can be
 * revoked at any moment. Every step is an audited change.
 */

interface RequestRow {
  id: string
  requester_id: string
  case_id: string
  record_ids: string | null
  purpose: MethodOutput<'access.list'>['requests'][number]['purpose']
  purpose_text: string | null
  kind: 'view' | 'export'
  starts_at: string
  ends_at: string
  status: 'pending' | 'approved' | 'rejected' | 'withdrawn'
  decided_by: string | null
  decided_at: string | null
  decision_note: string | null
  created_at: string
}

interface GrantRow {
  id: string
  request_id: string
  holder_id: string
  case_id: string
  record_ids: string | null
  kind: 'view' | 'export'
  starts_at: string
  ends_at: string
  approved_by: string
  revoked_at: string | null
  revoke_reason: string | null
  created_at: string
}

const caseNoOf = (db: Db, id: string) =>
  (db.prepare('SELECT case_no FROM cases WHERE id = ?').get(id) as { case_no: string } | undefined)
    ?.case_no ?? id

function toRequest(db: Db, r: RequestRow) {
  return {
    id: r.id,
    requesterId: r.requester_id,
    requesterName: displayNameOf(db, r.requester_id)!,
    caseId: r.case_id,
    caseNo: caseNoOf(db, r.case_id),
    recordIds: r.record_ids ? (JSON.parse(r.record_ids) as string[]) : null,
    purpose: r.purpose,
    purposeText: r.purpose_text,
    kind: r.kind,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    status: r.status,
    decidedBy: displayNameOf(db, r.decided_by),
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
    createdAt: r.created_at,
  }
}

function toGrant(db: Db, g: GrantRow, now: Date) {
  const t = now.getTime()
  return {
    id: g.id,
    requestId: g.request_id,
    holderId: g.holder_id,
    holderName: displayNameOf(db, g.holder_id)!,
    caseId: g.case_id,
    caseNo: caseNoOf(db, g.case_id),
    recordIds: g.record_ids ? (JSON.parse(g.record_ids) as string[]) : null,
    kind: g.kind,
    startsAt: g.starts_at,
    endsAt: g.ends_at,
    approvedBy: displayNameOf(db, g.approved_by)!,
    revokedAt: g.revoked_at,
    revokeReason: g.revoke_reason,
    status: g.revoked_at
      ? ('revoked' as const)
      : Date.parse(g.ends_at) <= t
        ? ('expired' as const)
        : Date.parse(g.starts_at) > t
          ? ('future' as const)
          : ('active' as const),
  }
}

export function requestAccess(
  deps: CoreDeps,
  input: ParsedInput<'access.request'>,
  ctx: CallContext,
): MethodOutput<'access.request'> {
  const actor = actorOf(ctx)
  const db = deps.db
  // Anyone may ask for a case (that is what 调阅 is); asking for an unknown case, or for records that are not in
  // it, is refused exactly like a forbidden id, so a request cannot probe which ids exist or where they are filed.
  if (!db.prepare('SELECT 1 FROM cases WHERE id = ?').get(input.caseId))
    refuse(deps, ctx, { type: 'case', id: input.caseId }, 'access.request', 'unknown')
  for (const id of input.recordIds ?? [])
    if (!db.prepare('SELECT 1 FROM record_tags WHERE evidence_id = ? AND case_id = ?').get(id, input.caseId))
      refuse(deps, ctx, { type: 'evidence', id }, 'access.request', 'unknown')
  if (input.purpose === 'other' && !input.purposeText)
    throw new AppError('VALIDATION', { fields: 'purposeText' })
  if (Date.parse(input.endsAt) <= Date.parse(input.startsAt))
    throw new AppError('VALIDATION', { fields: 'endsAt' })
  const id = crypto.randomUUID()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'access.request',
      targetType: 'access_request',
      targetId: id,
      details: {
        caseNo: caseNoOf(db, input.caseId),
        kind: input.kind,
        purpose: input.purpose,
        records: input.recordIds?.length ?? 'all',
      },
    },
    () =>
      db
        .prepare(
          `INSERT INTO access_requests (id, requester_id, case_id, record_ids, purpose, purpose_text, kind, starts_at,
             ends_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          actor.userId,
          input.caseId,
          input.recordIds ? JSON.stringify(input.recordIds) : null,
          input.purpose,
          input.purposeText ?? null,
          input.kind,
          input.startsAt,
          input.endsAt,
          deps.now().toISOString(),
        ),
  )
  return {
    request: toRequest(db, db.prepare('SELECT * FROM access_requests WHERE id = ?').get(id) as RequestRow),
  }
}

/**
 * The request an approver decides: only one who may decide its case's level (named for it, above 一般) sees it at
 * all; anyone else gets the answer an unknown id gets. Nobody decides their own request.
 */
function requestToDecide(deps: CoreDeps, ctx: CallContext, id: string, action: string): RequestRow {
  const r = deps.db.prepare('SELECT * FROM access_requests WHERE id = ?').get(id) as RequestRow | undefined
  gateDecision(deps, ctx, r?.case_id ?? null, action, { type: 'access_request', id })
  if (r!.status !== 'pending') throw new AppError('REQUEST_DECIDED')
  if (r!.requester_id === actorOf(ctx).userId) throw new AppError('SELF_APPROVAL')
  return r!
}

export function approveRequest(
  deps: CoreDeps,
  input: ParsedInput<'access.approve'>,
  ctx: CallContext,
): MethodOutput<'access.approve'> {
  const actor = actorOf(ctx)
  const db = deps.db
  const r = requestToDecide(deps, ctx, input.requestId, 'access.approve')
  // Narrowing only: fewer records, a shorter period, view instead of export; never more than was asked.
  const asked = r.record_ids ? (JSON.parse(r.record_ids) as string[]) : null
  const records = input.recordIds ?? asked
  if (input.recordIds && asked && input.recordIds.some((id) => !asked.includes(id)))
    throw new AppError('VALIDATION', { fields: 'recordIds' })
  if (input.recordIds && !asked)
    for (const id of input.recordIds)
      if (!db.prepare('SELECT 1 FROM record_tags WHERE evidence_id = ? AND case_id = ?').get(id, r.case_id))
        throw new AppError('VALIDATION', { fields: 'recordIds' })
  // Times compare as instants: a request stored before they were written in UTC may carry an offset.
  const startsAt =
    input.startsAt && Date.parse(input.startsAt) > Date.parse(r.starts_at) ? input.startsAt : r.starts_at
  const endsAt = input.endsAt && Date.parse(input.endsAt) < Date.parse(r.ends_at) ? input.endsAt : r.ends_at
  if (Date.parse(endsAt) <= Date.parse(startsAt)) throw new AppError('VALIDATION', { fields: 'endsAt' })
  const kind = input.viewOnly ? 'view' : r.kind
  const now = deps.now().toISOString()
  const grantId = crypto.randomUUID()
  const narrowed =
    kind !== r.kind ||
    startsAt !== r.starts_at ||
    endsAt !== r.ends_at ||
    JSON.stringify(records) !== JSON.stringify(asked)
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'access.approve',
      targetType: 'access_request',
      targetId: r.id,
      details: {
        grantId,
        caseNo: caseNoOf(db, r.case_id),
        requester: displayNameOf(db, r.requester_id),
        kind,
        startsAt,
        endsAt,
        records: records?.length ?? 'all',
        narrowed,
        ...(input.note ? { note: input.note } : {}),
      },
    },
    () => {
      db.prepare(
        "UPDATE access_requests SET status = 'approved', decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ?",
      ).run(actor.userId, now, input.note ?? null, r.id)
      db.prepare(
        `INSERT INTO access_grants (id, request_id, holder_id, case_id, record_ids, kind, starts_at, ends_at, approved_by,
           created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        grantId,
        r.id,
        r.requester_id,
        r.case_id,
        records ? JSON.stringify(records) : null,
        kind,
        startsAt,
        endsAt,
        actor.userId,
        now,
      )
    },
  )
  return {
    grant: toGrant(
      db,
      db.prepare('SELECT * FROM access_grants WHERE id = ?').get(grantId) as GrantRow,
      deps.now(),
    ),
  }
}

export function rejectRequest(
  deps: CoreDeps,
  input: ParsedInput<'access.reject'>,
  ctx: CallContext,
): MethodOutput<'access.reject'> {
  const actor = actorOf(ctx)
  const db = deps.db
  const r = requestToDecide(deps, ctx, input.requestId, 'access.reject')
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'access.reject',
      targetType: 'access_request',
      targetId: r.id,
      details: {
        caseNo: caseNoOf(db, r.case_id),
        requester: displayNameOf(db, r.requester_id),
        reason: input.reason,
      },
    },
    () =>
      db
        .prepare(
          "UPDATE access_requests SET status = 'rejected', decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ?",
        )
        .run(actor.userId, deps.now().toISOString(), input.reason, r.id),
  )
  return {
    request: toRequest(db, db.prepare('SELECT * FROM access_requests WHERE id = ?').get(r.id) as RequestRow),
  }
}

export function revokeGrant(
  deps: CoreDeps,
  input: ParsedInput<'access.revoke'>,
  ctx: CallContext,
): MethodOutput<'access.revoke'> {
  const actor = actorOf(ctx)
  const db = deps.db
  const found = db.prepare('SELECT * FROM access_grants WHERE id = ?').get(input.grantId) as
    GrantRow | undefined
  gateDecision(deps, ctx, found?.case_id ?? null, 'access.revoke', {
    type: 'access_grant',
    id: input.grantId,
  })
  const g = found!
  if (g.revoked_at) throw new AppError('REQUEST_DECIDED')
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'access.revoke',
      targetType: 'access_grant',
      targetId: g.id,
      details: {
        caseNo: caseNoOf(db, g.case_id),
        holder: displayNameOf(db, g.holder_id),
        reason: input.reason,
      },
    },
    () =>
      db
        .prepare('UPDATE access_grants SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?')
        .run(deps.now().toISOString(), actor.userId, input.reason, g.id),
  )
  return {
    grant: toGrant(
      db,
      db.prepare('SELECT * FROM access_grants WHERE id = ?').get(g.id) as GrantRow,
      deps.now(),
    ),
  }
}

/** The approver's inbox, the caller's own requests, and grants (the caller's; all of them for approvers). */
export function listAccess(deps: CoreDeps, ctx: CallContext): MethodOutput<'access.list'> {
  const actor = actorOf(ctx)
  const db = deps.db
  const approver = actor.roles.includes('approver')
  const requests = (
    approver
      ? db
          .prepare(
            "SELECT * FROM access_requests WHERE status = 'pending' OR requester_id = ? ORDER BY created_at DESC LIMIT 500",
          )
          .all(actor.userId)
      : db
          .prepare('SELECT * FROM access_requests WHERE requester_id = ? ORDER BY created_at DESC LIMIT 500')
          .all(actor.userId)
  ) as RequestRow[]
  const grants = (
    approver
      ? db.prepare('SELECT * FROM access_grants ORDER BY created_at DESC LIMIT 500').all()
      : db
          .prepare('SELECT * FROM access_grants WHERE holder_id = ? ORDER BY created_at DESC LIMIT 500')
          .all(actor.userId)
  ) as GrantRow[]
  // An approver sees others' requests and grants only on cases whose level they may decide (named for it).
  const policy = accessPolicy(db)
  const level = (caseId: string) =>
    (db.prepare('SELECT confidentiality FROM cases WHERE id = ?').get(caseId) as { confidentiality: string })
      .confidentiality
  const mine = (who: string, caseId: string) =>
    who === actor.userId || mayDecideLevel(policy, actor, level(caseId))
  const shownRequests = requests.filter((r) => mine(r.requester_id, r.case_id))
  return {
    requests: shownRequests.map((r) => toRequest(db, r)),
    grants: grants.filter((g) => mine(g.holder_id, g.case_id)).map((g) => toGrant(db, g, deps.now())),
    inbox: approver
      ? shownRequests.filter((r) => r.status === 'pending' && r.requester_id !== actor.userId).length
      : 0,
  }
}

const ACCESS_ACTIONS = [
  'media.open',
  'textRecords.open',
  'access.denied',
  'access.export',
  'access.archive',
  'media.progress',
  'access.case',
]

/** The access log: every view, playback, export and denial, with the basis (grant id) it rested on. */
export function accessLog(
  deps: CoreDeps,
  input: ParsedInput<'access.log'>,
  ctx: CallContext,
): MethodOutput<'access.log'> {
  const db = deps.db
  // One case's log names its records and who saw them: only for those who may see the case.
  if (input.caseId) gateCase(deps, ctx, input.caseId, 'summary', 'access.log')
  const where = new Where()
    .and(`a.action IN (${placeholders(ACCESS_ACTIONS.length)})`, ...ACCESS_ACTIONS)
    .andIf(input.caseId, "json_extract(a.details, '$.caseId') = ?")
    .andIf(input.userId, 'a.actor_id = ?')
    .andIf(input.from, 'a.ts >= ?')
    .andIf(input.to, 'a.ts < ?')
  const rows = db
    .prepare(
      `SELECT a.seq, a.ts AS at, a.actor_id, a.actor_name, a.action, a.target_id, a.details FROM audit_events a
       ${where.clause} ORDER BY a.seq DESC LIMIT ?`,
    )
    .all(...where.args, input.limit) as {
    seq: number
    at: string
    actor_id: string | null
    actor_name: string | null
    action: string
    target_id: string | null
    details: string
  }[]
  return {
    entries: rows.map((r) => {
      const d = JSON.parse(r.details) as Record<string, unknown>
      return {
        seq: r.seq,
        at: r.at,
        userId: r.actor_id,
        userName: r.actor_name,
        action: r.action,
        evidenceId: r.target_id,
        caseId: (d.caseId as string | null | undefined) ?? null,
        basis: (d.basis as string | undefined) ?? null,
        grantId: (d.grantId as string | undefined) ?? null,
        details: d,
      }
    }),
  }
}

const REGISTER_ACTIONS: Record<string, string> = {
  'media.open': '查看/播放',
  'textRecords.open': '查看文书',
  'media.progress': '播放位置',
  'access.export': '导出',
  'access.denied': '拒绝访问',
  'access.case': '查看案件',
  'access.archive': '归档复制',
}
const BASIS: Record<string, string> = {
  grant: '调阅授权',
  handler: '本案承办人',
  custodian: '记录管理员',
  own: '本人采集',
  summary: '案件概况',
  named: '指定涉密人员',
  reviewer: '法制审核',
  deciding: '审批调阅申请',
}

/** The printable 调阅登记表 for a case or a period (PDF with its Chinese font embedded). */
export async function accessRegister(
  deps: CoreDeps,
  input: ParsedInput<'access.register'>,
  ctx: CallContext,
): Promise<MethodOutput<'access.register'>> {
  const db = deps.db
  const { entries } = accessLog(deps, { ...input, limit: 5000 }, ctx)
  const rows = entries
    .filter((e) => e.action !== 'access.case')
    .reverse()
    .map((e) => {
      const rec = e.evidenceId
        ? ((
            db.prepare('SELECT original_name FROM evidence WHERE id = ?').get(e.evidenceId) as
              { original_name: string } | undefined
          )?.original_name ?? e.evidenceId)
        : '—'
      const ranges = Array.isArray(e.details.ranges)
        ? ` ${(e.details.ranges as [number, number][]).map(([a, b]) => `${a}–${b}秒`).join('，')}`
        : ''
      return {
        at: formatBeijing(e.at),
        user: e.userName ?? '—',
        caseNo: e.caseId ? caseNoOf(db, e.caseId) : '—',
        record: rec,
        action: `${REGISTER_ACTIONS[e.action] ?? e.action}${ranges}`,
        basis: e.basis ? `${BASIS[e.basis] ?? e.basis}${e.grantId ? ` ${e.grantId.slice(0, 8)}` : ''}` : '—',
      }
    })
  const agency =
    (db.prepare('SELECT name FROM agency WHERE id = 1').get() as { name: string } | undefined)?.name ?? ''
  const scope = [
    input.caseId ? `案件 ${caseNoOf(db, input.caseId)}` : null,
    input.from || input.to ? `期间 ${input.from ?? '…'} 至 ${input.to ?? '…'}` : null,
  ]
    .filter(Boolean)
    .join('  ')
  const pdf = await tablePdf({
    agency,
    title: '执法音像记录调阅登记表',
    scope: scope || '全部',
    generatedAt: `制表时间 ${formatBeijing(deps.now())}`,
    columns: [
      { title: '时间', width: 92 },
      { title: '调阅人', width: 56 },
      { title: '案件编号', width: 110 },
      { title: '记录', width: 110 },
      { title: '操作', width: 60 },
      { title: '依据（授权编号）', width: 87 },
    ],
    rows: rows.map((r) => [r.at, r.user, r.caseNo, r.record, r.action, r.basis]),
    footer: `共 ${rows.length} 条。本表由留痕根据哈希链审计日志生成，可用 liuhen audit verify 核对日志完整性。`,
  })
  return { pdfBase64: pdf.toString('base64'), rows: rows.length }
}
