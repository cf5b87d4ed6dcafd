import { SECRET_LEVELS } from '../../../shared/contract.ts'
import { AppError } from '../../../shared/errors.ts'
import { actorFields, auditedChange, type Actor, type CallContext, type CoreDeps } from '../context.ts'
import { readSetting, writeSetting } from '../meta.ts'
import type { Db } from '../db/index.ts'
import { grantValidAtSql } from './grant-times.ts'

/*
 * The one choke point before evidence (bytes or metadata) leaves the vault. Every method that takes the id of a
 * record, document, case, grant, request, review or disc asks it (tests/security/gate-table.test.ts holds this),
 * and so do the media routes. A decision rests on one basis, named in the access log:
 *  - grant: an approved, unexpired, unrevoked grant of the caller covering the record (export implies view);
 *  - handler: the caller handles the case and it is open (agency policy, on by default);
 *  - custodian: a records officer's filing duty (agency policy, on by default) — metadata and filing always,
 *    content only up to 一般: custodianship is not a permission to view confidential material (003 art. 24);
 *  - own: the caller recorded or brought in a recording nobody has filed yet;
 *  - named: the agency named the caller for the case's confidentiality level (000 §4(3)2 "按权限");
 *  - reviewer: the caller is assigned to the case's open legal review, for the review's materials, read-only;
 *  - deciding: the caller is an approver who may decide a pending request on the case, for its records, read-only;
 *  - summary (cases only): approvers, auditors and legal reviewers see what a 一般 case is, not its records.
 * Above 一般 nothing of a case's content opens, for anyone, until the agency has named someone for that level.
 * An unknown id and a forbidden one answer the same (FORBIDDEN, no params) and are both logged.
 */

/** meta: that it exists and what its tags say; view: its bytes on a screen; export: copied out; file: changed. */
export type Use = 'meta' | 'view' | 'export' | 'file'
export type Basis =
  | { basis: 'grant'; grantId: string }
  | { basis: 'handler' | 'custodian' | 'own' | 'named' | 'summary' }
  | { basis: 'reviewer'; reviewId: string }
  | { basis: 'deciding'; requestId: string }

export { SECRET_LEVELS }
export type SecretLevel = (typeof SECRET_LEVELS)[number]
type Level = 'general' | SecretLevel

export interface AccessPolicy {
  /** Handlers may open their own open cases' records without a grant. */
  handlersOwnOpenCases: boolean
  /** Records officers may open (一般) records for filing work without a grant. */
  custodians: boolean
  /**
   * Per level above 一般, the people the agency names (保密审批人): they see that level without a grant and only
   * they approve grants for it. A level nobody is named for is closed: no record of it opens, no grant is approved.
   */
  named: Record<SecretLevel, string[]>
}

const DEFAULT_POLICY: AccessPolicy = {
  handlersOwnOpenCases: true,
  custodians: true,
  named: { privacy: [], trade_secret: [], state_secret: [] },
}

interface StoredPolicy extends Partial<AccessPolicy> {
  /** Before migration to per-level lists: one list of senior approvers for the levels named here. */
  seniorApprovers?: string[]
  seniorLevels?: string[]
}

export function accessPolicy(db: Db): AccessPolicy {
  const s = readSetting<StoredPolicy>(db, 'access.policy', {})
  const named = { ...DEFAULT_POLICY.named }
  for (const l of SECRET_LEVELS) {
    const own = s.named?.[l]
    const legacy = Array.isArray(s.seniorApprovers) && (s.seniorLevels ?? SECRET_LEVELS).includes(l)
    named[l] = Array.isArray(own) ? own : legacy ? s.seniorApprovers! : []
  }
  return {
    handlersOwnOpenCases: s.handlersOwnOpenCases ?? DEFAULT_POLICY.handlersOwnOpenCases,
    custodians: s.custodians ?? DEFAULT_POLICY.custodians,
    named,
  }
}

/**
 * A custodian: a records officer while the agency's policy gives the records office every recording's and case's
 * metadata (its filing duty); content above 一般 is still another question.
 */
