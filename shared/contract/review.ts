/** Legal review (法制审核): the review catalogue, submissions, opinions, extensions, disputes. */
import { z } from 'zod'
import {
  REVIEW_STATUSES,
  discussionSchema,
  reviewOpinionSchema,
  reviewSchema,
  reviewScopeSchema,
  reviewStateSchema,
  reviewSubmitSchema,
} from '../review.ts'
import { empty, id, method, shortText, type MethodDef } from './common.ts'

/** A document the core rendered for reading before it is signed (marked 预览稿 on its face; nothing is kept). */
const previewSchema = z.object({
  fileName: z.string(),
  mime: z.literal('application/pdf'),
  dataBase64: z.string(),
})

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
  'review.previewOpinion': method({
    /** The 法制审核意见书 review.opinion would sign, marked 预览稿, for the reviewer to read first: nothing is kept. */
    input: reviewOpinionSchema.omit({ pin: true }),
    output: previewSchema,
    access: ['legal_reviewer'],
    readOnly: true,
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
  'review.previewDiscussion': method({
    /** The 集体讨论记录 review.discuss would sign, marked 预览稿, for the head to read first: nothing is kept. */
    input: discussionSchema.omit({ pin: true }),
    output: previewSchema,
    access: ['approver'],
    readOnly: true,
  }),
  'review.discuss': method({
    input: discussionSchema,
    output: z.object({ review: reviewSchema }),
    access: ['approver'],
  }),
} as const satisfies Record<string, MethodDef>
