import fs from 'node:fs'

/*
 * A file in several ISO 9660 extents without writing 4 GiB. libisofs splits only files over 4 GiB - 2 KiB (the
 * extent size is fixed in libisofs; `-file_size_limit` only refuses larger files), so the test image is made in
 * three steps: xorriso writes an ordinary image (no MD5 tags), this helper rewrites one file's directory record in
 * the ISO 9660 tree as three multi-extent records (ECMA-119 9.1.6, flag bit 7) and swaps the first two thirds of
 * its data on the image, so the extents lie out of order; then xorriso appends a session to the image (`-md5 on`)
 * that takes the file over with its three sections, as it does with any file of an older session. The result is
 * an image whose last session xorriso checks by its MD5 and which xorriso, and Liuhen's reader, read by extents.
 */

const S = 2048

interface Rec {
  at: number
  len: number
  lba: number
  size: number
  flags: number
}

function record(img: Buffer, at: number): Rec {
  return {
    at,
    len: img[at]!,
    lba: img.readUInt32LE(at + 2),
    size: img.readUInt32LE(at + 10),
    flags: img[at + 25]!,
  }
}

/** Records of the ISO 9660 (Rock Ridge) tree, walked from the primary volume descriptor's root. */
function* records(img: Buffer): Generator<Rec> {
  if (img.toString('latin1', 16 * S + 1, 16 * S + 6) !== 'CD001') throw new Error('no ISO 9660 image')
  const root = record(img, 16 * S + 156)
  const visit = function* (lba: number, size: number): Generator<Rec> {
    for (let blk = 0; blk < Math.ceil(size / S); blk++) {
      const base = (lba + blk) * S
      for (let o = 0; o < S && img[base + o]; o += img[base + o]!) {
        const r = record(img, base + o)
        const nameLen = img[base + o + 32]!
        const self = nameLen === 1 && img[base + o + 33]! <= 1
        if (r.flags & 2) {
          if (!self) yield* visit(r.lba, r.size)
        } else yield r
      }
    }
  }
  yield* visit(root.lba, root.size)
}

/**
 * Rewrite the file whose data starts at block `lba` as three extents: its second third first on the image, then
 * its first, then the rest. Its content, read extent by extent in record order, stays what it was.
 */
export function splitIntoExtents(image: string, lba: number): { extents: number } {
  const img = fs.readFileSync(image)
  const r = [...records(img)].find((x) => x.lba === lba)
  if (!r) throw new Error(`no file at block ${lba}`)
  const n = Math.ceil(r.size / S)
  const third = Math.floor(n / 3)
  if (third < 1 || r.size - 2 * third * S <= 0) throw new Error('file too small for three extents')
  const block = Math.floor(r.at / S) * S
  let used = 0
  while (used < S && img[block + used]) used += img[block + used]!
  if (used + 2 * r.len > S) throw new Error('no room in the directory block')
  // The data: [second third][first third] where [first][second] was.
  const first = Buffer.from(img.subarray(lba * S, (lba + third) * S))
  const second = Buffer.from(img.subarray((lba + third) * S, (lba + 2 * third) * S))
  second.copy(img, lba * S)
  first.copy(img, (lba + third) * S)
  const original = Buffer.from(img.subarray(r.at, r.at + r.len))
  const make = (at: number, size: number, more: boolean) => {
    const x = Buffer.from(original)
    x.writeUInt32LE(at, 2)
    x.writeUInt32BE(at, 6)
    x.writeUInt32LE(size, 10)
    x.writeUInt32BE(size, 14)
    x[25] = more ? x[25]! | 0x80 : x[25]! & ~0x80
    return x
  }
  const recs = Buffer.concat([
    make(lba + third, third * S, true),
    make(lba, third * S, true),
    make(lba + 2 * third, r.size - 2 * third * S, false),
  ])
  const tail = Buffer.from(img.subarray(r.at + r.len, block + used))
  Buffer.concat([recs, tail]).copy(img, r.at)
  fs.writeFileSync(image, img)
  return { extents: 3 }
}
