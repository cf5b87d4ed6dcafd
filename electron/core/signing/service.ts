import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { MethodOutput, ParsedInput, SignatureCheck as SharedCheck } from '../../../shared/contract.ts'
import {
  actorFields,
  actorOf,
  auditedChange,
  type Actor,
  type CallContext,
  type CoreDeps,
} from '../context.ts'
import { readSetting, writeSetting } from '../meta.ts'
import type { Db } from '../db/index.ts'
import type { DataLayout } from '../paths.ts'
import { objectPath } from '../vault.ts'
import { gateRecord } from '../access/gate.ts'
import { writeAtomic } from '../durable.ts'
import {
  digestNeeded,
  notValid,
  signDetachedDigest,
  verifyDetachedDigest,
  type DigestName,
  type SignatureCheck,
} from './cms.ts'
import { newSm3 } from './gm.ts'
import {
  activeOfficerCert,
  EXPIRY_WARNING_DAYS,
  revocationOf,
  trustAnchors,
  tsaAnchors,
  type BatchSigner,
} from './authority.ts'
import { checkTimestamp } from './tsa.ts'
import { enqueue } from '../post-commit.ts'

export { unlockSigner, type BatchSigner } from './authority.ts'

/** Signatures over evidence: made at ingest, registered with their audit event, and checked on demand. */

export function signaturePath(layout: DataLayout, sha256: string, signatureId: string): string {
  return path.join(layout.signatures, sha256.slice(0, 2), sha256, `${signatureId}.p7s`)
}

/**
 * Write a small file durably and read-only, whole or not at all (durable.ts); nothing existing is ever
 * overwritten, but the same bytes already there (a rerun after a crash) count as written.
 */
export async function writeDurable(file: string, bytes: Uint8Array): Promise<void> {
  await writeAtomic(file, bytes)
}

export interface TsaSettings {
  url: string | null
}

export function tsaSettings(db: Db): TsaSettings {
  return readSetting<TsaSettings>(db, 'signing.tsa', { url: null })
}

export function signingSettings(deps: CoreDeps, ctx: CallContext): MethodOutput<'signing.settings'> {
  const now = deps.now()
  const mine = ctx.actor ? activeOfficerCert(deps.db, ctx.actor.userId, now) : undefined
  const daysLeft = mine ? Math.floor((Date.parse(mine.not_after) - now.getTime()) / 86_400_000) : 0
  return {
    tsaUrl: tsaSettings(deps.db).url,
    tsaAnchors: tsaAnchors(deps.db).length,
    myCertificate: mine
      ? {
          subject: mine.subject,
          notAfter: mine.not_after,
          daysLeft,
          status: daysLeft <= EXPIRY_WARNING_DAYS ? 'expiring' : 'valid',
          algorithm: mine.algorithm,
        }
      : null,
  }
}

export function setSigningSettings(
  deps: CoreDeps,
  input: ParsedInput<'signing.setSettings'>,
  ctx: CallContext,
): MethodOutput<'signing.settings'> {
  auditedChange(
    deps,
    { ...actorFields(actorOf(ctx)), action: 'signing.settings', details: { tsaUrl: input.tsaUrl } },
    () => writeSetting(deps.db, 'signing.tsa', { url: input.tsaUrl }),
  )
  return signingSettings(deps, ctx)
}

/**
 * Sign one evidence item's digest (SHA-256 for RSA, SM3 for SM2, both taken during the ingest copy). The .p7s
 * is on disk (fsynced) before it is registered with its audit event. For SM2, the signed attributes and the raw
 * signature are written beside it, because OpenSSL 3.0's `cms -verify` cannot check SM2, while
 * `openssl dgst -sm3 -verify ... -sigopt distid:1234567812345678` can check exactly those two files.
 */
export async function signEvidence(
  deps: CoreDeps,
  signer: BatchSigner,
  actor: Actor,
  evidence: { id: string; sha256: string; sm3?: string | null },
): Promise<string> {
  return signSubject(deps, signer, actor, { kind: 'evidence', ...evidence })
}

