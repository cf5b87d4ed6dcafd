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
import { withPinAttempts } from './pin-attempts.ts'
import { findById } from '../accounts/users.ts'
import { getAgency } from '../agency.ts'
import { readMeta, writeMeta } from '../meta.ts'
import type { Db } from '../db/index.ts'
import type { DataLayout } from '../paths.ts'
import {
  decryptPrivateKey,
  encryptPrivateKey,
  fromPkcs12,
  issueCertificate,
  newRsaKeyPair,
  pemToDer,
  toPkcs12,
} from './x509.ts'
import { decryptSm2Key, encryptSm2Key, newSm2Key } from './gm.ts'
import { issueSm2Certificate } from './x509-sm2.ts'
import { certFromPem, chainsTo, nameText, subjectText, type SigningKey } from './cms.ts'
import { buildCrl, type Revoked } from './crl.ts'
import { writeAtomicSync } from '../durable.ts'

/*
 * The agency's certificates: a root Liuhen creates (RSA or SM2, key encrypted under a passphrase) or the CA
 * chain the agency imports; officers' certificates issued here or imported as PKCS#12; revocation with a
 * published CRL; renewal is a new certificate for the same officer, the old one staying valid for what it signed.
 */

// In a leaf module, so what only needs the types (the post-commit queue) does not import the authority.
export type { Algorithm, BatchSigner } from './batch-signer.ts'
import type { Algorithm, BatchSigner } from './batch-signer.ts'

export interface CertRow {
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
  revoked_reason: string | null
  algorithm: Algorithm
  origin: 'local' | 'imported'
  created_at: string
}

/** Certificates expiring within this many days are flagged in lists, at sign-in of the holder and at ingest. */
export const EXPIRY_WARNING_DAYS = 30

function toCert(r: CertRow, now: Date) {
  const daysLeft = Math.floor((Date.parse(r.not_after) - now.getTime()) / 86_400_000)
  return {
    id: r.id,
    kind: r.kind,
    userId: r.user_id,
    subject: r.subject,
    serial: r.serial,
    notBefore: r.not_before,
    notAfter: r.not_after,
    revokedAt: r.revoked_at,
    revokedReason: r.revoked_reason,
    algorithm: r.algorithm,
    origin: r.origin,
    daysLeft,
    status: r.revoked_at
      ? ('revoked' as const)
      : daysLeft < 0
        ? ('expired' as const)
        : daysLeft <= EXPIRY_WARNING_DAYS
          ? ('expiring' as const)
          : ('valid' as const),
    certPem: r.cert_pem,
  }
}

const byId = (db: Db, id: string) =>
  db.prepare('SELECT * FROM certificates WHERE id = ?').get(id) as CertRow | undefined

export function activeRoot(db: Db): CertRow | undefined {
  return db
    .prepare(
      "SELECT * FROM certificates WHERE kind = 'root' AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1",
    )
    .get() as CertRow | undefined
}

/** Roots Liuhen created and CA certificates the agency imported: what officers' certificates must chain to. */
export function trustAnchors(db: Db): string[] {
  const local = db.prepare("SELECT cert_pem FROM certificates WHERE kind = 'root'").all() as {
    cert_pem: string
  }[]
  const imported = db.prepare("SELECT cert_pem FROM trust_anchors WHERE purpose = 'signing'").all() as {
    cert_pem: string
  }[]
  return [...local, ...imported].map((r) => r.cert_pem)
}

export function tsaAnchors(db: Db): string[] {
  return (
    db.prepare("SELECT cert_pem FROM trust_anchors WHERE purpose = 'tsa'").all() as { cert_pem: string }[]
  ).map((r) => r.cert_pem)
}

export function activeOfficerCert(db: Db, userId: string, now: Date): CertRow | undefined {
  return db
    .prepare(
      `SELECT * FROM certificates WHERE kind = 'officer' AND user_id = ? AND revoked_at IS NULL
         AND not_before <= ? AND not_after > ?
       ORDER BY created_at DESC LIMIT 1`,
    )
    .get(userId, now.toISOString(), now.toISOString()) as CertRow | undefined
}

