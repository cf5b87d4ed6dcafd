import crypto from 'node:crypto'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { CASE_STAGES, type Case } from '../../../shared/cases.ts'
import { AppError } from '../../../shared/errors.ts'
import { checkCreditCode, checkResidentId } from '../../../shared/identity.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import { readSetting, writeSetting } from '../meta.ts'
import type { Db } from '../db/index.ts'
import { getAgency } from '../agency.ts'
import { rolesOf } from '../accounts/users.ts'
import { addCalendarDays, chinaDate, loadCalendar } from './calendar.ts'
import { checkCase } from './check.ts'
import { caseRow, type CaseRow } from './repo.ts'
import { assertDecisionAllowed } from '../review/gate.ts'
import { disclosureDue } from '../disclosure/deadline.ts'
import { indexCase, planRowids, searchPlan } from './search.ts'
import { Where, placeholders } from '../db/where.ts'
import {
  accessPolicy,
  basisForCase,
  isCustodian,
  gateCase,
  gateDecision,
  opensWider,
  SECRET_LEVELS,
} from '../access/gate.ts'

/** Cases: numbering, creation, updates of stage and dates, declared actions, listing and search. */

export function toCase(db: Db, r: CaseRow): Case {
  const handlers = db
    .prepare(
      `SELECT u.id, u.display_name, u.badge_no FROM case_handlers h JOIN users u ON u.id = h.user_id
       WHERE h.case_id = ? ORDER BY u.display_name`,
    )
    .all(r.id) as { id: string; display_name: string; badge_no: string | null }[]
  const typeName =
    (db.prepare('SELECT name FROM case_types WHERE code = ?').get(r.type) as { name: string } | undefined)
      ?.name ?? r.type
  return {
    id: r.id,
    caseNo: r.case_no,
    cause: r.cause,
    source: r.source,
    type: r.type,
    typeName,
    party: { kind: r.party_kind, name: r.party_name, idNo: r.party_id_no },
    handlers: handlers.map((h) => ({ id: h.id, name: h.display_name, badgeNo: h.badge_no })),
    confidentiality: r.confidentiality,
    major: r.major === 1,
    stage: r.stage,
    filedOn: r.filed_on,
    decidedOn: r.decided_on,
    executedOn: r.executed_on,
    archiveException: r.archive_exception,
    createdAt: r.created_at,
  }
}

export interface NumberingRule {
  /** {abbr} agency abbreviation, {type} the case type's character, {year}, {seq}. */
  template: string
  abbr: string
}

export function numberingRule(db: Db): NumberingRule {
  return readSetting<NumberingRule>(db, 'cases.numbering', {
    template: '{abbr}{type}〔{year}〕{seq}号',
    abbr: getAgency(db).code,
  })
}

function formatCaseNo(rule: NumberingRule, typeAbbr: string, year: number, seq: number): string {
  return rule.template
    .replaceAll('{abbr}', rule.abbr)
    .replaceAll('{type}', typeAbbr)
    .replaceAll('{year}', String(year))
    .replaceAll('{seq}', String(seq))
}

export function setNumbering(
  deps: CoreDeps,
  input: ParsedInput<'cases.numbering'>,
  ctx: CallContext,
): MethodOutput<'cases.numbering'> {
  const before = numberingRule(deps.db)
  const after = { template: input.template ?? before.template, abbr: input.abbr ?? before.abbr }
  if (input.template !== undefined || input.abbr !== undefined)
    auditedChange(
      deps,
      { ...actorFields(actorOf(ctx)), action: 'cases.numbering', details: { before, after } },
      () => writeSetting(deps.db, 'cases.numbering', after),
    )
  return { ...after, example: formatCaseNo(after, '罚', Number(chinaDate(deps.now()).slice(0, 4)), 12) }
}

/** Handlers must be active enforcement officers: the rules require at least two on every case. */
export function checkHandlers(db: Db, ids: string[]): void {
  const unique = [...new Set(ids)]
  if (unique.length < 2) throw new AppError('TOO_FEW_HANDLERS')
  for (const id of unique) {
    const u = db.prepare('SELECT disabled FROM users WHERE id = ?').get(id) as
      { disabled: number } | undefined
    if (!u || u.disabled || !rolesOf(db, id).includes('enforcement_officer'))
      throw new AppError('NOT_AN_OFFICER', { id })
  }
}

