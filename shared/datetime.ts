/**
 * The one way a time is written for a person to read: Beijing time (UTC+8), `2026-12-02 06:28`.
 *
 * Stored times stay UTC ISO strings; this module is only for display (pages, PDFs, export READMEs, CLI text,
 * translated messages). China has had one zone with no daylight saving since 1991, so the offset is fixed and the
 * formatter does plain arithmetic instead of `Intl`/`toLocaleString`: the result never depends on the zone or the
 * ICU data of the PC it runs on, and the same instant reads the same on every page and in every PDF.
 *
 * Capture times as a device recorded them (with their own offset) have their own formatter in the renderer
 * (`formatCaptureTime`); those are not instants to convert but wall times to show as recorded.
 */

/** Beijing is UTC+8 all year round. */
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000

export type TimePrecision = 'minute' | 'second' | 'date'

/** Anything a time may be handed over as: an ISO string, epoch milliseconds or a Date. */
export type TimeInput = string | number | Date

const pad = (n: number): string => String(n).padStart(2, '0')

function toEpoch(value: TimeInput): number {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'number') return value
  // A date-only string ('2026-12-02') is a calendar day, not midnight UTC: show it as it is.
  return Date.parse(value)
}

/**
 * `2026-12-02 06:28` (default), `2026-12-02 06:28:07` (`second`) or `2026-12-02` (`date`), in Beijing time.
 * A value that is not a time is returned as given (strings) or as '—', so a bad row never breaks a page.
 */
export function formatBeijing(
  value: TimeInput | null | undefined,
  precision: TimePrecision = 'minute',
): string {
  if (value === null || value === undefined || value === '') return '—'
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  const epoch = toEpoch(value)
  if (Number.isNaN(epoch)) return typeof value === 'string' ? value : '—'
  const d = new Date(epoch + BEIJING_OFFSET_MS)
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  if (precision === 'date') return date
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
  return precision === 'second' ? `${date} ${time}:${pad(d.getUTCSeconds())}` : `${date} ${time}`
}

/** The Beijing calendar day of an instant, `2026-12-02`. */
export function formatBeijingDate(value: TimeInput | null | undefined): string {
  return formatBeijing(value, 'date')
}

/** An ISO instant as the core stores it (`2026-12-01T22:05:55.777Z`, or with an offset). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/

export function isIsoInstant(value: unknown): value is string {
  return typeof value === 'string' && ISO_INSTANT.test(value)
}

/**
 * Message parameters with every ISO instant written in Beijing time, so a translated sentence
 * ("请于 {{until}} 后再试") never carries a raw UTC string.
 */
export function formatTimeParams<T extends Record<string, unknown>>(params: T): T {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(params)) out[k] = isIsoInstant(v) ? formatBeijing(v) : v
  return out as T
}
