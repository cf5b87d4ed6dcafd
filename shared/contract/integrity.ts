/** Integrity checks, retention and deletion of originals, backups. */
import { z } from 'zod'
import { integrityReportSchema } from '../integrity.ts'
import { absolutePath, empty, id, method, shortText, type MethodDef } from './common.ts'

export const deletionRequestSchema = z.object({
  id: z.string(),
  evidenceId: z.string(),
  reason: z.string(),
  expiredOn: z.string(),
  basis: z.string(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  status: z.enum(['pending', 'approved', 'rejected']),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  note: z.string().nullable(),
})

export const integrityMethods = {
  'integrity.verify': method({
    /**
     * The integrity check: vault objects re-hashed (all, or `samplePercent` of them), sealed rows, the audit trail
     * and its checkpoints, signatures. `resume` continues an interrupted full run. Recorded and audited.
     */
    input: z.strictObject({
      samplePercent: z.number().int().min(1).max(100).optional(),
      resume: z.boolean().optional(),
      jobId: id.optional(),
    }),
    output: integrityReportSchema,
    access: ['auditor', 'admin'],
  }),
  'integrity.cancel': method({
    input: z.strictObject({ jobId: id }),
    output: z.object({ cancelled: z.boolean() }),
    access: ['auditor', 'admin'],
  }),
  'integrity.last': method({
    /** The last report, and whether an interrupted full run can be resumed. */
    input: empty,
    output: z.object({ report: integrityReportSchema.nullable(), resumable: z.boolean() }),
    access: ['auditor', 'admin'],
  }),
  'integrity.reportPdf': method({
    input: empty,
    output: z.object({ pdfBase64: z.string() }),
    access: ['auditor', 'admin'],
  }),
  'integrity.schedule': method({
    input: empty,
    output: z.object({ intervalHours: z.number().int(), samplePercent: z.number().int() }),
    access: ['auditor', 'admin'],
  }),
  'integrity.setSchedule': method({
    /** Scheduled checks while the app runs: every `intervalHours` (0 = off), re-hashing `samplePercent`. */
    input: z.strictObject({
      intervalHours: z
        .number()
        .int()
        .min(0)
        .max(24 * 366),
      samplePercent: z.number().int().min(1).max(100),
    }),
    output: z.object({ intervalHours: z.number().int(), samplePercent: z.number().int() }),
    access: ['admin'],
  }),
  'vault.requestDeletion': method({
    /** Ask to remove an original whose retention period has ended (its case's good archive discs). */
    input: z.strictObject({ evidenceId: id, reason: z.string().trim().min(4).max(500) }),
    output: z.object({ request: deletionRequestSchema }),
    access: ['records_officer'],
  }),
  'vault.decideDeletion': method({
    /** Another person approves (the original is removed, a tombstone kept) or rejects. */
    input: z.strictObject({ requestId: id, approve: z.boolean(), note: shortText.optional() }),
    output: z.object({ request: deletionRequestSchema }),
    access: ['approver'],
  }),
  'vault.expired': method({
    /** Records past their retention period and not yet removed. */
    input: empty,
    output: z.object({
      records: z.array(
        z.object({
          evidenceId: z.string(),
          caseNo: z.string(),
          originalName: z.string(),
          size: z.number(),
          expiredOn: z.string(),
          pending: z.boolean(),
        }),
      ),
    }),
    access: ['records_officer', 'approver', 'auditor'],
  }),
  'vault.deletions': method({
    input: empty,
    output: z.object({ requests: z.array(deletionRequestSchema) }),
    access: ['records_officer', 'approver', 'auditor'],
  }),
  'backup.run': method({
    /** A consistent backup into `target` (database snapshot, vault incrementally). */
    input: z.strictObject({ target: absolutePath, jobId: id.optional() }),
    output: z.object({
      target: z.string(),
      filesCopied: z.number().int(),
      filesPresent: z.number().int(),
      bytesCopied: z.number(),
      dbBytes: z.number(),
    }),
    access: ['admin'],
  }),
} as const satisfies Record<string, MethodDef>
