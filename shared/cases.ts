import { z } from 'zod'

/** Cases, text records and record tags as they cross the contract. */

export const STAGE_CODES = ['start', 'investigation', 'decision', 'execution'] as const
export const CASE_STAGES = [...STAGE_CODES, 'closed'] as const
export const CASE_SOURCES = ['ex_officio', 'application', 'complaint'] as const
export const CONFIDENTIALITY = ['general', 'privacy', 'trade_secret', 'state_secret'] as const

const id = z.string().min(1).max(64)
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const text = (max: number) => z.string().trim().min(1).max(max)

/** The party; the check digit of its identifier is verified by the core (checkResidentId / checkCreditCode). */
export const partySchema = z.strictObject({
  kind: z.enum(['person', 'organisation']),
  name: text(100),
  idNo: z.string().trim().max(32).optional(),
})

export const caseInputSchema = z.strictObject({
  cause: text(200),
  source: z.enum(CASE_SOURCES),
  type: z.string().min(1).max(32),
  party: partySchema,
  handlerIds: z.array(id).min(2).max(20),
  confidentiality: z.enum(CONFIDENTIALITY).default('general'),
  major: z.boolean().default(false),
  filedOn: day.optional(),
})

export const caseSchema = z.object({
  id: z.string(),
  caseNo: z.string(),
  cause: z.string(),
  source: z.enum(CASE_SOURCES),
  type: z.string(),
  typeName: z.string(),
  party: z.object({
    kind: z.enum(['person', 'organisation']),
    name: z.string(),
    idNo: z.string().nullable(),
  }),
  handlers: z.array(z.object({ id: z.string(), name: z.string(), badgeNo: z.string().nullable() })),
  confidentiality: z.enum(CONFIDENTIALITY),
  major: z.boolean(),
  stage: z.enum(CASE_STAGES),
  filedOn: z.string().nullable(),
  decidedOn: z.string().nullable(),
  executedOn: z.string().nullable(),
  archiveException: z.string().nullable(),
  createdAt: z.string(),
})
export type Case = z.infer<typeof caseSchema>

export const tagsInputSchema = z.strictObject({
  caseId: id.nullable().optional(),
  stage: z.enum(STAGE_CODES).nullable().optional(),
  actionType: z.string().max(64).nullable().optional(),
  /** The officer states the recording covers the whole action, start to end. */
  fullRecording: z.boolean().optional(),
  /** Corrected capture start, ISO 8601 with offset. */
  captureStart: z.iso.datetime({ offset: true }).nullable().optional(),
  place: z.string().trim().max(200).nullable().optional(),
  latitude: z.number().min(-90).max(90).nullable().optional(),
  longitude: z.number().min(-180).max(180).nullable().optional(),
  fact: z.string().trim().max(500).nullable().optional(),
  collectorIds: z.array(id).max(10).optional(),
  /** Text records of the case this recording supports. */
  supports: z.array(id).max(50).optional(),
})

export const recordTagsSchema = z.object({
  caseId: z.string().nullable(),
  caseNo: z.string().nullable(),
  stage: z.enum(STAGE_CODES).nullable(),
  actionType: z.string().nullable(),
  fullRecording: z.boolean(),
  captureStart: z.string().nullable(),
  place: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  fact: z.string().nullable(),
  collectorIds: z.array(z.string()),
  supports: z.array(z.string()),
  version: z.number().int(),
})
export type RecordTags = z.infer<typeof recordTagsSchema>

export const caseRecordSchema = z.object({
  evidenceId: z.string(),
  sha256: z.string(),
  mediaType: z.enum(['video', 'audio', 'photo']),
  originalName: z.string(),
  size: z.number(),
  durationMs: z.number().nullable(),
  ingestedAt: z.string(),
  tags: recordTagsSchema,
})