export function isCustodian(policy: AccessPolicy, actor: Actor): boolean {
  return policy.custodians && actor.roles.includes('records_officer')
}

const isSecret = (level: string): level is SecretLevel => (SECRET_LEVELS as readonly string[]).includes(level)

/** Nobody is named for this level yet: its content stays closed and its requests cannot be decided. */
export function levelClosed(policy: AccessPolicy, level: string): boolean {
  return isSecret(level) && policy.named[level].length === 0
}

function namedFor(policy: AccessPolicy, level: string, userId: string): boolean {
  return isSecret(level) && policy.named[level].includes(userId)
}

/** Whether the agency named this user for this level (false for 一般, which names nobody). */
export function isNamedFor(db: Db, level: string, userId: string): boolean {
  return namedFor(accessPolicy(db), level, userId)
}

const RANK: Record<string, number> = { general: 0, privacy: 1, trade_secret: 1, state_secret: 2 }

/**
 * Whether moving material from level `from` to `to` lets other people see it: a lower level, or sideways between
 * 个人隐私 and 商业秘密 (each level has its own named people). Raising it never does.
 */
export function opensWider(from: string, to: string): boolean {
  return from !== to && (RANK[to] ?? 0) <= (RANK[from] ?? 0)
}

/** Whether this approver may see and decide requests and grants on a case of this level. */
export function mayDecideLevel(policy: AccessPolicy, actor: Actor, level: string): boolean {
  if (!actor.roles.includes('approver')) return false
  return isSecret(level) ? namedFor(policy, level, actor.userId) : true
}

interface CaseFacts {
  id: string
  stage: string
  level: Level
}

function caseFacts(db: Db, caseId: string | null): CaseFacts | null {
  if (!caseId) return null
  const r = db.prepare('SELECT id, stage, confidentiality FROM cases WHERE id = ?').get(caseId) as
    { id: string; stage: string; confidentiality: Level } | undefined
  return r ? { id: r.id, stage: r.stage, level: r.confidentiality } : null
}

/** A recording or a document, with the case it is filed in (none for a recording not filed yet). */
interface Subject {
  kind: 'evidence' | 'text'
  id: string
  case: CaseFacts | null
  /** Unfiled recordings: who brought it in and who recorded it. */
  owners: string[]
}

function recordSubject(db: Db, evidenceId: string): Subject | null {
  const e = db
    .prepare(
      `SELECT e.id, e.ingested_by, e.collector_user_id, t.case_id FROM evidence e
       LEFT JOIN record_tags t ON t.evidence_id = e.id WHERE e.id = ?`,
    )
    .get(evidenceId) as
    { id: string; ingested_by: string; collector_user_id: string | null; case_id: string | null } | undefined
  if (!e) return null
  return {
    kind: 'evidence',
    id: e.id,
    case: caseFacts(db, e.case_id),
    // The facts of ingest, not the tags: naming a colleague as collector later must not hand them access.
    owners: [e.ingested_by, ...(e.collector_user_id ? [e.collector_user_id] : [])],
  }
}

function textSubject(db: Db, textId: string): Subject | null {
  const t = db.prepare('SELECT id, case_id FROM text_records WHERE id = ?').get(textId) as
    { id: string; case_id: string } | undefined
  return t ? { kind: 'text', id: t.id, case: caseFacts(db, t.case_id), owners: [] } : null
}

function isHandler(db: Db, caseId: string, userId: string): boolean {
  return !!db.prepare('SELECT 1 FROM case_handlers WHERE case_id = ? AND user_id = ?').get(caseId, userId)
}

interface GrantRow {
  id: string
  record_ids: string | null
  kind: 'view' | 'export'
}

