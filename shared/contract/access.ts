/** Access approval: requests, grants, the agency policy, the access log, exports and the register. */
import { z } from 'zod'
import { empty, id, method, type MethodDef } from './common.ts'

export const SECRET_LEVELS = ['privacy', 'trade_secret', 'state_secret'] as const
export const ACCESS_PURPOSES = [
  'case_review',
  'supervision',
  'reconsideration',
  'litigation',
  'disclosure',
  'other',
] as const

export const accessRequestSchema = z.object({
  id: z.string(),
  requesterId: z.string(),
  requesterName: z.string(),
  caseId: z.string(),
  caseNo: z.string(),
  recordIds: z.array(z.string()).nullable(),
  purpose: z.enum(ACCESS_PURPOSES),
  purposeText: z.string().nullable(),
  kind: z.enum(['view', 'export']),
  startsAt: z.string(),
  endsAt: z.string(),
  status: z.enum(['pending', 'approved', 'rejected', 'withdrawn']),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
  createdAt: z.string(),
})

export const accessGrantSchema = z.object({
  id: z.string(),
  requestId: z.string(),
  holderId: z.string(),
  holderName: z.string(),
  caseId: z.string(),
  caseNo: z.string(),
  recordIds: z.array(z.string()).nullable(),
  kind: z.enum(['view', 'export']),
  startsAt: z.string(),
  endsAt: z.string(),
  approvedBy: z.string(),
  revokedAt: z.string().nullable(),
  revokeReason: z.string().nullable(),
  status: z.enum(['active', 'future', 'expired', 'revoked']),
})

/**
 * A moment with its zone (`…Z` or `…+08:00`), kept as UTC ISO: grant periods are compared and sorted, and text with
 * mixed offsets does neither (a date given at the CLI, 00:00 Beijing time, would have run eight hours long).
 */
const instant = z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString())

export const accessMethods = {
  'access.request': method({
    input: z.strictObject({
      caseId: id,
      /** Omitted: the whole case. */
      recordIds: z.array(id).min(1).max(500).optional(),
      purpose: z.enum(ACCESS_PURPOSES),
      purposeText: z.string().trim().max(200).optional(),
      kind: z.enum(['view', 'export']),
      startsAt: instant,
      endsAt: instant,
    }),
    output: z.object({ request: accessRequestSchema }),
    access: 'authenticated',
  }),
  'access.approve': method({
    /** Optional narrowing: fewer records, a shorter period, view only. */
    input: z.strictObject({
      requestId: id,
      recordIds: z.array(id).min(1).max(500).optional(),
      startsAt: instant.optional(),
      endsAt: instant.optional(),
      viewOnly: z.boolean().optional(),
      note: z.string().trim().max(500).optional(),
    }),
    output: z.object({ grant: accessGrantSchema }),
    access: ['approver'],
  }),
  'access.reject': method({
    input: z.strictObject({ requestId: id, reason: z.string().trim().min(2).max(500) }),
    output: z.object({ request: accessRequestSchema }),
    access: ['approver'],
  }),
  'access.revoke': method({
    input: z.strictObject({ grantId: id, reason: z.string().trim().min(2).max(500) }),
    output: z.object({ grant: accessGrantSchema }),
    access: ['approver'],
  }),
  'access.policy': method({
    /** The agency's access policy; with no fields, just read it. */
    input: z.strictObject({
      handlersOwnOpenCases: z.boolean().optional(),
      custodians: z.boolean().optional(),
      /** The older form: one list for the levels in seniorLevels (all three when omitted). */
      seniorApprovers: z.array(id).max(50).optional(),
      seniorLevels: z.array(z.enum(SECRET_LEVELS)).optional(),
      /**
       * Per level above 一般, who the agency names (保密审批人): they see that level without a grant and only they
       * approve grants on it. A level with nobody named stays closed: none of its records open.
       */
      named: z.partialRecord(z.enum(SECRET_LEVELS), z.array(id).max(50)).optional(),
    }),
    output: z.object({
      handlersOwnOpenCases: z.boolean(),
      custodians: z.boolean(),
      /** Everyone named for some level, and the levels someone is named for (the older form). */
      seniorApprovers: z.array(z.string()),
      seniorLevels: z.array(z.string()),
      named: z.record(z.enum(SECRET_LEVELS), z.array(z.string())),
    }),
    access: ['admin'],
  }),
  'access.list': method({
    input: empty,
    output: z.object({
      requests: z.array(accessRequestSchema),
      grants: z.array(accessGrantSchema),
      /** Pending requests waiting for this approver. */
      inbox: z.number().int(),
    }),
    access: 'authenticated',
  }),
  'access.log': method({
    input: z.strictObject({
      caseId: id.optional(),
      userId: id.optional(),
      from: z.string().max(40).optional(),
      to: z.string().max(40).optional(),
      limit: z.number().int().min(1).max(5000).default(500),
    }),
    output: z.object({
      entries: z.array(
        z.object({
          seq: z.number().int(),
          at: z.string(),
          userId: z.string().nullable(),
          userName: z.string().nullable(),
          action: z.string(),
          evidenceId: z.string().nullable(),
          caseId: z.string().nullable(),
          basis: z.string().nullable(),
          grantId: z.string().nullable(),
          details: z.record(z.string(), z.unknown()),
        }),
      ),
    }),
    access: ['approver', 'auditor', 'records_officer'],
  }),
  'access.export': method({
    /** Copy records under an export grant to a folder, with signatures, time-stamps, manifest and 说明.txt. */
    input: z.strictObject({
      caseId: id,
      recordIds: z.array(id).min(1).max(5000).optional(),
      outDir: z.string().min(1).max(4096),
    }),
    output: z.object({ outDir: z.string(), records: z.number().int(), manifest: z.number().int() }),
    access: 'authenticated',
  }),
  'access.register': method({
    input: z.strictObject({
      caseId: id.optional(),
      userId: id.optional(),
      from: z.string().max(40).optional(),
      to: z.string().max(40).optional(),
    }),
    output: z.object({ pdfBase64: z.string(), rows: z.number().int() }),
    access: ['approver', 'auditor', 'records_officer'],
  }),
} as const satisfies Record<string, MethodDef>
