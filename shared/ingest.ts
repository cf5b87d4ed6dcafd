import { z } from 'zod'
import { ERROR_CODES } from './errors.ts'
import { STAGE_CODES } from './cases.ts'

/** Schemas of devices, evidence items and ingest jobs, shared by the contract and the UI. */

export const deviceSchema = z.object({
  id: z.string(),
  kind: z.enum(['usb', 'folder']),
  identity: z.string(),
  label: z.string(),
  officerUserId: z.string().nullable(),
  clockMode: z.enum(['local', 'utc']),
  /** Whether a person registered `clockMode` (else 'local' is only the default, and files' readings decide). */
  clockModeKnown: z.boolean(),
  utcOffsetMin: z.number().int(),
  clockOffsetMs: z.number().int(),
  info: z.record(z.string(), z.string()),
  createdAt: z.string(),
  /** Taken out of service (devices.retire): kept for its recordings and the trail, not imported from again. */
  retiredAt: z.string().nullable(),
})
export type Device = z.infer<typeof deviceSchema>

/** What the devices screen shows beside a device: its last import, and the clock mode its files point to. */
export const deviceUsageSchema = z.object({
  deviceId: z.string(),
  lastImportAt: z.string().nullable(),
  records: z.number().int(),
  /** From capture-time reconciliation of its files (most of them), when it differs from the registered mode. */
  clockSuggestion: z
    .object({
      clockMode: z.enum(['local', 'utc']),
      utcOffsetMin: z.number().int(),
      records: z.number().int(),
    })
    .nullable(),
})

/** A stored recording not yet in a case, and the case actions it may belong to (issue 19, item 3). */
export const filingSuggestionSchema = z.object({
  evidenceId: z.string(),
  originalName: z.string(),
  captureStart: z.string().nullable(),
  /** The officer the match was made for: the device's, else the collector. */
  officerName: z.string().nullable(),
  /** Best first; empty: 待归案 (no declared action of a case the caller may file into matches). */
  candidates: z.array(
    z.object({
      caseId: z.string(),
      caseNo: z.string(),
      cause: z.string(),
      stage: z.enum(STAGE_CODES),
      actionType: z.string(),
      actionName: z.string(),
      occurredOn: z.string(),
    }),
  ),
})

export const attachedVolumeSchema = z.object({
  identity: z.string(),
  mountPoint: z.string(),
  label: z.string(),
  vendor: z.string(),
  model: z.string(),
  serial: z.string(),
  sizeBytes: z.number(),
  deviceInfo: z.record(z.string(), z.string()),
  deviceId: z.string().nullable(),
})
export type AttachedVolume = z.infer<typeof attachedVolumeSchema>

export const EVIDENCE_FLAGS = [
  'metadata_unreadable',
  'empty_file',
  'implausible_time',
  'time_from_file',
  'time_imprecise',
  /** The file's readings of its capture time disagree beyond the device's zone; both are on the record. */
  'time_conflict',
  'late_ingest',
  'late_reason_missing',
] as const
export const flagSchema = z.enum(EVIDENCE_FLAGS)
export type EvidenceFlag = z.infer<typeof flagSchema>

const location = z
  .object({ latitude: z.number(), longitude: z.number(), altitude: z.number().optional() })
  .nullable()

export const evidenceSchema = z.object({
  id: z.string(),
  sha256: z.string(),
  size: z.number(),
  mediaType: z.enum(['video', 'audio', 'photo']),
  originalName: z.string(),
  ingestedAt: z.string(),
  ingestedBy: z.string(),
  batchId: z.string(),
  deviceId: z.string(),
  collectorUserId: z.string().nullable(),
  captureStart: z.string().nullable(),
  captureEnd: z.string().nullable(),
  captureSource: z.string(),
  capturePrecision: z.string(),
  clockOffsetMs: z.number(),
  durationMs: z.number().nullable(),
  location,
  info: z.record(z.string(), z.union([z.string(), z.number()])),
  flags: z.array(flagSchema),
  lateReason: z.string().nullable(),
  caseNo: z.string().nullable(),
  place: z.string().nullable(),
  fact: z.string().nullable(),
  sources: z.array(z.object({ relPath: z.string(), deviceId: z.string(), batchId: z.string() })),
})
export type Evidence = z.infer<typeof evidenceSchema>