export function createCase(
  deps: CoreDeps,
  input: ParsedInput<'cases.create'>,
  ctx: CallContext,
): MethodOutput<'cases.create'> {
  const actor = actorOf(ctx)
  const db = deps.db
  const type = db.prepare('SELECT code, abbr FROM case_types WHERE code = ?').get(input.type) as
    { code: string; abbr: string } | undefined
  if (!type) throw new AppError('VALIDATION', { fields: 'type' })
  checkHandlers(db, input.handlerIds)
  if (input.party.idNo) {
    const ok =
      input.party.kind === 'person' ? checkResidentId(input.party.idNo) : checkCreditCode(input.party.idNo)
    if (!ok.ok)
      throw new AppError(input.party.kind === 'person' ? 'BAD_RESIDENT_ID' : 'BAD_CREDIT_CODE', {
        idNo: input.party.idNo,
      })
  }
  const now = deps.now()
  const filedOn = input.filedOn ?? chinaDate(now)
  const year = Number(filedOn.slice(0, 4))
  const rule = numberingRule(db)
  const id = crypto.randomUUID()
  auditedChange(
    deps,
    (no: string) => ({
      ...actorFields(actor),
      action: 'cases.create',
      targetType: 'case',
      targetId: id,
      details: { caseNo: no, type: input.type, cause: input.cause, handlers: input.handlerIds },
    }),
    () => {
      const last = db
        .prepare('SELECT max(seq) AS n FROM cases WHERE year = ? AND type = ?')
        .get(year, type.code) as {
        n: number | null
      }
      const seq = (last.n ?? 0) + 1
      const no = formatCaseNo(rule, type.abbr, year, seq)
      if (db.prepare('SELECT 1 FROM cases WHERE case_no = ?').get(no))
        throw new AppError('CASE_NO_TAKEN', { caseNo: no })
      db.prepare(
        `INSERT INTO cases (id, case_no, year, seq, cause, source, type, party_kind, party_name, party_id_no,
           confidentiality, major, stage, filed_on, created_at, created_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'start', ?, ?, ?, ?)`,
      ).run(
        id,
        no,
        year,
        seq,
        input.cause,
        input.source,
        type.code,
        input.party.kind,
        input.party.name,
        input.party.idNo?.trim().toUpperCase() || null,
        input.confidentiality,
        input.major ? 1 : 0,
        filedOn,
        now.toISOString(),
        actor.userId,
        now.toISOString(),
      )
      const h = db.prepare('INSERT INTO case_handlers (case_id, user_id) VALUES (?, ?)')
      for (const u of new Set(input.handlerIds)) h.run(id, u)
      indexCase(db, id)
      return no
    },
  )
  return { case: toCase(db, caseRow(db, id)) }
}

export function caseIdByNo(db: Db, caseNo: string): string {
  const r = db.prepare('SELECT id FROM cases WHERE case_no = ?').get(caseNo.trim()) as
    { id: string } | undefined
  if (!r) throw new AppError('NOT_FOUND')
  return r.id
}

const STAGE_ORDER: readonly string[] = CASE_STAGES

/** The set of handlers a case has now. */
export function handlersOf(db: Db, caseId: string): string[] {
  return (
    db.prepare('SELECT user_id FROM case_handlers WHERE case_id = ? ORDER BY user_id').all(caseId) as {
      user_id: string
    }[]
  ).map((r) => r.user_id)
}

export const sameSet = (a: readonly string[], b: readonly string[]) =>
  JSON.stringify([...new Set(a)].sort()) === JSON.stringify([...new Set(b)].sort())

/**
 * What a handler may change alone. Going back a stage (reopening), a different set of handlers, and a lower or
 * sideways confidentiality all widen who sees the case or undo its record, so they go through a change request
 * another person approves (cases.requestChange / cases.decideChange, ./changes.ts). A closed case is archived:
 * only raising its confidentiality is allowed without reopening it.
 */
