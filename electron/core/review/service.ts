import crypto from 'node:crypto'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { AppError } from '../../../shared/errors.ts'
import { RETURNING_OPINIONS, type Review, type ReviewStatus } from '../../../shared/review.ts'
import {
  actorFields,
  actorOf,
  auditedChange,
  type Actor,
  type CallContext,
  type CoreDeps,
} from '../context.ts'
import type { Db } from '../db/index.ts'
import { writeSetting } from '../meta.ts'
import { rolesOf, displayNameOf } from '../accounts/users.ts'
import { addWorkingDays, chinaDate, loadCalendar } from '../cases/calendar.ts'
import { caseRow, textRecordsOf } from '../cases/repo.ts'
import { basisForCase, gateCase } from '../access/gate.ts'
import { insertTextRecord, storeGenerated } from '../cases/text-records.ts'
import { signSubject, unlockSigner } from '../signing/service.ts'
import { discussionRecordPdf, reviewRecordPdf } from './record.ts'
import { reviewPassed } from './gate.ts'
import { SCOPE_SETTING, reviewRequired, reviewScope } from './scope.ts'
import { getAgency } from '../agency.ts'
import { audit, expectStatus, involvement, lastRound, reviewRow, toReview, type ReviewRow } from './rows.ts'

/*
 * Legal review of major decisions (法制审核, 000 §5): the handlers submit the proposal with the case's materials,
 * the legal office assigns a reviewer who took no part in the case, the reviewer works through the ten points
 * and gives a signed written opinion within 10 working days (once extendable by 10 with approval). Opinions two to
 * four send the case back for resubmission; a disagreement goes to a collective discussion the head records.
 */

/**
 * The review a caller names, through the gate on its case: the assigned reviewer (reviewer basis while it is
 * open), the legal office and heads (a 一般 case's summary; above 一般, those named for its level), its handlers
 * and records officers. An unknown review answers like a forbidden one.
 */
function gatedReview(
  deps: CoreDeps,
  ctx: CallContext,
  id: string,
  use: 'summary' | 'file',
  action: string,
): ReviewRow {
  const r = deps.db.prepare('SELECT * FROM reviews WHERE id = ?').get(id) as ReviewRow | undefined
  gateCase(deps, ctx, r?.case_id ?? null, use, action, { type: 'review', id })
  return r!
}

export function reviewState(deps: CoreDeps, caseId: string, ctx: CallContext): MethodOutput<'review.get'> {
  gateCase(deps, ctx, caseId, 'summary', 'review.get')
  const c = caseRow(deps.db, caseId)
  return {
    required: reviewRequired(deps.db, c),
    passed: reviewPassed(deps.db, c.id),
    reviews: caseReviews(deps, c.id),
  }
}

/** The legal office's worklist: open and recent rounds, oldest deadline first. */
export function reviewQueue(
  deps: CoreDeps,
  input: ParsedInput<'review.list'>,
  ctx: CallContext,
): MethodOutput<'review.list'> {
  const actor = actorOf(ctx)
  const rows = deps.db
    .prepare(
      `SELECT * FROM reviews r WHERE round = (SELECT max(round) FROM reviews x WHERE x.case_id = r.case_id)
       ${input.status ? 'AND status = ?' : ''} ORDER BY (status IN ('submitted', 'in_review', 'disputed')) DESC, due_on`,
    )
    .all(...(input.status ? [input.status] : [])) as ReviewRow[]
  const cal = loadCalendar(deps.db)
  // A confidential case's review is listed to those the gate lets see the case (named people, its reviewer, …).
  const shown = rows.filter((r) => basisForCase(deps, actor, r.case_id))
  return { reviews: shown.map((r) => toReview(deps, r, cal)), scope: reviewScope(deps.db) }
}

export function setScope(deps: CoreDeps, input: ParsedInput<'review.setScope'>, ctx: CallContext) {
  const codes = input.items.map((i) => i.code)
  if (new Set(codes).size !== codes.length) throw new AppError('VALIDATION', { fields: 'items' })
  const before = reviewScope(deps.db)
  auditedChange(
    deps,
    { ...actorFields(actorOf(ctx)), action: 'review.setScope', details: { before, after: input } },
    () => writeSetting(deps.db, SCOPE_SETTING, input),
  )
  return reviewScope(deps.db)
}

