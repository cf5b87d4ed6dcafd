/** Public disclosure (行政执法公示) of decisions: drafts, approval, withdrawal, export, the rules. */
import { z } from 'zod'
import {
  WITHDRAW_GROUNDS,
  disclosureDraftSchema,
  disclosureExportSchema,
  disclosureRulesSchema,
  disclosureSchema,
} from '../review.ts'
import { empty, id, method, type MethodDef } from './common.ts'

export const disclosureMethods = {
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
