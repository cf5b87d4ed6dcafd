/** Cases: numbering, the case file, change requests, actions, deadlines, the catalogue and calendar. */
import { z } from 'zod'
import {
  CASE_STAGES,
  CONFIDENTIALITY,
  STAGE_CODES,
  archiveStateSchema,
  caseCheckSchema,
  caseInputSchema,
  caseRecordSchema,
  caseSchema,
  textRecordSchema,
} from '../cases.ts'
import { empty, id, method, shortText, type MethodDef } from './common.ts'

/** reopen_archived: an archived (frozen) case opened for changes again, which then go onto a supplementary disc. */
export const CASE_CHANGE_KINDS = ['reopen', 'handlers', 'confidentiality', 'reopen_archived'] as const

export const caseChangeSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  caseNo: z.string(),
  kind: z.enum(CASE_CHANGE_KINDS),
  /** reopen: the stage the case goes back to. */
  stage: z.enum(CASE_STAGES).nullable(),
  /** handlers: the new set. */
  handlers: z.array(z.object({ id: z.string(), name: z.string() })).nullable(),
  /** confidentiality: the new level. */
  confidentiality: z.enum(CONFIDENTIALITY).nullable(),
  reason: z.string(),
  status: z.enum(['pending', 'approved', 'rejected']),
  requestedById: z.string(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  note: z.string().nullable(),
})
export type CaseChange = z.infer<typeof caseChangeSchema>

