import { useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { AppErrorValue } from '../../../shared/errors.ts'
import { call } from '../api.ts'
import { ErrorText, Field, errorValueOf } from '../components/common.tsx'

/** Used both as the forced first-sign-in step and from the user menu. */
export function ChangePasswordForm(props: { forced: boolean; onDone: () => void; onCancel?: () => void }) {
  const { t } = useTranslation()
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [repeat, setRepeat] = useState('')
  const [error, setError] = useState<AppErrorValue | null>(null)
  const [mismatch, setMismatch] = useState(false)
  const [busy, setBusy] = useState(false)

  async function submit(e: FormEvent) {
    e.preventDefault()
    setError(null)
    setMismatch(next !== repeat)
    if (next !== repeat) return
    setBusy(true)
    try {
      await call('auth.changePassword', { currentPassword: current, newPassword: next })
      props.onDone()
    } catch (err) {
      setError(errorValueOf(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit}>
      {props.forced ? <p className="notice">{t('changePassword.forcedIntro')}</p> : null}
      <Field label={t('changePassword.current')}>
        <input
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          required
        />
      </Field>
      <Field label={t('changePassword.next')} hint={t('changePassword.rules')}>
        <input
          name="newPassword"
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          required
        />
      </Field>
      <Field label={t('changePassword.repeat')}>
        <input
          name="repeatPassword"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          required
        />
      </Field>
      {mismatch ? (
        <p className="error" role="alert">
          {t('changePassword.mismatch')}
        </p>
      ) : null}
      <ErrorText error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {t('changePassword.submit')}
        </button>
        {props.onCancel ? (
          <button type="button" onClick={props.onCancel}>
            {t('common.cancel')}
          </button>
        ) : null}
      </div>
    </form>
  )
}
