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

export function translateError(t: i18n['t'], error: AppErrorValue): string {
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
