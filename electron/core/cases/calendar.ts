import type { Db } from '../db/index.ts'
// A static import, so the Electron bundle carries the data instead of looking for it in node_modules.
import holidayData from 'chinese-days/dist/chinese-days.json' with { type: 'json' }

/*
 * The official working-day calendar: the State Council's yearly holiday notices with their swapped working
 * weekends (调休), from the maintained `chinese-days` data, overridden day by day by the agency's own table
 * (`calendar_days`) when a notice is late or a local rule differs. A year with neither is *unknown*: every
 * deadline that touches it says so instead of quietly counting plain weekdays.
 */

interface ChineseDays {
  holidays: Record<string, string>
  workdays: Record<string, string>
}

const data: ChineseDays = holidayData
const PACKAGE_YEARS = new Set(Object.keys(data.holidays).map((d) => Number(d.slice(0, 4))))

export interface Calendar {
  isWorkingDay(date: string): boolean
  /** The holiday notice for this year is known (package data or the agency said so). */
  yearKnown(year: number): boolean
  /** Name of the holiday, when the date is one. */
  holidayName(date: string): string | null
}

export function loadCalendar(db: Db): Calendar {
  const overrides = new Map(
    (db.prepare('SELECT date, working FROM calendar_days').all() as { date: string; working: number }[]).map(
      (r) => [r.date, r.working === 1],
    ),
  )
  const agencyYears = new Set(
    (db.prepare('SELECT year FROM calendar_years').all() as { year: number }[]).map((r) => r.year),
  )
  return {
    isWorkingDay(date) {
      const o = overrides.get(date)
      if (o !== undefined) return o
      if (data.holidays[date]) return false
      if (data.workdays[date]) return true
      const dow = new Date(`${date}T00:00:00Z`).getUTCDay()
      return dow !== 0 && dow !== 6
    },
    yearKnown: (y) => PACKAGE_YEARS.has(y) || agencyYears.has(y),
    holidayName: (date) => data.holidays[date]?.split(',')[1] ?? null,
  }
}

/** yyyy-mm-dd of an instant in China Standard Time: deadlines run on Beijing dates whatever the PC's zone. */
export function chinaDate(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
}

function nextDay(date: string, n = 1): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

export interface Deadline {
  /** The last day (inclusive), Beijing date. */
  due: string
  /** A year the count passed through has no holiday data: the date may be wrong and is flagged. */
  uncertain: boolean
  unknownYears: number[]
}

/**
 * `n` working days after `start`: the day of the event itself is not counted (行政处罚法 art. 85), the first
 * working day after it is day 1.
 */
export function addWorkingDays(cal: Calendar, start: string, n: number): Deadline {
  const years = new Set<number>([Number(start.slice(0, 4))])
  let d = start
  let counted = 0
  while (counted < n) {
    d = nextDay(d)
    years.add(Number(d.slice(0, 4)))
    if (cal.isWorkingDay(d)) counted++
  }
  return withYears(cal, d, years)
}

/**
 * `n` calendar days after `start`; when the last one is not a working day the period ends on the next working
 * day (行政处罚法 art. 85: 期间届满的最后一日是节假日的，以节假日后的第一日为期间届满的日期).
 */
export function addCalendarDays(cal: Calendar, start: string, n: number): Deadline {
  const years = new Set<number>([Number(start.slice(0, 4))])
  let d = nextDay(start, n)
  years.add(Number(d.slice(0, 4)))
  while (!cal.isWorkingDay(d)) {
    d = nextDay(d)
    years.add(Number(d.slice(0, 4)))
  }
  return withYears(cal, d, years)
}

function withYears(cal: Calendar, due: string, years: Set<number>): Deadline {
  const unknownYears = [...years].filter((y) => !cal.yearKnown(y)).sort()
  return { due, uncertain: unknownYears.length > 0, unknownYears }
}
