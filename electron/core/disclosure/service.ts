import crypto from 'node:crypto'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { AppError } from '../../../shared/errors.ts'
import type { Disclosure } from '../../../shared/review.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import type { Db } from '../db/index.ts'
import { displayNameOf } from '../accounts/users.ts'
import { readSetting, writeSetting } from '../meta.ts'
import { chinaDate, loadCalendar, type Calendar } from '../cases/calendar.ts'
import { disclosureDue } from './deadline.ts'
import { caseRow } from '../cases/repo.ts'
import { gateCase } from '../access/gate.ts'
import { maskName, maskResidentId, scrubText, type PersonNameRule } from './redact.ts'
import { disclosuresCsv, disclosuresHtml, disclosuresJson } from './export.ts'
import { getAgency } from '../agency.ts'

/*
 * Public disclosure of decisions (公示, 000 §3(3)): a draft from the case with 执法机关, 执法对象, 执法类别, 执法结论
 * and the date, personal data redacted by the core (never by the person typing), approved by the head (not the one
 * who drafted it), exported for the agency's portal, and withdrawn — with the reason recorded — when the decision
 * is revoked, found unlawful or to be made again. Limits: 7 working days for penalties, 20 for other decisions.
 */

const RULES_SETTING = 'disclosure.rules'

interface Row {
  id: string
  case_id: string
  status: Disclosure['status']
  kind: Disclosure['kind']
  agency: string
  subject: string
  subject_code: string | null
  category: string
  conclusion: string
  decision_no: string | null
  decided_on: string
  due_on: string
  drafted_by: string
  drafted_at: string
  approved_by: string | null
  approved_at: string | null
  published_at: string | null
  withdrawn_at: string | null
  withdrawn_by: string | null
  withdraw_ground: Disclosure['withdrawGround']
  withdraw_reason: string | null
}

export function disclosureRules(db: Db): { personName: PersonNameRule } {
  return readSetting(db, RULES_SETTING, { personName: 'surname' as PersonNameRule })
}

function toDisclosure(deps: CoreDeps, r: Row, cal: Calendar = loadCalendar(deps.db)): Disclosure {
  const db = deps.db
  const today = chinaDate(deps.now())
  const published = r.published_at ? chinaDate(new Date(r.published_at)) : null
  return {
    id: r.id,
    caseId: r.case_id,
    caseNo: (db.prepare('SELECT case_no FROM cases WHERE id = ?').get(r.case_id) as { case_no: string })
      .case_no,
    status: r.status,
    kind: r.kind,
    agency: r.agency,
    subject: r.subject,
    subjectCode: r.subject_code,
    category: r.category,
    conclusion: r.conclusion,
    decisionNo: r.decision_no,
    decidedOn: r.decided_on,
    dueOn: r.due_on,
    dueUncertain:
      !cal.yearKnown(Number(r.due_on.slice(0, 4))) || !cal.yearKnown(Number(r.decided_on.slice(0, 4))),
    draftedBy: displayNameOf(db, r.drafted_by)!,
    draftedAt: r.drafted_at,
    approvedBy: displayNameOf(db, r.approved_by),
    approvedAt: r.approved_at,
    publishedAt: r.published_at,
    withdrawnAt: r.withdrawn_at,
    withdrawnBy: displayNameOf(db, r.withdrawn_by),
    withdrawGround: r.withdraw_ground,
    withdrawReason: r.withdraw_reason,
    late: r.status === 'withdrawn' ? !!published && published > r.due_on : (published ?? today) > r.due_on,
  }
}

function row(db: Db, id: string): Row {
  const r = db.prepare('SELECT * FROM disclosures WHERE id = ?').get(id) as Row | undefined
  if (!r) throw new AppError('NOT_FOUND')
  return r
}

