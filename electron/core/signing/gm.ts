import * as asn1js from 'asn1js'
import forge from 'node-forge'
import { createSM3, type IHasher } from 'hash-wasm'
import { sm2, sm3 } from 'sm-crypto-v2'
import { ab } from './bytes.ts'
import {
  decryptPrivateKeyInfo,
  encryptedKeyDer,
  encryptedKeyPem,
  encryptPrivateKeyInfo,
  UnsupportedContainer,
} from './key-containers.ts'

/*
 * 国密: SM2 keys and signatures (sm-crypto-v2) and SM3 digests (hash-wasm, which streams). Both are JS/WASM
 * because Electron's BoringSSL has neither. Every SM2 signature uses the standard user ID 1234567812345678
 * (GB/T 35276), which is what `openssl ... -sigopt distid:1234567812345678` expects.
 */

export const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  sm2Curve: '1.2.156.10197.1.301',
  sm2WithSm3: '1.2.156.10197.1.501',
  sm3: '1.2.156.10197.1.401',
}

export const SM2_USER_ID = '1234567812345678'

export interface Sm2Key {
  privateKeyHex: string
  /** Uncompressed point, 04 || X || Y. */
  publicKeyHex: string
}

export function newSm2Key(): Sm2Key {
  const k = sm2.generateKeyPairHex()
  return { privateKeyHex: k.privateKey, publicKeyHex: k.publicKey }
}

/** DER signature (SEQUENCE of r, s) over SM3(Z || data). */
export function sm2Sign(data: Uint8Array, key: Sm2Key): Buffer {
  return Buffer.from(
    sm2.doSignature(data, key.privateKeyHex, {
      der: true,
      hash: true,
      publicKey: key.publicKeyHex,
      userId: SM2_USER_ID,
    }),
    'hex',
  )
}

export function sm2Verify(data: Uint8Array, signatureDer: Uint8Array, publicKeyHex: string): boolean {
  try {
    return sm2.doVerifySignature(data, Buffer.from(signatureDer).toString('hex'), publicKeyHex, {
      der: true,
      hash: true,
      userId: SM2_USER_ID,
    })
  } catch {
    return false
  }
}

/** SubjectPublicKeyInfo for an SM2 public key (id-ecPublicKey with the SM2 curve), as OpenSSL writes it. */
export function sm2Spki(publicKeyHex: string): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.ObjectIdentifier({ value: OID.ecPublicKey }),
          new asn1js.ObjectIdentifier({ value: OID.sm2Curve }),
        ],
      }),
      new asn1js.BitString({ valueHex: ab(Buffer.from(publicKeyHex, 'hex')) }),
    ],
  })
}

/** The public key of an SPKI if it is an SM2 key, else null. */
export function sm2PublicKeyOf(spkiDer: Uint8Array): string | null {
  const parsed = asn1js.fromBER(ab(spkiDer))
  if (parsed.offset === -1) return null
  const seq = parsed.result as asn1js.Sequence
  const alg = seq.valueBlock.value[0] as asn1js.Sequence | undefined
  const curve = alg?.valueBlock.value[1]
  if (!(curve instanceof asn1js.ObjectIdentifier) || curve.valueBlock.toString() !== OID.sm2Curve) return null
  const bits = seq.valueBlock.value[1] as asn1js.BitString
  return Buffer.from(bits.valueBlock.valueHexView).toString('hex')
}

/** PKCS#8 PrivateKeyInfo (RFC 5915 ECPrivateKey inside), the form OpenSSL reads and writes for SM2 keys. */
function sm2Pkcs8(key: Sm2Key): Buffer {
  const ecPrivateKey = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 1 }),
      new asn1js.OctetString({ valueHex: ab(Buffer.from(key.privateKeyHex.padStart(64, '0'), 'hex')) }),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 1 },
        value: [new asn1js.BitString({ valueHex: ab(Buffer.from(key.publicKeyHex, 'hex')) })],
      }),
    ],
  })
  const info = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Sequence({
        value: [
          new asn1js.ObjectIdentifier({ value: OID.ecPublicKey }),
          new asn1js.ObjectIdentifier({ value: OID.sm2Curve }),
        ],
      }),
      new asn1js.OctetString({ valueHex: ecPrivateKey.toBER(false) }),
    ],
  })
  return Buffer.from(info.toBER(false))
}

/**
 * Encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC; key-containers.ts) over the SM2 PrivateKeyInfo:
 * Node's key objects cannot hold it because Electron's BoringSSL does not know the SM2 curve.
 * `openssl pkey -in key.pem` opens it with the passphrase.
 */
export function encryptSm2Key(key: Sm2Key, passphrase: string): string {
  return encryptedKeyPem(encryptPrivateKeyInfo(sm2Pkcs8(key), passphrase))
}

/** Throws when the passphrase is wrong. */
export function decryptSm2Key(pem: string, passphrase: string): Sm2Key {
  let der: Buffer
  try {
    der = decryptPrivateKeyInfo(encryptedKeyDer(pem), passphrase)
  } catch (e) {
    if (!(e instanceof UnsupportedContainer)) throw e
    // A form key-containers.ts does not read natively: node-forge does.
    const info = forge.pki.decryptPrivateKeyInfo(forge.pki.encryptedPrivateKeyFromPem(pem), passphrase)
    if (!info) throw new Error('wrong passphrase')
    der = Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary')
  }
  const outer = asn1js.fromBER(ab(der)).result as asn1js.Sequence
  const inner = outer.valueBlock.value[2] as asn1js.OctetString
  const ec = asn1js.fromBER(inner.valueBlock.valueHexView).result as asn1js.Sequence
  const priv = Buffer.from((ec.valueBlock.value[1] as asn1js.OctetString).valueBlock.valueHexView).toString(
    'hex',
  )
  const pubField = ec.valueBlock.value.find((v) => v.idBlock.tagClass === 3 && v.idBlock.tagNumber === 1) as
    asn1js.Constructed | undefined
  const pub = pubField
    ? Buffer.from((pubField.valueBlock.value[0] as asn1js.BitString).valueBlock.valueHexView).toString('hex')
    : sm2.getPublicKeyFromPrivateKey(priv)
  return { privateKeyHex: priv, publicKeyHex: pub }
}

/** Streaming SM3 for the ingest copy; WASM, so it runs the same in Node and Electron. */
export async function newSm3(): Promise<IHasher> {
  const h = await createSM3()
  h.init()
  return h
}

/** SM3 of a small buffer held in memory (statements, attributes); files go through newSm3(). */
export function sm3Hex(bytes: Uint8Array): string {
  return sm3(bytes)
}
