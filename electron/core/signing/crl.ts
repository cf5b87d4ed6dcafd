import crypto from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { certFromPem, type SigningKey } from './cms.ts'
import { OID as GM, sm2Sign } from './gm.ts'
import { derToPem, x509Time } from './x509-sm2.ts'
import { ab } from './bytes.ts'
import { minimalPositive } from './integers.ts'

/*
 * The certificate revocation list the agency root publishes (RFC 5280), signed with the root key: what
 * `openssl crl -CAfile root.pem` and `openssl verify -crl_check -CRLfile` read.
 */

const REASON_CODE: Record<string, number> = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
}

export interface Revoked {
  serialHex: string
  revokedAt: Date
  reason: keyof typeof REASON_CODE
}

const time = (d: Date) => x509Time(new Date(Math.floor(d.getTime() / 1000) * 1000))

export function buildCrl(opts: {
  rootCertPem: string
  key: SigningKey
  revoked: Revoked[]
  crlNumber: number
  now: Date
  nextUpdateDays: number
}): { der: Buffer; pem: string } {
  const root = certFromPem(opts.rootCertPem)
  const crl = new pkijs.CertificateRevocationList()
  crl.version = 1
  crl.issuer = root.subject
  crl.thisUpdate = time(opts.now)
  crl.nextUpdate = time(new Date(opts.now.getTime() + opts.nextUpdateDays * 86_400_000))
  if (opts.revoked.length)
    crl.revokedCertificates = opts.revoked.map(
      (r) =>
        new pkijs.RevokedCertificate({
          // The stored serial has lost its leading zeros: written back as is, 00 9f… would become the
          // negative 9f…, a number no certificate has, and the revoked certificate would pass OpenSSL's check.
          userCertificate: new asn1js.Integer({ valueHex: ab(minimalPositive(r.serialHex)) }),
          revocationDate: time(r.revokedAt),
          crlEntryExtensions: new pkijs.Extensions({
            extensions: [
              new pkijs.Extension({
                extnID: '2.5.29.21',
                critical: false,
                extnValue: new asn1js.Enumerated({ value: REASON_CODE[r.reason] ?? 0 }).toBER(false),
              }),
            ],
          }),
        }),
    )
  const ski = root.extensions?.find((e) => e.extnID === '2.5.29.14')
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [
      new pkijs.Extension({
        extnID: '2.5.29.20',
        critical: false,
        extnValue: new asn1js.Integer({ value: opts.crlNumber }).toBER(false),
      }),
      ...(ski
        ? [
            new pkijs.Extension({
              extnID: '2.5.29.35',
              critical: false,
              extnValue: new pkijs.AuthorityKeyIdentifier({
                keyIdentifier: asn1js.fromBER(ski.extnValue.valueBlock.valueHexView)
                  .result as asn1js.OctetString,
              })
                .toSchema()
                .toBER(false),
            }),
          ]
        : []),
    ],
  })
  const alg =
    opts.key.kind === 'sm2'
      ? new pkijs.AlgorithmIdentifier({ algorithmId: GM.sm2WithSm3 })
      : new pkijs.AlgorithmIdentifier({
          algorithmId: '1.2.840.113549.1.1.11',
          algorithmParams: new asn1js.Null(),
        })
  crl.signature = alg
  crl.signatureAlgorithm = alg
  const tbs = new Uint8Array((crl as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER(false))
  const sig =
    opts.key.kind === 'sm2'
      ? sm2Sign(tbs, opts.key.key)
      : crypto.sign('sha256', tbs, crypto.createPrivateKey(opts.key.privateKeyPem))
  crl.signatureValue = new asn1js.BitString({ valueHex: ab(sig) })
  const der = Buffer.from(crl.toSchema(true).toBER(false))
  return { der, pem: derToPem(der, 'X509 CRL') }
}

export const REVOCATION_REASONS = Object.keys(REASON_CODE) as (keyof typeof REASON_CODE)[]
