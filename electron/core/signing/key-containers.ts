import crypto from 'node:crypto'
import forge from 'node-forge'

/*
 * Every private key Liuhen keeps is wrapped the same way: PKCS#8 EncryptedPrivateKeyInfo, PBES2 with
 * PBKDF2-HMAC-SHA256 at KDF_ITERATIONS and AES-256-CBC (what OpenSSL 3 writes, at OWASP's 2023 cost), derived
 * by Node's native PBKDF2 — node-forge would run the same 600 000 rounds in JavaScript, seconds per unlock.
 *  - the root key: that PEM;
 *  - an SM2 officer key: that PEM (PKCS#12 tools do not take SM2 keys);
 *  - an RSA officer key: PKCS#12 whose one key bag is that EncryptedPrivateKeyInfo. It has no MAC: a PKCS#12
 *    MAC is keyed from the same PIN by the PKCS#12 KDF, and at the iteration counts tools write (2048) it is
 *    a far cheaper way to test a guess than the key bag. `openssl pkcs12 -info` reads it ("MAC is absent").
 * Containers written before (2048 rounds; SM2 keys at 100 000) still open; a new issue writes the new form.
 * The PIN is the only secret; the cost per guess is what protects a 6-digit PIN in a copied database.
 */

export const KDF_ITERATIONS = 600_000

const OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA512: '1.2.840.113549.2.11',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  data: '1.2.840.113549.1.7.1',
  certBag: '1.2.840.113549.1.12.10.1.3',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
} as const

const PRF: Record<string, string> = {
  [OID.hmacWithSHA1]: 'sha1',
  [OID.hmacWithSHA256]: 'sha256',
  [OID.hmacWithSHA512]: 'sha512',
}
const CIPHER: Record<string, { name: string; keyLength: number }> = {
  [OID.aes128Cbc]: { name: 'aes-128-cbc', keyLength: 16 },
  [OID.aes192Cbc]: { name: 'aes-192-cbc', keyLength: 24 },
  [OID.aes256Cbc]: { name: 'aes-256-cbc', keyLength: 32 },
}

/** A container in a form this module does not read natively (the caller falls back to node-forge). */
export class UnsupportedContainer extends Error {}
/** The passphrase does not open the container. */
export class WrongPassphrase extends Error {}

const { asn1 } = forge
const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items)
const set = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items)
const oid = (o: string) =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(o).getBytes())
const octets = (b: Buffer) =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, b.toString('binary'))
const int = (n: number) =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes())
const explicit0 = (inner: forge.asn1.Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [inner])
const der = (a: forge.asn1.Asn1) => Buffer.from(asn1.toDer(a).getBytes(), 'binary')
const parse = (b: Buffer) => asn1.fromDer(forge.util.createBuffer(b.toString('binary')), false)
const children = (a: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] => {
  if (!a || !Array.isArray(a.value)) throw new UnsupportedContainer('not a sequence')
  return a.value
}
const bytesOf = (a: forge.asn1.Asn1 | undefined): Buffer => {
  if (!a || typeof a.value !== 'string') throw new UnsupportedContainer('not a primitive')
  return Buffer.from(a.value, 'binary')
}
const oidOf = (a: forge.asn1.Asn1 | undefined) =>
  asn1.derToOid(forge.util.createBuffer(bytesOf(a).toString('binary')))

/** EncryptedPrivateKeyInfo (DER) over a PrivateKeyInfo (DER). */
export function encryptPrivateKeyInfo(privateKeyInfo: Buffer, passphrase: string): Buffer {
  const salt = crypto.randomBytes(16)
  const iv = crypto.randomBytes(16)
  const key = crypto.pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, KDF_ITERATIONS, 32, 'sha256')
  const c = crypto.createCipheriv('aes-256-cbc', key, iv)
  const encrypted = Buffer.concat([c.update(privateKeyInfo), c.final()])
  return der(
    seq([
      seq([
        oid(OID.pbes2),
        seq([
          seq([
            oid(OID.pbkdf2),
            seq([
              octets(salt),
              int(KDF_ITERATIONS),
              int(32),
              seq([oid(OID.hmacWithSHA256), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]),
            ]),
          ]),
          seq([oid(OID.aes256Cbc), octets(iv)]),
        ]),
      ]),
      octets(encrypted),
    ]),
  )
}

/** The KDF parameters of an EncryptedPrivateKeyInfo (for checks and tests). */
export function kdfOf(encryptedPrivateKeyInfo: Buffer): { iterations: number; prf: string; cipher: string } {
  const p = pbes2Params(parse(encryptedPrivateKeyInfo))
  return { iterations: p.iterations, prf: p.prf, cipher: p.cipher.name }
}

function pbes2Params(epki: forge.asn1.Asn1) {
  const [alg, data] = children(epki)
  const [algOid, params] = children(alg)
  if (oidOf(algOid) !== OID.pbes2) throw new UnsupportedContainer('not PBES2')
  const [kdf, scheme] = children(params)
  const [kdfOid, kdfParams] = children(kdf)
  if (oidOf(kdfOid) !== OID.pbkdf2) throw new UnsupportedContainer('not PBKDF2')
  const kp = children(kdfParams)
  const salt = bytesOf(kp[0])
  const iterations = Number.parseInt(bytesOf(kp[1]).toString('hex'), 16)
  // keyLength is optional; the PRF (optional too, default HMAC-SHA1) is the one SEQUENCE among the rest.
  const prfSeq = kp.slice(2).find((a) => a.type === asn1.Type.SEQUENCE)
  const prf = prfSeq ? PRF[oidOf(children(prfSeq)[0])] : 'sha1'
  const [cipherOid, ivNode] = children(scheme)
  const cipher = CIPHER[oidOf(cipherOid)]
  if (!prf || !cipher || !(iterations > 0) || iterations > 10_000_000)
    throw new UnsupportedContainer('unsupported PBES2 parameters')
  return { salt, iterations, prf, cipher, iv: bytesOf(ivNode), data: bytesOf(data) }
}