/** The caller's grant covering this case (and record or document, when given) for this use, valid now. */
export function activeGrant(
  db: Db,
  userId: string,
  caseId: string,
  subjectId: string | null,
  use: 'view' | 'export',
  now: Date,
): string | null {
  const t = now.toISOString()
  const rows = db
    .prepare(
      `SELECT id, record_ids, kind FROM access_grants WHERE holder_id = ? AND case_id = ? AND ${grantValidAtSql()}
         ORDER BY julianday(ends_at) DESC`,
    )
    .all(userId, caseId, t, t) as GrantRow[]
  for (const g of rows) {
    if (use === 'export' && g.kind !== 'export') continue
    if (subjectId && g.record_ids && !(JSON.parse(g.record_ids) as string[]).includes(subjectId)) continue
    return g.id
  }
  return null
}

/** The caller's open review of this case listing this material (or any open review of it, with no id). */
function openReview(db: Db, caseId: string, userId: string, materialId: string | null): string | null {
  const r = db
    .prepare(
      `SELECT r.id FROM reviews r WHERE r.case_id = ? AND r.status = 'in_review' AND r.reviewer_id = ?
         AND (? IS NULL OR EXISTS (SELECT 1 FROM json_each(r.materials) m WHERE json_extract(m.value, '$.id') = ?))
       LIMIT 1`,
    )
    .get(caseId, userId, materialId, materialId) as { id: string } | undefined
  return r?.id ?? null
}

/** A pending request on this case (covering this record, with an id) that this approver may decide. */
function pendingRequestToDecide(
  db: Db,
  policy: AccessPolicy,
  actor: Actor,
  c: CaseFacts,
  subjectId: string | null,
): string | null {
  if (!mayDecideLevel(policy, actor, c.level)) return null
  const rows = db
    .prepare(
      "SELECT id, record_ids FROM access_requests WHERE case_id = ? AND status = 'pending' AND requester_id <> ?",
    )
    .all(c.id, actor.userId) as { id: string; record_ids: string | null }[]
  const hit = rows.find(
    (r) => !subjectId || !r.record_ids || (JSON.parse(r.record_ids) as string[]).includes(subjectId),
  )
  return hit?.id ?? null
}

function decide(deps: CoreDeps, actor: Actor, s: Subject, use: Use): Basis | null {
  const db = deps.db
  const policy = accessPolicy(db)
  const custodian = isCustodian(policy, actor)
  const c = s.case
  if (!c) {
    // Not filed yet: whoever recorded or brought it in, and the records officers who file it.
    if (use === 'export') return null
    if (custodian) return { basis: 'custodian' }
    return s.owners.includes(actor.userId) ? { basis: 'own' } : null
  }
  const secret = isSecret(c.level)
  const content = use === 'view' || use === 'export'
  if (content && levelClosed(policy, c.level)) return null
  const readOnly = use === 'meta' || use === 'view'
  if (custodian && (use === 'meta' || use === 'file' || (use === 'view' && !secret)))
    return { basis: 'custodian' }
  if (
    policy.handlersOwnOpenCases &&
    use !== 'export' &&
    c.stage !== 'closed' &&
    isHandler(db, c.id, actor.userId)
  )
    return { basis: 'handler' }
  // A handler of a closed (archived) case still sees what is in it; its content needs a grant like anyone's.
  if (use === 'meta' && isHandler(db, c.id, actor.userId)) return { basis: 'handler' }
  if (readOnly && namedFor(policy, c.level, actor.userId)) return { basis: 'named' }
  if (readOnly) {
    const reviewId = openReview(db, c.id, actor.userId, s.id)
    if (reviewId) return { basis: 'reviewer', reviewId }
    const requestId = pendingRequestToDecide(db, policy, actor, c, s.id)
    if (requestId) return { basis: 'deciding', requestId }
  }
  if (use === 'file') return null
  const grantId = activeGrant(db, actor.userId, c.id, s.id, use === 'export' ? 'export' : 'view', deps.now())
  return grantId ? { basis: 'grant', grantId } : null
}

/** Decide for a recording without logging (lists, thumbnails, each byte range); null when refused. */
export function basisForRecord(deps: CoreDeps, actor: Actor, evidenceId: string, use: Use): Basis | null {
  const s = recordSubject(deps.db, evidenceId)
  return s ? decide(deps, actor, s, use) : null
}

