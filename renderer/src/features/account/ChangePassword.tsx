import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { call } from '../../api.ts'
import { ErrorText, Field, PasswordInput, useSubmit } from '../../components/common.tsx'

/** Used both as the forced first-sign-in step and from the user menu. */
export function ChangePasswordForm(props: { forced: boolean; onDone: () => void; onCancel?: () => void }) {
  const { t } = useTranslation()
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [repeat, setRepeat] = useState('')
  const [mismatch, setMismatch] = useState(false)
  const { error, busy, onSubmit } = useSubmit()

  const submit = onSubmit(async () => {
    setMismatch(next !== repeat)
    if (next !== repeat) return
    await call('auth.changePassword', { currentPassword: current, newPassword: next })
    props.onDone()
  })

  return (
    <form onSubmit={submit}>
      {props.forced ? <p className="notice">{t('changePassword.forcedIntro')}</p> : null}
      <Field label={t('changePassword.current')}>
        <PasswordInput
          name="currentPassword"
          autoComplete="current-password"
          value={current}
          onChange={setCurrent}
        />
      </Field>
      <Field label={t('changePassword.next')} hint={t('changePassword.rules')}>
        <PasswordInput name="newPassword" autoComplete="new-password" value={next} onChange={setNext} />
      </Field>
      <Field label={t('changePassword.repeat')}>
        <PasswordInput
          name="repeatPassword"
          autoComplete="new-password"
          value={repeat}
          onChange={setRepeat}
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