export const casesMethods = {
  'cases.catalogue': method({
    input: empty,
    output: z.object({
      caseTypes: z.array(z.object({ code: z.string(), name: z.string() })),
      docTypes: z.array(
        z.object({
          code: z.string(),
          name: z.string(),
          stage: z.enum(STAGE_CODES),
          requiredFor: z.array(z.string()),
          action: z.string().nullable(),
        }),
      ),
      actionTypes: z.array(
        z.object({ code: z.string(), name: z.string(), stage: z.enum(STAGE_CODES), fullAv: z.boolean() }),
      ),
    }),
    access: 'authenticated',
  }),
  'cases.officers': method({
    input: empty,
    output: z.object({
      officers: z.array(z.object({ id: z.string(), name: z.string(), badgeNo: z.string().nullable() })),
    }),
    access: 'authenticated',
  }),
  'cases.numbering': method({
    input: z.strictObject({
      /** {abbr} agency abbreviation, {type} the case type's character, {year}, {seq}; must contain {seq}. */
      template: z
        .string()
        .trim()
        .min(4)
        .max(60)
        .regex(/\{seq\}/)
        .optional(),
      abbr: z.string().trim().min(1).max(20).optional(),
    }),
    output: z.object({ template: z.string(), abbr: z.string(), example: z.string() }),
    access: ['admin'],
  }),
  'cases.create': method({
    input: caseInputSchema,
    output: z.object({ case: caseSchema }),
    access: ['records_officer', 'enforcement_officer'],
  }),
  'cases.find': method({
    /**
     * The id of a case number, for the CLI, which takes numbers on its command line. Answered for any case: the
     * number is what one asks access to (access.request), and the id opens nothing by itself — every method
     * that takes it asks the gate (tests/security/gate-table.test.ts has the reason and the check).
     */
    input: z.strictObject({ caseNo: z.string().trim().min(1).max(100) }),
    output: z.object({ caseId: id }),
    access: 'authenticated',
    readOnly: true,
  }),
  'cases.get': method({
    input: z.strictObject({ caseId: id }),
    output: z.object({
      case: caseSchema,
      records: z.array(caseRecordSchema),
      textRecords: z.array(textRecordSchema),
      actions: z.array(
        z.object({
          id: z.string(),
          actionType: z.string(),
          occurredOn: z.string(),
          place: z.string().nullable(),
          note: z.string().nullable(),
        }),
      ),
      check: caseCheckSchema,
      /** Archived and frozen, reopened, and what is owed to a supplementary disc. */
      archive: archiveStateSchema,
      /** Some or all recordings and documents are hidden: no grant covers them. */
      restricted: z.boolean(),
      /** In how many ms one of the caller's grants on the case begins or ends (the page reads it again then). */
      recheckInMs: z.number().int().nonnegative().nullable(),
    }),
    access: 'authenticated',
  }),
  'cases.list': method({
    input: z.strictObject({
      limit: z.number().int().min(1).max(500).default(100),
      offset: z.number().int().min(0).default(0),
      stage: z.enum(CASE_STAGES).optional(),
      query: z.string().trim().max(100).optional(),
      handlerId: id.optional(),
      from: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
      to: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
    }),
    output: z.object({ cases: z.array(caseSchema), total: z.number().int() }),
    access: 'authenticated',
  }),
  'cases.update': method({
    input: z.strictObject({
      caseId: id,
      stage: z.enum(CASE_STAGES).optional(),
      decidedOn: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .nullable()
        .optional(),
      executedOn: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .nullable()
        .optional(),
      confidentiality: z.enum(CONFIDENTIALITY).optional(),
      major: z.boolean().optional(),
      handlerIds: z.array(id).min(2).max(20).optional(),
    }),
    output: z.object({ case: caseSchema }),
    access: ['records_officer', 'enforcement_officer'],
  }),
  'cases.requestChange': method({
    /**
     * What a handler may not do alone: reopen (move back a stage), change the handlers, or lower (or move
     * sideways) the confidentiality. One person asks with a reason; a different approver decides.
     */
    input: z.strictObject({
      caseId: id,
      kind: z.enum(CASE_CHANGE_KINDS),
      stage: z.enum(CASE_STAGES).optional(),
      handlerIds: z.array(id).min(2).max(20).optional(),
      confidentiality: z.enum(CONFIDENTIALITY).optional(),
      reason: z.string().trim().min(4).max(500),
    }),
    output: z.object({ change: caseChangeSchema }),
    access: ['records_officer', 'enforcement_officer'],
  }),
  'cases.decideChange': method({
    input: z.strictObject({ changeId: id, approve: z.boolean(), note: shortText.optional() }),
    output: z.object({ change: caseChangeSchema, case: caseSchema }),
    access: ['approver'],
  }),
  'cases.changes': method({
    /** A case's change requests; without a case, the pending ones this approver may decide and one's own. */
    input: z.strictObject({ caseId: id.optional() }),
    output: z.object({ changes: z.array(caseChangeSchema) }),
    access: 'authenticated',
    readOnly: true,
  }),
  'cases.addAction': method({
    input: z.strictObject({
      caseId: id,
      actionType: z.string().min(1).max(64),
      occurredOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      place: z.string().trim().max(200).optional(),
      note: z.string().trim().max(500).optional(),
    }),
    output: z.object({ id: z.string() }),
    access: ['records_officer', 'enforcement_officer'],
  }),
  'cases.archiveException': method({
    /** An approver lets an incomplete case be archived, stating why; recorded and shown with the case. */
    input: z.strictObject({ caseId: id, reason: z.string().trim().min(4).max(500) }),
    output: z.object({ case: caseSchema }),
    access: ['approver'],
  }),
  'cases.deadlines': method({
    input: empty,
    output: z.object({
      items: z.array(
        z.object({
          caseId: z.string(),
          caseNo: z.string(),
          kind: z.enum(['archive', 'review', 'disclosure']),
          due: z.string(),
          overdue: z.boolean(),
          daysLeft: z.number().int(),
          uncertain: z.boolean(),
        }),
      ),
      lateIngests: z.number().int(),
    }),
    access: 'authenticated',
  }),
  'catalogue.setDocType': method({
    input: z.strictObject({
      code: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/),
      name: z.string().trim().min(2).max(60),
      stage: z.enum(STAGE_CODES),
      requiredFor: z.array(z.string().max(32)).max(20),
      action: z.string().max(64).nullable(),
    }),
    output: z.object({ ok: z.literal(true) }),
    access: ['admin'],
  }),
  'catalogue.setActionType': method({
    input: z.strictObject({
      code: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/),
      name: z.string().trim().min(2).max(60),
      stage: z.enum(STAGE_CODES),
      fullAv: z.boolean(),
    }),
    output: z.object({ ok: z.literal(true) }),
    access: ['admin'],
  }),
  'calendar.set': method({
    /** A day the agency's calendar marks working or not (a late notice, a local rule), or a whole year confirmed. */
    input: z.strictObject({
      date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
      working: z.boolean().optional(),
      note: z.string().trim().max(100).optional(),
      confirmYear: z.number().int().min(2000).max(2100).optional(),
    }),
    output: z.object({ ok: z.literal(true) }),
    access: ['admin'],
  }),
  'cases.check': method({
    input: z.strictObject({ caseId: id }),
    output: caseCheckSchema,
    access: 'authenticated',
  }),
} as const satisfies Record<string, MethodDef>
