import type { TFunction } from 'i18next'

/** A zone as a records officer reads it: UTC+08:00, UTC−03:30. */
export function formatUtcOffset(min: number): string {
  const sign = min < 0 ? '−' : '+'
  const a = Math.abs(min)
  return `UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`
}

/** How far a camera's clock runs from the station's: 快 30 秒, 慢 2 分 5 秒, 与本站一致. */
export function formatClockOffset(ms: number, t: TFunction): string {
  const s = Math.round(Math.abs(ms) / 1000)
  if (!s) return t('devices.clockExact')
  const parts = [
    Math.floor(s / 86400) ? t('devices.days', { count: Math.floor(s / 86400) }) : '',
    Math.floor((s % 86400) / 3600) ? t('devices.hours', { count: Math.floor((s % 86400) / 3600) }) : '',
    Math.floor((s % 3600) / 60) ? t('devices.minutes', { count: Math.floor((s % 3600) / 60) }) : '',
    s % 60 ? t('devices.seconds', { count: s % 60 }) : '',
  ].filter(Boolean)
  return t(ms > 0 ? 'devices.clockFast' : 'devices.clockSlow', { amount: parts.join(' ') })
}