export function certBySerial(db: Db, serialHex: string): CertRow | undefined {
  return db
    .prepare('SELECT * FROM certificates WHERE lower(serial) = ?')
    .get(serialHex.toLowerCase().replace(/^0+/, '')) as CertRow | undefined
}

function insertCert(db: Db, row: Omit<CertRow, 'revoked_at' | 'revoked_reason'>): void {
  db.prepare(
    `INSERT INTO certificates (id, kind, user_id, subject, serial, not_before, not_after, cert_pem, key_blob,
       algorithm, origin, created_at)
     VALUES (@id, @kind, @user_id, @subject, @serial, @not_before, @not_after, @cert_pem, @key_blob,
       @algorithm, @origin, @created_at)`,
  ).run(row)
}

/** Serials are stored as lower-case hex without leading zeros, the form OpenSSL prints. */
function normSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '')
}

/** The root key, under the caller's PIN attempt limit (a passphrase is guessed like a PIN). */
function unlockRoot(deps: CoreDeps, ctx: CallContext, root: CertRow, passphrase: string): SigningKey {
  return withPinAttempts(deps, actorOf(ctx), ctx.channel, () => {
    try {
      return root.algorithm === 'sm2'
        ? { kind: 'sm2', key: decryptSm2Key(root.key_blob, passphrase) }
        : { kind: 'rsa', privateKeyPem: decryptPrivateKey(root.key_blob, passphrase) }
    } catch {
      throw new AppError('BAD_CREDENTIALS')
    }
  })
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
  const commonName = input.commonName ?? `${agency.name}电子证据根证书`
  const subject = { commonName, organization: agency.name }
  let issued: { certPem: string; serial: string; notBefore: Date; notAfter: Date }
  let keyBlob: string
  if (input.algorithm === 'sm2') {
    const key = newSm2Key()
    issued = issueSm2Certificate({
      subject,
      subjectPublicKeyHex: key.publicKeyHex,
      issuer: { self: key },
      ca: true,
      years: 20,
      now,
    })
    keyBlob = encryptSm2Key(key, input.passphrase)
  } else {
    const key = newRsaKeyPair(3072)
    issued = issueCertificate({
      subject,
      subjectPublicKeyPem: key.publicKeyPem,
      issuer: 'self',
      selfPrivateKeyPem: key.privateKeyPem,
      ca: true,
      years: 20,
      now,
    })
    keyBlob = encryptPrivateKey(key.privateKeyPem, input.passphrase)
  }
  const id = crypto.randomUUID()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'ca.init',
      targetType: 'certificate',
      targetId: id,
      details: { subject: commonName, serial: issued.serial, algorithm: input.algorithm },
    },
    () =>
      insertCert(deps.db, {
        id,
        kind: 'root',
        user_id: null,
        subject: subjectText(issued.certPem),
        serial: normSerial(issued.serial),
        not_before: issued.notBefore.toISOString(),
        not_after: issued.notAfter.toISOString(),
        cert_pem: issued.certPem,
        key_blob: keyBlob,
        algorithm: input.algorithm,
        origin: 'local',
        created_at: now.toISOString(),
      }),
  )
  publishCrl(deps, activeRoot(deps.db)!, unlockRoot(deps, ctx, activeRoot(deps.db)!, input.passphrase))
  return { certificate: toCert(byId(deps.db, id)!, now) }
}

