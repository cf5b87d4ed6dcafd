import type { TFunction } from 'i18next'
import { ROLES } from '../../../../shared/roles.ts'
import { formatBeijing, isIsoInstant } from '../../../../shared/datetime.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Codes whose names are fixed in the app's own messages, by the detail key they appear under. */
const CODE_NAMES: Record<string, string[]> = {
  stage: ['cases.stageName'],
  purpose: ['access.purposeName'],
  kind: ['access.kindName'],
  use: ['access.basisName'],
  basis: ['access.basisName'],
  opinion: ['review.opinionName'],
  outcome: ['review.outcomeName'],
  media: ['archive.mediaName'],
  scope: ['integrity.scopeName'],
  ground: ['disclosure.groundName'],
  format: ['disclosure.formatName'],
  source: ['cases.sourceName'],
  confidentiality: ['cases.confidentialityName'],
}

/**
 * Audit details are stored as JSON for machines; an auditor reads them as "label：value" pairs with names:
 * ids become what they name (a case number, a person), codes the agency's or the app's name for them, times
 * Beijing time. `names` comes with the events from the core (electron/core/audit-names.ts); an id it could not
 * name (a deleted row) is shown by its first eight characters, never in full.
 */
export function formatAuditDetails(
  details: Record<string, unknown>,
  t: TFunction,
  has: (k: string) => boolean,
  names: Record<string, string> = {},
): string {
  const sep = t('validation.fieldSep')
  const label = (k: string) => (has(`audit.detail.${k}`) ? t(`audit.detail.${k}`) : k)
  const text = (key: string, v: string): string => {
    if (names[v]) return names[v]
    if (UUID.test(v)) return `#${v.slice(0, 8)}`
    if (names[`${key}:${v}`]) return names[`${key}:${v}`]!
    for (const prefix of CODE_NAMES[key] ?? []) if (has(`${prefix}.${v}`)) return t(`${prefix}.${v}`)
    if (key === 'channel' && has(`audit.channel.${v}`)) return t(`audit.channel.${v}`)
    if (key === 'action' && has(`actions.${v}`)) return t(`actions.${v}`)
    if (isIsoInstant(v)) return formatBeijing(v)
    return v
  }
  const value = (key: string, v: unknown): string => {
    if (v === null || v === undefined || v === '') return '—'
    if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no')
    if (key === 'roles' && Array.isArray(v))
      return v
        .map((r) => ((ROLES as readonly unknown[]).includes(r) ? t(`roles.${String(r)}`) : String(r)))
        .join(sep)
    // Row seals are hashes for the integrity check: how many rows, not the hashes, is what a reader wants.
    if (key === 'seals' && typeof v === 'object')
      return t('audit.sealedRows', { count: Object.keys(v).length })
    if (typeof v === 'string') return text(key, v)
    if (Array.isArray(v)) return v.length ? v.map((x) => value(key, x)).join(sep) : '—'
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>
      // Edits are recorded as {from, to}.
      if ('from' in o && 'to' in o) return `${value(key, o.from)} → ${value(key, o.to)}`
      // A nested record (a tag's before/after) reads like the outer one, in brackets.
      return `（${pairs(o, '，')}）`
    }
    return String(v)
  }
  const pairs = (o: Record<string, unknown>, join: string) =>
    Object.entries(o)
      .map(([k, v]) => `${label(k)}：${value(k, v)}`)
      .join(join)
  return pairs(details, '；')
}
