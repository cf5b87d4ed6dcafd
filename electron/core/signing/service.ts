import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../../shared/errors.ts'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import {
  actorFields,
  actorOf,
  auditedChange,
  type Actor,
  type CallContext,
  type CoreDeps,
} from '../context.ts'
import { findById } from '../accounts/users.ts'
import { getAgency } from '../agency.ts'
import type { Db } from '../db/index.ts'
import type { DataLayout } from '../paths.ts'
import {
  decryptPrivateKey,
  encryptPrivateKey,
  fromPkcs12,
  issueCertificate,
  newRsaKeyPair,
  subjectText,
  toPkcs12,
} from './x509.ts'
import { notValid, signDetachedDigest, verifyDetachedDigest, type SignatureCheck } from './cms.ts'

/** The agency's certificate authority, officers' certificates, and signatures over evidence. */

interface CertRow {
  id: string
  kind: 'root' | 'officer'
  user_id: string | null
  subject: string
  serial: string
  not_before: string
  not_after: string
  cert_pem: string
  key_blob: string
  revoked_at: string | null
  created_at: string
}

function toCert(r: CertRow) {
  return {
    id: r.id,
    kind: r.kind,
    userId: r.user_id,
    subject: r.subject,
    serial: r.serial,
    notBefore: r.not_before,
    notAfter: r.not_after,
    revokedAt: r.revoked_at,
    certPem: r.cert_pem,
  }
}

export function activeRoot(db: Db): CertRow | undefined {
  return db
    .prepare(
      "SELECT * FROM certificates WHERE kind = 'root' AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1",
    )
    .get() as CertRow | undefined
}

export function trustAnchors(db: Db): string[] {
  return (
    db.prepare("SELECT cert_pem FROM certificates WHERE kind = 'root'").all() as { cert_pem: string }[]
  ).map((r) => r.cert_pem)
}

function activeOfficerCert(db: Db, userId: string, now: Date): CertRow | undefined {
  return db
    .prepare(
      `SELECT * FROM certificates WHERE kind = 'officer' AND user_id = ? AND revoked_at IS NULL AND not_after > ?
       ORDER BY created_at DESC LIMIT 1`,
    )
    .get(userId, now.toISOString()) as CertRow | undefined
}

export function caInit(
  deps: CoreDeps,
  input: ParsedInput<'ca.init'>,
  ctx: CallContext,
): MethodOutput<'ca.init'> {
  const actor = actorOf(ctx)
  if (activeRoot(deps.db)) throw new AppError('ALREADY_INITIALIZED')
  const agency = getAgency(deps.db)
  const now = deps.now()
  const key = newRsaKeyPair(3072)
  const commonName = input.commonName ?? `${agency.name}电子证据根证书`
  const issued = issueCertificate({
    subject: { commonName, organization: agency.name },
    subjectPublicKeyPem: key.publicKeyPem,
    issuer: 'self',
    selfPrivateKeyPem: key.privateKeyPem,
    ca: true,
    years: 20,
    now,
  })
  const id = crypto.randomUUID()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'ca.init',
      targetType: 'certificate',
      targetId: id,
      details: { subject: commonName, serial: issued.serial },
    },
    () =>
      deps.db
        .prepare(
          `INSERT INTO certificates (id, kind, user_id, subject, serial, not_before, not_after, cert_pem, key_blob, created_at)
           VALUES (?, 'root', NULL, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          subjectText(issued.certPem),
          issued.serial,
          issued.notBefore.toISOString(),
          issued.notAfter.toISOString(),
          issued.certPem,
          encryptPrivateKey(key.privateKeyPem, input.passphrase),
          now.toISOString(),
        ),
  )
  return {
    certificate: toCert(deps.db.prepare('SELECT * FROM certificates WHERE id = ?').get(id) as CertRow),
  }
}

export function caIssue(
  deps: CoreDeps,
  input: ParsedInput<'ca.issue'>,
  ctx: CallContext,
): MethodOutput<'ca.issue'> {
  const actor = actorOf(ctx)
  const root = activeRoot(deps.db)
  if (!root) throw new AppError('NOT_INITIALIZED')
  const user = findById(deps.db, input.userId)
  if (!user) throw new AppError('NOT_FOUND')
  let rootKey: string
  try {
    rootKey = decryptPrivateKey(root.key_blob, input.rootPassphrase)
  } catch {
    throw new AppError('BAD_CREDENTIALS')
  }
  const agency = getAgency(deps.db)
  const now = deps.now()
  const key = newRsaKeyPair(2048)
  const issued = issueCertificate({
    subject: {
      commonName: user.display_name,
      organization: agency.name,
      ...(user.badge_no ? { serialNumber: user.badge_no } : {}),
    },
    subjectPublicKeyPem: key.publicKeyPem,
    issuer: { certPem: root.cert_pem, privateKeyPem: rootKey },
    ca: false,
    years: input.years ?? 3,
    now,
  })
  const p12 = toPkcs12(key.privateKeyPem, [issued.certPem, root.cert_pem], input.pin, user.display_name)
  const id = crypto.randomUUID()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'ca.issue',
      targetType: 'certificate',
      targetId: id,
      details: {
        userId: user.id,
        subject: subjectText(issued.certPem),
        serial: issued.serial,
        notAfter: issued.notAfter.toISOString(),
      },
    },
    () =>
      deps.db
        .prepare(
          `INSERT INTO certificates (id, kind, user_id, subject, serial, not_before, not_after, cert_pem, key_blob, created_at)
           VALUES (?, 'officer', ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          user.id,
          subjectText(issued.certPem),
          issued.serial,
          issued.notBefore.toISOString(),
          issued.notAfter.toISOString(),
          issued.certPem,
          p12.toString('base64'),
          now.toISOString(),
        ),
  )
  return {
    certificate: toCert(deps.db.prepare('SELECT * FROM certificates WHERE id = ?').get(id) as CertRow),
  }
}

