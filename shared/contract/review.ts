/** Legal review (法制审核) and public disclosure (公示). */
import { z } from 'zod'
import {
  REVIEW_STATUSES,
  WITHDRAW_GROUNDS,
  disclosureDraftSchema,
  disclosureExportSchema,
  disclosureRulesSchema,
  disclosureSchema,
  discussionSchema,
  reviewOpinionSchema,
  reviewSchema,
  reviewScopeSchema,
  reviewStateSchema,
  reviewSubmitSchema,
} from '../review.ts'
import { empty, id, method, shortText, type MethodDef } from './common.ts'

export const reviewMethods = {
  'review.get': method({
    /** A case's legal review: whether it is required, whether it passed, every round. */
    input: z.strictObject({ caseId: id }),
    output: reviewStateSchema,
    access: 'authenticated',
  }),
  'review.list': method({
    /** The legal office's worklist: the latest round of every reviewed case, open ones first. */
    input: z.strictObject({ status: z.enum(REVIEW_STATUSES).optional() }),
    output: z.object({ reviews: z.array(reviewSchema), scope: reviewScopeSchema }),
    access: ['legal_reviewer', 'approver', 'records_officer', 'auditor'],
  }),
  'review.scope': method({
    input: empty,
    output: reviewScopeSchema,
    access: 'authenticated',
  }),
  'review.setScope': method({
    /** The agency's review catalogue (法制审核目录清单) and Hebei's all-penalties rule. */
    input: reviewScopeSchema,
    output: reviewScopeSchema,
    access: ['admin'],
  }),
  'review.reviewers': method({
    /** Legal reviewers, each marked when they took part in the case and so may not review it. */
    input: z.strictObject({ caseId: id }),
    output: z.object({
      reviewers: z.array(z.object({ id: z.string(), name: z.string(), involved: z.boolean() })),
    }),
    access: ['legal_reviewer', 'approver'],
  }),
  'review.submit': method({
    input: reviewSubmitSchema,
    output: z.object({ review: reviewSchema }),
    access: ['records_officer', 'enforcement_officer'],
  }),
  'review.assign': method({
    input: z.strictObject({ reviewId: id, reviewerId: id }),
    output: z.object({ review: reviewSchema }),
    access: ['legal_reviewer', 'approver'],
  }),
  'review.opinion': method({
    input: reviewOpinionSchema,
    output: z.object({ review: reviewSchema }),
    access: ['legal_reviewer'],
  }),
  'review.extend': method({
    /** The reviewer asks for the one extension of 10 working days, before the deadline, with a reason. */
    input: z.strictObject({ reviewId: id, reason: z.string().trim().min(4).max(500) }),
    output: z.object({ review: reviewSchema }),
    access: ['legal_reviewer'],
  }),
  'review.decideExtension': method({
    input: z.strictObject({ reviewId: id, approve: z.boolean(), note: shortText.optional() }),
    output: z.object({ review: reviewSchema }),
    access: ['legal_reviewer', 'approver'],
  }),
  'review.dispute': method({
    /** The handlers do not accept an opinion that sent the case back: the head calls a collective discussion. */
    input: z.strictObject({ reviewId: id, reason: z.string().trim().min(4).max(2000) }),
    output: z.object({ review: reviewSchema }),
    access: ['records_officer', 'enforcement_officer'],
  }),
  'review.discuss': method({
    input: discussionSchema,
    output: z.object({ review: reviewSchema }),
    access: ['approver'],
  }),
  'disclosure.list': method({
    input: empty,
    output: z.object({
      disclosures: z.array(disclosureSchema),
      pending: z.array(
        z.object({
          caseId: z.string(),
          caseNo: z.string(),
          decidedOn: z.string(),
          dueOn: z.string(),
          dueUncertain: z.boolean(),
          overdue: z.boolean(),
        }),
      ),
      rules: disclosureRulesSchema,
    }),
    access: ['records_officer', 'approver', 'auditor'],
  }),
  'disclosure.draft': method({
    input: disclosureDraftSchema,
    output: z.object({ disclosure: disclosureSchema }),
    access: ['records_officer', 'enforcement_officer', 'approver'],
  }),
  'disclosure.approve': method({
    input: z.strictObject({ disclosureId: id }),
    output: z.object({ disclosure: disclosureSchema }),
    access: ['approver'],
  }),
  'disclosure.withdraw': method({
    input: z.strictObject({
      disclosureId: id,
      ground: z.enum(WITHDRAW_GROUNDS),
      reason: z.string().trim().min(4).max(500),
    }),
    output: z.object({ disclosure: disclosureSchema }),
    access: ['approver'],
  }),
  'disclosure.export': method({
    input: disclosureExportSchema,
    output: z.object({ content: z.string(), fileName: z.string(), count: z.number().int() }),
    access: ['records_officer', 'approver'],
  }),
  'disclosure.rules': method({
    input: empty,
    output: disclosureRulesSchema,
    access: 'authenticated',
  }),
  'disclosure.setRules': method({
    input: disclosureRulesSchema,
    output: disclosureRulesSchema,
    access: ['admin'],
  }),
} as const satisfies Record<string, MethodDef>
