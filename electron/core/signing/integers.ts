import crypto from 'node:crypto'

/*
 * Random DER INTEGERs: certificate serials and time-stamp request nonces. A DER INTEGER is minimal and signed,
 * and OpenSSL 3 refuses a needless leading 0x00 ("illegal padding"): it cannot load such a certificate at all,
 * and `openssl ts -reply` (like other strict TSAs) rejects such a request. Random bytes with only the sign bit
 * cleared have that form whenever the first byte is 0x00 and the next is below 0x80 — one time in 256 (pkijs
 * writes the bytes as given; node-forge drops one leading zero but not two, one time in 65 536).
 */

/** `random` with its first byte forced into 0x40–0x7f: positive, minimal and of its full length in every
 * encoder, whatever the bytes were (two bits of the first byte are given up). */
export function positiveFrom(random: Uint8Array): Buffer {
  if (random.length === 0) throw new Error('no random bytes')
  const b = Buffer.from(random)
  b[0] = (b[0]! & 0x3f) | 0x40
  return b
}

/** A random positive INTEGER of exactly `bytes` bytes (serials: 16, 126 random bits; nonces: 8). */
export function randomPositive(bytes: number): Buffer {
  return positiveFrom(crypto.randomBytes(bytes))
}

/** A number written as hex (leading zeros or not) as the contents of the minimal DER INTEGER of that positive
 * number: 9f… becomes 00 9f…, 000a… becomes 0a…. */
export function minimalPositive(hex: string): Buffer {
  const digits = hex.toLowerCase().replace(/^0+(?=.)/, '')
  const bytes = Buffer.from(digits.length % 2 ? `0${digits}` : digits, 'hex')
  return bytes[0]! & 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes
}