/** PrivateKeyInfo (DER) from an EncryptedPrivateKeyInfo (DER); WrongPassphrase when it does not open. */
export function decryptPrivateKeyInfo(encryptedPrivateKeyInfo: Buffer, passphrase: string): Buffer {
  const p = pbes2Params(parse(encryptedPrivateKeyInfo))
  const key = crypto.pbkdf2Sync(
    Buffer.from(passphrase, 'utf8'),
    p.salt,
    p.iterations,
    p.cipher.keyLength,
    p.prf,
  )
  let plain: Buffer
  try {
    const d = crypto.createDecipheriv(p.cipher.name, key, p.iv)
    plain = Buffer.concat([d.update(p.data), d.final()])
  } catch {
    throw new WrongPassphrase()
  }
  // Padding alone passes one wrong key in 256: the plaintext must also be a DER SEQUENCE filling it exactly.
  try {
    const a = parse(plain)
    if (a.type !== asn1.Type.SEQUENCE || der(a).length !== plain.length) throw new Error('trailing bytes')
  } catch {
    throw new WrongPassphrase()
  }
  return plain
}

export function encryptedKeyPem(epki: Buffer): string {
  const b64 = epki.toString('base64').replace(/(.{64})/g, '$1\n')
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ENCRYPTED PRIVATE KEY-----\n`
}

export function encryptedKeyDer(pem: string): Buffer {
  const m = /-----BEGIN ENCRYPTED PRIVATE KEY-----([\s\S]+?)-----END ENCRYPTED PRIVATE KEY-----/.exec(pem)
  if (!m) throw new UnsupportedContainer('not an encrypted PKCS#8 PEM')
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')
}

/**
 * PKCS#12 holding an RSA key (PKCS#8 DER) and its chain, own certificate first: certificates in plain `data`,
 * the key in one shrouded key bag (see the header for why there is no MAC).
 */
export function writePkcs12(
  privateKeyInfo: Buffer,
  chainDer: Buffer[],
  pin: string,
  friendlyName: string,
): Buffer {
  const attrs = set([
    seq([oid(OID.localKeyId), set([octets(crypto.createHash('sha1').update(chainDer[0]!).digest())])]),
    seq([
      oid(OID.friendlyName),
      set([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, friendlyName)]),
    ]),
  ])
  const certBags = chainDer.map((c, i) =>
    seq([
      oid(OID.certBag),
      explicit0(seq([oid(OID.x509Certificate), explicit0(octets(c))])),
      ...(i === 0 ? [attrs] : []),
    ]),
  )
  const keyBag = seq([
    oid(OID.shroudedKeyBag),
    explicit0(parse(encryptPrivateKeyInfo(privateKeyInfo, pin))),
    attrs,
  ])
  const dataInfo = (content: forge.asn1.Asn1) => seq([oid(OID.data), explicit0(octets(der(content)))])
  const authSafe = seq([dataInfo(seq(certBags)), dataInfo(seq([keyBag]))])
  return der(seq([int(3), dataInfo(authSafe)]))
}

/**
 * Open a PKCS#12 whose contents are plain `data` with PBES2 key bags (what writePkcs12 and OpenSSL 3 write),
 * natively. UnsupportedContainer for anything else (encrypted certificate bags, legacy PBEs): the caller then
 * uses node-forge, which also checks the MAC those files carry.
 */
export function readPkcs12(p12: Buffer, pin: string): { privateKeyInfo: Buffer; certsDer: Buffer[] } {
  let pfx: forge.asn1.Asn1
  try {
    pfx = parse(p12)
  } catch {
    throw new UnsupportedContainer('not DER')
  }
  const top = children(pfx)
  // A MAC, when present, is left to node-forge (it verifies it); ours carry none.
  if (top.length > 2) throw new UnsupportedContainer('has a MAC')
  const dataContent = (ci: forge.asn1.Asn1 | undefined): Buffer => {
    const [type, content] = children(ci)
    if (oidOf(type) !== OID.data) throw new UnsupportedContainer('not plain data')
    const inner = children(content)[0]
    // BER may split the OCTET STRING into pieces.
    if (inner && Array.isArray(inner.value)) return Buffer.concat(inner.value.map((p) => bytesOf(p)))
    return bytesOf(inner)
  }
  const certsDer: Buffer[] = []
  let privateKeyInfo: Buffer | null = null
  for (const ci of children(parse(dataContent(top[1])))) {
    for (const bag of children(parse(dataContent(ci)))) {
      const [bagId, value] = children(bag)
      const id = oidOf(bagId)
      if (id === OID.certBag) {
        const [certId, certValue] = children(children(value)[0])
        if (oidOf(certId) === OID.x509Certificate) certsDer.push(bytesOf(children(certValue)[0]))
      } else if (id === OID.shroudedKeyBag && !privateKeyInfo) {
        privateKeyInfo = decryptPrivateKeyInfo(der(children(value)[0]!), pin)
      }
    }
  }
  if (!privateKeyInfo) throw new UnsupportedContainer('no key bag')
  return { privateKeyInfo, certsDer }
}