function changeNeedingApproval(before: CaseRow, input: ParsedInput<'cases.update'>, handlers: string[]) {
  if (input.stage && STAGE_ORDER.indexOf(input.stage) < STAGE_ORDER.indexOf(before.stage)) return 'reopen'
  if (input.handlerIds && !sameSet(input.handlerIds, handlers)) return 'handlers'
  if (input.confidentiality && opensWider(before.confidentiality, input.confidentiality))
    return 'confidentiality'
  if (
    before.stage === 'closed' &&
    ((input.decidedOn !== undefined && input.decidedOn !== before.decided_on) ||
      (input.executedOn !== undefined && input.executedOn !== before.executed_on) ||
      (input.major !== undefined && input.major !== (before.major === 1)))
  )
    return 'reopen'
  return null
}

export function updateCase(
  deps: CoreDeps,
  input: ParsedInput<'cases.update'>,
  ctx: CallContext,
): MethodOutput<'cases.update'> {
  const actor = actorOf(ctx)
  gateCase(deps, ctx, input.caseId, 'file', 'cases.update')
  const before = caseRow(deps.db, input.caseId)
  const change = changeNeedingApproval(before, input, handlersOf(deps.db, before.id))
  if (change) throw new AppError('CHANGE_NEEDS_APPROVAL', { change })
  const after = {
    stage: input.stage ?? before.stage,
    decided_on: input.decidedOn === undefined ? before.decided_on : input.decidedOn,
    executed_on: input.executedOn === undefined ? before.executed_on : input.executedOn,
    confidentiality: input.confidentiality ?? before.confidentiality,
    major: input.major === undefined ? before.major : input.major ? 1 : 0,
  }
  // Unmarking a case once sent for review would walk around the decision gate.
  if (
    after.major === 0 &&
    before.major === 1 &&
    deps.db.prepare('SELECT 1 FROM reviews WHERE case_id = ?').get(before.id)
  )
    throw new AppError('MAJOR_LOCKED')
  // Recording the decision, or moving past it, needs a passed legal review when the case is in scope.
  const pastDecision = (st: string) => st === 'execution' || st === 'closed'
  if (
    (after.decided_on && !before.decided_on) ||
    (pastDecision(after.stage) && !pastDecision(before.stage) && !before.decided_on)
  )
    assertDecisionAllowed(deps.db, { id: before.id, type: before.type, major: after.major })
  // Archiving (closing) needs a complete file, or an approver's recorded exception.
  if (after.stage === 'closed' && before.stage !== 'closed' && !before.archive_exception) {
    const report = checkCase(deps.db, before.id, deps.now(), { closing: true })
    const blocking = report.problems.filter((p) => p.kind !== 'archive_overdue')
    if (blocking.length) throw new AppError('CASE_INCOMPLETE', { count: blocking.length })
  }
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'cases.update',
      targetType: 'case',
      targetId: before.id,
      details: {
        caseNo: before.case_no,
        before: {
          stage: before.stage,
          decidedOn: before.decided_on,
          executedOn: before.executed_on,
          confidentiality: before.confidentiality,
          major: before.major === 1,
        },
        after: { ...input, caseId: undefined, handlerIds: undefined },
      },
    },
    () => writeCase(deps, before.id, after),
  )
  return { case: toCase(deps.db, caseRow(deps.db, before.id)) }
}

/** The case row's changeable columns (and, given, its handlers), inside the caller's audited change. */
export function writeCase(
  deps: CoreDeps,
  caseId: string,
  after: {
    stage: string
    decided_on: string | null
    executed_on: string | null
    confidentiality: string
    major: number
  },
  handlerIds?: string[],
): void {
  deps.db
    .prepare(
      `UPDATE cases SET stage = ?, decided_on = ?, executed_on = ?, confidentiality = ?, major = ?, updated_at = ?
       WHERE id = ?`,
    )
    .run(
      after.stage,
      after.decided_on,
      after.executed_on,
      after.confidentiality,
      after.major,
      deps.now().toISOString(),
      caseId,
    )
  if (handlerIds) {
    deps.db.prepare('DELETE FROM case_handlers WHERE case_id = ?').run(caseId)
    const h = deps.db.prepare('INSERT INTO case_handlers (case_id, user_id) VALUES (?, ?)')
    for (const u of new Set(handlerIds)) h.run(caseId, u)
    indexCase(deps.db, caseId)
  }
}

