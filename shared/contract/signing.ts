/** Certificates and signatures: the local CA, imported trust, signing settings, time-stamps. */
import { z } from 'zod'
import { empty, id, method, type MethodDef } from './common.ts'
import { INGEST_ROLES } from './ingest.ts'

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

export const timestampStatus = z.enum(['none', 'pending', 'granted', 'untrusted', 'invalid'])

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
export const signingSettingsSchema = z.object({
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

export const signingMethods = {
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
} as const satisfies Record<string, MethodDef>
