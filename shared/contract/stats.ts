/** Enforcement statistics for the annual report. */
import { z } from 'zod'
import { method, type MethodDef } from './common.ts'

export const statsMethods = {
  'stats.get': method({
    /** Enforcement statistics of a year (due 31 January) or one of its quarters. */
    input: z.strictObject({
      year: z.number().int().min(2000).max(2100),
      quarter: z.number().int().min(1).max(4).optional(),
    }),
    output: z.object({
      period: z.object({
        year: z.number(),
        quarter: z.number().nullable(),
        from: z.string(),
        to: z.string(),
      }),
      cases: z.object({
        filed: z.number(),
        byType: z.record(z.string(), z.number()),
        bySource: z.record(z.string(), z.number()),
        byStage: z.record(z.string(), z.number()),
        decided: z.number(),
      }),
      av: z.object({
        required: z.number(),
        covered: z.number(),
        ratePercent: z.number().nullable(),
        byAction: z.record(z.string(), z.object({ required: z.number(), covered: z.number() })),
      }),
      storage: z.object({
        ingested: z.number(),
        within24h: z.number(),
        late: z.number(),
        ratePercent: z.number().nullable(),
      }),
      archiving: z.object({ executed: z.number(), onTime: z.number(), late: z.number(), notYet: z.number() }),
      access: z.record(z.string(), z.number()),
      inspections: z.object({ done: z.number(), failed: z.number() }),
      review: z.object({
        submitted: z.number(),
        opinions: z.record(z.string(), z.number()),
        onTime: z.number(),
        late: z.number(),
      }),
      disclosure: z.object({
        decided: z.number(),
        onTime: z.number(),
        late: z.number(),
        notYet: z.number(),
        withdrawn: z.number(),
      }),
    }),
    access: ['approver', 'auditor', 'admin', 'records_officer', 'legal_reviewer'],
  }),
  'stats.pdf': method({
    /** The same figures as a printable A4 report (for the annual publication due 31 January). */
    input: z.strictObject({
      year: z.number().int().min(2000).max(2100),
      quarter: z.number().int().min(1).max(4).optional(),
    }),
    output: z.object({ pdfBase64: z.string() }),
    access: ['approver', 'auditor', 'admin', 'records_officer', 'legal_reviewer'],
  }),
} as const satisfies Record<string, MethodDef>
