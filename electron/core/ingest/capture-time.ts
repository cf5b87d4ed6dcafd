/*
 * Capture times. Cameras write times three ways: with a zone (EXIF OffsetTime, AVCHD's H.264 SEI, ISO strings),
 * as UTC (MP4/QuickTime creation_time is UTC by the format, though many body cameras put local wall time there),
 * or with no zone at all (EXIF, RIFF/BWF, file names). Times with no zone are the device's local time
 * (`utcOffsetMin`, default +08:00). What a "UTC" stamp means is the device's registered `clockMode`; for a device
 * whose mode nobody registered, the file's other readings decide (see `reconcile`), else the format: UTC.
 * The result is an instant written as ISO 8601 in the zone the file states, or else the device's zone.
 */

export interface DeviceClock {
  clockMode: 'local' | 'utc'
  /** Whether someone registered `clockMode`; false for folders and for devices registered without one. */
  clockModeKnown?: boolean
  utcOffsetMin: number
  /** How far the device clock runs ahead of the station clock (negative: behind). */
  clockOffsetMs: number
}

export const DEFAULT_CLOCK: DeviceClock = {
  clockMode: 'local',
  clockModeKnown: false,
  utcOffsetMin: 480,
  clockOffsetMs: 0,
}

export type TimeSource =
  'exif' | 'container' | 'h264_sei' | 'riff' | 'id3' | 'file_name' | 'file_mtime' | 'corrected'
export type Precision = 'second' | 'day' | 'year'

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
  /** What the file said, as it said it (for the record and for a conflict shown to a person). */
  text?: string
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
    text: text.trim(),
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

/** Date-only text as RIFF INFO ICRD and ID3 write it: "2005-08-08", "2005:08:08". */
export function parseDateString(text: string, source: TimeSource): RawTime | null {
  const m = /^\s*(\d{4})[:\-/](\d{2})[:\-/](\d{2})\s*$/.exec(text)
  if (!m) return null
  return validate({
    text: text.trim(),
    y: +m[1]!,
    mo: +m[2]!,
    d: +m[3]!,
    h: 0,
    mi: 0,
    s: 0,
    ms: 0,
    zone: null,
    source,
    precision: 'day',
  })
}

/**
 * Refuses what no calendar has: 31 February is not 3 March (Date.UTC would roll it over and store a day the
 * camera never showed). A leap second (:60) is refused too, so every accepted reading is one instant.
 */
export function validDate(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): boolean {
  if (![y, mo, d, h, mi, s].every(Number.isInteger)) return false
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 || h < 0 || mi < 0 || s < 0) return false
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate()
}

function validate(t: RawTime): RawTime | null {
  return validDate(t.y, t.mo, t.d, t.h, t.mi, t.s) ? t : null
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
    text: name,
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
  return {
    y: year,
    mo: 1,
    d: 1,
    h: 0,
    mi: 0,
    s: 0,
    ms: 0,
    zone: null,
    source,
    precision: 'year',
    text: String(year),
  }
}

/** How a "UTC" ('Z') stamp of one file is read: as UTC, or as the device's local wall time written as UTC. */
export type ZoneMeaning = 'utc' | 'local'

/** The meaning a device's registered clock mode gives a 'Z' stamp; a device nobody registered: the format's, UTC. */
export function registeredZoneMeaning(clock: DeviceClock): ZoneMeaning {
  return clock.clockModeKnown === false ? 'utc' : clock.clockMode
}

