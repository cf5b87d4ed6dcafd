import crypto from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { chainsTo, checkSignerInfo, nameText } from './cms.ts'
import { ab } from './bytes.ts'
import { randomPositive } from './integers.ts'

/*
 * RFC 3161 time-stamps. The imprint is the SHA-256 of the evidence file itself (already computed during the
 * ingest copy), so anyone can check "this exact file existed at that time" with
 * `openssl ts -verify -in F.tsr -data F -CAfile tsa-ca.pem`. The whole TimeStampResp is kept (.tsr), which is
 * what `openssl ts -verify -in` expects by default.
 */

const SHA256 = '2.16.840.1.101.3.4.2.1'

export interface TimestampRequest {
  der: Buffer
  nonceHex: string
}

export function buildTimestampRequest(sha256Hex: string): TimestampRequest {
  const nonce = randomPositive(8)
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: ab(Buffer.from(sha256Hex, 'hex')) }),
    }),
    nonce: new asn1js.Integer({ valueHex: ab(nonce) }),
    certReq: true,
  })
  return { der: Buffer.from(req.toSchema().toBER(false)), nonceHex: nonce.toString('hex') }
}

/** POST the request to the agency's TSA. Any failure (no answer, HTTP error, timeout) throws. */
export async function fetchTimestamp(url: string, req: Buffer, timeoutMs = 10_000): Promise<Buffer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/timestamp-query' },
    body: new Uint8Array(req),
    signal: AbortSignal.timeout(timeoutMs),
  })
  if (!res.ok) throw new Error(`TSA answered HTTP ${res.status}`)
  return Buffer.from(await res.arrayBuffer())
}

export interface TimestampInfo {
  genTime: string
  serial: string
  tsaSubject: string | null
  /** The token's CMS signature verifies with the TSA certificate it carries. */
  signatureValid: boolean
  /** That certificate chains to one of the configured TSA trust anchors. */
  chainValid: boolean
  imprintMatches: boolean
}

function hexOf(v: { valueBlock: { valueHexView: Uint8Array } }): string {
  return Buffer.from(v.valueBlock.valueHexView).toString('hex')
}

/**
 * Parse and check a TimeStampResp against the digest it should cover (and the nonce we sent, when known).
 * Throws when the response is not a granted token at all.
 */
export function checkTimestamp(
  tsr: Buffer,
  sha256Hex: string,
  anchorPems: string[],
  nonceHex?: string,
): TimestampInfo {
  const resp = pkijs.TimeStampResp.fromBER(ab(tsr))
  if (resp.status.status > 1 || !resp.timeStampToken) {
    const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ')
    throw new Error(`TSA refused (status ${resp.status.status}${text ? `: ${text}` : ''})`)
  }
  const sd = new pkijs.SignedData({ schema: resp.timeStampToken.content })
  const eContent = sd.encapContentInfo.eContent
  if (!eContent) throw new Error('time-stamp token without TSTInfo')
  const tst = pkijs.TSTInfo.fromBER(eContent.getValue())
  if (nonceHex !== undefined && (!tst.nonce || BigInt(`0x${hexOf(tst.nonce)}`) !== BigInt(`0x${nonceHex}`)))
    throw new Error('TSA answered with another nonce')
  const imprintMatches =
    tst.messageImprint.hashAlgorithm.algorithmId === SHA256 &&
    hexOf(tst.messageImprint.hashedMessage) === sha256Hex.toLowerCase()
  const c = checkSignerInfo(sd)
  const signedDigest = c.digest && c.digest !== 'sm3' ? c.digest : 'sha256'
  const contentDigest = crypto
    .createHash(signedDigest)
    .update(new Uint8Array(eContent.getValue()))
    .digest('hex')
  const signatureValid = c.signatureValid && c.messageDigestHex === contentDigest
  const chainValid = !!c.signer && chainsTo(c.signer, anchorPems, c.certificates)
  return {
    genTime: tst.genTime.toISOString(),
    serial: hexOf(tst.serialNumber),
    tsaSubject: c.signer ? nameText(c.signer.subject) : null,
    signatureValid,
    chainValid,
    imprintMatches,
  }
}
