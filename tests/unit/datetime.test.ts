import { describe, expect, test } from 'vitest'
import { formatBeijing, formatTimeParams } from '../../shared/datetime.ts'
import { createI18n, translateError } from '../../shared/i18n/index.ts'

/* Issue 20: one way a time is read — Beijing time, `2026-12-02 06:28`, whatever the PC's zone. */
describe('formatBeijing', () => {
  test('a UTC instant reads as Beijing wall time, across the date line', () => {
    expect(formatBeijing('2026-12-01T22:28:39.925Z')).toBe('2026-12-02 06:28')
    expect(formatBeijing('2026-12-01T22:28:39.925Z', 'second')).toBe('2026-12-02 06:28:39')
    expect(formatBeijing('2026-12-01T22:28:39.925Z', 'date')).toBe('2026-12-02')
    expect(formatBeijing('2026-12-02T06:28:00+08:00')).toBe('2026-12-02 06:28')
    expect(formatBeijing(new Date('2026-06-30T16:00:00Z'))).toBe('2026-07-01 00:00')
  })

  test('a calendar day stays that day; nothing and garbage do not break a page', () => {
    expect(formatBeijing('2026-12-07')).toBe('2026-12-07')
    expect(formatBeijing(null)).toBe('—')
    expect(formatBeijing('')).toBe('—')
    expect(formatBeijing('不是时间')).toBe('不是时间')
  })

  test('the PC’s zone does not matter', () => {
    const before = process.env.TZ
    try {
      for (const tz of ['America/New_York', 'UTC', 'Asia/Kolkata']) {
        process.env.TZ = tz
        expect(formatBeijing('2026-12-01T22:28:39.925Z')).toBe('2026-12-02 06:28')
      }
    } finally {
      process.env.TZ = before
    }
  })

  test('message parameters: only ISO instants are rewritten', () => {
    expect(formatTimeParams({ until: '2026-12-01T22:28:39.925Z', n: 3, day: '2026-12-07' })).toEqual({
      until: '2026-12-02 06:28',
      n: 3,
      day: '2026-12-07',
    })
  })
})

describe('translated errors carry Beijing time', () => {
  test('the lockout message says 请于 2026-12-02 06:28 后再试, not a UTC string', () => {
    const t = createI18n('zh-CN').t
    const text = translateError(t, { code: 'ACCOUNT_LOCKED', params: { until: '2026-12-01T22:28:39.925Z' } })
    expect(text).toContain('请于 2026-12-02 06:28 后再试')
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/)
  })
})
