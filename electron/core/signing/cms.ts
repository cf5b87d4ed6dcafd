import crypto from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { pemToDer } from './x509.ts'
import { OID as GM, sm2PublicKeyOf, sm2Sign, sm2Verify, type Sm2Key } from './gm.ts'
import { ab } from './bytes.ts'

/*
 * Detached CMS SignedData over a digest computed elsewhere (during the ingest copy), so a 6 GB video is never
 * read again to be signed. Signed attributes: contentType, signingTime, messageDigest. RSA signatures use
 * SHA-256 and are what `openssl cms -verify -binary -inform DER -in F.p7s -content F -CAfile root.pem` accepts;
 * SM2 signatures use SM3 (GM/T 0010) with the standard user ID.
 */

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
}

export type DigestName = 'sha256' | 'sha384' | 'sha512' | 'sm3'

const DIGEST_BY_OID: Record<string, DigestName> = {
  [OID.sha256]: 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  [GM.sm3]: 'sm3',
}

export type SigningKey = { kind: 'rsa'; privateKeyPem: string } | { kind: 'sm2'; key: Sm2Key }

export function certFromPem(pem: string): pkijs.Certificate {
  return pkijs.Certificate.fromBER(pemToDer(pem))
}

/** What is signed is the DER of the attributes as a SET (tag 0x31), not the [0] IMPLICIT form they are stored in. */
function signedAttrsDer(attrs: pkijs.SignedAndUnsignedAttributes): Buffer {
  const encoded = Buffer.from(attrs.toSchema().toBER(false))
  encoded[0] = 0x31
  return encoded
}

export interface DetachedSignature {
  p7s: Buffer
  /** The exact bytes the signature covers, and the raw signature: for checking SM2 with `openssl dgst`. */
  signedAttrs: Buffer
  signature: Buffer
}

export function signDetachedDigest(opts: {
  /** SHA-256 of the content for RSA keys, SM3 for SM2 keys. */
  digestHex: string
  signerCertPem: string
  chainPems: string[]
  key: SigningKey
  signingTime: Date
}): DetachedSignature {
  const signer = certFromPem(opts.signerCertPem)
  const digestOid = opts.key.kind === 'sm2' ? GM.sm3 : OID.sha256
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      new pkijs.Attribute({
        type: OID.contentType,
        values: [new asn1js.ObjectIdentifier({ value: OID.data })],
      }),
      new pkijs.Attribute({
        type: OID.signingTime,
        values: [new asn1js.UTCTime({ valueDate: opts.signingTime })],
      }),
      new pkijs.Attribute({
        type: OID.messageDigest,
        values: [new asn1js.OctetString({ valueHex: ab(Buffer.from(opts.digestHex, 'hex')) })],
      }),
    ],
  })
  const toSign = signedAttrsDer(signedAttrs)
  const signature =
    opts.key.kind === 'sm2'
      ? sm2Sign(toSign, opts.key.key)
      : crypto.sign('sha256', toSign, crypto.createPrivateKey(opts.key.privateKeyPem))
  const signatureAlgorithm =
    opts.key.kind === 'sm2'
      ? new pkijs.AlgorithmIdentifier({ algorithmId: GM.sm2WithSm3 })
      : new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() })

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: signer.issuer, serialNumber: signer.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: digestOid }),
    signedAttrs,
    signatureAlgorithm,
    signature: new asn1js.OctetString({ valueHex: ab(signature) }),
  })
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: digestOid })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [signer, ...opts.chainPems.map(certFromPem)],
    signerInfos: [signerInfo],
  })
  const contentInfo = new pkijs.ContentInfo({
    contentType: OID.signedData,
    content: signedData.toSchema(true),
  })
  return { p7s: Buffer.from(contentInfo.toSchema().toBER(false)), signedAttrs: toSign, signature }
}

/** Readable distinguished name, e.g. "C=CN, O=福州市医疗保障局, CN=李静". */
export function nameText(name: pkijs.RelativeDistinguishedNames): string {
  const short: Record<string, string> = {
    '2.5.4.6': 'C',
    '2.5.4.10': 'O',
    '2.5.4.11': 'OU',
    '2.5.4.3': 'CN',
    '2.5.4.5': 'serialNumber',
  }
  return name.typesAndValues
    .map((tv) => `${short[tv.type] ?? tv.type}=${(tv.value.valueBlock as { value?: string }).value ?? ''}`)
    .join(', ')
}

/** Short subject for lists: CN (and serialNumber, the officer's badge number). */
export function subjectText(certPem: string): string {
  const c = certFromPem(certPem)
  const get = (oid: string) =>
    (
      c.subject.typesAndValues.find((tv) => tv.type === oid)?.value.valueBlock as
        { value?: string } | undefined
    )?.value ?? null
  return [get('2.5.4.3'), get('2.5.4.5')].filter(Boolean).join(' / ')
}

function verifyWithKey(
  data: Uint8Array,
  signature: Uint8Array,
  spkiDer: Buffer,
  digest: DigestName,
): boolean {
  const sm2Key = sm2PublicKeyOf(spkiDer)
  if (sm2Key) return sm2Verify(data, signature, sm2Key)
  if (digest === 'sm3') return false
  try {
    const key = crypto.createPublicKey({ key: spkiDer, format: 'der', type: 'spki' })
    return crypto.verify(digest, data, key, signature)
  } catch {
    return false
  }
}

