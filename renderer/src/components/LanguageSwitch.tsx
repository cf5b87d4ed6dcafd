import { useTranslation } from 'react-i18next'
import { LANGUAGES, normalizeLanguage } from '../../../shared/i18n/index.ts'
import { setLanguage } from '../i18n.ts'

const LABELS: Record<(typeof LANGUAGES)[number], string> = { 'zh-CN': '中文', en: 'English' }

export function LanguageSwitch() {
  const { t, i18n } = useTranslation()
  return (
    <select
      className="lang-switch"
      aria-label={t('common.language')}
      value={normalizeLanguage(i18n.language)}
      onChange={(e) => setLanguage(normalizeLanguage(e.target.value))}
    >
      {LANGUAGES.map((l) => (
        <option key={l} value={l}>
          {LABELS[l]}
        </option>
      ))}
    </select>
  )
}
