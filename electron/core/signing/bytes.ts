/** The exact bytes of a view as an ArrayBuffer, which asn1js and pkijs take (a Node Buffer shares a larger pool). */
export const ab = (b: Uint8Array): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer
