import fs from 'node:fs'
import { parseDateString, parseTimeString, validDate, type RawTime } from './capture-time.ts'

/*
 * In-process readers for the times the general readers miss (see docs/capture-time.md for why not ExifTool at
 * ingest): RIFF/BWF WAV (INFO ICRD, IDIT, bext origination date and time) and AVCHD's H.264 SEI (the MDPM
 * DateTimeOriginal Sony, Panasonic and Canon camcorders write into every .MTS). Each reads a few header bytes,
 * never the whole file, and returns what ExifTool would show, or nothing.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

/** IDIT as Canon and Nikon write it: "Mon Aug 08 16:23:35 2005" (ctime), or an EXIF-style string. */
export function parseIdit(text: string): RawTime | null {
  const clean = text.replace(/\0/g, '').trim()
  const m = /^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(clean)
  if (m) {
    const mo = MONTHS.indexOf(m[1]!.toLowerCase()) + 1
    const [y, d, h, mi, s] = [+m[6]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!]
    if (mo < 1 || !validDate(y, mo, d, h, mi, s)) return null
    return { y, mo, d, h, mi, s, ms: 0, zone: null, source: 'riff', precision: 'second', text: clean }
  }
  return parseTimeString(clean, 'riff')
}

function riffText(buf: Buffer): string {
  return buf.toString('latin1').replace(/\0.*$/s, '').trim()
}

/** Chunks of a RIFF file by their headers, reading only the chunks asked for (a WAV's data is never read). */
async function riffChunks(file: string, wanted: Set<string>): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>()
  const fh = await fs.promises.open(file, 'r')
  try {
    const head = Buffer.alloc(12)
    if ((await fh.read(head, 0, 12, 0)).bytesRead < 12) return found
    if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return found
    const size = (await fh.stat()).size
    const hdr = Buffer.alloc(12)
    // Walk top-level chunks, and the sub-chunks of LIST INFO and LIST exif (the EXIF-for-WAV list Pentax and other
    // cameras write: etim is its time of day); 64 chunks is far more than any recorder writes.
    const walk = async (from: number, to: number, depth: number) => {
      let pos = from
      for (let n = 0; n < 64 && pos + 8 <= to; n++) {
        if ((await fh.read(hdr, 0, 12, pos)).bytesRead < 8) return
        const id = hdr.toString('latin1', 0, 4)
        const len = hdr.readUInt32LE(4)
        const body = pos + 8
        const list = hdr.toString('latin1', 8, 12)
        if (id === 'LIST' && depth === 0 && (list === 'INFO' || list === 'exif'))
          await walk(body + 4, Math.min(to, body + len), 1)
        else if (wanted.has(id) && !found.has(id) && len <= 64 * 1024) {
          const data = Buffer.alloc(Math.min(len, to - body))
          await fh.read(data, 0, data.length, body)
          found.set(id, data)
        }
        pos = body + len + (len % 2)
      }
    }
    await walk(12, size, 0)
  } finally {
    await fh.close()
  }
  return found
}

/**
 * RIFF WAV times as ExifTool reads them: bext OriginationDate + OriginationTime and IDIT are
 * RIFF:DateTimeOriginal, INFO ICRD is RIFF:DateCreated (a date, sometimes with the time). All are zoneless.
 */
export async function riffTimes(file: string): Promise<RawTime[]> {
  const chunks = await riffChunks(file, new Set(['bext', 'IDIT', 'ICRD', 'etim']))
  const out: RawTime[] = []
  const bext = chunks.get('bext')
  if (bext && bext.length >= 338) {
    // EBU Tech 3285: Description 256, Originator 32, OriginatorReference 32, then date "yyyy-mm-dd", time "hh:mm:ss".
    const date = riffText(bext.subarray(320, 330))
    const time = riffText(bext.subarray(330, 338)).replace(/[-.]/g, ':')
    const t = date && time ? parseTimeString(`${date} ${time}`, 'riff') : null
    if (t) out.push(t)
  }
  const idit = chunks.get('IDIT')
  if (idit) {
    const t = parseIdit(riffText(idit))
    if (t) out.push(t)
  }
  const icrd = chunks.get('ICRD')
  if (icrd) {
    const text = riffText(icrd)
    // A date alone, with the time of day in LIST exif's etim: ExifTool's Composite:DateTimeOriginal.
    const etim = chunks.get('etim') ? riffText(chunks.get('etim')!) : ''
    const t =
      parseTimeString(text, 'riff') ??
      (/^\d{2}:\d{2}:\d{2}$/.test(etim) ? parseTimeString(`${text} ${etim}`, 'riff') : null) ??
      parseDateString(text, 'riff')
    if (t) out.push(t)
  }
  return out
}

