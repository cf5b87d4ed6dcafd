/** Bringing evidence in: devices, scans and ingest jobs, the evidence records and their capture times. */
import { z } from 'zod'
import { CASE_STAGES } from '../cases.ts'
import {
  attachedVolumeSchema,
  captureTimeVersionSchema,
  deviceSchema,
  deviceUsageSchema,
  evidenceSchema,
  fileResultSchema,
  filingSuggestionSchema,
  jobProgressSchema,
  scanEntrySchema,
} from '../ingest.ts'
import { type Role } from '../roles.ts'
import { empty, id, method, shortText, type MethodDef } from './common.ts'

/** Who brings evidence in: "谁执法、谁录入" — the officers who recorded it, and the records officers. */
export const INGEST_ROLES: readonly Role[] = ['records_officer', 'enforcement_officer']
export const sourceRoot = z.string().min(1).max(4096)
export const TEN_YEARS_MS = 10 * 365 * 86_400_000
/** What can be set on a device when it is registered and later: its officer and how its clock keeps time. */
export const deviceSettings = {
  officerUserId: id.nullable().optional(),
  clockMode: z.enum(['local', 'utc']).optional(),
  utcOffsetMin: z.number().int().min(-720).max(840).optional(),
  clockOffsetMs: z.number().int().min(-TEN_YEARS_MS).max(TEN_YEARS_MS).optional(),
}

export const ingestMethods = {
  'devices.list': method({
    input: empty,
    output: z.object({
      devices: z.array(deviceSchema),
      attached: z.array(attachedVolumeSchema),
      usage: z.array(deviceUsageSchema),
    }),
    access: ['records_officer', 'enforcement_officer', 'admin'],
  }),
  'devices.register': method({
    input: z.strictObject({
      kind: z.enum(['usb', 'folder']),
      identity: z.string().min(1).max(512),
      label: z.string().trim().min(1).max(80),
      ...deviceSettings,
      info: z.record(z.string().max(40), z.string().max(200)).optional(),
    }),
    output: z.object({ device: deviceSchema }),
    access: ['records_officer', 'admin'],
  }),
  'devices.update': method({
    input: z.strictObject({
      deviceId: id,
      label: z.string().trim().min(1).max(80).optional(),
      ...deviceSettings,
    }),
    output: z.object({ device: deviceSchema }),
    access: ['records_officer', 'admin'],
  }),
  'devices.clear': method({
    input: z.strictObject({ deviceId: id, sourceRoot, confirm: z.literal(true) }),
    output: z.object({ deleted: z.array(z.string()) }),
    access: ['records_officer'],
  }),
  // Issue 19 (devices screen, filing suggestions): devices/screen.ts, ingest/suggestions.ts.
  'devices.retire': method({
    input: z.strictObject({ deviceId: id, reason: z.string().trim().min(2).max(500) }),
    output: z.object({ device: deviceSchema }),
    access: ['records_officer', 'admin'],
  }),
  'devices.clockCheck': method({
    /** The station's clock against the camera's, when the camera exposes its time on the volume. */
    input: z.strictObject({ deviceId: id }),
    output: z.object({
      attached: z.boolean(),
      exposed: z.boolean(),
      stationTime: z.string(),
      deviceTime: z.string().nullable(),
      /** Camera minus station: what devices.update's clockOffsetMs would take. */
      offsetMs: z.number().int().nullable(),
    }),
    access: ['records_officer', 'enforcement_officer', 'admin'],
    readOnly: true,
  }),
  'ingest.suggestions': method({
    /** Recordings not yet in a case (of these batches, else the latest), each with the case actions it fits. */
    input: z.strictObject({
      batchIds: z.array(id).max(50).optional(),
      limit: z.number().int().min(1).max(500).default(200),
    }),
    output: z.object({ items: z.array(filingSuggestionSchema) }),
    access: INGEST_ROLES,
    readOnly: true,
  }),
  'ingest.scan': method({
    input: z.strictObject({ sourceRoot, deviceId: id.optional() }),
    output: z.object({
      entries: z.array(scanEntrySchema),
      totals: z.object({
        files: z.number(),
        media: z.number(),
        bytes: z.number(),
        inVault: z.number(),
        late: z.number(),
      }),
    }),
    access: INGEST_ROLES,
  }),
  'ingest.start': method({
    input: z.strictObject({
      sourceRoot,
      deviceId: id.optional(),
      collectorUserId: id.optional(),
      caseNo: shortText.optional(),
      /** The case the recordings are filed into, through records.tag's gate and frozen-case check. */
      caseId: id.optional(),
      place: shortText.optional(),
      fact: shortText.optional(),
      /** One reason for every late file … */
      lateReason: shortText.optional(),
      /** … or one per file (relative path as ingest.scan lists it); a file's own reason wins. */
      lateReasons: z
        .record(z.string().min(1).max(1024), z.string().trim().min(2).max(500))
        .refine((o) => Object.keys(o).length <= 10_000, { message: 'too many reasons' })
        .optional(),
      /** The officer's certificate PIN: unlocks the key once for the whole batch. */
      signingPin: z.string().min(1).max(64).optional(),
    }),
    output: z.object({ jobId: z.string(), batchId: z.string() }),
    access: INGEST_ROLES,
  }),
  'ingest.cases': method({
    /** The cases the caller may file into now (a basis to file, not archived), by partial number or cause. */
    input: z.strictObject({
      query: z.string().trim().max(100).optional(),
      limit: z.number().int().min(1).max(100).default(30),
    }),
    output: z.object({
      cases: z.array(
        z.object({ id: z.string(), caseNo: z.string(), cause: z.string(), stage: z.enum(CASE_STAGES) }),
      ),
    }),
    access: INGEST_ROLES,
    readOnly: true,
  }),
  'ingest.cancel': method({
    input: z.strictObject({ jobId: id }),
    output: z.object({}),
    access: INGEST_ROLES,
  }),
  'ingest.jobs': method({
    input: empty,
    output: z.object({
      jobs: z.array(z.object({ progress: jobProgressSchema, results: z.array(fileResultSchema) })),
    }),
    access: INGEST_ROLES,
  }),
  'evidence.list': method({
    input: z.strictObject({ limit: z.number().int().min(1).max(500).default(100), batchId: id.optional() }),
    output: z.object({ items: z.array(evidenceSchema) }),
    access: ['records_officer', 'enforcement_officer'],
  }),
  'evidence.thumbnail': method({
    input: z.strictObject({ evidenceId: id }),
    output: z.object({ dataUrl: z.string().nullable() }),
    access: 'authenticated',
  }),
  'evidence.setLateReason': method({
    input: z.strictObject({ evidenceId: id, reason: z.string().trim().min(2).max(500) }),
    output: z.object({ evidence: evidenceSchema }),
    access: INGEST_ROLES,
  }),
  /**
   * A records officer's correction of a capture time, with the reason. The original reading stays (version 1 and
   * the record's metadata); the correction is a new version, audited, and becomes the record's capture time.
   */
  'evidence.setCaptureTime': method({
    input: z.strictObject({
      evidenceId: id,
      captureStart: z.iso.datetime({ offset: true }),
      reason: z.string().trim().min(2).max(500),
    }),
    output: z.object({ evidence: evidenceSchema, versions: z.array(captureTimeVersionSchema) }),
    access: INGEST_ROLES,
  }),
  'evidence.captureTimeHistory': method({
    input: z.strictObject({ evidenceId: id }),
    output: z.object({ versions: z.array(captureTimeVersionSchema) }),
    access: 'authenticated',
  }),
} as const satisfies Record<string, MethodDef>
