import i18next, { type i18n } from 'i18next'
import zhCN from './zh-CN.ts'
import en from './en.ts'
import type { AppErrorValue } from '../errors.ts'
import { formatTimeParams } from '../datetime.ts'

export const LANGUAGES = ['zh-CN', 'en'] as const
export type Language = (typeof LANGUAGES)[number]
export const DEFAULT_LANGUAGE: Language = 'zh-CN'

export const resources = {
  'zh-CN': { translation: zhCN },
  en: { translation: en },
} as const

export function normalizeLanguage(tag: string | undefined | null): Language {
  return tag && /^en\b/i.test(tag) ? 'en' : DEFAULT_LANGUAGE
}

/** A ready i18next instance; synchronous because the resources are bundled. */
export function createI18n(lng: Language = DEFAULT_LANGUAGE): i18n {
  const instance = i18next.createInstance()
  void instance.init({
    lng,
    fallbackLng: DEFAULT_LANGUAGE,
    resources,
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  })
  return instance
}

/**
 * The fields a VALIDATION error names, by their labels: the core and the forms name an input by its key or path
 * (`items.2.reason`, `endsAt`), which no records officer should read. The deepest segment with a label is the one meant.
 */
function fieldLabels(t: i18n['t'], fields: string): string {
  const labels = fields
    .split(/,\s*/)
    .filter(Boolean)
    .map((p) => {
      const key = p
        .split('.')
        .reverse()
        .find((seg) => /^[A-Za-z]\w*$/.test(seg) && i18nHas(t, `fields.${seg}`))
      return key ? t(`fields.${key}`) : t('fields.unknown')
    })
  // A refusal of the input as a whole (an unknown key has no path) still names something.
  return [...new Set(labels.length ? labels : [t('fields.unknown')])].join(t('validation.fieldSep'))
}

function i18nHas(t: i18n['t'], key: string): boolean {
  return t(key, { defaultValue: '\u0000' }) !== '\u0000'
}

export function translateError(t: i18n['t'], error: AppErrorValue): string {
  if (error.code === 'VALIDATION')
    return t('errors.VALIDATION', { fields: fieldLabels(t, String(error.params?.fields ?? '')) })
  const params = {
    fields: '',
    method: '',
    until: '',
    username: '',
    ref: '',
    found: '',
    supported: '',
    reason: '',
    path: '',
    // A time in a message ("请于 {{until}} 后再试") is read in Beijing time, never as a raw UTC string.
    ...formatTimeParams(error.params ?? {}),
  }
  return t(`errors.${error.code}`, params)
}
