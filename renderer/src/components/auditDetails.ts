import type { TFunction } from 'i18next'
import { ROLES } from '../../../shared/roles.ts'

/**
 * Audit details are stored as JSON for machines; a records officer reads them as "label：value" pairs.
 * Known keys and values (roles, channels, booleans) are translated; anything else is shown as stored.
 */
export function formatAuditDetails(
  details: Record<string, unknown>,
  t: TFunction,
  has: (k: string) => boolean,
): string {
  const sep = t('validation.fieldSep')
  const value = (key: string, v: unknown): string => {
    if (v === null || v === undefined) return '—'
    if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no')
    if (key === 'roles' && Array.isArray(v))
      return v
        .map((r) => ((ROLES as readonly unknown[]).includes(r) ? t(`roles.${String(r)}`) : String(r)))
        .join(sep)
    if (key === 'channel' && typeof v === 'string' && has(`audit.channel.${v}`))
      return t(`audit.channel.${v}`)
    // Row seals are hashes for the integrity check: how many rows, not the hashes, is what a reader wants.
    if (key === 'seals' && typeof v === 'object')
      return t('audit.sealedRows', { count: Object.keys(v).length })
    if (Array.isArray(v)) return v.map((x) => value('', x)).join(sep)
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>
      // Edits are recorded as {from, to}.
      if ('from' in o && 'to' in o) return `${value(key, o.from)} → ${value(key, o.to)}`
      return JSON.stringify(o)
    }
    return String(v)
  }
  return Object.entries(details)
    .map(([k, v]) => `${has(`audit.detail.${k}`) ? t(`audit.detail.${k}`) : k}：${value(k, v)}`)
    .join('；')
}
