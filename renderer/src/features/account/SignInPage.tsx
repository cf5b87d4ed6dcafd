import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../../shared/contract.ts'
import { call, setSession } from '../../api.ts'
import { CenteredCard, ErrorText, Field, PasswordInput, useSubmit } from '../../components/common.tsx'

export function SignIn(props: {
  agencyName: string | null
  notice?: string | null
  onSignedIn: (s: MethodOutput<'auth.signIn'>) => void
}) {
  const { t } = useTranslation()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const { error, busy, onSubmit } = useSubmit()

  const submit = onSubmit(async () => {
    let r: MethodOutput<'auth.signIn'>
    try {
      r = await call('auth.signIn', { username, password })
    } finally {
      setPassword('')
    }
    setSession(r.session)
    props.onSignedIn(r)
  })

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
          <PasswordInput
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
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
