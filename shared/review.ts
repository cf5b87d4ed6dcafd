import { z } from 'zod'

/*
 * Legal review of major decisions (法制审核, 000 §5) and public disclosure of decisions (公示, 000 §3(3)) as they
 * cross the contract. The codes are stable; the names shown to people live in i18n (review.*, disclosure.*).
 */

/** The ten points of 000 §5(3)1, in the order of the rules. */
export const REVIEW_CHECKS = [
  'subject', // 行政执法主体是否合法，行政执法人员是否具备执法资格
  'jurisdiction', // 是否具有管辖权
  'facts', // 案件事实是否清楚、证据是否充分
  'characterisation', // 定性是否准确
  'basis', // 适用依据是否正确
  'procedure', // 程序是否合法
  'handling', // 处理是否适当
  'documents', // 行政执法文书是否完备、规范
  'crime', // 违法行为是否涉嫌犯罪、需要移送司法机关
  'other', // 其他需要合法性审核的内容
] as const
export type ReviewCheck = (typeof REVIEW_CHECKS)[number]

/** 000 §5(3)2: 同意 / 继续调查或不予作出决定 / 变更 / 纠正 / 其他. */
export const REVIEW_OPINIONS = ['agree', 'investigate', 'change', 'correct', 'other'] as const
export type ReviewOpinion = (typeof REVIEW_OPINIONS)[number]
/** 000 §5(3)3: opinions two to four send the case back; it is reviewed again after the changes. */
export const RETURNING_OPINIONS: readonly ReviewOpinion[] = ['investigate', 'change', 'correct']

export const REVIEW_STATUSES = ['submitted', 'in_review', 'returned', 'disputed', 'passed'] as const
export type ReviewStatus = (typeof REVIEW_STATUSES)[number]

const id = z.string().min(1).max(64)
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const text = (min: number, max: number) => z.string().trim().min(min).max(max)

/** One entry of the agency's review catalogue (重大行政执法决定法制审核目录清单, 000 §5(2)3). */
export const scopeItemSchema = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/),
  name: text(2, 120),
  enabled: z.boolean(),
})
export const reviewScopeSchema = z.strictObject({
  items: z.array(scopeItemSchema).min(1).max(40),
  /** Hebei's rule (004 §4(2)): every general-procedure penalty decision is reviewed. */
  allPenalties: z.boolean(),
})
export type ReviewScope = z.infer<typeof reviewScopeSchema>

export const checklistSchema = z
  .array(
    z.strictObject({
      item: z.enum(REVIEW_CHECKS),
      result: z.enum(['ok', 'problem', 'na']),
      note: z.string().trim().max(500).optional(),
    }),
  )
  .length(REVIEW_CHECKS.length)

export const materialSchema = z.object({
  kind: z.enum(['text', 'record']),
  id: z.string(),
  name: z.string(),
  sha256: z.string(),
})

export const reviewSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  caseNo: z.string(),
  round: z.number().int(),
  status: z.enum(REVIEW_STATUSES),
  basis: z.array(z.string()),
  proposal: z.string(),
  changes: z.string().nullable(),
  materials: z.array(materialSchema),
  submittedAt: z.string(),
  submittedBy: z.string(),
  receivedOn: z.string(),
  reviewerId: z.string().nullable(),
  reviewerName: z.string().nullable(),
  dueOn: z.string(),
  /** A year the deadline passed through has no holiday notice: the date may be off. */
  dueUncertain: z.boolean(),
  overdue: z.boolean(),
  extension: z
    .object({
      reason: z.string(),
      requestedAt: z.string(),
      status: z.enum(['pending', 'approved', 'rejected']),
      decidedBy: z.string().nullable(),
      note: z.string().nullable(),
    })
    .nullable(),
  checklist: z
    .array(z.object({ item: z.string(), result: z.string(), note: z.string().optional() }))
    .nullable(),
  opinion: z.enum(REVIEW_OPINIONS).nullable(),
  opinionText: z.string().nullable(),
  opinionAt: z.string().nullable(),
  recordId: z.string().nullable(),
  dispute: z.string().nullable(),
  discussion: z
    .object({
      heldOn: z.string(),
      participants: z.array(z.string()),
      conclusion: z.string(),
      outcome: z.enum(['proceed', 'follow_review']),
      recordId: z.string(),
    })
    .nullable(),
})
export type Review = z.infer<typeof reviewSchema>

export const reviewStateSchema = z.object({
  /** The case needs legal review before its decision (marked major, or the Hebei rule applies). */
  required: z.boolean(),
  passed: z.boolean(),
  reviews: z.array(reviewSchema),
})

export const reviewSubmitSchema = z.strictObject({
  caseId: id,
  basis: z.array(z.string().max(41)).max(40),
  /** 重大行政执法决定建议: the decision the handlers propose. */
  proposal: text(2, 2000),
  /** On resubmission: what was done about the last opinion. */
  changes: text(4, 2000).optional(),
  textRecordIds: z.array(id).max(500).optional(),
  evidenceIds: z.array(id).max(5000).optional(),
})

export const reviewOpinionSchema = z.strictObject({
  reviewId: id,
  checklist: checklistSchema,
  opinion: z.enum(REVIEW_OPINIONS),
  text: text(2, 4000),
  /** The review record is signed with the reviewer's certificate. */
  pin: z.string().min(1).max(256),
})

export const discussionSchema = z.strictObject({
  reviewId: id,
  heldOn: day,
  participants: z.array(text(1, 40)).min(3).max(30),
  /** Experts', legal advisers' or a third party's argument, when the legal office organised one. */
  expertOpinion: z.string().trim().max(4000).optional(),
  conclusion: text(4, 4000),
  outcome: z.enum(['proceed', 'follow_review']),
  pin: z.string().min(1).max(256),
})

/* ---- Disclosure (公示) ---- */

export const DISCLOSURE_STATUSES = ['draft', 'approved', 'withdrawn'] as const
export const WITHDRAW_GROUNDS = ['revoked', 'unlawful', 'redo'] as const
/** How a natural person's name is published: in full, as surname + 某, or not at all. */
export const PERSON_NAME_RULES = ['full', 'surname', 'hidden'] as const

export const disclosureSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  caseNo: z.string(),
  status: z.enum(DISCLOSURE_STATUSES),
  kind: z.enum(['penalty', 'other']),
  agency: z.string(),
  subject: z.string(),
  subjectCode: z.string().nullable(),
  category: z.string(),
  conclusion: z.string(),
  decisionNo: z.string().nullable(),
  decidedOn: z.string(),
  dueOn: z.string(),
  dueUncertain: z.boolean(),
  draftedBy: z.string(),
  draftedAt: z.string(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
  withdrawnAt: z.string().nullable(),
  withdrawnBy: z.string().nullable(),
  withdrawGround: z.enum(WITHDRAW_GROUNDS).nullable(),
  withdrawReason: z.string().nullable(),
  /** Approved (or still due) after the statutory limit. */
  late: z.boolean(),
})
export type Disclosure = z.infer<typeof disclosureSchema>

export const disclosureRulesSchema = z.strictObject({ personName: z.enum(PERSON_NAME_RULES) })

export const disclosureDraftSchema = z.strictObject({
  caseId: id,
  /** 执法结论: what was decided, in the words to publish. */
  conclusion: text(4, 2000),
  decisionNo: z.string().trim().max(100).optional(),
})

export const disclosureExportSchema = z.strictObject({
  format: z.enum(['json', 'csv', 'html']),
  from: day.optional(),
  to: day.optional(),
})