const MDPM = Buffer.from('17ee8c60f84d11d98cd60800200c9a664d44504d', 'hex')
const bcd = (b: number) => (b >> 4) * 10 + (b & 0x0f)
const isBcd = (b: number) => b >> 4 < 10 && (b & 0x0f) < 10

/**
 * The MDPM DateTimeOriginal in a payload that starts with the MDPM UUID: tag 0x18 (zone, year, month) and 0x19
 * (day, hour, minute, second), BCD. The zone byte: 0x20 sign, bits 1–4 hours, 0x01 half an hour, 0x40 DST.
 */
export function mdpmTime(payload: Buffer): RawTime | null {
  if (payload.length < 21 || !payload.subarray(0, 20).equals(MDPM)) return null
  const count = payload[20]!
  let tz: number | null = null
  let date: number[] | null = null
  let time: number[] | null = null
  for (let i = 0, pos = 21; i < count && pos + 5 <= payload.length; i++, pos += 5) {
    const tag = payload[pos]!
    const v = [...payload.subarray(pos + 1, pos + 5)]
    if (tag === 0x18) {
      tz = v[0]!
      date = v.slice(1)
    } else if (tag === 0x19) time = v
  }
  if (tz === null || !date || !time || ![...date, ...time].every(isBcd)) return null
  const y = bcd(date[0]!) * 100 + bcd(date[1]!)
  const [mo, d, h, mi, s] = [bcd(date[2]!), bcd(time[0]!), bcd(time[1]!), bcd(time[2]!), bcd(time[3]!)]
  if (!validDate(y, mo, d, h, mi, s)) return null
  const zone = (tz & 0x20 ? -1 : 1) * (((tz >> 1) & 0x0f) * 60 + (tz & 0x01 ? 30 : 0))
  const p = (n: number) => String(n).padStart(2, '0')
  const sign = zone < 0 ? '-' : '+'
  const text =
    `${y}:${p(mo)}:${p(d)} ${p(h)}:${p(mi)}:${p(s)}` +
    `${sign}${p(Math.trunc(Math.abs(zone) / 60))}:${p(Math.abs(zone) % 60)}${tz & 0x40 ? ' DST' : ''}`
  return { y, mo, d, h, mi, s, ms: 0, zone, source: 'h264_sei', precision: 'second', text }
}

/** The packet size of an MPEG transport stream: 188 (.ts), 192 (.MTS/.M2TS, a 4-byte time code first), or none. */
function tsStride(buf: Buffer): { stride: number; first: number } | null {
  for (const [stride, first] of [
    [188, 0],
    [192, 4],
  ] as const) {
    if (buf.length >= first + stride * 3 && [0, 1, 2].every((k) => buf[first + k * stride] === 0x47))
      return { stride, first }
  }
  return null
}

/**
 * AVCHD DateTimeOriginal from the first megabyte of an MPEG transport stream. The SEI may straddle TS packets, so
 * the video PID's payloads are joined before searching; emulation-prevention bytes (00 00 03) are taken out.
 */
export async function avchdTime(file: string, bytes = 1 << 20): Promise<RawTime | null> {
  const fh = await fs.promises.open(file, 'r')
  let buf: Buffer
  try {
    buf = Buffer.alloc(bytes)
    buf = buf.subarray(0, (await fh.read(buf, 0, bytes, 0)).bytesRead)
  } finally {
    await fh.close()
  }
  const ts = tsStride(buf)
  if (!ts) return null
  const parts = new Map<number, Buffer[]>()
  for (let pos = ts.first; pos + 188 <= buf.length; pos += ts.stride) {
    if (buf[pos] !== 0x47) break
    const pid = ((buf[pos + 1]! & 0x1f) << 8) | buf[pos + 2]!
    const afc = (buf[pos + 3]! >> 4) & 0x3
    if (!(afc & 0x1)) continue
    const start = pos + 4 + (afc & 0x2 ? buf[pos + 4]! + 1 : 0)
    if (start >= pos + 188) continue
    const list = parts.get(pid) ?? []
    list.push(buf.subarray(start, pos + 188))
    parts.set(pid, list)
  }
  for (const list of parts.values()) {
    const stream = Buffer.concat(list)
    let at = stream.indexOf(MDPM)
    while (at >= 0) {
      const payload = unescapeRbsp(stream.subarray(at, at + 21 + 5 * 32))
      const t = mdpmTime(payload)
      if (t) return t
      at = stream.indexOf(MDPM, at + 1)
    }
  }
  return null
}

function unescapeRbsp(b: Buffer): Buffer {
  const out: number[] = []
  for (let i = 0; i < b.length; i++) {
    if (i >= 2 && b[i] === 0x03 && b[i - 1] === 0 && b[i - 2] === 0) continue
    out.push(b[i]!)
  }
  return Buffer.from(out)
}