/** Issue (or renew: a new key and certificate for an officer who has one) an officer's signing certificate. */
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
  const rootKey = unlockRoot(deps, ctx, root, input.rootPassphrase)
  const agency = getAgency(deps.db)
  const now = deps.now()
  const subject = {
    commonName: user.display_name,
    organization: agency.name,
    ...(user.badge_no ? { serialNumber: user.badge_no } : {}),
  }
  const years = input.years ?? 3
  let issued: { certPem: string; serial: string; notBefore: Date; notAfter: Date }
  let keyBlob: string
  if (rootKey.kind === 'sm2') {
    const key = newSm2Key()
    issued = issueSm2Certificate({
      subject,
      subjectPublicKeyHex: key.publicKeyHex,
      issuer: { certPem: root.cert_pem, key: rootKey.key },
      ca: false,
      years,
      now,
    })
    // PKCS#12 tools (node-forge included) handle only RSA keys; SM2 keys are kept as encrypted PKCS#8.
    keyBlob = encryptSm2Key(key, input.pin)
  } else {
    const key = newRsaKeyPair(2048)
    issued = issueCertificate({
      subject,
      subjectPublicKeyPem: key.publicKeyPem,
      issuer: { certPem: root.cert_pem, privateKeyPem: rootKey.privateKeyPem },
      ca: false,
      years,
      now,
    })
    keyBlob = toPkcs12(
      key.privateKeyPem,
      [issued.certPem, root.cert_pem],
      input.pin,
      user.display_name,
    ).toString('base64')
  }
  const previous = activeOfficerCert(deps.db, user.id, now)
  const id = crypto.randomUUID()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: previous ? 'ca.renew' : 'ca.issue',
      targetType: 'certificate',
      targetId: id,
      details: {
        userId: user.id,
        subject: subjectText(issued.certPem),
        serial: issued.serial,
        notAfter: issued.notAfter.toISOString(),
        algorithm: root.algorithm,
        ...(previous ? { replaces: previous.serial } : {}),
      },
    },
    () =>
      insertCert(deps.db, {
        id,
        kind: 'officer',
        user_id: user.id,
        subject: subjectText(issued.certPem),
        serial: normSerial(issued.serial),
        not_before: issued.notBefore.toISOString(),
        not_after: issued.notAfter.toISOString(),
        cert_pem: issued.certPem,
        key_blob: keyBlob,
        algorithm: root.algorithm,
        origin: 'local',
        created_at: now.toISOString(),
      }),
  )
  return { certificate: toCert(byId(deps.db, id)!, now) }
}

/** Split a PEM bundle into its certificates; throws BAD_CERTIFICATE when there are none or one is unreadable. */
function pemCertificates(text: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  if (!blocks.length) throw new AppError('BAD_CERTIFICATE')
  return blocks.map((b) => {
    try {
      certFromPem(b)
    } catch {
      throw new AppError('BAD_CERTIFICATE')
    }
    return `${b}\n`
  })
}

