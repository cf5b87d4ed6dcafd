import { useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { AppErrorValue } from '../../../shared/errors.ts'
import type { MethodOutput } from '../../../shared/contract.ts'
import { call, setSession } from '../api.ts'
import { CenteredCard, ErrorText, Field, errorValueOf } from '../components/common.tsx'

export function SignIn(props: {
  agencyName: string | null
  notice?: string | null
  onSignedIn: (s: MethodOutput<'auth.signIn'>) => void
}) {
  const { t } = useTranslation()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<AppErrorValue | null>(null)
  const [busy, setBusy] = useState(false)

  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const r = await call('auth.signIn', { username, password })
      setSession(r.session)
      props.onSignedIn(r)
    } catch (err) {
      setError(errorValueOf(err))
      setPassword('')
    } finally {
      setBusy(false)
    }
  }

  return (
    <CenteredCard title={props.agencyName ? `${props.agencyName} · ${t('signIn.title')}` : t('signIn.title')}>
      {props.notice ? <p className="notice">{props.notice}</p> : null}
      <form onSubmit={submit}>
        <Field label={t('signIn.username')}>
          <input
            name="username"
            autoComplete="username"
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </Field>
        <Field label={t('signIn.password')}>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </Field>
        <ErrorText error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('signIn.submit')}
        </button>
      </form>
    </CenteredCard>
  )
}
