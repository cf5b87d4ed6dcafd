import crypto from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { pemToDer } from './x509.ts'

/*
 * Detached CMS SignedData over a digest computed elsewhere (during the ingest copy), so a 6 GB video is never
 * read again to be signed. Signed attributes: contentType, signingTime, messageDigest. The result is what
 * `openssl cms -verify -binary -inform DER -in F.p7s -content F -CAfile root.pem` accepts.
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

function certFromPem(pem: string): pkijs.Certificate {
  return pkijs.Certificate.fromBER(pemToDer(pem))
}

const ab = (b: Buffer): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer

export function signDetachedDigest(opts: {
  sha256Hex: string
  signerCertPem: string
  chainPems: string[]
  privateKeyPem: string
  signingTime: Date
}): Buffer {
  const signer = certFromPem(opts.signerCertPem)
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
        values: [new asn1js.OctetString({ valueHex: ab(Buffer.from(opts.sha256Hex, 'hex')) })],
      }),
    ],
  })
  // What is signed is the DER of the attributes as a SET (tag 0x31), not the [0] IMPLICIT form they are stored in.
  const encoded = Buffer.from(signedAttrs.toSchema().toBER(false))
  encoded[0] = 0x31
  const signature = crypto.sign('sha256', encoded, crypto.createPrivateKey(opts.privateKeyPem))

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: signer.issuer, serialNumber: signer.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: OID.rsaEncryption,
      algorithmParams: new asn1js.Null(),
    }),
    signature: new asn1js.OctetString({ valueHex: ab(signature) }),
  })
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [signer, ...opts.chainPems.map(certFromPem)],
    signerInfos: [signerInfo],
  })
  const contentInfo = new pkijs.ContentInfo({
    contentType: OID.signedData,
    content: signedData.toSchema(true),
  })
  return Buffer.from(contentInfo.toSchema().toBER(false))
}

export interface SignatureCheck {
  /** messageDigest equals the file's SHA-256 and the signature over the attributes verifies. */
  valid: boolean
  digestMatches: boolean
  signatureValid: boolean
  /** The signer certificate was issued by one of the trust anchors. */
  chainValid: boolean
  signerSubject: string | null
  signingTime: string | null
}

export function notValid(): SignatureCheck {
  return {
    valid: false,
    digestMatches: false,
    signatureValid: false,
    chainValid: false,
    signerSubject: null,
    signingTime: null,
  }
}

/** Check a detached signature against a digest computed by the caller (streamed), and the trust anchors. */
export function verifyDetachedDigest(p7s: Buffer, sha256Hex: string, anchorPems: string[]): SignatureCheck {
  const out = notValid()
  const ci = pkijs.ContentInfo.fromBER(ab(p7s))
  const sd = new pkijs.SignedData({ schema: ci.content })
  const si = sd.signerInfos[0]
  if (!si?.signedAttrs) return out
  const certs = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
  const sid = si.sid as pkijs.IssuerAndSerialNumber
  const signer = certs.find((c) => c.serialNumber.isEqual(sid.serialNumber) && c.issuer.isEqual(sid.issuer))
  if (!signer) return out
  for (const a of si.signedAttrs.attributes) {
    if (a.type === OID.messageDigest) {
      const v = Buffer.from((a.values[0] as asn1js.OctetString).valueBlock.valueHexView)
      out.digestMatches = v.toString('hex') === sha256Hex.toLowerCase()
    }
    if (a.type === OID.signingTime) out.signingTime = (a.values[0] as asn1js.UTCTime).toDate().toISOString()
  }
  const encoded = Buffer.from(si.signedAttrs.toSchema().toBER(false))
  encoded[0] = 0x31
  const spki = Buffer.from(signer.subjectPublicKeyInfo.toSchema().toBER(false))
  const key = crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' })
  out.signatureValid = crypto.verify(
    'sha256',
    encoded,
    key,
    Buffer.from(si.signature.valueBlock.valueHexView),
  )
  const signerX509 = new crypto.X509Certificate(Buffer.from(signer.toSchema().toBER(false)))
  out.signerSubject = signerX509.subject.replace(/\n/g, ', ')
  out.chainValid = anchorPems.some((pem) => {
    const anchor = new crypto.X509Certificate(pem)
    return signerX509.checkIssued(anchor) && signerX509.verify(anchor.publicKey)
  })
  out.valid = out.digestMatches && out.signatureValid && out.chainValid
  return out
}
