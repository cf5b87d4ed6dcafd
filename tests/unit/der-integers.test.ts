import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { issueCertificate, newRsaKeyPair } from '../../electron/core/signing/x509.ts'
import { issueSm2Certificate } from '../../electron/core/signing/x509-sm2.ts'
import { newSm2Key } from '../../electron/core/signing/gm.ts'
import { buildTimestampRequest } from '../../electron/core/signing/tsa.ts'
import { buildCrl } from '../../electron/core/signing/crl.ts'
import { minimalPositive, positiveFrom } from '../../electron/core/signing/integers.ts'
import { tempDir } from '../helpers/bridge.ts'
import { openssl } from '../helpers/openssl.ts'

/*
 * Random INTEGERs in what we sign (certificate serials, time-stamp nonces) and serials written back into the
 * CRL, checked with OpenSSL 3, which refuses a needless leading 0x00. The random bytes are forced to the rare
 * values (one draw in 256 for SM2 certificates and nonces, one in 65 536 for RSA certificates) that used to give
 * that form, so the check does not depend on luck.
 */

const NOW = new Date('2026-11-23T08:00:00.000Z')
const dir = tempDir('liuhen-der-')
const rsa = newRsaKeyPair(2048)
const sm2 = newSm2Key()

/** The next crypto.randomBytes(n) calls start with `prefix` (the rest stays random). */
function forceRandom(prefix: number[]) {
  const real = crypto.randomBytes.bind(crypto)
  vi.spyOn(crypto, 'randomBytes').mockImplementation(((n: number) => {
    const b = real(n)
    b.set(prefix.slice(0, n))
    return b
  }) as typeof crypto.randomBytes)
}

afterEach(() => {
  vi.restoreAllMocks()
})

const EDGES = [
  [0x00, 0x12],
  [0x80, 0x12],
  [0x00, 0x00, 0x12],
  [0x80, 0x00, 0x00],
  [0x00, 0x92],
  [0xff, 0xff],
]

function serialOf(pem: string, name: string): string {
  const file = path.join(dir, `${name}.pem`)
  fs.writeFileSync(file, pem)
  const r = openssl(['x509', '-noout', '-serial', '-in', file])
  expect(r.code, `${name}: ${r.out}`).toBe(0)
  return /serial=([0-9A-F]+)/.exec(r.out)![1]!
}

describe('random DER INTEGERs OpenSSL 3 reads', () => {
  test('the forced first byte keeps every draw positive, minimal and 16 bytes long', () => {
    for (let first = 0; first < 256; first++)
      for (const second of [0x00, 0x12, 0x7f, 0x80, 0xff]) {
        const b = positiveFrom(Uint8Array.from([first, second, ...Array<number>(14).fill(0)]))
        expect(b).toHaveLength(16)
        expect(b[0]! >= 0x40 && b[0]! <= 0x7f, `${first}/${second}`).toBe(true)
        expect(b[1]).toBe(second)
      }
  })

  test.each(EDGES)('SM2 and RSA certificates with random bytes %#: OpenSSL loads them', (...prefix) => {
    const name = prefix.map((x) => x.toString(16).padStart(2, '0')).join('')
    forceRandom(prefix)
    const sm2Cert = issueSm2Certificate({
      subject: { commonName: '福州市医疗保障局电子证据根证书', organization: '福州市医疗保障局' },
      subjectPublicKeyHex: sm2.publicKeyHex,
      issuer: { self: sm2 },
      ca: true,
      years: 20,
      now: NOW,
    })
    const rsaCert = issueCertificate({
      subject: { commonName: '福州市医疗保障局电子证据根证书', organization: '福州市医疗保障局' },
      subjectPublicKeyPem: rsa.publicKeyPem,
      issuer: 'self',
      selfPrivateKeyPem: rsa.privateKeyPem,
      ca: true,
      years: 20,
      now: NOW,
    })
    vi.restoreAllMocks()
    for (const [kind, cert] of [
      ['sm2', sm2Cert],
      ['rsa', rsaCert],
    ] as const) {
      const serial = serialOf(cert.certPem, `${kind}-${name}`)
      // 16 bytes, none of them padding: the serial the core stores is the one OpenSSL prints.
      expect(serial).toHaveLength(32)
      expect(serial.toLowerCase()).toBe(cert.serial.toLowerCase())
    }
  })

  test.each(EDGES)('a time-stamp request with random bytes %# is one `openssl ts` reads', (...prefix) => {
    forceRandom(prefix)
    const req = buildTimestampRequest('ab'.repeat(32))
    vi.restoreAllMocks()
    const file = path.join(dir, `req-${req.nonceHex}.tsq`)
    fs.writeFileSync(file, req.der)
    const r = openssl(['ts', '-query', '-in', file, '-text'])
    expect(r.code, r.out).toBe(0)
    expect(r.out.replace(/\s/g, '').toLowerCase()).toContain(`nonce:0x${req.nonceHex}`)
  })

  test('a revoked serial that lost its leading zero in storage is listed as that certificate’s serial, not a negative one', () => {
    // What the database holds for a certificate whose DER serial is 00 9f…: OpenSSL prints it without the zero.
    const stored = `9f${'11'.repeat(15)}`
    expect(minimalPositive(stored).toString('hex')).toBe(`00${stored}`)
    expect(minimalPositive('0a01').toString('hex')).toBe('0a01')
    expect(minimalPositive('a01').toString('hex')).toBe('0a01')
    const root = issueCertificate({
      subject: { commonName: '根证书', organization: '福州市医疗保障局' },
      subjectPublicKeyPem: rsa.publicKeyPem,
      issuer: 'self',
      selfPrivateKeyPem: rsa.privateKeyPem,
      ca: true,
      years: 20,
      now: NOW,
    })
    const crl = buildCrl({
      rootCertPem: root.certPem,
      key: { kind: 'rsa', privateKeyPem: rsa.privateKeyPem },
      revoked: [{ serialHex: stored, revokedAt: NOW, reason: 'keyCompromise' }],
      crlNumber: 1,
      now: NOW,
      nextUpdateDays: 30,
    })
    const file = path.join(dir, 'agency.crl')
    fs.writeFileSync(file, crl.der)
    const r = openssl(['crl', '-inform', 'DER', '-in', file, '-noout', '-text'])
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain(`Serial Number: ${stored.toUpperCase()}`)
  })
})