/** The instant (ms since epoch) a device reading stands for, before clock correction. */
export function toInstant(
  t: RawTime,
  clock: DeviceClock,
  zone: ZoneMeaning = registeredZoneMeaning(clock),
): number {
  const wall = Date.UTC(t.y, t.mo - 1, t.d, t.h, t.mi, t.s, t.ms)
  if (typeof t.zone === 'number') return wall - t.zone * 60_000
  if (t.zone === 'Z' && zone === 'utc') return wall
  // No zone, or a "UTC" stamp from a device that writes local time there.
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

function plausible(ms: number, now: Date): boolean {
  return ms >= EARLIEST_PLAUSIBLE && ms <= now.getTime() + 24 * 3600_000
}

/*
 * Trust, highest first: a reading that states its own zone, then the container's own field, then EXIF, RIFF/BWF and
 * ID3 (zoneless: the device's local time), then the file name (set by the same clock, but renamed by people and
 * tools), then the file's date (last: copying and FAT's two-second, zoneless times change it).
 */
const TRUST: Record<TimeSource, number> = {
  corrected: -1,
  h264_sei: 1,
  container: 2,
  exif: 3,
  riff: 4,
  id3: 5,
  file_name: 6,
  file_mtime: 7,
}
function rank(t: RawTime): number {
  // A year or a day alone says less than any reading to the second.
  const precision = t.precision === 'second' ? 0 : t.precision === 'day' ? 10 : 20
  return precision + (typeof t.zone === 'number' ? 0 : TRUST[t.source])
}

export interface TimeConflict {
  chosen: { source: TimeSource; value: string; text: string | null }
  other: { source: TimeSource; value: string; text: string | null }
  differenceSeconds: number
}

export interface ClockSuggestion {
  /** What the device evidently writes into its "UTC" container field. */
  clockMode: 'local' | 'utc'
  utcOffsetMin: number
  /** The readings that agree once read that way. */
  basis: TimeSource[]
}

export interface TimeVerdict {
  chosen: RawTime | null
  zoneMeaning: ZoneMeaning
  /** Set when the readings themselves showed how the device writes 'Z' stamps. */
  inferred: ClockSuggestion | null
  conflict: TimeConflict | null
  /** Every reading with the instant it stands for once interpreted, for the record. */
  readings: { source: TimeSource; text: string | null; value: string; plausible: boolean }[]
}

/**
 * Readings agree when they are the same instant up to the recording's length: body cameras name a file at the
 * start and some write creation_time when they close it; two seconds cover rounding and FAT's even seconds.
 */
function agree(a: number, b: number, durationMs: number | null): boolean {
  return Math.abs(a - b) <= 2000 + Math.max(0, durationMs ?? 0)
}

/**
 * Compares every reading of one file. A 'Z' stamp that matches the zoneless readings (file name, EXIF, RIFF) only
 * when read as UTC says the device writes UTC; one that matches only as wall time says it writes local time there;
 * both are inferences, returned to be shown and offered as the device's registered clock mode. A registered mode
 * is obeyed: a file that contradicts it shows as a conflict. Readings that still disagree keep the most
 * trustworthy and return both values.
 */
export function reconcile(
  found: RawTime[],
  clock: DeviceClock,
  durationMs: number | null,
  now: Date,
): TimeVerdict {
  const readings = [...found].sort((a, b) => rank(a) - rank(b))
  let zoneMeaning = registeredZoneMeaning(clock)
  let inferred: ClockSuggestion | null = null
  const stamped = readings.find((r) => r.zone === 'Z' && r.precision === 'second')
  const wall = readings.filter((r) => r.zone === null && r.precision === 'second')
  if (stamped && wall.length) {
    const asUtc = toInstant(stamped, clock, 'utc')
    const asLocal = toInstant(stamped, clock, 'local')
    const utcBasis = wall.filter((r) => agree(asUtc, toInstant(r, clock), durationMs))
    const localBasis = wall.filter((r) => agree(asLocal, toInstant(r, clock), durationMs))
    // With a zero offset both readings are the same and nothing is learnt.
    if (clock.utcOffsetMin !== 0 && utcBasis.length !== localBasis.length) {
      const mode: ZoneMeaning = utcBasis.length > localBasis.length ? 'utc' : 'local'
      const basis = mode === 'utc' ? utcBasis : localBasis
      inferred = {
        clockMode: mode,
        utcOffsetMin: clock.utcOffsetMin,
        basis: [stamped.source, ...basis.map((r) => r.source)],
      }
      if (clock.clockModeKnown !== true) zoneMeaning = mode
    }
  }
  const instant = (r: RawTime) => toInstant(r, clock, zoneMeaning)
  const chosen = readings.find((r) => plausible(instant(r), now)) ?? readings[0] ?? null
  const offsetOf = (r: RawTime) =>
    typeof r.zone === 'number'
      ? r.zone
      : r.zone === 'Z' && zoneMeaning === 'utc' && !inferred
        ? 0
        : clock.utcOffsetMin
  let conflict: TimeConflict | null = null
  if (chosen && chosen.precision === 'second') {
    const at = instant(chosen)
    for (const r of readings) {
      if (r === chosen || r.precision !== 'second' || !plausible(instant(r), now)) continue
      if (agree(at, instant(r), durationMs)) continue
      conflict = {
        chosen: {
          source: chosen.source,
          value: formatWithOffset(at, offsetOf(chosen)),
          text: chosen.text ?? null,
        },
        other: { source: r.source, value: formatWithOffset(instant(r), offsetOf(r)), text: r.text ?? null },
        differenceSeconds: Math.round((instant(r) - at) / 1000),
      }
      break
    }
  }
  return {
    chosen,
    zoneMeaning,
    inferred,
    conflict,
    readings: readings.map((r) => ({
      source: r.source,
      text: r.text ?? null,
      value: formatWithOffset(instant(r), offsetOf(r)),
      plausible: plausible(instant(r), now),
    })),
  }
}

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
  /** From `reconcile`: how this file's 'Z' stamps read, and whether the device's zone is the one to show. */
  reading: { zoneMeaning: ZoneMeaning; showInDeviceZone: boolean } = {
    zoneMeaning: registeredZoneMeaning(clock),
    showInDeviceZone: false,
  },
): CaptureTimes {
  let start: number | null = null
  let source: TimeSource | null = null
  let precision: Precision | null = null
  if (raw) {
    start = toInstant(raw, clock, reading.zoneMeaning)
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
      : raw?.zone === 'Z' && reading.zoneMeaning === 'utc' && !reading.showInDeviceZone
        ? 0
        : clock.utcOffsetMin
  return {
    captureStart: formatWithOffset(corrected, offset),
    captureEnd: formatWithOffset(end, offset),
    rawCaptureStart: formatWithOffset(start, offset),
    source,
    precision,
    implausible: !plausible(corrected, now),
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