/** Sign an audio/video record or a text record: the same CMS, files and registration for both. */
export async function signSubject(
  deps: CoreDeps,
  signer: BatchSigner,
  actor: Actor,
  subject: { kind: 'evidence' | 'text_record'; id: string; sha256: string; sm3?: string | null },
): Promise<string> {
  const evidence = subject
  const now = deps.now()
  if (signer.algorithm === 'sm2' && !evidence.sm3) throw new Error('SM2 signing needs the SM3 digest')
  const signed = signDetachedDigest({
    digestHex: signer.algorithm === 'sm2' ? evidence.sm3! : evidence.sha256,
    signerCertPem: signer.certPem,
    chainPems: signer.chainPems,
    key: signer.key,
    signingTime: now,
  })
  const id = crypto.randomUUID()
  const file = signaturePath(deps.layout, evidence.sha256, id)
  await writeDurable(file, signed.p7s)
  if (signer.algorithm === 'sm2') {
    await writeDurable(file.replace(/\.p7s$/, '.sm2-signed-attrs.der'), signed.signedAttrs)
    await writeDurable(file.replace(/\.p7s$/, '.sm2-signature.der'), signed.signature)
  }
  const p7sSha = crypto.createHash('sha256').update(signed.p7s).digest('hex')
  const pending = tsaSettings(deps.db).url !== null
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: subject.kind === 'evidence' ? 'evidence.sign' : 'textRecords.sign',
      targetType: subject.kind,
      targetId: evidence.id,
      details: {
        sha256: evidence.sha256,
        certId: signer.certId,
        p7sSha256: p7sSha,
        algorithm: signer.algorithm,
      },
    },
    () => {
      deps.db
        .prepare(
          `INSERT INTO signatures (id, evidence_id, text_record_id, cert_id, path, p7s_sha256, signed_at, ts_status)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          subject.kind === 'evidence' ? evidence.id : null,
          subject.kind === 'text_record' ? evidence.id : null,
          signer.certId,
          path.relative(deps.layout.root, file),
          p7sSha,
          now.toISOString(),
          pending ? 'pending' : 'none',
        )
      // The time-stamp is owed from this commit on: queued with it, so a kill right after cannot lose it.
      if (pending) enqueue(deps.db, 'stamp_signature', id, { now })
      // A sign job this signature satisfies is done in the same commit.
      deps.db
        .prepare(
          `UPDATE post_commit_jobs SET done_at = ?, owner = NULL
           WHERE kind = 'sign_record' AND subject = ? AND done_at IS NULL`,
        )
        .run(now.toISOString(), evidence.id)
    },
  )
  return file
}

interface SignatureRow {
  id: string
  evidence_id: string
  path: string
  cert_id: string
  signed_at: string
  ts_status: 'none' | 'pending' | 'granted'
  tsr_path: string | null
  ts_time: string | null
}

export function signaturesOf(
  db: Db,
  layout: DataLayout,
  evidenceId: string,
): {
  id: string
  file: string
  certId: string
  tsrFile: string | null
  tsStatus: SignatureRow['ts_status']
}[] {
  return (
    db
      .prepare('SELECT * FROM signatures WHERE evidence_id = ? ORDER BY signed_at')
      .all(evidenceId) as SignatureRow[]
  ).map((r) => ({
    id: r.id,
    file: path.join(layout.root, r.path),
    certId: r.cert_id,
    tsrFile: r.tsr_path ? path.join(layout.root, r.tsr_path) : null,
    tsStatus: r.ts_status,
  }))
}

export type FullCheck = Omit<SharedCheck, 'file'> & { sig: string }

/**
 * Everything a reviewer asks of one signature: content digest, signature, chain to the agency's anchors,
 * time-stamp and revocation. `digests` are of the content as it is now (computed by the caller, streamed).
 */
export async function checkSignature(
  db: Db,
  p7s: Buffer,
  digests: Partial<Record<DigestName, string>>,
  tsr: Buffer | null,
  sig = '',
  tsStatus: 'none' | 'pending' | 'granted' = 'none',
): Promise<FullCheck> {
  let base: SignatureCheck
  try {
    base = verifyDetachedDigest(p7s, digests, trustAnchors(db))
  } catch {
    // Not even parseable as CMS: simply not a valid signature.
    base = notValid()
  }
  const timestamp: FullCheck['timestamp'] = {
    status: tsr ? 'invalid' : tsStatus === 'pending' ? 'pending' : 'none',
    time: null,
    tsa: null,
  }
  if (tsr && digests.sha256) {
    try {
      const t = checkTimestamp(tsr, digests.sha256, tsaAnchors(db))
      if (t.imprintMatches && t.signatureValid)
        Object.assign(timestamp, {
          status: t.chainValid ? 'granted' : 'untrusted',
          time: t.genTime,
          tsa: t.tsaSubject,
        })
    } catch {
      /* stays invalid */
    }
  }
  const revoked = revocationOf(db, base.signerSerial)
  const provenTime = timestamp.status === 'granted' ? timestamp.time : null
  const revocation: FullCheck['revocation'] = !revoked
    ? { status: 'good', revokedAt: null }
    : provenTime && provenTime < revoked.revokedAt
      ? { status: 'revokedAfterSigning', revokedAt: revoked.revokedAt }
      : { status: 'revoked', revokedAt: revoked.revokedAt }
  return {
    ...base,
    sig,
    valid: base.valid && revocation.status !== 'revoked',
    timestamp,
    revocation,
  }
}

/** SHA-256 and (when a signature needs it) SM3 of a file, in one streamed read. */
export async function digestsOfFile(
  file: string,
  needSm3: boolean,
): Promise<{ sha256: string; sm3?: string }> {
  const sha = crypto.createHash('sha256')
  const sm3 = needSm3 ? await newSm3() : null
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 << 20 })) {
    sha.update(chunk as Buffer)
    sm3?.update(chunk as Buffer)
  }
  return { sha256: sha.digest('hex'), ...(sm3 ? { sm3: sm3.digest('hex') } : {}) }
}

/** Check every signature of one file (from the vault or from outside) against the file's bytes as they are. */
export async function verifyFileSignatures(
  db: Db,
  layout: DataLayout,
  file: string,
  evidenceId: string | null,
  extraSig?: string,
): Promise<{ sha256: string; checks: FullCheck[] }> {
  const besideTsr = extraSig?.replace(/\.p7s$/, '.tsr')
  const sigs = extraSig
    ? [
        {
          file: extraSig,
          tsrFile: besideTsr && besideTsr !== extraSig && fs.existsSync(besideTsr) ? besideTsr : null,
          tsStatus: 'none' as const,
        },
      ]
    : evidenceId
      ? signaturesOf(db, layout, evidenceId)
      : []
  const p7s = sigs.map((s) => fs.readFileSync(s.file))
  const digests = await digestsOfFile(
    file,
    p7s.some((b) => digestNeeded(b) === 'sm3'),
  )
  const checks: FullCheck[] = []
  for (const [i, s] of sigs.entries())
    checks.push(
      await checkSignature(
        db,
        p7s[i]!,
        digests,
        s.tsrFile ? fs.readFileSync(s.tsrFile) : null,
        s.file,
        s.tsStatus,
      ),
    )
  return { sha256: digests.sha256, checks }
}

/** The per-record verification the app shows: the vault copy re-hashed, then each signature checked. */
export async function verifyEvidence(
  deps: CoreDeps,
  input: ParsedInput<'signatures.verify'>,
  ctx: CallContext,
): Promise<MethodOutput<'signatures.verify'>> {
  // Who signed it and when is the record's metadata: the gate decides, an unknown id answers as forbidden.
  const basis = gateRecord(deps, ctx, input.evidenceId, 'meta', 'signatures.verify')
  const row = deps.db.prepare('SELECT id, sha256 FROM evidence WHERE id = ?').get(input.evidenceId) as {
    id: string
    sha256: string
  }
  const file = objectPath(deps.layout, row.sha256)
  const { sha256, checks } = await verifyFileSignatures(deps.db, deps.layout, file, row.id)
  const contentIntact = sha256 === row.sha256
  const ok = contentIntact && checks.length > 0 && checks.every((c) => c.valid)
  auditedChange(
    deps,
    {
      ...actorFields(actorOf(ctx)),
      action: 'signatures.verify',
      targetType: 'evidence',
      targetId: row.id,
      details: { ok, contentIntact, signatures: checks.length, ...basis },
    },
    () => undefined,
  )
  return {
    evidenceId: row.id,
    ok,
    contentIntact,
    signatures: checks.map(({ sig, ...c }) => ({ ...c, file: path.relative(deps.layout.root, sig) })),
  }
}
