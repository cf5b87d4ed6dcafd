import { z } from 'zod'
import {
  CASE_STAGES,
  CONFIDENTIALITY,
  STAGE_CODES,
  caseCheckSchema,
  caseInputSchema,
  caseRecordSchema,
  caseSchema,
  archiveStateSchema,
  tagsInputSchema,
  textRecordSchema,
} from './cases.ts'
import { roleSchema, type Access, type Role } from './roles.ts'
import {
  copySchema,
  discSchema,
  inspectionPolicySchema,
  mediaKindSchema,
  progressPhaseSchema,
  retentionSchema,
  verifyResultSchema,
  volumeSchema,
} from './archive.ts'
import { integrityReportSchema } from './integrity.ts'
import {
  REVIEW_STATUSES,
  WITHDRAW_GROUNDS,
  discussionSchema,
  disclosureDraftSchema,
  disclosureExportSchema,
  disclosureRulesSchema,
  disclosureSchema,
  reviewOpinionSchema,
  reviewSchema,
  reviewScopeSchema,
  reviewStateSchema,
  reviewSubmitSchema,
} from './review.ts'
import {
  attachedVolumeSchema,
  deviceSchema,
  captureTimeVersionSchema,
  evidenceSchema,
  fileResultSchema,
  flagSchema,
  jobProgressSchema,
  deviceUsageSchema,
  filingSuggestionSchema,
  scanEntrySchema,
} from './ingest.ts'

export type { Device, Evidence, FileResult, JobProgress } from './ingest.ts'

/** Who brings evidence in: "谁执法、谁录入" — the officers who recorded it, and the records officers. */
const INGEST_ROLES: readonly Role[] = ['records_officer', 'enforcement_officer']
const sourceRoot = z.string().min(1).max(4096)
const shortText = z.string().trim().max(500)
const TEN_YEARS_MS = 10 * 365 * 86_400_000
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
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

/*
 * The API contract: every method the core offers, its input and output schema and who may call it.
 * Adapters (Electron IPC, the loopback bridge, the CLI) are generic loops over this table.
 * Everything here is JSON-safe (ISO strings for times) so IPC structured clone and HTTP JSON agree.
 */

const empty = z.strictObject({})
const isoTime = z.string()
const username = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$/, 'username')
const displayName = z.string().trim().min(1).max(40)
const password = z.string().min(1).max(256)
/** 执法证号: provincial formats differ (digits, letters, sometimes a Chinese prefix). */
const badgeNo = z
  .string()
  .trim()
  .regex(/^[\p{Script=Han}A-Za-z0-9-]{4,32}$/u, 'badge')
const agencyCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{2,32}$/, 'agencyCode')
const agencyName = z.string().trim().min(2).max(60)
const id = z.string().min(1).max(64)
/**
 * A path on this computer where the core writes or reads: absolute (POSIX, Windows drive or UNC), so nothing lands
 * relative to wherever the core process happens to run. xorriso's `stdio:` pseudo-drive prefix is allowed.
 */
const absolutePath = z
  .string()
  .min(2)
  .max(4096)
  .regex(/^(stdio:)?(\/|[A-Za-z]:[\\/]|\\\\)/, 'absolutePath')