export function addAction(
  deps: CoreDeps,
  input: ParsedInput<'cases.addAction'>,
  ctx: CallContext,
): MethodOutput<'cases.addAction'> {
  const actor = actorOf(ctx)
  gateCase(deps, ctx, input.caseId, 'file', 'cases.addAction')
  const c = caseRow(deps.db, input.caseId)
  if (!deps.db.prepare('SELECT 1 FROM action_types WHERE code = ?').get(input.actionType))
    throw new AppError('VALIDATION', { fields: 'actionType' })
  const id = crypto.randomUUID()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'cases.addAction',
      targetType: 'case',
      targetId: c.id,
      details: {
        caseNo: c.case_no,
        actionId: id,
        actionType: input.actionType,
        occurredOn: input.occurredOn,
      },
    },
    () => {
      deps.db
        .prepare(
          `INSERT INTO case_actions (id, case_id, action_type, occurred_on, place, note, created_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          c.id,
          input.actionType,
          input.occurredOn,
          input.place ?? null,
          input.note ?? null,
          deps.now().toISOString(),
          actor.userId,
        )
      // The case is found by where its actions took place.
      if (input.place) indexCase(deps.db, c.id)
    },
  )
  return { id }
}

export function listCases(
  deps: CoreDeps,
  input: ParsedInput<'cases.list'>,
  ctx: CallContext,
): MethodOutput<'cases.list'> {
  const actor = actorOf(ctx)
  const onlyMine = !actor.roles.some((r) => r !== 'enforcement_officer' && r !== 'admin')
  const where = new Where()
  if (onlyMine) where.and('c.id IN (SELECT case_id FROM case_handlers WHERE user_id = ?)', actor.userId)
  // Above 一般, a case is listed only to those the gate lets see it (basisForCase, summary).
  const policy = accessPolicy(deps.db)
  const restricted = !onlyMine && !isCustodian(policy, actor)
  if (restricted) {
    const levels = SECRET_LEVELS.filter((l) => policy.named[l].includes(actor.userId))
    where.and(
      `(c.confidentiality = 'general' OR c.confidentiality IN (${placeholders(levels.length)})
        OR c.id IN (SELECT case_id FROM case_handlers WHERE user_id = ?)
        OR c.id IN (SELECT case_id FROM access_grants WHERE holder_id = ? AND revoked_at IS NULL AND julianday(ends_at) > julianday(?))
        OR c.id IN (SELECT case_id FROM reviews WHERE reviewer_id = ? AND status = 'in_review'))`,
      ...levels,
      actor.userId,
      actor.userId,
      deps.now().toISOString(),
      actor.userId,
    )
  }
  where.andIf(input.stage, 'c.stage = ?')
  if (input.query) {
    const plan = searchPlan(input.query)
    if (!plan) return { cases: [], total: 0 }
    const found = planRowids('case', plan)
    // Text alone (the common case): page straight off the index, newest first, with no sort of all matches.
    if (!onlyMine && !restricted && !input.stage && !input.handlerId && !input.from && !input.to) {
      const total = (
        deps.db.prepare(`SELECT count(*) AS n FROM (${found.sql})`).get(...found.args) as { n: number }
      ).n
      const rows = deps.db
        .prepare(
          `SELECT c.* FROM (${found.sql} ORDER BY rowid DESC LIMIT ? OFFSET ?) f
           JOIN case_fts_map m ON m.rowid = f.rowid JOIN cases c ON c.id = m.case_id ORDER BY f.rowid DESC`,
        )
        .all(...found.args, input.limit, input.offset) as CaseRow[]
      return { cases: rows.map((r) => toCase(deps.db, r)), total }
    }
    where.and(`c.id IN (SELECT m.case_id FROM case_fts_map m WHERE m.rowid IN (${found.sql}))`, ...found.args)
  }
  where.andIf(input.handlerId, 'c.id IN (SELECT case_id FROM case_handlers WHERE user_id = ?)')
  where.andIf(input.from, 'c.filed_on >= ?')
  where.andIf(input.to, 'c.filed_on <= ?')
  const w = where.clause
  const total = (
    deps.db.prepare(`SELECT count(*) AS n FROM cases c ${w}`).get(...where.args) as { n: number }
  ).n
  const rows = deps.db
    .prepare(`SELECT c.* FROM cases c ${w} ORDER BY c.filed_on DESC, c.seq DESC LIMIT ? OFFSET ?`)
    .all(...where.args, input.limit, input.offset) as CaseRow[]
  return { cases: rows.map((r) => toCase(deps.db, r)), total }
}

export function archiveException(
  deps: CoreDeps,
  input: ParsedInput<'cases.archiveException'>,
  ctx: CallContext,
): MethodOutput<'cases.archiveException'> {
  const actor = actorOf(ctx)
  gateDecision(deps, ctx, input.caseId, 'cases.archiveException', { type: 'case', id: input.caseId })
  const c = caseRow(deps.db, input.caseId)
  const report = checkCase(deps.db, c.id, deps.now())
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'cases.archiveException',
      targetType: 'case',
      targetId: c.id,
      details: { caseNo: c.case_no, reason: input.reason, problems: report.problems.map((p) => p.kind) },
    },
    () =>
      deps.db
        .prepare('UPDATE cases SET archive_exception = ?, updated_at = ? WHERE id = ?')
        .run(
          `${input.reason}（${actor.displayName}，${chinaDate(deps.now())}）`,
          deps.now().toISOString(),
          c.id,
        ),
  )
  return { case: toCase(deps.db, caseRow(deps.db, c.id)) }
}

/** What is due, soonest first: archiving of executed cases, open legal reviews, publication of decisions. */
export function deadlines(deps: CoreDeps, ctx: CallContext): MethodOutput<'cases.deadlines'> {
  const actor = actorOf(ctx)
  const onlyMine = !actor.roles.some((r) => r !== 'enforcement_officer' && r !== 'admin')
  const mine = onlyMine ? 'AND c.id IN (SELECT case_id FROM case_handlers WHERE user_id = ?)' : ''
  const who = onlyMine ? [actor.userId] : []
  const cal = loadCalendar(deps.db)
  const today = chinaDate(deps.now())
  const item = (
    r: { id: string; case_no: string },
    kind: 'archive' | 'review' | 'disclosure',
    due: string,
    uncertain: boolean,
  ) => {
    const daysLeft = Math.round((Date.parse(due) - Date.parse(today)) / 86_400_000)
    return { caseId: r.id, caseNo: r.case_no, kind, due, overdue: daysLeft < 0, daysLeft, uncertain }
  }
  // Archiving within 30 days of execution; the legal office's 10 working days; publication of decisions.
  const executed = deps.db
    .prepare(
      `SELECT c.id, c.case_no, c.executed_on FROM cases c WHERE c.executed_on IS NOT NULL AND c.stage <> 'closed' ${mine}`,
    )
    .all(...who) as { id: string; case_no: string; executed_on: string }[]
  const reviews = deps.db
    .prepare(
      `SELECT c.id, c.case_no, r.due_on FROM reviews r JOIN cases c ON c.id = r.case_id
       WHERE r.status IN ('submitted', 'in_review') ${mine}`,
    )
    .all(...who) as { id: string; case_no: string; due_on: string }[]
  const undisclosed = deps.db
    .prepare(
      `SELECT c.id, c.case_no, c.type, c.decided_on FROM cases c WHERE c.decided_on IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM disclosures d WHERE d.case_id = c.id
                       AND (d.status = 'approved' OR (d.status = 'withdrawn' AND d.decided_on = c.decided_on))) ${mine}`,
    )
    .all(...who) as { id: string; case_no: string; type: string; decided_on: string }[]
  const all = [
    ...executed.map((r) => {
      const d = addCalendarDays(cal, r.executed_on, 30)
      return item(r, 'archive', d.due, d.uncertain)
    }),
    ...reviews.map((r) => item(r, 'review', r.due_on, !cal.yearKnown(Number(r.due_on.slice(0, 4))))),
    ...undisclosed.map((r) => {
      const d = disclosureDue(cal, r.type, r.decided_on)
      return item(r, 'disclosure', d.due, d.uncertain)
    }),
  ]
    // A confidential case's deadlines show only to those who may see the case.
    .filter((i) => onlyMine || basisForCase(deps, actor, i.caseId))
    .sort((a, b) => a.due.localeCompare(b.due))
  const lateIngests = (
    deps.db
      .prepare(
        "SELECT count(*) AS n FROM evidence WHERE flags LIKE '%late_reason_missing%' AND late_reason IS NULL",
      )
      .get() as { n: number }
  ).n
  return { items: all, lateIngests }
}

/** Active enforcement officers, for choosing a case's handlers and a record's collectors. */
export function officers(deps: CoreDeps): MethodOutput<'cases.officers'> {
  const rows = deps.db
    .prepare(
      `SELECT u.id, u.display_name, u.badge_no FROM users u JOIN user_roles r ON r.user_id = u.id
       WHERE r.role = 'enforcement_officer' AND u.disabled = 0 ORDER BY u.display_name`,
    )
    .all() as { id: string; display_name: string; badge_no: string | null }[]
  return { officers: rows.map((r) => ({ id: r.id, name: r.display_name, badgeNo: r.badge_no })) }
}

export function setDocType(
  deps: CoreDeps,
  input: ParsedInput<'catalogue.setDocType'>,
  ctx: CallContext,
): MethodOutput<'catalogue.setDocType'> {
  auditedChange(deps, { ...actorFields(actorOf(ctx)), action: 'catalogue.setDocType', details: input }, () =>
    deps.db
      .prepare(
        `INSERT INTO doc_types (code, name, stage, required_for, action, sort)
         VALUES (@code, @name, @stage, @requiredFor, @action, (SELECT coalesce(max(sort), 0) + 1 FROM doc_types))
         ON CONFLICT(code) DO UPDATE SET name = @name, stage = @stage, required_for = @requiredFor, action = @action`,
      )
      .run({ ...input, requiredFor: JSON.stringify(input.requiredFor) }),
  )
  return { ok: true }
}

export function setActionType(
  deps: CoreDeps,
  input: ParsedInput<'catalogue.setActionType'>,
  ctx: CallContext,
): MethodOutput<'catalogue.setActionType'> {
  auditedChange(
    deps,
    { ...actorFields(actorOf(ctx)), action: 'catalogue.setActionType', details: input },
    () =>
      deps.db
        .prepare(
          `INSERT INTO action_types (code, name, stage, full_av, sort)
         VALUES (@code, @name, @stage, @fullAv, (SELECT coalesce(max(sort), 0) + 1 FROM action_types))
         ON CONFLICT(code) DO UPDATE SET name = @name, stage = @stage, full_av = @fullAv`,
        )
        .run({ ...input, fullAv: input.fullAv ? 1 : 0 }),
  )
  return { ok: true }
}

export function setCalendar(
  deps: CoreDeps,
  input: ParsedInput<'calendar.set'>,
  ctx: CallContext,
): MethodOutput<'calendar.set'> {
  if (!input.confirmYear && (!input.date || input.working === undefined))
    throw new AppError('VALIDATION', { fields: 'date, working' })
  auditedChange(deps, { ...actorFields(actorOf(ctx)), action: 'calendar.set', details: input }, () => {
    if (input.date && input.working !== undefined)
      deps.db
        .prepare(
          `INSERT INTO calendar_days (date, working, note) VALUES (?, ?, ?)
           ON CONFLICT(date) DO UPDATE SET working = excluded.working, note = excluded.note`,
        )
        .run(input.date, input.working ? 1 : 0, input.note ?? null)
    if (input.confirmYear)
      deps.db.prepare('INSERT OR IGNORE INTO calendar_years (year) VALUES (?)').run(input.confirmYear)
  })
  return { ok: true }
}
