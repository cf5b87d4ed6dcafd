/** The audit trail: its events, the check of the hash chain and checkpoints. */
import { z } from 'zod'
import { empty, isoTime, method, type MethodDef } from './common.ts'

export const auditEventSchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  ts: isoTime,
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
})
export type AuditEvent = z.infer<typeof auditEventSchema>

export const auditProblemSchema = z.object({
  seq: z.number().int(),
  id: z.string().nullable(),
  reason: z.enum([
    'missing',
    'hash_mismatch',
    'prev_mismatch',
    'unreadable',
    'truncated',
    'checkpoint_mismatch',
    'checkpoint_invalid',
    // The anchor log (audit-anchor.ts): the trail ends before its last line, an anchored event has another
    // hash, a line is malformed or not signed by the station key, the log is gone, or a backup's copy of it is
    // not its beginning.
    'anchor_truncated',
    'anchor_mismatch',
    'anchor_invalid',
    'anchor_missing',
    'anchor_rewritten',
  ]),
  /** anchor_truncated: how many events are missing after `seq`. */
  count: z.number().int().optional(),
})
export type AuditProblem = z.infer<typeof auditProblemSchema>

export const auditVerifyReportSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  headSeq: z.number().int(),
  headHash: z.string(),
  /** Signed checkpoint statements found and checked against the trail. */
  checkpoints: z.number().int(),
  firstBad: auditProblemSchema.nullable(),
  problems: z.array(auditProblemSchema),
  verifiedAt: isoTime,
})
export type AuditVerifyReport = z.infer<typeof auditVerifyReportSchema>

export const auditMethods = {
  'audit.list': method({
    input: z.strictObject({
      beforeSeq: z.number().int().positive().optional(),
      limit: z.number().int().min(1).max(500).default(100),
      action: z.string().max(64).optional(),
    }),
    output: z.object({
      events: z.array(auditEventSchema),
      total: z.number().int(),
      /** Names for the ids and codes in these events' details (electron/core/audit-names.ts). */
      names: z.record(z.string(), z.string()),
    }),
    access: ['auditor', 'admin'],
    readOnly: true,
  }),
  'audit.verify': method({
    input: empty,
    output: auditVerifyReportSchema,
    access: ['auditor', 'admin'],
    readOnly: true,
  }),
  'audit.checkpoint': method({
    /** With the caller's certificate PIN the checkpoint is signed; without, it is only time-stamped (if a TSA is set). */
    input: z.strictObject({ pin: z.string().min(1).max(256).optional() }),
    output: z.object({
      written: z.boolean(),
      seq: z.number().int(),
      signed: z.boolean(),
      timestamp: z.enum(['none', 'pending', 'granted']),
      file: z.string().nullable(),
    }),
    access: ['auditor', 'admin', 'records_officer', 'enforcement_officer'],
  }),
} as const satisfies Record<string, MethodDef>
