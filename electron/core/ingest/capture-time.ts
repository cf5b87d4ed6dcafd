/*
 * Capture times. Cameras write times three ways: with a zone (EXIF OffsetTime, ISO strings), as UTC that is
 * really local wall time (most body cameras' MP4 creation_time), or with no zone at all (EXIF, file names).
 * A device's settings say which: `clockMode` 'local' reads container UTC stamps as local wall time;
 * 'utc' trusts them. Times with no zone are the device's local time (`utcOffsetMin`, default +08:00).
 * The result is an instant written as ISO 8601 in the zone the file states, or else the device's zone.
 */

export interface DeviceClock {
  clockMode: 'local' | 'utc'
  utcOffsetMin: number
  /** How far the device clock runs ahead of the station clock (negative: behind). */
  clockOffsetMs: number
}

export const DEFAULT_CLOCK: DeviceClock = { clockMode: 'local', utcOffsetMin: 480, clockOffsetMs: 0 }

export type TimeSource = 'exif' | 'container' | 'id3' | 'file_name' | 'file_mtime'
export type Precision = 'second' | 'year'

/** A reading as the device wrote it: wall-clock fields, plus the zone the format claims, if any. */
export interface RawTime {
  y: number
  mo: number
  d: number
  h: number
  mi: number
  s: number
  ms: number
  /** Offset in minutes the format states; 'Z' when the format says UTC; null when it says nothing. */
  zone: number | 'Z' | null
  source: TimeSource
  precision: Precision
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0')

/** "2004:06:26 12:36:46", "2026-11-20T08:30:15.000000Z", "2010:02:03 21:17:48Z", "…+08:00" */
export function parseTimeString(text: string, source: TimeSource): RawTime | null {
  const m =
    /^\s*(\d{4})[:\-/](\d{2})[:\-/](\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/i.exec(
      text,
    )
  if (!m) return null
  const [, y, mo, d, h, mi, s, frac, z] = m
  return validate({
    y: +y!,
    mo: +mo!,
    d: +d!,
    h: +h!,
    mi: +mi!,
    s: +s!,
    ms: frac ? Math.round(Number(`0.${frac}`) * 1000) : 0,
    zone: z ? parseZone(z) : null,
    source,
    precision: 'second',
  })
}

function parseZone(z: string): number | 'Z' {
  if (z.toUpperCase() === 'Z') return 'Z'
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(z)!
  return (m[1] === '-' ? -1 : 1) * (+m[2]! * 60 + +m[3]!)
}

export function parseOffset(text: string | undefined | null): number | null {
  if (!text) return null
  const m = /^\s*([+-])(\d{2}):?(\d{2})\s*$/.exec(text)
  return m ? (m[1] === '-' ? -1 : 1) * (+m[2]! * 60 + +m[3]!) : null
}

function validate(t: RawTime): RawTime | null {
  if (t.mo < 1 || t.mo > 12 || t.d < 1 || t.d > 31 || t.h > 23 || t.mi > 59 || t.s > 60) return null
  return t
}

/**
 * Body cameras name files after the start of recording, e.g. 20261120_083015.mp4, IMG_20261120_083015.jpg,
 * ZD_20261120083015_0001.MP4, 2026-11-20 08-30-15.wav. The name carries no zone: it is device local time.
 */
export function timeFromFileName(name: string): RawTime | null {
  const m =
    /(?:^|[^0-9])((?:19|20)\d{2})[-_.]?(\d{2})[-_.]?(\d{2})[-_T ]?(\d{2})[-_.:]?(\d{2})[-_.:]?(\d{2})(?![0-9])/.exec(
      name,
    )
  if (!m) return null
  const [, y, mo, d, h, mi, s] = m
  return validate({
    y: +y!,
    mo: +mo!,
    d: +d!,
    h: +h!,
    mi: +mi!,
    s: +s!,
    ms: 0,
    zone: null,
    source: 'file_name',
    precision: 'second',
  })
}

export function yearOnly(year: number, source: TimeSource): RawTime {
  return { y: year, mo: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0, zone: null, source, precision: 'year' }
}

/** The instant (ms since epoch) a device reading stands for, before clock correction. */
export function toInstant(t: RawTime, clock: DeviceClock): number {
  const wall = Date.UTC(t.y, t.mo - 1, t.d, t.h, t.mi, t.s, t.ms)
  if (typeof t.zone === 'number') return wall - t.zone * 60_000
  if (t.zone === 'Z' && clock.clockMode === 'utc') return wall
  // No zone, or a "UTC" stamp from a device known to write local time.
  return wall - clock.utcOffsetMin * 60_000
}

/** ISO 8601 with the given offset, e.g. 2026-11-20T08:30:15+08:00 (milliseconds only when there are some). */
export function formatWithOffset(ms: number, offsetMin: number): string {
  const d = new Date(ms + offsetMin * 60_000)
  const frac = d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3)}` : ''
  const sign = offsetMin < 0 ? '-' : '+'
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac}` +
    `${sign}${pad(Math.trunc(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`
  )
}

export const EARLIEST_PLAUSIBLE = Date.UTC(2000, 0, 1)

export interface CaptureTimes {
  captureStart: string | null
  captureEnd: string | null
  /** The reading before the device's clock offset was taken off. */
  rawCaptureStart: string | null
  source: TimeSource | null
  precision: Precision | null
  implausible: boolean
  startMs: number | null
  endMs: number | null
}

export function captureTimes(
  raw: RawTime | null,
  durationMs: number | null,
  clock: DeviceClock,
  now: Date,
  fallbackMtimeMs: number | null,
): CaptureTimes {
  let start: number | null = null
  let source: TimeSource | null = null
  let precision: Precision | null = null
  if (raw) {
    start = toInstant(raw, clock)
    source = raw.source
    precision = raw.precision
  } else if (fallbackMtimeMs !== null && fallbackMtimeMs > 0) {
    start = fallbackMtimeMs
    source = 'file_mtime'
    precision = 'second'
  }
  if (start === null) {
    return {
      captureStart: null,
      captureEnd: null,
      rawCaptureStart: null,
      source,
      precision,
      implausible: false,
      startMs: null,
      endMs: null,
    }
  }
  const corrected = start - clock.clockOffsetMs
  const end = corrected + Math.max(0, durationMs ?? 0)
  // Written in the zone the file states (so the digits read as ExifTool shows them), else the device's.
  const offset =
    typeof raw?.zone === 'number'
      ? raw.zone
      : raw?.zone === 'Z' && clock.clockMode === 'utc'
        ? 0
        : clock.utcOffsetMin
  return {
    captureStart: formatWithOffset(corrected, offset),
    captureEnd: formatWithOffset(end, offset),
    rawCaptureStart: formatWithOffset(start, offset),
    source,
    precision,
    implausible: corrected < EARLIEST_PLAUSIBLE || corrected > now.getTime() + 24 * 3600_000,
    startMs: corrected,
    endMs: end,
  }
}

/** ISO 6709 as QuickTime and Android write it: "+26.0745+119.2965/" or "+26.0745+119.2965+012.3/". */
export function parseIso6709(
  text: string,
): { latitude: number; longitude: number; altitude?: number } | null {
  const m = /^\s*([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS[^/]*)?\/?\s*$/.exec(text)
  if (!m) return null
  const latitude = Number(m[1])
  const longitude = Number(m[2])
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null
  return m[3] ? { latitude, longitude, altitude: Number(m[3]) } : { latitude, longitude }
}