export function draft(deps: CoreDeps, input: ParsedInput<'disclosure.draft'>, ctx: CallContext) {
  const actor = actorOf(ctx)
  const db = deps.db
  gateCase(deps, ctx, input.caseId, 'summary', 'disclosure.draft')
  const c = caseRow(db, input.caseId)
  if (!c.decided_on) throw new AppError('NOT_DECIDED')
  const live = db
    .prepare("SELECT * FROM disclosures WHERE case_id = ? AND status <> 'withdrawn'")
    .get(c.id) as Row | undefined
  if (live && live.status !== 'draft') throw new AppError('DISCLOSURE_STATE', { status: live.status })
  const rule = disclosureRules(db).personName
  const person = c.party_kind === 'person'
  const fields = {
    kind: c.type === 'penalty' ? 'penalty' : 'other',
    agency: getAgency(db).name,
    subject: person ? maskName(c.party_name, rule) : c.party_name,
    // An organisation's unified social credit code is public register data; a person's ID number is not.
    subject_code: c.party_id_no ? (person ? maskResidentId(c.party_id_no) : c.party_id_no) : null,
    category: (db.prepare('SELECT name FROM case_types WHERE code = ?').get(c.type) as { name: string }).name,
    conclusion: scrubText(input.conclusion, person ? [c.party_name] : [], rule),
    decision_no: input.decisionNo ? scrubText(input.decisionNo, [], rule) : null,
    decided_on: c.decided_on,
    due_on: disclosureDue(loadCalendar(db), c.type, c.decided_on).due,
  }
  const id = live?.id ?? crypto.randomUUID()
  const now = deps.now().toISOString()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: live ? 'disclosure.redraft' : 'disclosure.draft',
      targetType: 'disclosure',
      targetId: id,
      details: { caseId: c.id, caseNo: c.case_no, dueOn: fields.due_on },
    },
    () => {
      if (live)
        db.prepare(
          `UPDATE disclosures SET kind = @kind, agency = @agency, subject = @subject, subject_code = @subject_code,
             category = @category, conclusion = @conclusion, decision_no = @decision_no, decided_on = @decided_on,
             due_on = @due_on, drafted_by = @by, drafted_at = @at WHERE id = @id`,
        ).run({ ...fields, id, by: actor.userId, at: now })
      else
        db.prepare(
          `INSERT INTO disclosures (id, case_id, kind, agency, subject, subject_code, category, conclusion, decision_no,
             decided_on, due_on, drafted_by, drafted_at)
           VALUES (@id, @case_id, @kind, @agency, @subject, @subject_code, @category, @conclusion, @decision_no,
             @decided_on, @due_on, @by, @at)`,
        ).run({ ...fields, id, case_id: c.id, by: actor.userId, at: now })
    },
  )
  return { disclosure: toDisclosure(deps, row(db, id)) }
}

/** 经本单位负责人审批同意后发布 (000 §3(4)2): the head approves, and not the one who wrote the draft. */
export function approve(deps: CoreDeps, input: ParsedInput<'disclosure.approve'>, ctx: CallContext) {
  const actor = actorOf(ctx)
  const r = gatedRow(deps, ctx, input.disclosureId, 'disclosure.approve')
  if (r.status !== 'draft') throw new AppError('DISCLOSURE_STATE', { status: r.status })
  if (r.drafted_by === actor.userId) throw new AppError('SELF_DECISION')
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'disclosure.approve',
      targetType: 'disclosure',
      targetId: r.id,
      details: { caseId: r.case_id, dueOn: r.due_on },
    },
    () =>
      deps.db
        .prepare("UPDATE disclosures SET status = 'approved', approved_by = ?, approved_at = ? WHERE id = ?")
        .run(actor.userId, deps.now().toISOString(), r.id),
  )
  return { disclosure: toDisclosure(deps, row(deps.db, r.id)) }
}

export function withdraw(deps: CoreDeps, input: ParsedInput<'disclosure.withdraw'>, ctx: CallContext) {
  const actor = actorOf(ctx)
  const r = gatedRow(deps, ctx, input.disclosureId, 'disclosure.withdraw')
  if (r.status === 'withdrawn') throw new AppError('DISCLOSURE_STATE', { status: r.status })
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'disclosure.withdraw',
      targetType: 'disclosure',
      targetId: r.id,
      details: {
        caseId: r.case_id,
        ground: input.ground,
        reason: input.reason,
        wasPublished: !!r.published_at,
      },
    },
    () =>
      deps.db
        .prepare(
          `UPDATE disclosures SET status = 'withdrawn', withdrawn_at = ?, withdrawn_by = ?, withdraw_ground = ?,
             withdraw_reason = ? WHERE id = ?`,
        )
        .run(deps.now().toISOString(), actor.userId, input.ground, input.reason, r.id),
  )
  return { disclosure: toDisclosure(deps, row(deps.db, r.id)) }
}

