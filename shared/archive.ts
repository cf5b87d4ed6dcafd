import { z } from 'zod'

/*
 * Archive discs: the media Liuhen plans for, the copies an agency keeps, retention periods, and what the core
 * reports about volumes, discs and checks.
 */

/**
 * Capacities in bytes: the smaller of the -R and +R formats, from their sector counts (2048 bytes each), so a
 * plan made for "DVD" fits either kind. BD-R is written unformatted (no spare area), as xorriso does.
 */
export const MEDIA_CAPACITY = {
  cd: 360_000 * 2048, // CD-R 80 min, 700 MB
  dvd: 2_295_104 * 2048, // DVD+R 4.7 GB (DVD-R holds 2,298,496 sectors)
  'dvd-dl': 4_171_712 * 2048, // DVD-R DL 8.5 GB (DVD+R DL holds 4,173,824)
  bd25: 12_219_392 * 2048,
  bd50: 24_438_784 * 2048,
  bd100: 48_878_592 * 2048, // BD-R XL, three layers
} as const
export const MEDIA_KINDS = ['cd', 'dvd', 'dvd-dl', 'bd25', 'bd50', 'bd100'] as const
export type MediaKind = (typeof MEDIA_KINDS)[number]
export const mediaKindSchema = z.enum(MEDIA_KINDS)

/** A 封存 (sealed, never lent), B 利用 (for use), C 异地 (kept at another site). */
export const COPIES = ['A', 'B', 'C'] as const
export const copySchema = z.enum(COPIES)
export const RETENTIONS = ['permanent', '30y', '10y'] as const
export const retentionSchema = z.enum(RETENTIONS)

export const progressPhaseSchema = z.enum(['package', 'image', 'burn', 'verify'])

export const volumeSchema = z.object({
  id: z.string(),
  index: z.number().int(),
  count: z.number().int(),
  volid: z.string(),
  image: z.string(),
  imageBytes: z.number(),
  payloadFiles: z.number().int(),
  payloadBytes: z.number(),
  sessionMd5: z.string(),
  /** 补充归档 第N次: N for a supplementary disc (only what changed since the case's good discs), null for a full one. */
  supplement: z.number().int().nullable(),
})

export const verifyResultSchema = z.object({
  ok: z.boolean(),
  volid: z.string(),
  sessionMd5: z.enum(['match', 'mismatch', 'missing']),
  sessionMd5Detail: z.string(),
  filesChecked: z.number().int(),
  bytesChecked: z.number(),
  problems: z.array(
    z.object({
      path: z.string(),
      problem: z.enum(['mismatch', 'missing', 'unlisted', 'unreadable', 'manifest']),
    }),
  ),
  matchesRegistry: z.boolean().nullable(),
})
export type VerifyResult = z.infer<typeof verifyResultSchema>

export const discSchema = z.object({
  id: z.string(),
  discNo: z.string(),
  caseId: z.string(),
  caseNo: z.string(),
  volid: z.string(),
  volume: z.number().int(),
  volumes: z.number().int(),
  copy: copySchema,
  media: z.string(),
  target: z.string(),
  label: z.string(),
  writtenAt: z.string(),
  writtenBy: z.string(),
  status: z.enum(['good', 'bad']),
  location: z.string().nullable(),
  retention: retentionSchema,
  lastCheckedAt: z.string(),
  lastCheckOk: z.boolean(),
  supplement: z.number().int().nullable(),
})
export type Disc = z.infer<typeof discSchema>

export const inspectionPolicySchema = z.strictObject({
  /** Months between inspections of a disc. */
  intervalMonths: z.number().int().min(1).max(120),
  /** Share of the discs due that are drawn each round, in percent (100 = all). */
  samplePercent: z.number().int().min(1).max(100),
})
export type InspectionPolicy = z.infer<typeof inspectionPolicySchema>