/** The same for a text record (文字记录). */
export function basisForText(deps: CoreDeps, actor: Actor, textId: string, use: Use): Basis | null {
  const s = textSubject(deps.db, textId)
  return s ? decide(deps, actor, s, use) : null
}

/**
 * What a case is and who may change it.
 *  - summary: its header (number, cause, party, stage, handlers), its review and completeness state;
 *  - meta: every record's metadata at once (the 卷内目录);
 *  - file: changing the case (stage, dates, actions, documents, tags into it, review submissions).
 */
export function basisForCase(
  deps: CoreDeps,
  actor: Actor,
  caseId: string,
  use: 'summary' | 'meta' | 'file' = 'summary',
): Basis | null {
  const db = deps.db
  const c = caseFacts(db, caseId)
  if (!c) return null
  const policy = accessPolicy(db)
  if (isCustodian(policy, actor)) return { basis: 'custodian' }
  if (isHandler(db, c.id, actor.userId)) return { basis: 'handler' }
  if (use === 'file') return null
  if (namedFor(policy, c.level, actor.userId)) return { basis: 'named' }
  const t = deps.now().toISOString()
  const g = db
    .prepare(
      `SELECT id FROM access_grants WHERE holder_id = ? AND case_id = ? AND ${grantValidAtSql()}
         ${use === 'meta' ? 'AND record_ids IS NULL' : ''} ORDER BY record_ids IS NULL DESC LIMIT 1`,
    )
    .get(actor.userId, c.id, t, t) as { id: string } | undefined
  if (g) return { basis: 'grant', grantId: g.id }
  if (use === 'meta') return null
  const reviewId = openReview(db, c.id, actor.userId, null)
  if (reviewId) return { basis: 'reviewer', reviewId }
  const requestId = pendingRequestToDecide(db, policy, actor, c, null)
  if (requestId) return { basis: 'deciding', requestId }
  // Approvers, auditors and legal reviewers see what a 一般 case is, to decide and supervise.
  const overseer = actor.roles.some((r) => r === 'approver' || r === 'auditor' || r === 'legal_reviewer')
  return overseer && !isSecret(c.level) ? { basis: 'summary' } : null
}

/** The case a caller may approve or revoke things on: an approver, and named for its level if it has one. */
function basisToDecide(deps: CoreDeps, actor: Actor, caseId: string | null): Basis | null {
  const c = caseFacts(deps.db, caseId)
  if (!c) return null
  return mayDecideLevel(accessPolicy(deps.db), actor, c.level)
    ? { basis: isSecret(c.level) ? 'named' : 'summary' }
    : null
}

interface Logged {
  /** What the caller named: written as the log line's target. */
  targetType: string
  targetId: string
  caseId: string | null
  use: Use | 'summary' | 'decide'
  action: string
  /** Write the allowed decision too (views of content); refusals are always written. */
  logAllowed: boolean
}

function logAndThrow(deps: CoreDeps, ctx: CallContext, basis: Basis | null, l: Logged): Basis {
  const actor = ctx.actor
  if (!actor) throw new AppError('UNAUTHENTICATED')
  if (!basis || l.logAllowed)
    auditedChange(
      deps,
      {
        ...actorFields(actor),
        action: basis ? l.action : 'access.denied',
        targetType: l.targetType,
        targetId: l.targetId.slice(0, 64),
        details: {
          use: l.use,
          // For the supervisors reading the log (not the caller): a refusal shows under the case it touched.
          caseId: l.caseId,
          channel: ctx.channel,
          ...(basis ?? { refused: l.action }),
        },
      },
      () => undefined,
    )
  // An unknown id and a forbidden one look the same from outside: no probing for which ids exist.
  if (!basis) throw new AppError('FORBIDDEN')
  return basis
}

/** A refusal the gate's callers decide themselves (a rule beside the bases): logged and answered like any other. */
export function refuse(
  deps: CoreDeps,
  ctx: CallContext,
  target: { type: string; id: string },
  action: string,
  reason: string,
): never {
  const actor = ctx.actor
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'access.denied',
      targetType: target.type,
      targetId: target.id.slice(0, 64),
      details: { refused: action, reason, channel: ctx.channel, caseId: null },
    },
    () => undefined,
  )
  throw new AppError('FORBIDDEN')
}

