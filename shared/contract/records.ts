/** Recordings and documents in cases: tags, search, the recordings page, to-do counts, text records. */
import { z } from 'zod'
import { tagsInputSchema, textRecordSchema } from '../cases.ts'
import { flagSchema } from '../ingest.ts'
import { day, empty, id, method, type MethodDef } from './common.ts'

/** The recordings page's flag filters: brought in late, late with no reason given, time conflict or implausible, unsigned. */
export const RECORD_LIST_FLAGS = [
  'late',
  'late_without_reason',
  'time_conflict',
  'implausible_time',
  'unsigned',
] as const
/** The to-do counts (todo.counts), each shown only to the roles whose work it is. */
export const TODO_KEYS = [
  'accessToDecide',
  'reviewsToDo',
  'disclosuresDue',
  'deadlinesOverdue',
  'discsDue',
  'recordsUnfiled',
  'recordsLate',
] as const

export const recordsMethods = {
  'records.tag': method({
    input: z.strictObject({
      evidenceIds: z.array(id).max(5000).optional(),
      batchId: id.optional(),
      tags: tagsInputSchema,
      reason: z.string().trim().max(500).optional(),
    }),
    output: z.object({ updated: z.number().int(), unchanged: z.number().int() }),
    access: ['records_officer', 'enforcement_officer'],
  }),
  'records.tagHistory': method({
    input: z.strictObject({ evidenceId: id }),
    output: z.object({
      versions: z.array(
        z.object({
          version: z.number().int(),
          tags: z.record(z.string(), z.unknown()),
          reason: z.string().nullable(),
          changedAt: z.string(),
          changedBy: z.string(),
        }),
      ),
    }),
    access: ['records_officer', 'enforcement_officer', 'auditor'],
  }),
  'records.search': method({
    input: z.strictObject({
      query: z.string().trim().min(1).max(100),
      limit: z.number().int().min(1).max(200).default(50),
    }),
    output: z.object({
      records: z.array(
        z.object({
          evidenceId: z.string(),
          originalName: z.string(),
          mediaType: z.enum(['video', 'audio', 'photo']),
          caseId: z.string().nullable(),
          caseNo: z.string().nullable(),
          place: z.string().nullable(),
          fact: z.string().nullable(),
          captureStart: z.string().nullable(),
        }),
      ),
    }),
    access: ['records_officer', 'enforcement_officer', 'auditor', 'approver'],
  }),
  'records.list': method({
    /**
     * The recordings page (音像记录): every recording the caller may see (the gate's rule), filtered, newest
     * first, a page at a time (keyset: pass the nextCursor back). `total` counts the whole filtered set, on the
     * first page only.
     */
    input: z.strictObject({
      limit: z.number().int().min(1).max(200).default(100),
      cursor: z.string().max(400).optional(),
      sort: z.enum(['capture', 'ingested']).default('capture'),
      query: z.string().trim().min(1).max(100).optional(),
      from: day.optional(),
      to: day.optional(),
      collectorId: id.optional(),
      deviceId: id.optional(),
      caseId: id.optional(),
      /** 待归案: not filed into any case yet. */
      unfiled: z.boolean().optional(),
      mediaType: z.enum(['video', 'audio', 'photo']).optional(),
      flags: z.array(z.enum(RECORD_LIST_FLAGS)).max(5).optional(),
    }),
    output: z.object({
      items: z.array(
        z.object({
          evidenceId: z.string(),
          originalName: z.string(),
          mediaType: z.enum(['video', 'audio', 'photo']),
          durationMs: z.number().nullable(),
          ingestedAt: z.string(),
          captureStart: z.string().nullable(),
          caseId: z.string().nullable(),
          caseNo: z.string().nullable(),
          place: z.string().nullable(),
          fact: z.string().nullable(),
          collectors: z.array(z.string()),
          device: z.string(),
          flags: z.array(flagSchema),
          lateReason: z.string().nullable(),
          signed: z.boolean(),
        }),
      ),
      nextCursor: z.string().nullable(),
      total: z.number().int().nullable(),
      /** The caller sees every recording (a custodian): an empty list means nothing is imported yet, not "no access". */
      seesEvery: z.boolean(),
    }),
    access: ['records_officer', 'enforcement_officer', 'auditor', 'approver', 'legal_reviewer'],
    readOnly: true,
  }),
  'todo.counts': method({
    /** What waits for the caller, per role, counted over what they may see (the lists a click leads to). */
    input: empty,
    output: z.object({ items: z.array(z.object({ key: z.enum(TODO_KEYS), count: z.number().int() })) }),
    access: 'authenticated',
    readOnly: true,
  }),
  'textRecords.add': method({
    input: z.strictObject({
      caseId: id.optional(),
      /** A correction: the version it replaces, and why. */
      previousId: id.optional(),
      correctionReason: z.string().trim().min(2).max(500).optional(),
      docType: z.string().min(1).max(64).optional(),
      docNo: z.string().trim().max(100).optional(),
      docDate: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
      signers: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
      /** A file on this computer (chosen in a file dialog or typed). */
      filePath: z.string().min(1).max(4096),
      pin: z.string().min(1).max(256).optional(),
    }),
    output: z.object({ textRecord: textRecordSchema }),
    access: ['records_officer', 'enforcement_officer'],
  }),
  'textRecords.open': method({
    /** A document's bytes for the in-app viewer, through the access gate and logged like media.open. */
    input: z.strictObject({ textRecordId: id }),
    output: z.object({
      textRecordId: z.string(),
      fileName: z.string(),
      mime: z.string(),
      sha256: z.string(),
      dataBase64: z.string(),
    }),
    // Anyone signed in may ask; the gate decides, document by document.
    access: 'authenticated',
  }),
} as const satisfies Record<string, MethodDef>