export function certsList(deps: CoreDeps): MethodOutput<'certs.list'> {
  const rows = deps.db.prepare('SELECT * FROM certificates ORDER BY created_at').all() as CertRow[]
  return { certificates: rows.map(toCert) }
}

export function caExportRoot(deps: CoreDeps): MethodOutput<'ca.exportRoot'> {
  const pems = trustAnchors(deps.db)
  if (!pems.length) throw new AppError('NOT_INITIALIZED')
  return { pem: pems.join('') }
}

/** An unlocked signing key, held for one ingest batch only ("one unlock signs a whole batch"). */
export interface BatchSigner {
  certId: string
  certPem: string
  chainPems: string[]
  privateKeyPem: string
}

export function unlockSigner(db: Db, userId: string, pin: string, now: Date): BatchSigner {
  const cert = activeOfficerCert(db, userId, now)
  if (!cert) throw new AppError('NO_CERTIFICATE')
  try {
    const { privateKeyPem, certPems } = fromPkcs12(Buffer.from(cert.key_blob, 'base64'), pin)
    return {
      certId: cert.id,
      certPem: cert.cert_pem,
      chainPems: certPems.filter((p) => p !== cert.cert_pem),
      privateKeyPem,
    }
  } catch {
    throw new AppError('BAD_PIN')
  }
}

export function signaturePath(layout: DataLayout, sha256: string, signatureId: string): string {
  return path.join(layout.signatures, sha256.slice(0, 2), sha256, `${signatureId}.p7s`)
}

/** Sign one evidence item's digest; the .p7s is on disk (fsynced) before it is registered with its audit event. */
export async function signEvidence(
  deps: CoreDeps,
  signer: BatchSigner,
  actor: Actor,
  evidence: { id: string; sha256: string },
): Promise<string> {
  const now = deps.now()
  const p7s = signDetachedDigest({
    sha256Hex: evidence.sha256,
    signerCertPem: signer.certPem,
    chainPems: signer.chainPems,
    privateKeyPem: signer.privateKeyPem,
    signingTime: now,
  })
  const id = crypto.randomUUID()
  const file = signaturePath(deps.layout, evidence.sha256, id)
  await fs.promises.mkdir(path.dirname(file), { recursive: true })
  const fh = await fs.promises.open(file, 'wx', 0o444)
  try {
    await fh.writeFile(p7s)
    await fh.sync()
  } finally {
    await fh.close()
  }
  const p7sSha = crypto.createHash('sha256').update(p7s).digest('hex')
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'evidence.sign',
      targetType: 'evidence',
      targetId: evidence.id,
      details: { sha256: evidence.sha256, certId: signer.certId, p7sSha256: p7sSha },
    },
    () =>
      deps.db
        .prepare(
          'INSERT INTO signatures (id, evidence_id, cert_id, path, p7s_sha256, signed_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          id,
          evidence.id,
          signer.certId,
          path.relative(deps.layout.root, file),
          p7sSha,
          now.toISOString(),
        ),
  )
  return file
}

export function signaturesOf(
  db: Db,
  layout: DataLayout,
  evidenceId: string,
): { id: string; file: string; certId: string }[] {
  return (
    db
      .prepare('SELECT id, path, cert_id FROM signatures WHERE evidence_id = ? ORDER BY signed_at')
      .all(evidenceId) as {
      id: string
      path: string
      cert_id: string
    }[]
  ).map((r) => ({ id: r.id, file: path.join(layout.root, r.path), certId: r.cert_id }))
}

export function checkSignature(db: Db, p7s: Buffer, sha256: string): SignatureCheck {
  try {
    return verifyDetachedDigest(p7s, sha256, trustAnchors(db))
  } catch {
    // Not even parseable as CMS: simply not a valid signature.
    return notValid()
  }
}
