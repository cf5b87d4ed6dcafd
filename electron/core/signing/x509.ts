import crypto from 'node:crypto'
import forge from 'node-forge'
import { randomPositive } from './integers.ts'
import {
  decryptPrivateKeyInfo,
  encryptedKeyDer,
  encryptedKeyPem,
  encryptPrivateKeyInfo,
  readPkcs12,
  UnsupportedContainer,
  writePkcs12,
} from './key-containers.ts'

/*
 * Keys and certificates. Key pairs come from Node's crypto (fast, native in Electron too); node-forge builds
 * the X.509 certificates and PKCS#12 files. Chinese names are written as UTF8String: node-forge must be told
 * the tag, is given the JS string (it encodes it), and hands names it parsed back as raw UTF-8 bytes, which must
 * be decoded before they are written again (the issuer of a certificate it signs), or the result is mojibake.
 */

export interface NameParts {
  commonName: string
  organization?: string
  /** 执法证号 for officers. */
  serialNumber?: string
}

function attrs(n: NameParts): forge.pki.CertificateField[] {
  const utf8 = (shortName: string, value: string): forge.pki.CertificateField => ({
    shortName,
    value,
    valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class,
  })
  const out: forge.pki.CertificateField[] = [{ shortName: 'C', value: 'CN' }]
  if (n.organization) out.push(utf8('O', n.organization))
  out.push(utf8('CN', n.commonName))
  if (n.serialNumber)
    out.push({
      name: 'serialNumber',
      value: n.serialNumber,
      valueTagClass: forge.asn1.Type.PRINTABLESTRING as unknown as forge.asn1.Class,
    })
  return out
}

export function newRsaKeyPair(bits: number): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicExponent: 0x10001,
  })
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

export interface IssuedCert {
  certPem: string
  serial: string
  notBefore: Date
  notAfter: Date
}

export function issueCertificate(opts: {
  subject: NameParts
  subjectPublicKeyPem: string
  issuer: { certPem: string; privateKeyPem: string } | 'self'
  selfPrivateKeyPem?: string
  ca: boolean
  years: number
  now: Date
}): IssuedCert {
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(opts.subjectPublicKeyPem)
  cert.serialNumber = randomPositive(16).toString('hex')
  const notBefore = new Date(opts.now.getTime() - 5 * 60_000)
  const notAfter = new Date(opts.now)
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + opts.years)
  cert.validity.notBefore = notBefore
  cert.validity.notAfter = notAfter
  cert.setSubject(attrs(opts.subject))
  let signingKey: forge.pki.rsa.PrivateKey
  if (opts.issuer === 'self') {
    cert.setIssuer(attrs(opts.subject))
    signingKey = forge.pki.privateKeyFromPem(opts.selfPrivateKeyPem!) as forge.pki.rsa.PrivateKey
  } else {
    const issuerCert = forge.pki.certificateFromPem(opts.issuer.certPem)
    cert.setIssuer(
      issuerCert.subject.attributes.map((a) => ({
        type: a.type,
        value:
          (a.valueTagClass as unknown as number) === forge.asn1.Type.UTF8
            ? forge.util.decodeUtf8(a.value as string)
            : a.value,
        valueTagClass: a.valueTagClass,
      })) as forge.pki.CertificateField[],
    )
    signingKey = forge.pki.privateKeyFromPem(opts.issuer.privateKeyPem) as forge.pki.rsa.PrivateKey
  }
  const extensions: object[] = opts.ca
    ? [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ]
    : [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ]
  if (opts.issuer !== 'self') {
    const issuerCert = forge.pki.certificateFromPem(opts.issuer.certPem)
    extensions.push({
      name: 'authorityKeyIdentifier',
      keyIdentifier: issuerCert.generateSubjectKeyIdentifier().getBytes(),
    })
  }
  cert.setExtensions(extensions)
  cert.sign(signingKey, forge.md.sha256.create())
  return { certPem: forge.pki.certificateToPem(cert), serial: cert.serialNumber, notBefore, notAfter }
}

const pkcs8Der = (pem: string) => crypto.createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' })
const pkcs8Pem = (der: Buffer) =>
  crypto
    .createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString()

/** Encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA256, AES-256; key-containers.ts): the root key on disk. */
export function encryptPrivateKey(privateKeyPem: string, passphrase: string): string {
  return encryptedKeyPem(encryptPrivateKeyInfo(pkcs8Der(privateKeyPem), passphrase))
}

export function decryptPrivateKey(encryptedPem: string, passphrase: string): string {
  try {
    return pkcs8Pem(decryptPrivateKeyInfo(encryptedKeyDer(encryptedPem), passphrase))
  } catch (e) {
    if (!(e instanceof UnsupportedContainer)) throw e
  }
  // Other forms (written by other tools): OpenSSL's own reader.
  return crypto
    .createPrivateKey({ key: encryptedPem, passphrase })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString()
}

/** An officer's key and chain (own certificate first) as PKCS#12, unlocked by the officer's PIN. */
export function toPkcs12(
  privateKeyPem: string,
  chainPem: string[],
  pin: string,
  friendlyName: string,
): Buffer {
  return writePkcs12(pkcs8Der(privateKeyPem), chainPem.map(pemToDer), pin, friendlyName)
}

export function fromPkcs12(p12: Buffer, pin: string): { privateKeyPem: string; certPems: string[] } {
  try {
    const { privateKeyInfo, certsDer } = readPkcs12(p12, pin)
    return {
      privateKeyPem: pkcs8Pem(privateKeyInfo),
      // The same PEM text node-forge writes (certificateToPem), so chains compare equal to stored ones.
      certPems: certsDer.map((d) =>
        forge.pem.encode({ type: 'CERTIFICATE', body: d.toString('binary') }, { maxline: 64 }),
      ),
    }
  } catch (e) {
    if (!(e instanceof UnsupportedContainer)) throw e
  }
  // Containers made before (2048 rounds, with a MAC) and imported ones: node-forge, which checks the MAC.
  const asn1 = forge.asn1.fromDer(p12.toString('binary'))
  const p = forge.pkcs12.pkcs12FromAsn1(asn1, false, pin)
  const keyBag = p.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[
    forge.pki.oids.pkcs8ShroudedKeyBag!
  ]?.[0]
  const certBags = p.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? []
  if (!keyBag?.key) throw new Error('no key in PKCS#12')
  return {
    privateKeyPem: forge.pki.privateKeyToPem(keyBag.key),
    certPems: certBags.filter((b) => b.cert).map((b) => forge.pki.certificateToPem(b.cert!)),
  }
}

export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
}