/** Every disclosure, and the decided cases still waiting for one with their last day. */
/** A disclosure through the gate on its case (its draft is the case's decision before it is public). */
function gatedRow(deps: CoreDeps, ctx: CallContext, id: string, action: string): Row {
  const found = deps.db.prepare('SELECT case_id FROM disclosures WHERE id = ?').get(id) as
    { case_id: string } | undefined
  gateCase(deps, ctx, found?.case_id ?? null, 'summary', action, { type: 'disclosure', id })
  return row(deps.db, id)
}

export function list(deps: CoreDeps): MethodOutput<'disclosure.list'> {
  const db = deps.db
  const rows = db
    .prepare('SELECT * FROM disclosures ORDER BY decided_on DESC, drafted_at DESC')
    .all() as Row[]
  const cal = loadCalendar(db)
  const waiting = db
    .prepare(
      // Waiting: no live disclosure, and none withdrawn for this same decision (a decision made again after a
      // withdrawal is published again; a revoked one is not).
      `SELECT id, case_no, type, decided_on FROM cases c WHERE decided_on IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM disclosures d WHERE d.case_id = c.id
                       AND (d.status <> 'withdrawn' OR d.decided_on = c.decided_on))
       ORDER BY decided_on`,
    )
    .all() as { id: string; case_no: string; type: string; decided_on: string }[]
  const today = chinaDate(deps.now())
  return {
    disclosures: rows.map((r) => toDisclosure(deps, r, cal)),
    pending: waiting.map((w) => {
      const due = disclosureDue(cal, w.type, w.decided_on)
      return {
        caseId: w.id,
        caseNo: w.case_no,
        decidedOn: w.decided_on,
        dueOn: due.due,
        dueUncertain: due.uncertain,
        overdue: today > due.due,
      }
    }),
    rules: disclosureRules(db),
  }
}

export function setRules(deps: CoreDeps, input: ParsedInput<'disclosure.setRules'>, ctx: CallContext) {
  const before = disclosureRules(deps.db)
  auditedChange(
    deps,
    { ...actorFields(actorOf(ctx)), action: 'disclosure.setRules', details: { before, after: input } },
    () => writeSetting(deps.db, RULES_SETTING, input),
  )
  return disclosureRules(deps.db)
}

/**
 * The file for the portal. Approved disclosures (first export = publication, recorded); the JSON also lists the
 * withdrawn ones with their status, so the portal can take them down.
 */
export function exportDisclosures(deps: CoreDeps, input: ParsedInput<'disclosure.export'>, ctx: CallContext) {
  const actor = actorOf(ctx)
  const db = deps.db
  const rows = (
    db
      .prepare(
        `SELECT * FROM disclosures WHERE status IN ('approved', 'withdrawn') AND decided_on >= ? AND decided_on <= ?
         ORDER BY decided_on, approved_at`,
      )
      .all(input.from ?? '0000-00-00', input.to ?? '9999-99-99') as Row[]
  ).filter((r) => r.status === 'approved' || (input.format === 'json' && r.published_at))
  const now = deps.now().toISOString()
  const agency = getAgency(db).name
  const fresh = rows.filter((r) => r.status === 'approved' && !r.published_at).map((r) => r.id)
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'disclosure.export',
      details: { format: input.format, count: rows.length, published: fresh, from: input.from, to: input.to },
    },
    () => {
      const mark = db.prepare('UPDATE disclosures SET published_at = ? WHERE id = ?')
      for (const id of fresh) mark.run(now, id)
    },
  )
  const cal = loadCalendar(db)
  const items = rows.map((r) => toDisclosure(deps, row(db, r.id), cal))
  const stamp = chinaDate(deps.now()).replaceAll('-', '')
  const content =
    input.format === 'json'
      ? disclosuresJson(agency, now, items)
      : input.format === 'csv'
        ? disclosuresCsv(items)
        : disclosuresHtml(agency, now, items)
  return { content, fileName: `行政执法决定公示_${stamp}.${input.format}`, count: items.length }
}

/** A case's disclosures, withdrawn ones included, for its archive package. */
export function caseDisclosures(deps: CoreDeps, caseId: string): Disclosure[] {
  return (
    deps.db.prepare('SELECT * FROM disclosures WHERE case_id = ? ORDER BY drafted_at').all(caseId) as Row[]
  ).map((r) => toDisclosure(deps, r))
}
