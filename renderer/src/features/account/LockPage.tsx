import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { call } from '../../api.ts'
import { CenteredCard, ErrorText, Field, PasswordInput, useSubmit } from '../../components/common.tsx'

export function Lock(props: { displayName: string; onUnlocked: () => void; onSignOut: () => void }) {
  const { t } = useTranslation()
  const [password, setPassword] = useState('')
  const { error, busy, onSubmit } = useSubmit()

  const submit = onSubmit(async () => {
    try {
      await call('auth.unlock', { password })
    } finally {
      setPassword('')
    }
    props.onUnlocked()
  })

  return (
    <CenteredCard title={t('lock.title')}>
      <p className="muted">{t('lock.intro')}</p>
      <p>
        <strong>{props.displayName}</strong>
      </p>
      <form onSubmit={submit}>
        <Field label={t('signIn.password')}>
          <PasswordInput
            name="password"
            autoComplete="current-password"
            autoFocus
            value={password}
            onChange={setPassword}
          />
        </Field>
        <ErrorText error={error} />
        <div className="row">
          <button type="submit" className="primary" disabled={busy}>
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
