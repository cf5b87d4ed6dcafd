import { describe, expect, test } from 'vitest'
import i18next from 'i18next'
import zhCN from '../../shared/i18n/zh-CN.ts'
import { mayCall } from '../../shared/may-call.ts'
import { formatClockOffset, formatUtcOffset } from '../../shared/device-format.ts'

/* The devices screen's small pieces: which buttons a role is offered, and how a clock is written. */

describe('mayCall follows the contract', () => {
  test('register, retire and clear for the custodian; clock check for an officer too; nothing for an auditor', () => {
    expect(mayCall('devices.register', ['records_officer'])).toBe(true)
    expect(mayCall('devices.clear', ['records_officer'])).toBe(true)
    expect(mayCall('devices.clear', ['admin'])).toBe(false)
    expect(mayCall('devices.retire', ['enforcement_officer'])).toBe(false)
    expect(mayCall('devices.update', ['enforcement_officer'])).toBe(false)
    expect(mayCall('devices.clockCheck', ['enforcement_officer'])).toBe(true)
    expect(mayCall('records.tag', ['enforcement_officer'])).toBe(true)
    expect(mayCall('ingest.suggestions', ['auditor'])).toBe(false)
    expect(mayCall('cases.officers', ['auditor'])).toBe(true)
  })
})

describe('clock formats', () => {
  test('zones and drift read as a records officer reads them', async () => {
    const t = i18next.createInstance()
    await t.init({ lng: 'zh-CN', resources: { 'zh-CN': { translation: zhCN } } })
    expect(formatUtcOffset(480)).toBe('UTC+08:00')
    expect(formatUtcOffset(-210)).toBe('UTC−03:30')
    expect(formatUtcOffset(0)).toBe('UTC+00:00')
    expect(formatClockOffset(0, t.t)).toBe('与本站时间一致')
    expect(formatClockOffset(400, t.t)).toBe('与本站时间一致')
    expect(formatClockOffset(30_000, t.t)).toBe('设备快 30 秒')
    expect(formatClockOffset(-125_000, t.t)).toBe('设备慢 2 分 5 秒')
    expect(formatClockOffset(8 * 3600_000 + 9000, t.t)).toBe('设备快 8 小时 9 秒')
  })
})