export const textRecordSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  docType: z.string(),
  docTypeName: z.string(),
  stage: z.enum(STAGE_CODES),
  docNo: z.string().nullable(),
  docDate: z.string(),
  signers: z.array(z.string()),
  sha256: z.string(),
  size: z.number(),
  fileKind: z.enum(['pdf', 'ofd', 'docx', 'image']),
  originalName: z.string(),
  version: z.number().int(),
  previousId: z.string().nullable(),
  correctionReason: z.string().nullable(),
  current: z.boolean(),
  signed: z.boolean(),
  createdAt: z.string(),
})

export const problemSchema = z.object({
  kind: z.enum([
    'doc_missing',
    'av_missing',
    'av_not_full',
    'tag_incomplete',
    'late_ingest_unexplained',
    'archive_overdue',
    'too_few_handlers',
  ]),
  stage: z.enum(STAGE_CODES).nullable(),
  /** The document type, action type or record concerned. */
  subject: z.string().nullable(),
  subjectName: z.string().nullable(),
  detail: z.string().nullable(),
})
export type CaseProblem = z.infer<typeof problemSchema>

export const deadlineSchema = z.object({
  kind: z.enum(['archive']),
  from: z.string(),
  due: z.string(),
  uncertain: z.boolean(),
  unknownYears: z.array(z.number()),
  overdue: z.boolean(),
  done: z.boolean(),
})

export const caseCheckSchema = z.object({
  caseId: z.string(),
  caseNo: z.string(),
  complete: z.boolean(),
  problems: z.array(problemSchema),
  deadlines: z.array(deadlineSchema),
  checkedAt: z.string(),
})
export type CaseCheck = z.infer<typeof caseCheckSchema>

/**
 * A case and its archive discs (issue 18): archived (a disc registered good), frozen (no change until an approved
 * reopening), reopened, and what changed since the last good disc — owed to a supplementary disc (补充归档).
 */
export const archiveStateSchema = z.object({
  archived: z.boolean(),
  frozen: z.boolean(),
  reopened: z.boolean(),
  /** The last approved reopening of the archived case. */
  reopening: z
    .object({
      changeId: z.string(),
      reason: z.string(),
      requestedBy: z.string(),
      decidedBy: z.string().nullable(),
      decidedAt: z.string().nullable(),
    })
    .nullable(),
  /** A reopening asked for and not yet decided. */
  pendingReopening: z.string().nullable(),
  discs: z.array(z.object({ discNo: z.string(), supplement: z.number().nullable(), writtenAt: z.string() })),
  supplementsDone: z.number().int(),
  nextSupplement: z.number().int(),
  /** The audit event up to which the good discs hold the case. */
  coveredSeq: z.number().int(),
  /** Changes of the case's content after that event (audit events), newest last. */
  changes: z.array(
    z.object({
      seq: z.number().int(),
      ts: z.string(),
      actorName: z.string().nullable(),
      action: z.string(),
      targetType: z.string().nullable(),
      targetId: z.string().nullable(),
    }),
  ),
  /** Changes exist that no good disc holds: the case asks for a supplementary disc. */
  supplementDue: z.boolean(),
})
export type ArchiveState = z.infer<typeof archiveStateSchema>

/** The tags check.ts names as missing from a recording, in its own words. */
export const REQUIRED_TAGS = ['captureStart', 'place', 'collector', 'fact'] as const
export type RequiredTag = (typeof REQUIRED_TAGS)[number]

/**
 * One finding of the case check as a sentence: the same on the case page and in `liuhen case check`. The missing tags
 * arrive as codes joined by commas and are named here (they once reached the screen as "collector,fact").
 */
export function caseProblemText(
  t: (key: string, params?: Record<string, unknown>) => string,
  p: CaseProblem,
) {
  const detail =
    p.kind === 'tag_incomplete'
      ? (p.detail ?? '')
          .split(',')
          .filter(Boolean)
          .map((tag) => t(`cases.requiredTag.${tag}`))
          .join(t('validation.fieldSep'))
      : (p.detail ?? '')
  return t(`cases.problem.${p.kind}`, { name: p.subjectName ?? '', detail })
}