function caseOfRecord(db: Db, evidenceId: string): string | null {
  return (
    (
      db.prepare('SELECT case_id FROM record_tags WHERE evidence_id = ?').get(evidenceId) as
        { case_id: string | null } | undefined
    )?.case_id ?? null
  )
}

/** Decide for one recording and put the decision in the access log (refusals always; allowed when asked). */
export function gateRecord(
  deps: CoreDeps,
  ctx: CallContext,
  evidenceId: string,
  use: Use,
  action: string,
  opts: { logAllowed?: boolean } = {},
): Basis {
  if (!ctx.actor) throw new AppError('UNAUTHENTICATED')
  const basis = basisForRecord(deps, ctx.actor, evidenceId, use)
  return logAndThrow(deps, ctx, basis, {
    targetType: 'evidence',
    targetId: evidenceId,
    caseId: caseOfRecord(deps.db, evidenceId),
    use,
    action,
    logAllowed: opts.logAllowed ?? (use === 'view' || use === 'export'),
  })
}

/** The same for a text record. */
export function gateText(
  deps: CoreDeps,
  ctx: CallContext,
  textId: string,
  use: Use,
  action: string,
  opts: { logAllowed?: boolean } = {},
): Basis {
  if (!ctx.actor) throw new AppError('UNAUTHENTICATED')
  const basis = basisForText(deps, ctx.actor, textId, use)
  const caseId =
    (
      deps.db.prepare('SELECT case_id FROM text_records WHERE id = ?').get(textId) as
        { case_id: string } | undefined
    )?.case_id ?? null
  return logAndThrow(deps, ctx, basis, {
    targetType: 'text_record',
    targetId: textId,
    caseId,
    use,
    action,
    logAllowed: opts.logAllowed ?? (use === 'view' || use === 'export'),
  })
}

/**
 * Decide for a case (or for the object the caller named that belongs to one: a review, a disc, a disclosure).
 * `caseId` null means the named object does not exist: refused like a forbidden one.
 */
export function gateCase(
  deps: CoreDeps,
  ctx: CallContext,
  caseId: string | null,
  use: 'summary' | 'meta' | 'file',
  action: string,
  target?: { type: string; id: string },
  opts: { logAllowed?: boolean } = {},
): Basis {
  if (!ctx.actor) throw new AppError('UNAUTHENTICATED')
  const basis = caseId ? basisForCase(deps, ctx.actor, caseId, use) : null
  return logAndThrow(deps, ctx, basis, {
    targetType: target?.type ?? 'case',
    targetId: target?.id ?? caseId ?? '',
    caseId: caseId && caseFacts(deps.db, caseId) ? caseId : null,
    use,
    action,
    logAllowed: opts.logAllowed ?? false,
  })
}

/**
 * Deciding on a request, revoking a grant, approving a deletion, approving a case change: an approver named for
 * the case's level (any approver on a 一般 case). The case is that of the object the caller named.
 */
export function gateDecision(
  deps: CoreDeps,
  ctx: CallContext,
  caseId: string | null,
  action: string,
  target: { type: string; id: string },
): Basis {
  if (!ctx.actor) throw new AppError('UNAUTHENTICATED')
  return logAndThrow(deps, ctx, basisToDecide(deps, ctx.actor, caseId), {
    targetType: target.type,
    targetId: target.id,
    caseId,
    use: 'decide',
    action,
    logAllowed: false,
  })
}

/**
 * Copying a whole case out of the vault into an archive package or disc image: the records officer's filing
 * duty (custodian, while the agency's policy allows it; above 一般 only a records officer named for the level)
 * or an export grant on the whole case. Logged either way.
 */