export function submit(deps: CoreDeps, input: ParsedInput<'review.submit'>, ctx: CallContext) {
  const actor = actorOf(ctx)
  const db = deps.db
  gateCase(deps, ctx, input.caseId, 'file', 'review.submit')
  const c = caseRow(db, input.caseId)
  if (c.decided_on) throw new AppError('ALREADY_DECIDED')
  const last = lastRound(db, c.id)
  if (last) expectStatus(last, 'returned')
  if (last && !input.changes) throw new AppError('VALIDATION', { fields: 'changes' })
  const scope = reviewScope(db)
  const enabled = new Set(scope.items.filter((i) => i.enabled).map((i) => i.code))
  const basis = [...new Set(input.basis)]
  if (basis.some((b) => !enabled.has(b))) throw new AppError('VALIDATION', { fields: 'basis' })
  if (!basis.length && !(scope.allPenalties && c.type === 'penalty'))
    throw new AppError('VALIDATION', { fields: 'basis' })

  // The materials: the chosen (default: all current) text records and recordings of this case.
  const docs = textRecordsOf(db, c.id).filter((d) =>
    input.textRecordIds ? input.textRecordIds.includes(d.id) : d.current,
  )
  if (input.textRecordIds && docs.length !== new Set(input.textRecordIds).size)
    throw new AppError('VALIDATION', { fields: 'textRecordIds' })
  const recs = db
    .prepare(
      `SELECT e.id, e.original_name, e.sha256 FROM record_tags t JOIN evidence e ON e.id = t.evidence_id
       WHERE t.case_id = ? AND e.deleted_at IS NULL ORDER BY t.capture_start, e.ingested_at`,
    )
    .all(c.id) as { id: string; original_name: string; sha256: string }[]
  const chosenRecs = input.evidenceIds ? recs.filter((r) => input.evidenceIds!.includes(r.id)) : recs
  if (input.evidenceIds && chosenRecs.length !== new Set(input.evidenceIds).size)
    throw new AppError('VALIDATION', { fields: 'evidenceIds' })
  const materials = [
    ...docs.map((d) => ({
      kind: 'text' as const,
      id: d.id,
      name: `${d.docTypeName} ${d.originalName}`,
      sha256: d.sha256,
    })),
    ...chosenRecs.map((r) => ({
      kind: 'record' as const,
      id: r.id,
      name: r.original_name,
      sha256: r.sha256,
    })),
  ]

  const now = deps.now()
  const receivedOn = chinaDate(now)
  const due = addWorkingDays(loadCalendar(db), receivedOn, 10)
  const id = crypto.randomUUID()
  const round = (last?.round ?? 0) + 1
  auditedChange(
    deps,
    audit(
      actor,
      'review.submit',
      { id, case_id: c.id },
      {
        caseNo: c.case_no,
        round,
        basis,
        materials: materials.length,
        dueOn: due.due,
      },
    ),
    () => {
      db.prepare(
        `INSERT INTO reviews (id, case_id, round, basis, proposal, changes, materials, submitted_at, submitted_by,
           received_on, due_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        c.id,
        round,
        JSON.stringify(basis),
        input.proposal,
        input.changes ?? null,
        JSON.stringify(materials),
        now.toISOString(),
        actor.userId,
        receivedOn,
        due.due,
      )
      // A case reviewed as major is major: the decision gate holds from now on.
      if (basis.length && c.major !== 1)
        db.prepare('UPDATE cases SET major = 1, updated_at = ? WHERE id = ?').run(now.toISOString(), c.id)
    },
  )
  return { review: toReview(deps, reviewRow(db, id)) }
}

export function assign(deps: CoreDeps, input: ParsedInput<'review.assign'>, ctx: CallContext) {
  const actor = actorOf(ctx)
  const db = deps.db
  const r = gatedReview(deps, ctx, input.reviewId, 'summary', 'review.assign')
  expectStatus(r, 'submitted', 'in_review')
  const reviewer = db.prepare('SELECT disabled FROM users WHERE id = ?').get(input.reviewerId) as
    { disabled: number } | undefined
  if (!reviewer || reviewer.disabled || !rolesOf(db, input.reviewerId).includes('legal_reviewer'))
    throw new AppError('NOT_A_REVIEWER')
  if (involvement(db, r.case_id, input.reviewerId))
    throw new AppError('REVIEWER_INVOLVED', { name: displayNameOf(db, input.reviewerId) ?? '' })
  auditedChange(
    deps,
    audit(actor, 'review.assign', r, { round: r.round, reviewerId: input.reviewerId, before: r.reviewer_id }),
    () =>
      db
        .prepare(
          "UPDATE reviews SET reviewer_id = ?, assigned_by = ?, assigned_at = ?, status = 'in_review' WHERE id = ?",
        )
        .run(input.reviewerId, actor.userId, deps.now().toISOString(), r.id),
  )
  return { review: toReview(deps, reviewRow(db, r.id)) }
}

function caseHead(db: Db, caseId: string) {
  const c = caseRow(db, caseId)
  const agency = getAgency(db).name
  return { c, head: { agency, caseNo: c.case_no, cause: c.cause, party: c.party_name } }
}

/** A document the core wrote, stored, registered as a text record of the case and signed, with `also` in the
 * same transaction as the record. */
async function signedDocument(
  deps: CoreDeps,
  actor: Actor,
  channel: string,
  pin: string,
  doc: { caseId: string; docType: string; docNo: string; fileName: string; render: () => Promise<Buffer> },
  event: (recordId: string) => ReturnType<typeof audit>,
  also: (recordId: string) => void,
): Promise<string> {
  // Unlock first: a wrong PIN or a missing certificate costs nothing and changes nothing.
  const signer = unlockSigner(deps, actor, pin, channel)
  const stored = await storeGenerated(
    deps.layout,
    await doc.render(),
    doc.fileName,
    signer.algorithm === 'sm2',
  )
  const id = crypto.randomUUID()
  const now = deps.now()
  auditedChange(
    deps,
    () => [
      {
        ...actorFields(actor),
        action: 'textRecords.add',
        targetType: 'text_record',
        targetId: id,
        details: {
          caseId: doc.caseId,
          docType: doc.docType,
          docNo: doc.docNo,
          sha256: stored.sha256,
          size: stored.size,
        },
      },
      event(id),
    ],
    () => {
      insertTextRecord(deps.db, {
        id,
        caseId: doc.caseId,
        docType: doc.docType,
        stage: 'decision',
        docNo: doc.docNo,
        docDate: chinaDate(now),
        signers: [actor.displayName],
        stored,
        kind: 'pdf',
        originalName: doc.fileName,
        version: 1,
        previousId: null,
        correctionReason: null,
        createdAt: now.toISOString(),
        createdBy: actor.userId,
      })
      also(id)
    },
  )
  await signSubject(deps, signer, actor, {
    kind: 'text_record',
    id,
    sha256: stored.sha256,
    sm3: stored.sm3 ?? null,
  })
  return id
}

/**
 * The opinion a reviewer is about to sign, checked as signing checks it (the assigned reviewer, still uninvolved,
 * a checklist that agrees with the opinion), and the 法制审核意见书 it makes. The preview and the signing share it,
 * so what the reviewer read is what is signed.
 */
function opinionDraft(
  deps: CoreDeps,
  input: Omit<ParsedInput<'review.opinion'>, 'pin'>,
  ctx: CallContext,
  action: 'review.opinion' | 'review.previewOpinion',
) {
  const actor = actorOf(ctx)
  const db = deps.db
  const r = gatedReview(deps, ctx, input.reviewId, 'summary', action)
  expectStatus(r, 'in_review')
  if (r.reviewer_id !== actor.userId) throw new AppError('NOT_REVIEWER')
  // Handlers may have changed since the assignment.
  if (involvement(db, r.case_id, actor.userId))
    throw new AppError('REVIEWER_INVOLVED', { name: actor.displayName })
  const order = input.checklist.map((c) => c.item)
  if (new Set(order).size !== order.length) throw new AppError('VALIDATION', { fields: 'checklist' })
  const problems = input.checklist.filter((c) => c.result === 'problem').length
  const returning = RETURNING_OPINIONS.includes(input.opinion)
  // 同意 means no point failed; sending a case back names at least one point that did.
  if ((input.opinion === 'agree' && problems) || (returning && !problems))
    throw new AppError('REVIEW_INCONSISTENT')
  const { c, head } = caseHead(db, r.case_id)
  const now = deps.now()
  const scope = reviewScope(db)
  const draft: Review = {
    ...toReview(deps, r),
    checklist: input.checklist,
    opinion: input.opinion,
    opinionText: input.text,
  }
  const basisNames = draft.basis.map((b) => scope.items.find((i) => i.code === b)?.name ?? b)
  if (!basisNames.length) basisNames.push('一般程序行政处罚决定（本机关规定全部审核）')
  const fileName = `法制审核意见书_第${r.round}次.pdf`
  const render = (preview: boolean) =>
    reviewRecordPdf(head, draft, {
      basisNames,
      reviewer: actor.displayName,
      submitter: draft.submittedBy,
      signedOn: chinaDate(now),
      preview,
    })
  return { actor, r, c, now, fileName, render, status: (returning ? 'returned' : 'passed') as ReviewStatus }
}

/** The 法制审核意见书 as signing would make it, marked 预览稿: nothing is signed, stored or changed. */
export async function previewOpinion(
  deps: CoreDeps,
  input: ParsedInput<'review.previewOpinion'>,
  ctx: CallContext,
): Promise<MethodOutput<'review.previewOpinion'>> {
  const d = opinionDraft(deps, input, ctx, 'review.previewOpinion')
  const pdf = await d.render(true)
  return { fileName: d.fileName, mime: 'application/pdf', dataBase64: pdf.toString('base64') }
}

export async function giveOpinion(deps: CoreDeps, input: ParsedInput<'review.opinion'>, ctx: CallContext) {
  const { actor, r, c, now, fileName, render, status } = opinionDraft(deps, input, ctx, 'review.opinion')
  const db = deps.db
  await signedDocument(
    deps,
    actor,
    ctx.channel,
    input.pin,
    {
      caseId: c.id,
      docType: 'legal_review_record',
      docNo: `${c.case_no}-法审${r.round}`,
      fileName,
      render: () => render(false),
    },
    (recordId) =>
      audit(actor, 'review.opinion', r, {
        caseNo: c.case_no,
        round: r.round,
        opinion: input.opinion,
        problems: input.checklist.filter((x) => x.result === 'problem').map((x) => x.item),
        recordId,
        late: chinaDate(now) > r.due_on,
      }),
    (recordId) =>
      db
        .prepare(
          `UPDATE reviews SET status = ?, checklist = ?, opinion = ?, opinion_text = ?, opinion_at = ?, record_id = ?
           WHERE id = ?`,
        )
        .run(
          status,
          JSON.stringify(input.checklist),
          input.opinion,
          input.text,
          now.toISOString(),
          recordId,
          r.id,
        ),
  )
  return { review: toReview(deps, reviewRow(db, r.id)) }
}

export function requestExtension(deps: CoreDeps, input: ParsedInput<'review.extend'>, ctx: CallContext) {
  const actor = actorOf(ctx)
  const db = deps.db
  const r = gatedReview(deps, ctx, input.reviewId, 'summary', 'review.extend')
  expectStatus(r, 'in_review')
  if (r.reviewer_id !== actor.userId) throw new AppError('NOT_REVIEWER')
  if (r.extension_status) throw new AppError('EXTENSION_USED')
  if (chinaDate(deps.now()) > r.due_on) throw new AppError('REVIEW_OVERDUE', { due: r.due_on })
  auditedChange(deps, audit(actor, 'review.extend', r, { round: r.round, reason: input.reason }), () =>
    db
      .prepare(
        "UPDATE reviews SET extension_reason = ?, extension_requested_at = ?, extension_status = 'pending' WHERE id = ?",
      )
      .run(input.reason, deps.now().toISOString(), r.id),
  )
  return { review: toReview(deps, reviewRow(db, r.id)) }
}

/** 经法制审核工作机构负责人批准后可延长 10 个工作日: someone other than the reviewer decides. */
export function decideExtension(
  deps: CoreDeps,
  input: ParsedInput<'review.decideExtension'>,
  ctx: CallContext,
) {
  const actor = actorOf(ctx)
  const db = deps.db
  const r = gatedReview(deps, ctx, input.reviewId, 'summary', 'review.decideExtension')
  if (r.extension_status !== 'pending') throw new AppError('REVIEW_STATE', { status: r.status })
  if (r.reviewer_id === actor.userId) throw new AppError('SELF_DECISION')
  const due = input.approve ? addWorkingDays(loadCalendar(db), r.due_on, 10).due : r.due_on
  auditedChange(
    deps,
    audit(actor, input.approve ? 'review.extensionApproved' : 'review.extensionRejected', r, {
      round: r.round,
      before: r.due_on,
      after: due,
      note: input.note ?? null,
    }),
    () =>
      db
        .prepare(
          'UPDATE reviews SET extension_status = ?, extension_decided_by = ?, extension_note = ?, due_on = ? WHERE id = ?',
        )
        .run(input.approve ? 'approved' : 'rejected', actor.userId, input.note ?? null, due, r.id),
  )
  return { review: toReview(deps, reviewRow(db, r.id)) }
}

/** The handlers disagree with an opinion that sent the case back: it goes to collective discussion (000 §5(4)3). */
export function dispute(deps: CoreDeps, input: ParsedInput<'review.dispute'>, ctx: CallContext) {
  const actor = actorOf(ctx)
  const db = deps.db
  const r = gatedReview(deps, ctx, input.reviewId, 'file', 'review.dispute')
  expectStatus(r, 'returned')
  // A collective discussion already settled this round: the case is resubmitted, not disputed again.
  if (r.discussion || lastRound(db, r.case_id)!.id !== r.id)
    throw new AppError('REVIEW_STATE', { status: r.status })
  auditedChange(deps, audit(actor, 'review.dispute', r, { round: r.round, reason: input.reason }), () =>
    db
      .prepare("UPDATE reviews SET status = 'disputed', dispute = ?, disputed_by = ? WHERE id = ?")
      .run(input.reason, actor.userId, r.id),
  )
  return { review: toReview(deps, reviewRow(db, r.id)) }
}

/** The collective discussion record the head is about to sign, and the checks signing makes (shared with the preview). */
function discussionDraft(
  deps: CoreDeps,
  input: Omit<ParsedInput<'review.discuss'>, 'pin'>,
  ctx: CallContext,
  action: 'review.discuss' | 'review.previewDiscussion',
) {
  const actor = actorOf(ctx)
  const r = gatedReview(deps, ctx, input.reviewId, 'summary', action)
  expectStatus(r, 'disputed')
  const { c, head } = caseHead(deps.db, r.case_id)
  const review = toReview(deps, r)
  const discussion = {
    heldOn: input.heldOn,
    participants: input.participants,
    conclusion: input.conclusion,
    outcome: input.outcome,
  }
  const fileName = `集体讨论记录_第${r.round}次审核.pdf`
  const render = (preview: boolean) =>
    discussionRecordPdf(head, review, {
      ...discussion,
      ...(input.expertOpinion ? { expertOpinion: input.expertOpinion } : {}),
      chair: actor.displayName,
      preview,
    })
  return { actor, r, c, discussion, fileName, render }
}

/** The 集体讨论记录 as signing would make it, marked 预览稿: nothing is signed, stored or changed. */
export async function previewDiscussion(
  deps: CoreDeps,
  input: ParsedInput<'review.previewDiscussion'>,
  ctx: CallContext,
): Promise<MethodOutput<'review.previewDiscussion'>> {
  const d = discussionDraft(deps, input, ctx, 'review.previewDiscussion')
  const pdf = await d.render(true)
  return { fileName: d.fileName, mime: 'application/pdf', dataBase64: pdf.toString('base64') }
}

export async function discuss(deps: CoreDeps, input: ParsedInput<'review.discuss'>, ctx: CallContext) {
  const { actor, r, c, discussion, fileName, render } = discussionDraft(deps, input, ctx, 'review.discuss')
  const db = deps.db
  await signedDocument(
    deps,
    actor,
    ctx.channel,
    input.pin,
    {
      caseId: c.id,
      docType: 'collective_discussion',
      docNo: `${c.case_no}-集体讨论${r.round}`,
      fileName,
      render: () => render(false),
    },
    (recordId) =>
      audit(actor, 'review.discuss', r, {
        caseNo: c.case_no,
        round: r.round,
        outcome: input.outcome,
        recordId,
      }),
    (recordId) =>
      db
        .prepare('UPDATE reviews SET status = ?, discussion = ?, discussion_record_id = ? WHERE id = ?')
        .run(input.outcome === 'proceed' ? 'passed' : 'returned', JSON.stringify(discussion), recordId, r.id),
  )
  return { review: toReview(deps, reviewRow(db, r.id)) }
}

export function reviewers(
  deps: CoreDeps,
  caseId: string,
  ctx: CallContext,
): MethodOutput<'review.reviewers'> {
  const db = deps.db
  gateCase(deps, ctx, caseId, 'summary', 'review.reviewers')
  const rows = db
    .prepare(
      `SELECT u.id, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id
       WHERE r.role = 'legal_reviewer' AND u.disabled = 0 ORDER BY u.display_name`,
    )
    .all() as { id: string; display_name: string }[]
  return {
    reviewers: rows.map((u) => ({ id: u.id, name: u.display_name, involved: involvement(db, caseId, u.id) })),
  }
}

/** Every round of a case, for its archive package. */
export function caseReviews(deps: CoreDeps, caseId: string): Review[] {
  const cal = loadCalendar(deps.db)
  return (
    deps.db.prepare('SELECT * FROM reviews WHERE case_id = ? ORDER BY round').all(caseId) as ReviewRow[]
  ).map((r) => toReview(deps, r, cal))
}