const deletionRequestSchema = z.object({
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

export const certificateSchema = z.object({
  id: z.string(),
  kind: z.enum(['root', 'officer']),
  userId: z.string().nullable(),
  subject: z.string(),
  serial: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  revokedAt: z.string().nullable(),
  revokedReason: z.string().nullable(),
  algorithm: z.enum(['rsa', 'sm2']),
  origin: z.enum(['local', 'imported']),
  /** Whole days until notAfter (negative once expired). */
  daysLeft: z.number().int(),
  status: z.enum(['valid', 'expiring', 'expired', 'revoked']),
  certPem: z.string(),
})

export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
] as const

const timestampStatus = z.enum(['none', 'pending', 'granted', 'untrusted', 'invalid'])

export const signatureCheckSchema = z.object({
  file: z.string(),
  valid: z.boolean(),
  digestMatches: z.boolean(),
  signatureValid: z.boolean(),
  chainValid: z.boolean(),
  algorithm: z.enum(['RSA-SHA256', 'SM2-SM3']).nullable(),
  signerSubject: z.string().nullable(),
  signerSerial: z.string().nullable(),
  signingTime: z.string().nullable(),
  timestamp: z.object({ status: timestampStatus, time: z.string().nullable(), tsa: z.string().nullable() }),
  revocation: z.object({
    status: z.enum(['good', 'revoked', 'revokedAfterSigning']),
    revokedAt: z.string().nullable(),
  }),
})
export type SignatureCheck = z.infer<typeof signatureCheckSchema>

export const SECRET_LEVELS = ['privacy', 'trade_secret', 'state_secret'] as const
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

const signingSettingsSchema = z.object({
  tsaUrl: z.string().nullable(),
  tsaAnchors: z.number().int(),
  /** The caller's own signing certificate, if any: whether ingest asks for a PIN, and the expiry warning. */
  myCertificate: z
    .object({
      subject: z.string(),
      notAfter: z.string(),
      daysLeft: z.number().int(),
      status: z.enum(['valid', 'expiring', 'expired', 'revoked']),
      algorithm: z.enum(['rsa', 'sm2']),
    })
    .nullable(),
})

/** What can be set on a device when it is registered and later: its officer and how its clock keeps time. */
const deviceSettings = {
  officerUserId: id.nullable().optional(),
  clockMode: z.enum(['local', 'utc']).optional(),
  utcOffsetMin: z.number().int().min(-720).max(840).optional(),
  clockOffsetMs: z.number().int().min(-TEN_YEARS_MS).max(TEN_YEARS_MS).optional(),
}

export const userSchema = z.object({
  id,
  username: z.string(),
  displayName: z.string(),
  roles: z.array(roleSchema),
  badgeNo: z.string().nullable(),
  disabled: z.boolean(),
  lockedUntil: isoTime.nullable(),
  mustChangePassword: z.boolean(),
  createdAt: isoTime,
  lastSignInAt: isoTime.nullable(),
})
export type User = z.infer<typeof userSchema>

export const agencySchema = z.object({
  name: z.string(),
  code: z.string(),
  idleLockMinutes: z.number().int(),
  maxFailedSignIns: z.number().int(),
  lockoutMinutes: z.number().int(),
  /** A registered camera plugged in is imported by itself, as its officer's recording (off by default). */
  autoImport: z.boolean(),
  createdAt: isoTime,
})
export type Agency = z.infer<typeof agencySchema>

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

const sessionInfo = z.object({
  user: userSchema,
  mustChangePassword: z.boolean(),
  idleLockMinutes: z.number().int(),
})

interface MethodDef {
  input: z.ZodType
  output: z.ZodType
  access: Access
  /** Callable while the session's user still has to change an initial or reset password. */
  whilePasswordChangeRequired?: true
  /** Callable while the session is locked for idleness. */
  whileLocked?: true
  /** Changes no state: no audit event is written for a successful call. */
  readOnly?: true
}

function method<I extends z.ZodType, O extends z.ZodType>(
  def: { input: I; output: O; access: Access } & Omit<MethodDef, 'input' | 'output' | 'access'>,
) {
  return def
}

export const contract = {
  'system.info': method({
    input: empty,
    output: z.object({
      initialized: z.boolean(),
      agency: z.object({ name: z.string(), code: z.string() }).nullable(),
      version: z.string(),
      schemaVersion: z.number().int(),
    }),
    access: 'public',
    readOnly: true,
    whilePasswordChangeRequired: true,
    whileLocked: true,
  }),
  'system.initialize': method({
    input: z.strictObject({
      agencyName,
      agencyCode,
      adminUsername: username,
      adminDisplayName: displayName,
      adminPassword: password,
    }),
    output: z.object({ adminUserId: id }),
    access: 'public',
  }),
  'auth.signIn': method({
    input: z.strictObject({ username: z.string().trim().min(1).max(64), password }),
    output: sessionInfo.extend({ session: z.string() }),
    access: 'public',
  }),
  'auth.signOut': method({
    input: empty,
    output: z.object({}),
    access: 'authenticated',
    whilePasswordChangeRequired: true,
    whileLocked: true,
  }),
  'auth.me': method({
    input: empty,
    output: sessionInfo.extend({ locked: z.boolean() }),
    access: 'authenticated',
    readOnly: true,
    whilePasswordChangeRequired: true,
    whileLocked: true,
  }),
  'auth.changePassword': method({
    input: z.strictObject({ currentPassword: password, newPassword: password }),
    output: z.object({}),
    access: 'authenticated',
    whilePasswordChangeRequired: true,
  }),
  'auth.lock': method({
    input: empty,
    output: z.object({}),
    access: 'authenticated',
    whilePasswordChangeRequired: true,
    whileLocked: true,
  }),
  'auth.unlock': method({
    input: z.strictObject({ password }),
    output: z.object({}),
    access: 'authenticated',
    whilePasswordChangeRequired: true,
    whileLocked: true,
  }),
  'agency.get': method({
    input: empty,
    output: agencySchema,
    access: 'authenticated',
    readOnly: true,
  }),
  'agency.update': method({
    input: z.strictObject({
      name: agencyName.optional(),
      code: agencyCode.optional(),
      idleLockMinutes: z.number().int().min(1).max(240).optional(),
      maxFailedSignIns: z.number().int().min(3).max(20).optional(),
      lockoutMinutes: z.number().int().min(1).max(1440).optional(),
      autoImport: z.boolean().optional(),
    }),
    output: agencySchema,
    access: ['admin'],
  }),
  'users.list': method({
    input: empty,
    output: z.object({ users: z.array(userSchema) }),
    access: ['admin'],
    readOnly: true,
  }),
  'users.create': method({
    input: z.strictObject({
      username,
      displayName,
      roles: z.array(roleSchema).min(1).max(6),
      badgeNo: badgeNo.optional(),
      initialPassword: password,
    }),
    output: z.object({ user: userSchema }),
    access: ['admin'],
  }),
  'users.update': method({
    input: z.strictObject({
      userId: id,
      displayName: displayName.optional(),
      roles: z.array(roleSchema).min(1).max(6).optional(),
      badgeNo: badgeNo.nullable().optional(),
      disabled: z.boolean().optional(),
    }),
    output: z.object({ user: userSchema }),
    access: ['admin'],
  }),
  'users.resetPassword': method({
    input: z.strictObject({ userId: id, newPassword: password }),
    output: z.object({}),
    access: ['admin'],
  }),
  'users.unlock': method({
    input: z.strictObject({ userId: id }),
    output: z.object({ user: userSchema }),
    access: ['admin'],
  }),
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
  'devices.list': method({
    input: empty,
    output: z.object({
      devices: z.array(deviceSchema),
      attached: z.array(attachedVolumeSchema),
      usage: z.array(deviceUsageSchema),
    }),
    access: ['records_officer', 'enforcement_officer', 'admin'],
  }),
  'devices.register': method({
    input: z.strictObject({
      kind: z.enum(['usb', 'folder']),
      identity: z.string().min(1).max(512),
      label: z.string().trim().min(1).max(80),
      ...deviceSettings,
      info: z.record(z.string().max(40), z.string().max(200)).optional(),
    }),
    output: z.object({ device: deviceSchema }),
    access: ['records_officer', 'admin'],
  }),
  'devices.update': method({
    input: z.strictObject({
      deviceId: id,
      label: z.string().trim().min(1).max(80).optional(),
      ...deviceSettings,
    }),
    output: z.object({ device: deviceSchema }),
    access: ['records_officer', 'admin'],
  }),
  'devices.clear': method({
    input: z.strictObject({ deviceId: id, sourceRoot, confirm: z.literal(true) }),
    output: z.object({ deleted: z.array(z.string()) }),
    access: ['records_officer'],
  }),
  // Issue 19 (devices screen, filing suggestions): devices/screen.ts, ingest/suggestions.ts.
  'devices.retire': method({
    input: z.strictObject({ deviceId: id, reason: z.string().trim().min(2).max(500) }),
    output: z.object({ device: deviceSchema }),
    access: ['records_officer', 'admin'],
  }),
  'devices.clockCheck': method({
    /** The station's clock against the camera's, when the camera exposes its time on the volume. */
    input: z.strictObject({ deviceId: id }),
    output: z.object({
      attached: z.boolean(),
      exposed: z.boolean(),
      stationTime: z.string(),
      deviceTime: z.string().nullable(),
      /** Camera minus station: what devices.update's clockOffsetMs would take. */
      offsetMs: z.number().int().nullable(),
    }),
    access: ['records_officer', 'enforcement_officer', 'admin'],
    readOnly: true,
  }),
  'ingest.suggestions': method({
    /** Recordings not yet in a case (of these batches, else the latest), each with the case actions it fits. */
    input: z.strictObject({
      batchIds: z.array(id).max(50).optional(),
      limit: z.number().int().min(1).max(500).default(200),
    }),
    output: z.object({ items: z.array(filingSuggestionSchema) }),
    access: INGEST_ROLES,
    readOnly: true,
  }),
  'ingest.scan': method({
    input: z.strictObject({ sourceRoot, deviceId: id.optional() }),
    output: z.object({
      entries: z.array(scanEntrySchema),
      totals: z.object({
        files: z.number(),
        media: z.number(),
        bytes: z.number(),
        inVault: z.number(),
        late: z.number(),
      }),
    }),
    access: INGEST_ROLES,
  }),
  'ingest.start': method({
    input: z.strictObject({
      sourceRoot,
      deviceId: id.optional(),
      collectorUserId: id.optional(),
      caseNo: shortText.optional(),
      /** The case the recordings are filed into, through records.tag's gate and frozen-case check. */
      caseId: id.optional(),
      place: shortText.optional(),
      fact: shortText.optional(),
      /** One reason for every late file … */
      lateReason: shortText.optional(),
      /** … or one per file (relative path as ingest.scan lists it); a file's own reason wins. */
      lateReasons: z
        .record(z.string().min(1).max(1024), z.string().trim().min(2).max(500))
        .refine((o) => Object.keys(o).length <= 10_000, { message: 'too many reasons' })
        .optional(),
      /** The officer's certificate PIN: unlocks the key once for the whole batch. */
      signingPin: z.string().min(1).max(64).optional(),
    }),
    output: z.object({ jobId: z.string(), batchId: z.string() }),
    access: INGEST_ROLES,
  }),
  'ingest.cases': method({
    /** The cases the caller may file into now (a basis to file, not archived), by partial number or cause. */
    input: z.strictObject({
      query: z.string().trim().max(100).optional(),
      limit: z.number().int().min(1).max(100).default(30),
    }),
    output: z.object({
      cases: z.array(
        z.object({ id: z.string(), caseNo: z.string(), cause: z.string(), stage: z.enum(CASE_STAGES) }),
      ),
    }),
    access: INGEST_ROLES,
    readOnly: true,
  }),
  'ingest.cancel': method({
    input: z.strictObject({ jobId: id }),
    output: z.object({}),
    access: INGEST_ROLES,
  }),
  'ingest.jobs': method({
    input: empty,
    output: z.object({
      jobs: z.array(z.object({ progress: jobProgressSchema, results: z.array(fileResultSchema) })),
    }),
    access: INGEST_ROLES,
  }),
  'evidence.list': method({
    input: z.strictObject({ limit: z.number().int().min(1).max(500).default(100), batchId: id.optional() }),
    output: z.object({ items: z.array(evidenceSchema) }),
    access: ['records_officer', 'enforcement_officer'],
  }),
  'evidence.thumbnail': method({
    input: z.strictObject({ evidenceId: id }),
    output: z.object({ dataUrl: z.string().nullable() }),
    access: 'authenticated',
  }),
  'evidence.setLateReason': method({
    input: z.strictObject({ evidenceId: id, reason: z.string().trim().min(2).max(500) }),
    output: z.object({ evidence: evidenceSchema }),
    access: INGEST_ROLES,
  }),
  /**
   * A records officer's correction of a capture time, with the reason. The original reading stays (version 1 and
   * the record's metadata); the correction is a new version, audited, and becomes the record's capture time.
   */
  'evidence.setCaptureTime': method({
    input: z.strictObject({
      evidenceId: id,
      captureStart: z.iso.datetime({ offset: true }),
      reason: z.string().trim().min(2).max(500),
    }),
    output: z.object({ evidence: evidenceSchema, versions: z.array(captureTimeVersionSchema) }),
    access: INGEST_ROLES,
  }),
  'evidence.captureTimeHistory': method({
    input: z.strictObject({ evidenceId: id }),
    output: z.object({ versions: z.array(captureTimeVersionSchema) }),
    access: 'authenticated',
  }),
  'ca.init': method({
    input: z.strictObject({
      passphrase: z.string().min(8).max(256),
      commonName: z.string().trim().min(2).max(64).optional(),
      /** RSA-3072 with SHA-256, or 国密 SM2 with SM3. */
      algorithm: z.enum(['rsa', 'sm2']).default('rsa'),
    }),
    output: z.object({ certificate: certificateSchema }),
    access: ['admin'],
  }),
  'ca.issue': method({
    input: z.strictObject({
      userId: id,
      rootPassphrase: z.string().min(1).max(256),
      pin: z.string().min(6).max(64),
      years: z.number().int().min(1).max(10).optional(),
    }),
    output: z.object({ certificate: certificateSchema }),
    access: ['admin'],
  }),
  'ca.exportRoot': method({
    input: empty,
    output: z.object({ pem: z.string() }),
    access: 'authenticated',
  }),
  'ca.import': method({
    input: z.strictObject({
      purpose: z.enum(['signing', 'tsa']),
      pem: z.string().min(1).max(1_000_000),
    }),
    output: z.object({ added: z.array(z.string()) }),
    access: ['admin'],
  }),
  'ca.revoke': method({
    input: z.strictObject({
      serial: z
        .string()
        .regex(/^[0-9a-fA-F:]{1,80}$/)
        .transform((s) => s.replace(/:/g, '')),
      reason: z.enum(REVOCATION_REASONS),
      rootPassphrase: z.string().min(1).max(256).optional(),
    }),
    output: z.object({ certificate: certificateSchema, crlPath: z.string().nullable() }),
    access: ['admin'],
  }),
  'certs.import': method({
    input: z.strictObject({
      userId: id,
      pkcs12Base64: z.string().min(1).max(1_000_000),
      pin: z.string().min(1).max(256),
    }),
    output: z.object({ certificate: certificateSchema }),
    access: ['admin'],
  }),
  'certs.list': method({
    input: empty,
    output: z.object({
      certificates: z.array(certificateSchema),
      trustAnchors: z.array(
        z.object({
          id: z.string(),
          purpose: z.enum(['signing', 'tsa']),
          subject: z.string(),
          fingerprint: z.string(),
          notAfter: z.string(),
        }),
      ),
    }),
    access: ['admin', 'records_officer', 'auditor'],
  }),
  'signing.settings': method({
    input: empty,
    output: signingSettingsSchema,
    access: 'authenticated',
  }),
  'signing.setSettings': method({
    input: z.strictObject({
      tsaUrl: z
        .string()
        .trim()
        .max(500)
        .regex(/^https?:\/\/\S+$/)
        .nullable(),
    }),
    output: signingSettingsSchema,
    access: ['admin'],
  }),
  'timestamps.retry': method({
    input: empty,
    output: z.object({ granted: z.number().int(), pending: z.number().int(), error: z.string().nullable() }),
    access: ['admin', 'records_officer', 'enforcement_officer'],
  }),
  /**
   * Sign, with the caller's key unlocked by this PIN, every record queued for their signature that is still
   * unsigned (a signed ingest killed, or the disk full, between a record and its signature).
   */
  'signing.signOwed': method({
    input: z.strictObject({ pin: z.string().min(1).max(256) }),
    output: z.object({
      signed: z.number().int(),
      failed: z.number().int(),
      /** Still waiting for this officer's signature after the run (failed ones among them). */
      remaining: z.number().int(),
    }),
    access: INGEST_ROLES,
  }),
  /** How many records wait for the caller's signature: what the UI offers to sign. */
  'signing.owed': method({
    input: empty,
    output: z.object({ owed: z.number().int() }),
    access: INGEST_ROLES,
    readOnly: true,
  }),
  'signatures.verify': method({
    input: z.strictObject({ evidenceId: id }),
    output: z.object({
      evidenceId: z.string(),
      ok: z.boolean(),
      /** The vault copy still hashes to the digest recorded at ingest. */
      contentIntact: z.boolean(),
      signatures: z.array(signatureCheckSchema),
    }),
    access: ['records_officer', 'enforcement_officer', 'auditor'],
  }),
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
  'media.open': method({
    input: z.strictObject({ evidenceId: id }),
    output: z.object({
      /** Valid for a few minutes, for this record only; the adapter streams it (bridge /media/<ticket>). */
      ticket: z.string(),
      mime: z.string(),
      /** An H.264 preview made because Chromium cannot decode the original's codec. */
      preview: z.boolean(),
      mediaType: z.enum(['video', 'audio', 'photo']),
    }),
    // Anyone signed in may ask; the access gate in the core decides, record by record.
    access: 'authenticated',
  }),
  'cases.officers': method({
    input: empty,
    output: z.object({
      officers: z.array(z.object({ id: z.string(), name: z.string(), badgeNo: z.string().nullable() })),
    }),
    access: 'authenticated',
  }),
  'access.request': method({
    input: z.strictObject({
      caseId: id,
      /** Omitted: the whole case. */
      recordIds: z.array(id).min(1).max(500).optional(),
      purpose: z.enum(ACCESS_PURPOSES),
      purposeText: z.string().trim().max(200).optional(),
      kind: z.enum(['view', 'export']),
      startsAt: z.iso.datetime({ offset: true }),
      endsAt: z.iso.datetime({ offset: true }),
    }),
    output: z.object({ request: accessRequestSchema }),
    access: 'authenticated',
  }),
  'access.approve': method({
    /** Optional narrowing: fewer records, a shorter period, view only. */
    input: z.strictObject({
      requestId: id,
      recordIds: z.array(id).min(1).max(500).optional(),
      startsAt: z.iso.datetime({ offset: true }).optional(),
      endsAt: z.iso.datetime({ offset: true }).optional(),
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
  'review.get': method({
    /** A case's legal review: whether it is required, whether it passed, every round. */
    input: z.strictObject({ caseId: id }),
    output: reviewStateSchema,
    access: 'authenticated',
  }),
  'review.list': method({
    /** The legal office's worklist: the latest round of every reviewed case, open ones first. */
    input: z.strictObject({ status: z.enum(REVIEW_STATUSES).optional() }),
    output: z.object({ reviews: z.array(reviewSchema), scope: reviewScopeSchema }),
    access: ['legal_reviewer', 'approver', 'records_officer', 'auditor'],
  }),
  'review.scope': method({
    input: empty,
    output: reviewScopeSchema,
    access: 'authenticated',
  }),
  'review.setScope': method({
    /** The agency's review catalogue (法制审核目录清单) and Hebei's all-penalties rule. */
    input: reviewScopeSchema,
    output: reviewScopeSchema,
    access: ['admin'],
  }),
  'review.reviewers': method({
    /** Legal reviewers, each marked when they took part in the case and so may not review it. */
    input: z.strictObject({ caseId: id }),
    output: z.object({
      reviewers: z.array(z.object({ id: z.string(), name: z.string(), involved: z.boolean() })),
    }),
    access: ['legal_reviewer', 'approver'],
  }),
  'review.submit': method({
    input: reviewSubmitSchema,
    output: z.object({ review: reviewSchema }),
    access: ['records_officer', 'enforcement_officer'],
  }),
  'review.assign': method({
    input: z.strictObject({ reviewId: id, reviewerId: id }),
    output: z.object({ review: reviewSchema }),
    access: ['legal_reviewer', 'approver'],
  }),
  'review.opinion': method({
    input: reviewOpinionSchema,
    output: z.object({ review: reviewSchema }),
    access: ['legal_reviewer'],
  }),
  'review.extend': method({
    /** The reviewer asks for the one extension of 10 working days, before the deadline, with a reason. */
    input: z.strictObject({ reviewId: id, reason: z.string().trim().min(4).max(500) }),
    output: z.object({ review: reviewSchema }),
    access: ['legal_reviewer'],
  }),
  'review.decideExtension': method({
    input: z.strictObject({ reviewId: id, approve: z.boolean(), note: shortText.optional() }),
    output: z.object({ review: reviewSchema }),
    access: ['legal_reviewer', 'approver'],
  }),
  'review.dispute': method({
    /** The handlers do not accept an opinion that sent the case back: the head calls a collective discussion. */
    input: z.strictObject({ reviewId: id, reason: z.string().trim().min(4).max(2000) }),
    output: z.object({ review: reviewSchema }),
    access: ['records_officer', 'enforcement_officer'],
  }),
  'review.discuss': method({
    input: discussionSchema,
    output: z.object({ review: reviewSchema }),
    access: ['approver'],
  }),
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
  'media.progress': method({
    /** What part of a recording was watched (seconds), reported when playback pauses or the player closes. */
    input: z.strictObject({
      evidenceId: id,
      ranges: z.array(z.tuple([z.number().min(0), z.number().min(0)])).max(200),
    }),
    output: z.object({}),
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
  // Choosing files in browser mode (electron/core/files/): the desktop shell uses the system's own dialogs.
  'files.browse': method({
    /**
     * A folder on this computer for 浏览… in browser mode: names, kinds and sizes only, never contents, and only
     * under the allowed roots (home folder, mounted media). Without `path`: just the roots.
     */
    input: z.strictObject({ path: absolutePath.optional(), files: z.boolean().default(false) }),
    output: z.object({
      roots: z.array(z.object({ path: z.string(), label: z.string() })),
      path: z.string().nullable(),
      parent: z.string().nullable(),
      entries: z.array(
        z.object({ name: z.string(), kind: z.enum(['folder', 'file']), size: z.number().nullable() }),
      ),
      truncated: z.boolean(),
    }),
    access: ['records_officer', 'enforcement_officer', 'admin'],
    readOnly: true,
  }),
  'files.upload': method({
    /** One piece of a document sent from a browser page; the last answers with the staged path for textRecords.add. */
    input: z.strictObject({
      uploadId: id.optional(),
      name: z.string().min(1).max(255),
      offset: z.number().int().min(0),
      dataBase64: z.string().max(700_000),
      done: z.boolean(),
    }),
    output: z.object({ uploadId: z.string(), received: z.number(), path: z.string().nullable() }),
    access: ['records_officer', 'enforcement_officer'],
    // Stages bytes only: the document is registered (and audited) by textRecords.add.
    readOnly: true,
  }),
} as const satisfies Record<string, MethodDef>

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
