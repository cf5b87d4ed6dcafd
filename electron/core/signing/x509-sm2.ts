import crypto from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { OID, sm2Sign, sm2Spki, type Sm2Key } from './gm.ts'
import type { IssuedCert, NameParts } from './x509.ts'
import { certFromPem } from './cms.ts'
import { ab } from './bytes.ts'
import { randomPositive } from './integers.ts'

/*
 * SM2 certificates (SM2-with-SM3), built with pkijs because node-forge knows only RSA. Names are UTF8String,
 * as for RSA certificates, so `openssl x509 -nameopt utf8` prints the Chinese as written.
 */

function rdn(n: NameParts): pkijs.RelativeDistinguishedNames {
  const tv = (type: string, value: asn1js.BaseStringBlock | asn1js.PrintableString) =>
    new pkijs.AttributeTypeAndValue({ type, value })
  const out = [tv('2.5.4.6', new asn1js.PrintableString({ value: 'CN' }))]
  if (n.organization) out.push(tv('2.5.4.10', new asn1js.Utf8String({ value: n.organization })))
  out.push(tv('2.5.4.3', new asn1js.Utf8String({ value: n.commonName })))
  if (n.serialNumber) out.push(tv('2.5.4.5', new asn1js.PrintableString({ value: n.serialNumber })))
  // One attribute per RDN, as OpenSSL and node-forge write names; pkijs alone would put all in a single SET.
  const der = new asn1js.Sequence({ value: out.map((a) => new asn1js.Set({ value: [a.toSchema()] })) }).toBER(
    false,
  )
  return pkijs.RelativeDistinguishedNames.fromBER(der)
}

function ext(id: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID: id, critical, extnValue: value.toBER(false) })
}

function keyId(publicKeyHex: string): ArrayBuffer {
  return ab(crypto.createHash('sha1').update(Buffer.from(publicKeyHex, 'hex')).digest())
}

/** keyUsage bits, first bit = digitalSignature. */
function keyUsage(bits: number[]): asn1js.BitString {
  const b = new Uint8Array(2)
  for (const i of bits) b[i >> 3]! |= 0x80 >> (i & 7)
  const last = Math.max(...bits)
  const bytes = last < 8 ? b.subarray(0, 1) : b
  const unused = (bytes.length * 8 - 1 - last) % 8
  return new asn1js.BitString({ valueHex: ab(bytes), unusedBits: unused })
}

/** UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
export function x509Time(d: Date): pkijs.Time {
  return new pkijs.Time({ type: d.getUTCFullYear() >= 2050 ? 1 : 0, value: d })
}

export function issueSm2Certificate(opts: {
  subject: NameParts
  subjectPublicKeyHex: string
  issuer: { certPem: string; key: Sm2Key } | { self: Sm2Key }
  ca: boolean
  years: number
  now: Date
}): IssuedCert {
  const cert = new pkijs.Certificate()
  cert.version = 2
  const serial = randomPositive(16)
  cert.serialNumber = new asn1js.Integer({ valueHex: ab(serial) })
  // Whole seconds: RFC 5280 times carry no fractions, and OpenSSL rejects them.
  const notBefore = new Date(Math.floor(opts.now.getTime() / 1000) * 1000 - 5 * 60_000)
  const notAfter = new Date(Math.floor(opts.now.getTime() / 1000) * 1000)
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + opts.years)
  cert.notBefore = x509Time(notBefore)
  cert.notAfter = x509Time(notAfter)
  cert.subject = rdn(opts.subject)
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(sm2Spki(opts.subjectPublicKeyHex).toBER(false))
  const signingKey = 'self' in opts.issuer ? opts.issuer.self : opts.issuer.key
  const issuerCert = 'self' in opts.issuer ? null : certFromPem(opts.issuer.certPem)
  cert.issuer = issuerCert ? issuerCert.subject : rdn(opts.subject)
  const extensions = [
    ext('2.5.29.19', true, new pkijs.BasicConstraints({ cA: opts.ca }).toSchema()),
    ext('2.5.29.15', true, keyUsage(opts.ca ? [5, 6] : [0, 1])),
    ext('2.5.29.14', false, new asn1js.OctetString({ valueHex: keyId(opts.subjectPublicKeyHex) })),
  ]
  extensions.push(
    ext(
      '2.5.29.35',
      false,
      new pkijs.AuthorityKeyIdentifier({
        keyIdentifier: new asn1js.OctetString({ valueHex: keyId(signingKey.publicKeyHex) }),
      }).toSchema(),
    ),
  )
  cert.extensions = extensions
  cert.signature = new pkijs.AlgorithmIdentifier({ algorithmId: OID.sm2WithSm3 })
  cert.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID.sm2WithSm3 })
  const tbs = new Uint8Array(cert.encodeTBS().toBER(false))
  cert.signatureValue = new asn1js.BitString({ valueHex: ab(sm2Sign(tbs, signingKey)) })
  const der = Buffer.from(cert.toSchema(true).toBER(false))
  return { certPem: derToPem(der, 'CERTIFICATE'), serial: serial.toString('hex'), notBefore, notAfter }
}

export function derToPem(der: Buffer, label: string): string {
  return `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END ${label}-----\n`
}
