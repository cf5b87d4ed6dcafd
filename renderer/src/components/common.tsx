import { useCallback, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { AppErrorValue } from '../../../shared/errors.ts'
import { translateError } from '../../../shared/i18n/index.ts'
import { formatBeijing, type TimePrecision } from '../../../shared/datetime.ts'
import { ApiError, actionDone } from '../api.ts'

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

/**
 * A stored time (UTC ISO) for display: Beijing time `2026-12-02 06:28`, the same in both languages and on every
 * PC whatever its zone (shared/datetime.ts). `lang` is kept so callers need not change.
 */
export function formatTime(iso: string | null, _lang?: string, precision?: TimePrecision): string {
  return formatBeijing(iso, precision)
}

/**
 * A capture time as the device recorded it: the wall-clock time of the offset stored with it, not converted to
 * this computer's zone, with the offset shown when it is not China Standard Time.
 */
export function formatCaptureTime(iso: string | null): string {
  if (!iso) return '—'
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(iso)
  if (!m) return iso
  return m[3] === '+08:00' ? `${m[1]} ${m[2]}` : `${m[1]} ${m[2]} (${m[3] === 'Z' ? 'UTC' : `UTC${m[3]}`})`
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

/**
 * A form submitted to the core: one busy flag against double submits, one translated error.
 * `run` returns whether the action succeeded.
 */
/**
 * An action's busy and error state. `{ changes: false }` for an opening that changes nothing a screen shows (a
 * player, a viewer, a folder listing): the screen's queries need not read again after it (each case read is a line
 * in the access log).
 */
export function useSubmit(opts: { changes?: boolean } = {}) {
  const changes = opts.changes ?? true
  const [error, setError] = useState<AppErrorValue | null>(null)
  const [busy, setBusy] = useState(false)
  const run = useCallback(
    async (action: () => Promise<unknown>): Promise<boolean> => {
      setBusy(true)
      setError(null)
      try {
        await action()
        // What the screen shows read again (query.tsx): the action may have changed any of it.
        if (changes) actionDone()
        return true
      } catch (e) {
        setError(errorValueOf(e))
        return false
      } finally {
        setBusy(false)
      }
    },
    [changes],
  )
  const onSubmit = (action: () => Promise<unknown>) => (e: FormEvent) => {
    e.preventDefault()
    void run(action)
  }
  return { error, setError, busy, run, onSubmit }
}

export function PasswordInput(props: {
  name: string
  value: string
  onChange: (value: string) => void
  autoComplete: 'current-password' | 'new-password'
  autoFocus?: boolean
}) {
  return (
    <input
      name={props.name}
      type="password"
      autoComplete={props.autoComplete}
      autoFocus={props.autoFocus}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      required
    />
  )
}

/** Hand a PDF made by the core to the browser as a download. */
export function downloadPdf(pdfBase64: string, name: string): void {
  const bytes = Uint8Array.from(atob(pdfBase64), (ch) => ch.charCodeAt(0))
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }))
  const a = document.createElement('a')
  a.href = url
  a.download = `${name}.pdf`
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** A select over a fixed list of codes, each shown by its translated name. */
export function EnumSelect<T extends string>(props: {
  name: string
  value: T
  options: readonly T[]
  label: (value: T) => string
  onChange: (value: T) => void
}) {
  return (
    <select name={props.name} value={props.value} onChange={(e) => props.onChange(e.target.value as T)}>
      {props.options.map((o) => (
        <option key={o} value={o}>
          {props.label(o)}
        </option>
      ))}
    </select>
  )
}