export function gateArchive(deps: CoreDeps, ctx: CallContext, caseId: string, action: string): Basis {
  const actor = ctx.actor
  if (!actor) throw new AppError('UNAUTHENTICATED')
  const policy = accessPolicy(deps.db)
  const c = caseFacts(deps.db, caseId)
  const custodian =
    !!c && isCustodian(policy, actor) && (!isSecret(c.level) || namedFor(policy, c.level, actor.userId))
  const t = deps.now().toISOString()
  // Only a grant on the whole case: a package of some records would not be the case file.
  const grant =
    !c || custodian || levelClosed(policy, c.level)
      ? undefined
      : (deps.db
          .prepare(
            `SELECT id FROM access_grants WHERE holder_id = ? AND case_id = ? AND kind = 'export' AND record_ids IS NULL
             AND ${grantValidAtSql()} LIMIT 1`,
          )
          .get(actor.userId, caseId, t, t) as { id: string } | undefined)
  const basis: Basis | null = custodian
    ? { basis: 'custodian' }
    : grant
      ? { basis: 'grant', grantId: grant.id }
      : null
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: basis ? 'access.archive' : 'access.denied',
      targetType: 'case',
      targetId: caseId.slice(0, 64),
      details: {
        use: 'export',
        for: action,
        caseId: c ? caseId : null,
        channel: ctx.channel,
        ...(basis ?? { refused: action }),
      },
    },
    () => undefined,
  )
  if (!basis) throw new AppError('FORBIDDEN')
  return basis
}

/** The policy as the contract shows it: the per-level lists, and the older single list for older clients. */
export function policyView(p: AccessPolicy) {
  return {
    handlersOwnOpenCases: p.handlersOwnOpenCases,
    custodians: p.custodians,
    named: p.named,
    seniorApprovers: [...new Set(SECRET_LEVELS.flatMap((l) => p.named[l]))],
    seniorLevels: SECRET_LEVELS.filter((l) => p.named[l].length > 0),
  }
}

export function setAccessPolicy(
  deps: CoreDeps,
  input: {
    handlersOwnOpenCases?: boolean | undefined
    custodians?: boolean | undefined
    named?: Partial<Record<SecretLevel, string[]>> | undefined
    seniorApprovers?: string[] | undefined
    seniorLevels?: SecretLevel[] | undefined
  },
  ctx: CallContext,
): ReturnType<typeof policyView> {
  const before = accessPolicy(deps.db)
  const named = { ...before.named, ...Object.fromEntries(Object.entries(input.named ?? {})) }
  // The older form: one list for the levels given (all three when none are).
  if (input.seniorApprovers)
    for (const l of input.seniorLevels ?? SECRET_LEVELS) named[l] = [...input.seniorApprovers]
  for (const l of SECRET_LEVELS) {
    named[l] = [...new Set(named[l])]
    for (const id of named[l]) {
      const u = deps.db.prepare('SELECT disabled FROM users WHERE id = ?').get(id) as
        { disabled: number } | undefined
      if (!u || u.disabled) throw new AppError('VALIDATION', { fields: `named.${l}` })
    }
  }
  const after: AccessPolicy = {
    handlersOwnOpenCases: input.handlersOwnOpenCases ?? before.handlersOwnOpenCases,
    custodians: input.custodians ?? before.custodians,
    named,
  }
  if (JSON.stringify(before) !== JSON.stringify(after))
    auditedChange(
      deps,
      { ...actorFields(ctx.actor), action: 'access.policy', details: { before, after } },
      () => writeSetting(deps.db, 'access.policy', after),
    )
  return policyView(after)
}

/**
 * An ingest batch (its progress, source path, file names and results): whoever brought it in, and records officers
 * doing filing work (the custodian basis, as for the records themselves). Each record in it is still decided by
 * basisForRecord.
 */
export function basisForBatch(deps: CoreDeps, actor: Actor, batchId: string): Basis | null {
  const row = deps.db.prepare('SELECT user_id FROM ingest_batches WHERE id = ?').get(batchId) as
    { user_id: string } | undefined
  if (!row) return null
  if (row.user_id === actor.userId) return { basis: 'own' }
  return isCustodian(accessPolicy(deps.db), actor) ? { basis: 'custodian' } : null
}
