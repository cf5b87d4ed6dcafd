import { AppError } from '../../../shared/errors.ts'
import type { Review, ReviewStatus } from '../../../shared/review.ts'
import { actorFields, type Actor, type CoreDeps } from '../context.ts'
import type { Db } from '../db/index.ts'
import type { AuditInput } from '../audit.ts'
import { displayNameOf } from '../accounts/users.ts'
import { chinaDate, loadCalendar, type Calendar } from '../cases/calendar.ts'

/* A review round as stored (the reviews table) and as the contract reads it; shared by the review service's steps. */

export interface ReviewRow {
  id: string
  case_id: string
  round: number
  status: ReviewStatus
  basis: string
  proposal: string
  changes: string | null
  materials: string
  submitted_at: string
  submitted_by: string
  received_on: string
  due_on: string
  reviewer_id: string | null
  extension_reason: string | null
  extension_requested_at: string | null
  extension_status: 'pending' | 'approved' | 'rejected' | null
  extension_decided_by: string | null
  extension_note: string | null
  checklist: string | null
  opinion: Review['opinion']
  opinion_text: string | null
  opinion_at: string | null
  record_id: string | null
  dispute: string | null
  discussion: string | null
  discussion_record_id: string | null
}

export function toReview(deps: CoreDeps, r: ReviewRow, cal: Calendar = loadCalendar(deps.db)): Review {
  const db = deps.db
  const caseNo = (db.prepare('SELECT case_no FROM cases WHERE id = ?').get(r.case_id) as { case_no: string })
    .case_no
  const years = new Set([r.received_on, r.due_on].map((d) => Number(d.slice(0, 4))))
  const open = r.status === 'submitted' || r.status === 'in_review'
  return {
    id: r.id,
    caseId: r.case_id,
    caseNo,
    round: r.round,
    status: r.status,
    basis: JSON.parse(r.basis) as string[],
    proposal: r.proposal,
    changes: r.changes,
    materials: JSON.parse(r.materials) as Review['materials'],
    submittedAt: r.submitted_at,
    submittedBy: displayNameOf(db, r.submitted_by)!,
    receivedOn: r.received_on,
    reviewerId: r.reviewer_id,
    reviewerName: displayNameOf(db, r.reviewer_id),
    dueOn: r.due_on,
    dueUncertain: [...years].some((y) => !cal.yearKnown(y)),
    overdue: open && chinaDate(deps.now()) > r.due_on,
    extension: r.extension_status
      ? {
          reason: r.extension_reason!,
          requestedAt: r.extension_requested_at!,
          status: r.extension_status,
          decidedBy: displayNameOf(db, r.extension_decided_by),
          note: r.extension_note,
        }
      : null,
    checklist: r.checklist ? (JSON.parse(r.checklist) as Review['checklist']) : null,
    opinion: r.opinion,
    opinionText: r.opinion_text,
    opinionAt: r.opinion_at,
    recordId: r.record_id,
    dispute: r.dispute,
    discussion: r.discussion
      ? {
          ...(JSON.parse(r.discussion) as Omit<NonNullable<Review['discussion']>, 'recordId'>),
          recordId: r.discussion_record_id!,
        }
      : null,
  }
}

export function reviewRow(db: Db, id: string): ReviewRow {
  const r = db.prepare('SELECT * FROM reviews WHERE id = ?').get(id) as ReviewRow | undefined
  if (!r) throw new AppError('NOT_FOUND')
  return r
}

export function lastRound(db: Db, caseId: string): ReviewRow | undefined {
  return db.prepare('SELECT * FROM reviews WHERE case_id = ? ORDER BY round DESC LIMIT 1').get(caseId) as
    ReviewRow | undefined
}

export function expectStatus(r: ReviewRow, ...allowed: ReviewStatus[]): void {
  if (!allowed.includes(r.status)) throw new AppError('REVIEW_STATE', { status: r.status })
}

/**
 * 000 §5(1)2: 有关法制审核人员参与行政执法的，该人员不得对该次行政执法进行法制审核. Taking part: a handler of
 * the case, a collector of one of its recordings, the one who recorded one of its actions or submitted it.
 */
export function involvement(db: Db, caseId: string, userId: string): boolean {
  return !!db
    .prepare(
      `SELECT 1 FROM case_handlers WHERE case_id = @c AND user_id = @u
       UNION ALL SELECT 1 FROM record_tags t, json_each(t.collectors) j WHERE t.case_id = @c AND j.value = @u
       UNION ALL SELECT 1 FROM case_actions WHERE case_id = @c AND created_by = @u
       UNION ALL SELECT 1 FROM reviews WHERE case_id = @c AND submitted_by = @u
       LIMIT 1`,
    )
    .get({ c: caseId, u: userId })
}

export function audit(
  actor: Actor,
  action: string,
  r: { id: string; case_id: string },
  details: Record<string, unknown>,
): AuditInput {
  return {
    ...actorFields(actor),
    action,
    targetType: 'review',
    targetId: r.id,
    details: { caseId: r.case_id, ...details },
  }
}
