/** Archive packages and discs: BagIt, ISO images, burning, checking and the disc registry. */
import { z } from 'zod'
import {
  copySchema,
  discSchema,
  inspectionPolicySchema,
  mediaKindSchema,
  retentionSchema,
  verifyResultSchema,
  volumeSchema,
} from '../archive.ts'
import { absolutePath, empty, id, method, shortText, type MethodDef } from './common.ts'

export const archiveMethods = {
  'archive.build': method({
    /** The case's BagIt package; the case must be complete or carry an approver's exception. */
    input: z.strictObject({
      caseId: id,
      outDir: absolutePath,
      /** The records officer's PIN: signs the tag manifest (tagmanifest-sha256.txt.p7s). */
      pin: z.string().min(1).max(256).optional(),
    }),
    output: z.object({
      dir: z.string(),
      payloadFiles: z.number().int(),
      payloadBytes: z.number(),
      signed: z.boolean(),
    }),
    access: ['records_officer'],
  }),
  'archive.image': method({
    /**
     * Plan the case onto discs of `media` and write one ISO image per disc into `outDir`. `jobId` (chosen by the
     * caller) names the run for progress events and archive.cancel.
     */
    input: z.strictObject({
      caseId: id,
      media: mediaKindSchema,
      outDir: absolutePath,
      pin: z.string().min(1).max(256).optional(),
      jobId: id.optional(),
      /**
       * 补充归档: only what changed since the case's good discs, with a manifest naming them. Required once a
       * case with a good disc was reopened or changed; refused when nothing changed.
       */
      supplement: z.boolean().optional(),
    }),
    output: z.object({ setId: z.string(), media: mediaKindSchema, volumes: z.array(volumeSchema) }),
    access: ['records_officer'],
  }),
  'archive.cancel': method({
    /** Stop a running image, burn or check; what it had written is removed and nothing is registered. */
    input: z.strictObject({ jobId: id }),
    output: z.object({ cancelled: z.boolean() }),
    access: ['records_officer'],
  }),
  'archive.volumes': method({
    /** The disc images made for a case, newest run first, with the discs written from each. */
    input: z.strictObject({ caseId: id }),
    output: z.object({
      volumes: z.array(
        volumeSchema.extend({
          setId: z.string(),
          media: z.string(),
          createdAt: z.string(),
          signed: z.boolean(),
        }),
      ),
    }),
    access: ['records_officer', 'approver', 'auditor'],
  }),
  'archive.settings': method({
    input: empty,
    output: z.object({
      inspection: inspectionPolicySchema,
      capacities: z.record(mediaKindSchema, z.number()),
    }),
    access: ['admin', 'records_officer', 'auditor'],
  }),
  'archive.setSettings': method({
    /** The agency's inspection schedule and, optionally, its own disc capacities (bytes) per media kind. */
    input: z.strictObject({
      inspection: inspectionPolicySchema.optional(),
      capacities: z
        .partialRecord(mediaKindSchema, z.number().int().min(16_000_000).max(200_000_000_000))
        .optional(),
    }),
    output: empty,
    access: ['admin'],
  }),
  'archive.catalogue': method({
    /** 卷内目录 of the case as PDF: every text and audio/video record and the discs that carry it. */
    input: z.strictObject({ caseId: id }),
    output: z.object({ pdfBase64: z.string() }),
    access: ['records_officer', 'approver', 'auditor'],
  }),
  'discs.drives': method({
    /** Optical drives on this computer, with the media in each. */
    input: empty,
    output: z.object({
      drives: z.array(
        z.object({
          device: z.string(),
          vendor: z.string(),
          model: z.string(),
          media: z.string(),
          status: z.string(),
          freeBytes: z.number().nullable(),
        }),
      ),
    }),
    access: ['records_officer'],
  }),
  'discs.burn': method({
    /** Write a disc image made by archive.image to a blank disc (or to an image file), check it, register it. */
    input: z.strictObject({
      target: absolutePath,
      image: absolutePath,
      copy: copySchema,
      retention: retentionSchema,
      location: shortText.optional(),
      jobId: id.optional(),
    }),
    output: z.object({ disc: discSchema, verify: verifyResultSchema }),
    access: ['records_officer'],
  }),
  'discs.verify': method({
    /** Check a disc or image; for a registered disc the result is recorded (periodic inspection). */
    input: z.strictObject({
      target: absolutePath,
      discNo: z.string().min(1).max(64).optional(),
      jobId: id.optional(),
    }),
    output: z.object({ disc: discSchema.nullable(), verify: verifyResultSchema, volumeKnown: z.boolean() }),
    access: ['records_officer'],
  }),
  'discs.list': method({
    input: z.strictObject({ caseId: id.optional() }),
    output: z.object({ discs: z.array(discSchema) }),
    access: ['records_officer', 'approver', 'auditor'],
  }),
  'discs.update': method({
    /** Where a disc is kept, and its retention period. */
    input: z.strictObject({
      discId: id,
      location: shortText.optional(),
      retention: retentionSchema.optional(),
    }),
    output: z.object({ disc: discSchema }),
    access: ['records_officer'],
  }),
  'discs.label': method({
    /** The disc's printable label and case insert (PDF, to scale). */
    input: z.strictObject({ discId: id }),
    output: z.object({ pdfBase64: z.string() }),
    access: ['records_officer'],
  }),
  'discs.inspections': method({
    /** Discs due for inspection under the agency's schedule, and discs whose last check failed. */
    input: empty,
    output: z.object({
      policy: inspectionPolicySchema,
      due: z.array(discSchema),
      failed: z.array(discSchema),
    }),
    access: ['records_officer', 'auditor'],
  }),
} as const satisfies Record<string, MethodDef>
