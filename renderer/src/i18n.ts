import i18next from 'i18next'
import { initReactI18next } from 'react-i18next'
import { DEFAULT_LANGUAGE, normalizeLanguage, resources, type Language } from '../../shared/i18n/index.ts'
import { isolateBidi } from '../../shared/text-safety.ts'

const LANG_KEY = 'liuhen.lang'

export function initI18n(): void {
  const lng = normalizeLanguage(localStorage.getItem(LANG_KEY) ?? DEFAULT_LANGUAGE)
  void i18next.use(initReactI18next).init({
    lng,
    fallbackLng: DEFAULT_LANGUAGE,
    resources,
    initAsync: false,
    interpolation: {
      // React escapes HTML itself; the "escape" applied to every interpolated value instead isolates one that
      // carries bidi controls (a name with U+202E) in FSI…PDI, so it cannot reorder the sentence it is put
      // into. Every other value is left exactly as it is.
      escapeValue: true,
      escape: (value: string) => String(isolateBidi(value)),
    },
  })
  document.documentElement.lang = lng
}

export function setLanguage(lng: Language): void {
  localStorage.setItem(LANG_KEY, lng)
  document.documentElement.lang = lng
  void i18next.changeLanguage(lng)
}