/** One version of a record's capture time: 1 is what the file said at ingest, later ones people's corrections. */
export const captureTimeVersionSchema = z.object({
  version: z.number().int(),
  captureStart: z.string().nullable(),
  captureEnd: z.string().nullable(),
  source: z.string(),
  reason: z.string().nullable(),
  setBy: z.string().nullable(),
  setAt: z.string(),
})
export type CaptureTimeVersion = z.infer<typeof captureTimeVersionSchema>

export const SKIP_REASONS = [
  'not_media',
  'system_file',
  'symlink',
  'special_file',
  'unreadable_folder',
  /** A Liuhen data folder or a backup of one: refused, never ingested (its derived files are not evidence). */
  'liuhen_data',
] as const

export const fileResultSchema = z.object({
  relPath: z.string(),
  size: z.number(),
  status: z.enum(['stored', 'duplicate', 'already', 'failed', 'skipped']),
  mediaType: z.enum(['video', 'audio', 'photo']).nullable(),
  sha256: z.string().nullable(),
  evidenceId: z.string().nullable(),
  flags: z.array(flagSchema),
  skipReason: z.enum(SKIP_REASONS).nullable(),
  error: z
    .object({
      code: z.enum(ERROR_CODES),
      params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    })
    .nullable(),
  captureStart: z.string().nullable(),
  captureEnd: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  /**
   * Filing into the case chosen at import: filed, or 待归案 with why (no basis on the case, the case archived,
   * already in another case). Absent when no case was chosen.
   */
  filing: z
    .object({
      caseId: z.string(),
      /** The case's number when filed (told only to someone who may file into it). */
      caseNo: z.string().nullable(),
      filed: z.boolean(),
      error: z
        .object({
          code: z.enum(ERROR_CODES),
          params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
        })
        .nullable(),
    })
    .optional(),
})
export type FileResult = z.infer<typeof fileResultSchema>

export const jobSummarySchema = z.object({
  files: z.number(),
  stored: z.number(),
  duplicate: z.number(),
  already: z.number(),
  failed: z.number(),
  skipped: z.number(),
  bytesCopied: z.number(),
  seconds: z.number(),
})
export type JobSummary = z.infer<typeof jobSummarySchema>

export const jobProgressSchema = z.object({
  jobId: z.string(),
  batchId: z.string(),
  deviceId: z.string(),
  sourceRoot: z.string(),
  state: z.enum(['queued', 'scanning', 'copying', 'done', 'cancelled', 'failed']),
  filesTotal: z.number(),
  filesDone: z.number(),
  bytesTotal: z.number(),
  bytesDone: z.number(),
  currentFile: z.string().nullable(),
  currentFileBytes: z.number(),
  currentFileSize: z.number(),
  bytesPerSecond: z.number(),
  etaSeconds: z.number().nullable(),
  summary: jobSummarySchema.nullable(),
})
export type JobProgress = z.infer<typeof jobProgressSchema>

export const scanEntrySchema = z.object({
  relPath: z.string(),
  size: z.number(),
  mtime: z.string(),
  mediaType: z.enum(['video', 'audio', 'photo']).nullable(),
  skipReason: z.enum(SKIP_REASONS).nullable(),
  inVault: z.boolean(),
  /** Capture start read from the source file (metadata, else the name), as ingest would read it. */
  captureStart: z.string().nullable(),
  /** Captured more than 24 hours before now (the core's clock): a reason is owed (待说明超时原因). */
  late: z.boolean(),
})