/** The certificate's signature verifies with `issuer`'s key and names it as issuer (RSA or SM2 alike). */
export function issuedBy(cert: pkijs.Certificate, issuer: pkijs.Certificate): boolean {
  if (!cert.issuer.isEqual(issuer.subject)) return false
  const alg = cert.signatureAlgorithm.algorithmId
  const digest: DigestName =
    alg === GM.sm2WithSm3
      ? 'sm3'
      : alg === '1.2.840.113549.1.1.12'
        ? 'sha384'
        : alg === '1.2.840.113549.1.1.13'
          ? 'sha512'
          : 'sha256'
  return verifyWithKey(
    new Uint8Array(cert.tbsView),
    cert.signatureValue.valueBlock.valueHexView,
    Buffer.from(issuer.subjectPublicKeyInfo.toSchema().toBER(false)),
    digest,
  )
}

/**
 * The certificate leads to one of the trust anchors, through intermediates found in `pool` (the certificates a
 * signature carries) when the agency's CA is not a root itself.
 */
export function chainsTo(
  cert: pkijs.Certificate,
  anchorPems: string[],
  pool: pkijs.Certificate[] = [],
): boolean {
  const anchors = anchorPems.flatMap((pem) => {
    try {
      return [certFromPem(pem)]
    } catch {
      return []
    }
  })
  let current = cert
  for (let depth = 0; depth < 6; depth++) {
    if (anchors.some((a) => issuedBy(current, a))) return true
    const next = pool.find(
      (c) => c !== current && !c.subject.isEqual(current.subject) && issuedBy(current, c),
    )
    if (!next) return false
    current = next
  }
  return false
}

export interface SignerInfoCheck {
  signer: pkijs.Certificate | null
  certificates: pkijs.Certificate[]
  digest: DigestName | null
  messageDigestHex: string | null
  signingTime: string | null
  signatureValid: boolean
}

/** Check the first SignerInfo's signature over its signed attributes; the caller compares messageDigest. */
export function checkSignerInfo(sd: pkijs.SignedData): SignerInfoCheck {
  const out: SignerInfoCheck = {
    signer: null,
    certificates: [],
    digest: null,
    messageDigestHex: null,
    signingTime: null,
    signatureValid: false,
  }
  const si = sd.signerInfos[0]
  if (!si?.signedAttrs) return out
  out.digest = DIGEST_BY_OID[si.digestAlgorithm.algorithmId] ?? null
  const certs = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
  out.certificates = certs
  const sid = si.sid as pkijs.IssuerAndSerialNumber
  out.signer =
    certs.find(
      (c) => sid.serialNumber && c.serialNumber.isEqual(sid.serialNumber) && c.issuer.isEqual(sid.issuer),
    ) ?? null
  for (const a of si.signedAttrs.attributes) {
    if (a.type === OID.messageDigest)
      out.messageDigestHex = Buffer.from(
        (a.values[0] as asn1js.OctetString).valueBlock.valueHexView,
      ).toString('hex')
    if (a.type === OID.signingTime) {
      const v = a.values[0] as asn1js.UTCTime | asn1js.GeneralizedTime
      out.signingTime = v.toDate().toISOString()
    }
  }
  if (!out.signer || !out.digest) return out
  out.signatureValid = verifyWithKey(
    signedAttrsDer(si.signedAttrs),
    si.signature.valueBlock.valueHexView,
    Buffer.from(out.signer.subjectPublicKeyInfo.toSchema().toBER(false)),
    out.digest,
  )
  return out
}

export function parseSignedData(der: Uint8Array): pkijs.SignedData {
  const ci = pkijs.ContentInfo.fromBER(ab(der))
  return new pkijs.SignedData({ schema: ci.content })
}

/** Which digest of the content a signature needs: SHA-256 (RSA) or SM3 (SM2). */
export function digestNeeded(p7s: Buffer): DigestName | null {
  try {
    const si = parseSignedData(p7s).signerInfos[0]
    return si ? (DIGEST_BY_OID[si.digestAlgorithm.algorithmId] ?? null) : null
  } catch {
    return null
  }
}

export interface SignatureCheck {
  /** messageDigest equals the file's digest and the signature over the attributes verifies. */
  valid: boolean
  digestMatches: boolean
  signatureValid: boolean
  /** The signer certificate was issued by one of the trust anchors. */
  chainValid: boolean
  algorithm: 'RSA-SHA256' | 'SM2-SM3' | null
  signerSubject: string | null
  signerSerial: string | null
  signingTime: string | null
}

export function notValid(): SignatureCheck {
  return {
    valid: false,
    digestMatches: false,
    signatureValid: false,
    chainValid: false,
    algorithm: null,
    signerSubject: null,
    signerSerial: null,
    signingTime: null,
  }
}

/** Check a detached signature against the content's digests (computed by the caller, streamed) and the anchors. */
export function verifyDetachedDigest(
  p7s: Buffer,
  digests: Partial<Record<DigestName, string>>,
  anchorPems: string[],
): SignatureCheck {
  const out = notValid()
  const c = checkSignerInfo(parseSignedData(p7s))
  out.signingTime = c.signingTime
  out.signatureValid = c.signatureValid
  out.algorithm = c.digest === 'sm3' ? 'SM2-SM3' : c.digest === 'sha256' ? 'RSA-SHA256' : null
  const expected = c.digest ? digests[c.digest] : undefined
  out.digestMatches = !!expected && c.messageDigestHex === expected.toLowerCase()
  if (c.signer) {
    out.signerSubject = nameText(c.signer.subject)
    out.signerSerial = Buffer.from(c.signer.serialNumber.valueBlock.valueHexView).toString('hex')
    out.chainValid = chainsTo(c.signer, anchorPems, c.certificates)
  }
  out.valid = out.digestMatches && out.signatureValid && out.chainValid
  return out
}
