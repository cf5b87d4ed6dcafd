import PDFDocument from 'pdfkit'
import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/**
 * Real camera files with ExifTool's readings (copied from the project's shared/samples so the tests do not
 * depend on what sits beside the checkout).
 */
export const SAMPLES = path.resolve(import.meta.dirname, '..', 'fixtures', 'samples')

/** A short H.264/AAC clip made by real ffmpeg, tagged the way body cameras tag theirs. */
export function makeClip(
  file: string,
  opts: { seconds?: number; creationTime?: string; location?: string } = {},
): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const meta = [
    ...(opts.creationTime ? ['-metadata', `creation_time=${opts.creationTime}`] : []),
    ...(opts.location ? ['-metadata', `location=${opts.location}`] : []),
  ]
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=320x240:rate=15:duration=${opts.seconds ?? 2}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${opts.seconds ?? 2}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    ...meta,
    file,
  ])
}

export function makeWav(file: string, seconds = 1): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=300:duration=${seconds}`,
    file,
  ])
}

export function randomFile(file: string, bytes: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const fd = fs.openSync(file, 'w')
  const chunk = 1 << 20
  for (let done = 0; done < bytes; done += chunk)
    fs.writeSync(fd, crypto.randomBytes(Math.min(chunk, bytes - done)))
  fs.closeSync(fd)
}

/**
 * Noise that no reader can take for media: bytes without 0xFF, so no MPEG or AAC frame sync appears by chance
 * (a reader scanning for one found a "valid MP3 frame" in plain random bytes about once in some dozen runs).
 * The same seed gives the same bytes (AES-CTR of zeros), so a run never depends on which noise it drew; the seed
 * defaults to the file's name and size.
 */
export function noiseFile(file: string, bytes: number, seed = `${path.basename(file)}:${bytes}`): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, noise(bytes, seed))
}

export function noise(bytes: number, seed: string): Buffer {
  const key = crypto.createHash('sha256').update(seed).digest()
  const data = crypto.createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(bytes))
  for (let i = 0; i < data.length; i++) if (data[i] === 0xff) data[i] = 0x7f
  return data
}

/** The outside reference: coreutils sha256sum, not our own code. */
export function sha256sum(file: string): string {
  return execFileSync('sha256sum', ['--', file], { encoding: 'utf8' }).split(' ')[0]!
}

/**
 * An AVCHD-style .MTS: H.264 in an MPEG transport stream whose first access unit carries the MDPM SEI that
 * camcorders write (ExifTool's H264:DateTimeOriginal). ffmpeg cannot write MDPM itself, so the SEI NAL is put into
 * the raw H.264 stream here, before the first IDR slice, and ffmpeg only remuxes. x264's own SEI is removed first:
 * ExifTool, like cameras' readers, looks at the first unregistered SEI only.
 */
export function makeMts(file: string, wall: string, zoneMin: number, seconds = 1): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const raw = `${file}.h264`
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=160x120:rate=15:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-bsf:v',
    'filter_units=remove_types=6',
    '-f',
    'h264',
    raw,
  ])
  const m = /^(\d{2})(\d{2})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(wall)!
  const b = (s: string) => parseInt(s, 16) // BCD: the decimal digits read as hex
  const abs = Math.abs(zoneMin)
  const tz = (zoneMin < 0 ? 0x20 : 0) | (Math.trunc(abs / 60) << 1) | (abs % 60 ? 1 : 0)
  const payload = Buffer.concat([
    Buffer.from('17ee8c60f84d11d98cd60800200c9a66', 'hex'),
    Buffer.from('MDPM'),
    Buffer.from([2, 0x18, tz, b(m[1]!), b(m[2]!), b(m[3]!), 0x19, b(m[4]!), b(m[5]!), b(m[6]!), b(m[7]!)]),
  ])
  const sei = Buffer.concat([
    Buffer.from([0, 0, 0, 1, 0x06, 0x05, payload.length]),
    payload,
    Buffer.from([0x80]),
  ])
  const h264 = fs.readFileSync(raw)
  // The first IDR slice: start code then NAL type 5.
  let at = -1
  for (let i = 0; i + 4 < h264.length; i++)
    if (h264[i] === 0 && h264[i + 1] === 0 && h264[i + 2] === 1 && (h264[i + 3]! & 0x1f) === 5) {
      at = h264[i - 1] === 0 ? i - 1 : i
      break
    }
  fs.writeFileSync(raw, Buffer.concat([h264.subarray(0, at), sei, h264.subarray(at)]))
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-r',
    '15',
    '-i',
    raw,
    '-c',
    'copy',
    '-f',
    'mpegts',
    file,
  ])
  fs.rmSync(raw)
}

/** A RIFF WAV with the chunks recorders write their time in: INFO ICRD, IDIT, or BWF bext, before or after data. */
export function makeRiffWav(
  file: string,
  chunks: {
    icrd?: string
    idit?: string
    bext?: { date: string; time: string }
    infoAfterData?: boolean
    /** LIST exif's time of day, as Pentax cameras write it beside a date-only ICRD. */
    etim?: string
  },
): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const chunk = (id: string, data: Buffer) => {
    const pad = data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)
    const h = Buffer.alloc(8)
    h.write(id, 0, 'latin1')
    h.writeUInt32LE(data.length, 4)
    return Buffer.concat([h, data, pad])
  }
  const fmt = Buffer.alloc(16)
  fmt.writeUInt16LE(1, 0)
  fmt.writeUInt16LE(1, 2)
  fmt.writeUInt32LE(8000, 4)
  fmt.writeUInt32LE(16000, 8)
  fmt.writeUInt16LE(2, 12)
  fmt.writeUInt16LE(16, 14)
  const parts = [chunk('fmt ', fmt)]
  if (chunks.bext) {
    const bext = Buffer.alloc(602)
    bext.write('LIUHEN TEST', 256, 'latin1')
    bext.write(chunks.bext.date, 320, 'latin1')
    bext.write(chunks.bext.time, 330, 'latin1')
    parts.push(chunk('bext', bext))
  }
  if (chunks.idit) parts.push(chunk('IDIT', Buffer.from(`${chunks.idit}\n\0`, 'latin1')))
  const info = chunks.icrd
    ? chunk(
        'LIST',
        Buffer.concat([Buffer.from('INFO'), chunk('ICRD', Buffer.from(`${chunks.icrd}\0`, 'latin1'))]),
      )
    : null
  if (info && !chunks.infoAfterData) parts.push(info)
  if (chunks.etim)
    parts.push(
      chunk(
        'LIST',
        Buffer.concat([
          Buffer.from('exif'),
          chunk('ever', Buffer.from('0220')),
          chunk('etim', Buffer.from(`${chunks.etim}\0`, 'latin1')),
        ]),
      ),
    )
  parts.push(chunk('data', Buffer.alloc(16000)))
  if (info && chunks.infoAfterData) parts.push(info)
  const body = Buffer.concat(parts)
  const head = Buffer.alloc(12)
  head.write('RIFF', 0, 'latin1')
  head.writeUInt32LE(4 + body.length, 4)
  head.write('WAVE', 8, 'latin1')
  fs.writeFileSync(file, Buffer.concat([head, body]))
}

/** ExifTool's reading of one file, grouped (`exiftool -j -G -a`): the reference in the capture-time tests. */
export function exiftool(file: string): Record<string, string | number> {
  const out = execFileSync('exiftool', ['-j', '-G', '-a', '-time:all', '-api', 'LargeFileSupport=1', file], {
    encoding: 'utf8',
  })
  return (JSON.parse(out) as Record<string, string | number>[])[0]!
}

/** A PDF of `pages` pages, each with a title and a filled block (ink a canvas must show). */
export function pdfkitPdf(pages: number, label: string): Promise<Buffer> {
  const doc = new PDFDocument({ autoFirstPage: false, info: { Title: label } })
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))))
  for (let i = 0; i < pages; i++) {
    doc.addPage({ size: 'A4' })
    doc.fontSize(28).text(`${label} - page ${i + 1}`, 72, 72)
    doc.rect(72, 160, 450, 120).fill('#1f4e9c')
  }
  doc.end()
  return done
}