/** Import the agency CA's chain (signing) or its time-stamping service's root (tsa) as trust anchors. */
export function caImport(
  deps: CoreDeps,
  input: ParsedInput<'ca.import'>,
  ctx: CallContext,
): MethodOutput<'ca.import'> {
  const actor = actorOf(ctx)
  const now = deps.now()
  const added: string[] = []
  for (const pem of pemCertificates(input.pem)) {
    const c = certFromPem(pem)
    const fingerprint = crypto.createHash('sha256').update(pemToDer(pem)).digest('hex')
    const exists = deps.db
      .prepare('SELECT 1 FROM trust_anchors WHERE purpose = ? AND fingerprint = ?')
      .get(input.purpose, fingerprint)
    if (exists) continue
    const id = crypto.randomUUID()
    const subject = nameText(c.subject)
    auditedChange(
      deps,
      {
        ...actorFields(actor),
        action: 'ca.import',
        targetType: 'trust_anchor',
        targetId: id,
        details: { purpose: input.purpose, subject, fingerprint },
      },
      () =>
        deps.db
          .prepare(
            `INSERT INTO trust_anchors (id, purpose, subject, fingerprint, not_after, cert_pem, added_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            id,
            input.purpose,
            subject,
            fingerprint,
            c.notAfter.value.toISOString(),
            pem,
            now.toISOString(),
          ),
    )
    added.push(subject)
  }
  return { added }
}

/** Import an officer's PKCS#12 from the agency's CA; its password becomes the officer's signing PIN. */
export function certImport(
  deps: CoreDeps,
  input: ParsedInput<'certs.import'>,
  ctx: CallContext,
): MethodOutput<'certs.import'> {
  const actor = actorOf(ctx)
  const user = findById(deps.db, input.userId)
  if (!user) throw new AppError('NOT_FOUND')
  const p12 = Buffer.from(input.pkcs12Base64, 'base64')
  let opened: { privateKeyPem: string; certPems: string[] }
  try {
    opened = fromPkcs12(p12, input.pin)
  } catch (e) {
    if (e instanceof Error && /RSA|OID|unsupported/i.test(e.message)) throw new AppError('UNSUPPORTED_KEY')
    throw new AppError('BAD_CERTIFICATE')
  }
  // The officer's own certificate is the one whose public key matches the private key.
  const pub = crypto.createPublicKey(opened.privateKeyPem).export({ type: 'spki', format: 'der' })
  const own = opened.certPems.find((pem) =>
    Buffer.from(certFromPem(pem).subjectPublicKeyInfo.toSchema().toBER(false)).equals(pub),
  )
  if (!own) throw new AppError('BAD_CERTIFICATE')
  const cert = certFromPem(own)
  const pool = opened.certPems.map(certFromPem)
  if (!chainsTo(cert, trustAnchors(deps.db), pool)) throw new AppError('NOT_TRUSTED')
  const now = deps.now()
  const id = crypto.randomUUID()
  const serial = normSerial(Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex'))
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'certs.import',
      targetType: 'certificate',
      targetId: id,
      details: { userId: user.id, subject: nameText(cert.subject), serial },
    },
    () =>
      insertCert(deps.db, {
        id,
        kind: 'officer',
        user_id: user.id,
        subject: subjectText(own),
        serial,
        not_before: cert.notBefore.value.toISOString(),
        not_after: cert.notAfter.value.toISOString(),
        cert_pem: own,
        // Kept in our own container (600 000 PBKDF2 rounds), not as the CA wrote it (often 2048, with a MAC
        // that tests a guess more cheaply still): the same PIN, a modern cost.
        key_blob: toPkcs12(
          opened.privateKeyPem,
          [own, ...opened.certPems.filter((p) => p !== own)],
          input.pin,
          user.display_name,
        ).toString('base64'),
        algorithm: 'rsa',
        origin: 'imported',
        created_at: now.toISOString(),
      }),
  )
  return { certificate: toCert(byId(deps.db, id)!, now) }
}

export function certsList(deps: CoreDeps): MethodOutput<'certs.list'> {
  const now = deps.now()
  const rows = deps.db.prepare('SELECT * FROM certificates ORDER BY created_at').all() as CertRow[]
  const anchors = deps.db.prepare('SELECT * FROM trust_anchors ORDER BY added_at').all() as {
    id: string
    purpose: 'signing' | 'tsa'
    subject: string
    fingerprint: string
    not_after: string
  }[]
  return {
    certificates: rows.map((r) => toCert(r, now)),
    trustAnchors: anchors.map((a) => ({
      id: a.id,
      purpose: a.purpose,
      subject: a.subject,
      fingerprint: a.fingerprint,
      notAfter: a.not_after,
    })),
  }
}

export function caExportRoot(deps: CoreDeps): MethodOutput<'ca.exportRoot'> {
  const pems = trustAnchors(deps.db)
  if (!pems.length) throw new AppError('NOT_INITIALIZED')
  return { pem: pems.join('') }
}

export function crlPath(layout: DataLayout): string {
  return path.join(layout.signatures, 'crl', 'agency-root.crl')
}

/** Write the current CRL (DER, and PEM beside it) atomically; it lists every certificate the root revoked. */
function publishCrl(deps: CoreDeps, root: CertRow, key: SigningKey): string {
  const revoked = (
    deps.db
      .prepare(
        "SELECT serial, revoked_at, revoked_reason FROM certificates WHERE origin = 'local' AND revoked_at IS NOT NULL",
      )
      .all() as { serial: string; revoked_at: string; revoked_reason: string | null }[]
  ).map((r): Revoked => ({
    serialHex: r.serial.length % 2 ? `0${r.serial}` : r.serial,
    revokedAt: new Date(r.revoked_at),
    reason: (r.revoked_reason ?? 'unspecified') as Revoked['reason'],
  }))
  const crlNumber = Number(readMeta(deps.db, 'crl.number') ?? 0) + 1
  const crl = buildCrl({
    rootCertPem: root.cert_pem,
    key,
    revoked,
    crlNumber,
    now: deps.now(),
    nextUpdateDays: 30,
  })
  const file = crlPath(deps.layout)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  for (const [target, bytes] of [
    [file, crl.der],
    [`${file.slice(0, -4)}.crl.pem`, Buffer.from(crl.pem)],
  ] as const) {
    writeAtomicSync(target, bytes, { replace: true, mode: 0o644 })
  }
  writeMeta(deps.db, 'crl.number', String(crlNumber))
  return file
}

export function caRevoke(
  deps: CoreDeps,
  input: ParsedInput<'ca.revoke'>,
  ctx: CallContext,
): MethodOutput<'ca.revoke'> {
  const actor = actorOf(ctx)
  const cert = certBySerial(deps.db, input.serial)
  if (!cert || cert.kind !== 'officer') throw new AppError('NOT_FOUND')
  if (cert.revoked_at) throw new AppError('CERT_REVOKED')
  const root = activeRoot(deps.db)
  // A certificate from the agency's own CA is revoked there; here it is only barred from signing.
  const rootKey =
    cert.origin === 'local' && root ? unlockRoot(deps, ctx, root, input.rootPassphrase ?? '') : null
  const now = deps.now()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'ca.revoke',
      targetType: 'certificate',
      targetId: cert.id,
      details: { serial: cert.serial, subject: cert.subject, reason: input.reason },
    },
    () =>
      deps.db
        .prepare('UPDATE certificates SET revoked_at = ?, revoked_reason = ? WHERE id = ?')
        .run(now.toISOString(), input.reason, cert.id),
  )
  const crl = root && rootKey ? publishCrl(deps, root, rootKey) : null
  return {
    certificate: toCert(byId(deps.db, cert.id)!, now),
    crlPath: crl ? path.relative(deps.layout.root, crl) : null,
  }
}

/** Revocation of the certificate that made a signature, as this data folder knows it. */
export function revocationOf(db: Db, serialHex: string | null): { revokedAt: string; reason: string } | null {
  if (!serialHex) return null
  const c = certBySerial(db, serialHex)
  return c?.revoked_at ? { revokedAt: c.revoked_at, reason: c.revoked_reason ?? 'unspecified' } : null
}

/** Unlock the caller's signing key with their PIN, under their attempt limit (pin-attempts.ts). */
export function unlockSigner(deps: CoreDeps, actor: Actor, pin: string, channel: string): BatchSigner {
  return withPinAttempts(deps, actor, channel, () => openSigner(deps.db, actor.userId, pin, deps.now()))
}

function openSigner(db: Db, userId: string, pin: string, now: Date): BatchSigner {
  const cert = activeOfficerCert(db, userId, now)
  if (!cert) throw new AppError('NO_CERTIFICATE')
  const daysLeft = Math.floor((Date.parse(cert.not_after) - now.getTime()) / 86_400_000)
  try {
    if (cert.algorithm === 'sm2') {
      const root = db
        .prepare("SELECT cert_pem FROM certificates WHERE kind = 'root' AND algorithm = 'sm2'")
        .all() as { cert_pem: string }[]
      return {
        certId: cert.id,
        certPem: cert.cert_pem,
        chainPems: root.map((r) => r.cert_pem),
        key: { kind: 'sm2', key: decryptSm2Key(cert.key_blob, pin) },
        algorithm: 'sm2',
        daysLeft,
      }
    }
    const { privateKeyPem, certPems } = fromPkcs12(Buffer.from(cert.key_blob, 'base64'), pin)
    return {
      certId: cert.id,
      certPem: cert.cert_pem,
      chainPems: certPems.filter((p) => p.trim() !== cert.cert_pem.trim()),
      key: { kind: 'rsa', privateKeyPem },
      algorithm: 'rsa',
      daysLeft,
    }
  } catch {
    throw new AppError('BAD_PIN')
  }
}
