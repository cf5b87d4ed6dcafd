import { useTranslation } from 'react-i18next'
import type { ReactNode } from 'react'
import type { AppErrorValue } from '../../../shared/errors.ts'
import { translateError } from '../../../shared/i18n/index.ts'
import { ApiError } from '../api.ts'

export function errorValueOf(e: unknown): AppErrorValue {
  return e instanceof ApiError ? e.value : { code: 'INTERNAL', params: { ref: 'ui' } }
}

export function ErrorText({ error }: { error: AppErrorValue | null }) {
  const { t } = useTranslation()
  if (!error) return null
  return (
    <p className="error" role="alert">
      {translateError(t, error)}
    </p>
  )
}

export function Field(props: { label: string; hint?: string; children: ReactNode }) {
  return (
    <label className="field">
      <span className="field-label">{props.label}</span>
      {props.children}
      {props.hint ? <span className="field-hint">{props.hint}</span> : null}
    </label>
  )
}

/** Local date-time for display; stored times are UTC ISO strings. */
export function formatTime(iso: string | null, lang: string): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { hour12: false })
}

export function CenteredCard(props: { title: string; children: ReactNode; wide?: boolean }) {
  const { t } = useTranslation()
  return (
    <div className="center-page">
      <div className={props.wide ? 'card card-wide' : 'card'}>
        <div className="brand">
          <span className="brand-mark">{t('app.name')}</span>
          <span className="brand-tagline">{t('app.tagline')}</span>
        </div>
        <h1>{props.title}</h1>
        {props.children}
      </div>
    </div>
  )
}
