import { z } from 'zod'
import { progressPhaseSchema } from './archive.ts'
import { fileResultSchema, jobProgressSchema } from './ingest.ts'
import type { MethodDef } from './contract/common.ts'
import { accountsMethods } from './contract/accounts.ts'
import { auditMethods } from './contract/audit.ts'
import { ingestMethods } from './contract/ingest.ts'
import { signingMethods } from './contract/signing.ts'
import { casesMethods } from './contract/cases.ts'
import { recordsMethods } from './contract/records.ts'
import { mediaMethods } from './contract/media.ts'
import { accessMethods } from './contract/access.ts'
import { archiveMethods } from './contract/archive.ts'
import { integrityMethods } from './contract/integrity.ts'
import { statsMethods } from './contract/stats.ts'
import { reviewMethods } from './contract/review.ts'
import { disclosureMethods } from './contract/disclosure.ts'
import { filesMethods } from './contract/files.ts'

/*
 * The API contract: every method the core offers, its input and output schema and who may call it.
 * Adapters (Electron IPC, the loopback bridge, the CLI) are generic loops over this table.
 * Everything here is JSON-safe (ISO strings for times) so IPC structured clone and HTTP JSON agree.
 *
 * This file only assembles it: each domain's methods, and the schemas only they use, are in
 * shared/contract/<domain>.ts (beside the larger schema files shared/cases.ts, archive.ts, review.ts, ingest.ts);
 * what they share is in shared/contract/common.ts. A new method goes into its domain's file.
 */

export type { Device, Evidence, FileResult, JobProgress } from './ingest.ts'
export type { MethodDef } from './contract/common.ts'
export * from './contract/accounts.ts'
export * from './contract/audit.ts'
export * from './contract/ingest.ts'
export * from './contract/signing.ts'
export * from './contract/cases.ts'
export * from './contract/records.ts'
export * from './contract/media.ts'
export * from './contract/access.ts'
export * from './contract/archive.ts'
export * from './contract/integrity.ts'
export * from './contract/stats.ts'
export * from './contract/review.ts'
export * from './contract/disclosure.ts'
export * from './contract/files.ts'

const DOMAINS = [
  accountsMethods,
  auditMethods,
  ingestMethods,
  signingMethods,
  casesMethods,
  recordsMethods,
  mediaMethods,
  accessMethods,
  archiveMethods,
  integrityMethods,
  statsMethods,
  reviewMethods,
  disclosureMethods,
  filesMethods,
] as const

export const contract = {
  ...accountsMethods,
  ...auditMethods,
  ...ingestMethods,
  ...signingMethods,
  ...casesMethods,
  ...recordsMethods,
  ...mediaMethods,
  ...accessMethods,
  ...archiveMethods,
  ...integrityMethods,
  ...statsMethods,
  ...reviewMethods,
  ...disclosureMethods,
  ...filesMethods,
} as const satisfies Record<string, MethodDef>

// A method defined in two domains would silently keep only the later one: refuse to load instead.
{
  const seen = new Set<string>()
  for (const part of DOMAINS)
    for (const name of Object.keys(part)) {
      if (seen.has(name)) throw new Error(`contract: ${name} is defined in two domains`)
      seen.add(name)
    }
}

export type Contract = typeof contract
export type MethodName = keyof Contract
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>

export const METHOD_NAMES = Object.keys(contract) as MethodName[]

export function isMethodName(x: unknown): x is MethodName {
  return typeof x === 'string' && Object.hasOwn(contract, x)
}

export function methodDef(name: MethodName): MethodDef {
  return contract[name]
}

/** Events pushed from core to UI (WebSocket on the bridge, webContents.send under Electron). */
export const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('audit.appended'), seq: z.number().int() }),
  z.object({ type: z.literal('ingest.progress'), progress: jobProgressSchema }),
  z.object({ type: z.literal('ingest.file'), jobId: z.string(), result: fileResultSchema }),
  z.object({ type: z.literal('ingest.done'), progress: jobProgressSchema }),
  z.object({
    type: z.literal('integrity.progress'),
    jobId: z.string(),
    phase: z.string(),
    done: z.number(),
    total: z.number(),
    etaSeconds: z.number().nullable(),
  }),
  z.object({
    type: z.literal('archive.progress'),
    jobId: z.string(),
    phase: progressPhaseSchema,
    done: z.number(),
    total: z.number(),
    etaSeconds: z.number().nullable(),
  }),
  z.object({
    type: z.literal('devices.changed'),
    added: z.array(z.object({ identity: z.string(), label: z.string(), mountPoint: z.string() })),
    removed: z.array(z.object({ identity: z.string(), label: z.string() })),
  }),
])
export type CoreEvent = z.infer<typeof eventSchema>
