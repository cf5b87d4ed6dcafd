import { AppError } from '../../../shared/errors.ts'
import { actorFields, auditedChange, type Actor, type CallContext, type CoreDeps } from '../context.ts'
import { readSetting, writeSetting } from '../meta.ts'
import type { Db } from '../db/index.ts'

/*
 * The one choke point before evidence (bytes or metadata) leaves the vault. Every path asks it: media tickets,
 * thumbnails, case pages, exports, the CLI. Access rests on one of three bases, each named in the access log:
 *  - grant: an approved, unexpired, unrevoked grant of the caller covering the record (export implies view);
 *  - handler: the caller handles the record's case and the case is open (agency policy, on by default);
 *  - custodian: the caller is a records officer doing filing work (agency policy, on by default).
 * Anything else is refused, and the refusal is itself logged.
 */

export type Use = 'view' | 'export'
export type Basis = { basis: 'grant'; grantId: string } | { basis: 'handler' | 'custodian' | 'own' }

export interface AccessPolicy {
  /** Handlers may open their own open cases' records without a grant. */
  handlersOwnOpenCases: boolean
  /** Records officers may open records for filing work without a grant. */
  custodians: boolean
  /** Who may approve requests touching confidential cases; empty: any approver. */
  seniorApprovers: string[]
  /** Confidentiality levels that need a senior approver. */
  seniorLevels: string[]
}

const DEFAULT_POLICY: AccessPolicy = {
  handlersOwnOpenCases: true,
  custodians: true,
  seniorApprovers: [],
  seniorLevels: ['privacy', 'trade_secret', 'state_secret'],
}

export function accessPolicy(db: Db): AccessPolicy {
  return readSetting(db, 'access.policy', DEFAULT_POLICY)
}

interface GrantRow {
  id: string
  record_ids: string | null
  kind: Use
}

/** The caller's grant covering this case (and record, when given) for this use, valid now. */
export function activeGrant(
  db: Db,
  userId: string,
  caseId: string,
  evidenceId: string | null,
  use: Use,
  now: Date,
): string | null {
  const t = now.toISOString()
  const rows = db
    .prepare(
      `SELECT id, record_ids, kind FROM access_grants WHERE holder_id = ? AND case_id = ? AND revoked_at IS NULL
         AND starts_at <= ? AND ends_at > ? ORDER BY ends_at DESC`,
    )
    .all(userId, caseId, t, t) as GrantRow[]
  for (const g of rows) {
    if (use === 'export' && g.kind !== 'export') continue
    if (evidenceId && g.record_ids && !(JSON.parse(g.record_ids) as string[]).includes(evidenceId)) continue
    return g.id
  }
  return null
}

function caseOf(db: Db, evidenceId: string): { caseId: string | null; stage: string | null } {
  const r = db
    .prepare(
      'SELECT t.case_id, c.stage FROM record_tags t LEFT JOIN cases c ON c.id = t.case_id WHERE t.evidence_id = ?',
    )
    .get(evidenceId) as { case_id: string | null; stage: string | null } | undefined
  return { caseId: r?.case_id ?? null, stage: r?.stage ?? null }
}

function isHandler(db: Db, caseId: string, userId: string): boolean {
  return !!db.prepare('SELECT 1 FROM case_handlers WHERE case_id = ? AND user_id = ?').get(caseId, userId)
}

/** Decide without logging (thumbnails, lists); null when refused. */
export function basisForRecord(deps: CoreDeps, actor: Actor, evidenceId: string, use: Use): Basis | null {
  const db = deps.db
  const policy = accessPolicy(db)
  const { caseId, stage } = caseOf(db, evidenceId)
  if (policy.custodians && actor.roles.includes('records_officer') && use === 'view')
    return { basis: 'custodian' }
  if (!caseId) {
    // Not filed yet: only whoever recorded or brought it in, until a records officer files it.
    const e = db
      .prepare('SELECT ingested_by, collector_user_id FROM evidence WHERE id = ?')
      .get(evidenceId) as { ingested_by: string; collector_user_id: string | null } | undefined
    return e && use === 'view' && (e.ingested_by === actor.userId || e.collector_user_id === actor.userId)
      ? { basis: 'own' }
      : null
  }
  if (
    policy.handlersOwnOpenCases &&
    use === 'view' &&
    stage !== 'closed' &&
    isHandler(db, caseId, actor.userId)
  )
    return { basis: 'handler' }
  const grantId = activeGrant(db, actor.userId, caseId, evidenceId, use, deps.now())
  return grantId ? { basis: 'grant', grantId } : null
}

