import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { parseDay, parseTimeOfDay } from '../../shared/typed-time.ts'

/*
 * Dates and times are typed the Chinese way into controls of our own (issue 20): the browser's date and
 * datetime-local controls show mm/dd/yyyy on a PC whose locale is not Chinese and read the PC's own zone.
 */

const REPO = path.resolve(import.meta.dirname, '../..')

describe('typed dates and times', () => {
  // What a person types → what the control keeps (null: refused, with the hint shown).
  const days: [string, string | null][] = [
    ['2026-11-20', '2026-11-20'],
    ['2026/11/20', '2026-11-20'],
    ['20261120', '2026-11-20'],
    ['2026年11月20日', '2026-11-20'],
    [' 2026.1.5 ', '2026-01-05'],
    ['2028-02-29', '2028-02-29'],
    ['2026-02-29', null],
    ['2026-02-31', null],
    ['2026-13-01', null],
    ['11/20/2026', null],
    ['2026-11', null],
    ['', null],
  ]
  const times: [string, string | null][] = [
    ['8:30', '08:30:00'],
    ['08:30:15', '08:30:15'],
    ['08：30', '08:30:00'],
    [' 23:59:59 ', '23:59:59'],
    ['0:00', '00:00:00'],
    ['24:00', null],
    ['12:60', null],
    ['12:30:60', null],
    ['1230', null],
    ['8.30', null],
    ['上午8:30', null],
    ['', null],
  ]

  test('a day in the ways people write it, and only real days', () => {
    expect(days.map(([typed]) => [typed, parseDay(typed)])).toEqual(days)
  })

  test('a time of day with or without seconds, full-width colons too, and only real times', () => {
    expect(times.map(([typed]) => [typed, parseTimeOfDay(typed)])).toEqual(times)
  })

  test('no page uses the browser’s own date or time control', () => {
    const offenders: string[] = []
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name)
        if (e.isDirectory()) walk(p)
        else if (/\.tsx?$/.test(e.name)) {
          const text = fs.readFileSync(p, 'utf8')
          for (const m of text.matchAll(/type=["'{]+(date|datetime-local|time|month|week)["'}]/g))
            offenders.push(`${path.relative(REPO, p)}: ${m[0]}`)
        }
      }
    }
    walk(path.join(REPO, 'renderer/src'))
    expect(offenders).toEqual([])
  })
})
