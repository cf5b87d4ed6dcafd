import { useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { AppErrorValue } from '../../../shared/errors.ts'
import { call } from '../api.ts'
import { CenteredCard, ErrorText, Field, errorValueOf } from '../components/common.tsx'

export function Lock(props: { displayName: string; onUnlocked: () => void; onSignOut: () => void }) {
  const { t } = useTranslation()
  const [password, setPassword] = useState('')
  const [error, setError] = useState<AppErrorValue | null>(null)

  async function submit(e: FormEvent) {
    e.preventDefault()
    setError(null)
    try {
      await call('auth.unlock', { password })
      props.onUnlocked()
    } catch (err) {
      setError(errorValueOf(err))
      setPassword('')
    }
  }

  return (
    <CenteredCard title={t('lock.title')}>
      <p className="muted">{t('lock.intro')}</p>
      <p>
        <strong>{props.displayName}</strong>
      </p>
      <form onSubmit={submit}>
        <Field label={t('signIn.password')}>
          <input
            name="password"
            type="password"
            autoFocus
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </Field>
        <ErrorText error={error} />
        <div className="row">
          <button type="submit" className="primary">
            {t('lock.unlock')}
          </button>
          <button type="button" onClick={props.onSignOut}>
            {t('signIn.signOut')}
          </button>
        </div>
      </form>
    </CenteredCard>
  )
}