/** Decide for one record and put the decision, either way, in the access log. */
export function gateRecord(
  deps: CoreDeps,
  ctx: CallContext,
  evidenceId: string,
  use: Use,
  action: string,
): Basis {
  const actor = ctx.actor
  if (!actor) throw new AppError('UNAUTHENTICATED')
  const exists = deps.db.prepare('SELECT 1 FROM evidence WHERE id = ?').get(evidenceId)
  const basis = exists ? basisForRecord(deps, actor, evidenceId, use) : null
  const { caseId } = exists ? caseOf(deps.db, evidenceId) : { caseId: null }
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: basis ? action : 'access.denied',
      targetType: 'evidence',
      targetId: evidenceId.slice(0, 64),
      details: { use, caseId, channel: ctx.channel, ...(basis ?? { refused: action }) },
    },
    () => undefined,
  )
  // An unknown id and a forbidden one look the same from outside: no probing for which ids exist.
  if (!basis) throw new AppError('FORBIDDEN')
  return basis
}

/** Case metadata: custodians, handlers, and holders of a grant on the case (whole or some records). */
export function basisForCase(deps: CoreDeps, actor: Actor, caseId: string): Basis | null {
  const db = deps.db
  const policy = accessPolicy(db)
  if (policy.custodians && actor.roles.includes('records_officer')) return { basis: 'custodian' }
  if (isHandler(db, caseId, actor.userId)) return { basis: 'handler' }
  const t = deps.now().toISOString()
  const g = db
    .prepare(
      `SELECT id FROM access_grants WHERE holder_id = ? AND case_id = ? AND revoked_at IS NULL AND starts_at <= ?
         AND ends_at > ? LIMIT 1`,
    )
    .get(actor.userId, caseId, t, t) as { id: string } | undefined
  return g ? { basis: 'grant', grantId: g.id } : null
}

/**
 * Copying a whole case out of the vault into an archive package or disc image: the records officer's filing
 * duty (custodian, while the agency's policy allows it) or an export grant on the whole case. Logged either way.
 */
export function gateArchive(deps: CoreDeps, ctx: CallContext, caseId: string, action: string): Basis {
  const actor = ctx.actor
  if (!actor) throw new AppError('UNAUTHENTICATED')
  const custodian = accessPolicy(deps.db).custodians && actor.roles.includes('records_officer')
  const t = deps.now().toISOString()
  // Only a grant on the whole case: a package of some records would not be the case file.
  const grant = custodian
    ? undefined
    : (deps.db
        .prepare(
          `SELECT id FROM access_grants WHERE holder_id = ? AND case_id = ? AND kind = 'export' AND record_ids IS NULL
             AND revoked_at IS NULL AND starts_at <= ? AND ends_at > ? LIMIT 1`,
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
        caseId,
        channel: ctx.channel,
        ...(basis ?? { refused: action }),
      },
    },
    () => undefined,
  )
  if (!basis) throw new AppError('FORBIDDEN')
  return basis
}

export function setAccessPolicy(
  deps: CoreDeps,
  input: Partial<AccessPolicy>,
  ctx: CallContext,
): AccessPolicy {
  const before = accessPolicy(deps.db)
  const after = { ...before, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) }
  if (JSON.stringify(before) !== JSON.stringify(after))
    auditedChange(
      deps,
      { ...actorFields(ctx.actor), action: 'access.policy', details: { before, after } },
      () => writeSetting(deps.db, 'access.policy', after),
    )
  return after
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
  return accessPolicy(deps.db).custodians && actor.roles.includes('records_officer')
    ? { basis: 'custodian' }
    : null
}
