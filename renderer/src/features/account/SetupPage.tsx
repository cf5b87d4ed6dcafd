import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { call } from '../../api.ts'
import { CenteredCard, ErrorText, Field, PasswordInput, useSubmit } from '../../components/common.tsx'

export function Setup({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation()
  const [form, setForm] = useState({
    agencyName: '',
    agencyCode: '',
    adminUsername: 'admin',
    adminDisplayName: '',
    adminPassword: '',
  })
  const { error, busy, onSubmit } = useSubmit()
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value })
  const submit = onSubmit(async () => {
    await call('system.initialize', form)
    onDone()
  })

  return (
    <CenteredCard title={t('setup.title')} wide>
      <p className="muted">{t('setup.intro')}</p>
      <form onSubmit={submit}>
        <Field label={t('setup.agencyName')}>
          <input name="agencyName" value={form.agencyName} onChange={set('agencyName')} required />
        </Field>
        <Field label={t('setup.agencyCode')} hint={t('setup.agencyCodeHint')}>
          <input name="agencyCode" value={form.agencyCode} onChange={set('agencyCode')} required />
        </Field>
        <Field label={t('setup.adminUsername')}>
          <input name="adminUsername" value={form.adminUsername} onChange={set('adminUsername')} required />
        </Field>
        <Field label={t('setup.adminDisplayName')}>
          <input
            name="adminDisplayName"
            value={form.adminDisplayName}
            onChange={set('adminDisplayName')}
            required
          />
        </Field>
        <Field label={t('setup.adminPassword')} hint={t('setup.adminPasswordHint')}>
          <PasswordInput
            name="adminPassword"
            autoComplete="new-password"
            value={form.adminPassword}
            onChange={(v) => setForm({ ...form, adminPassword: v })}
          />
        </Field>
        <ErrorText error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('setup.submit')}
        </button>
      </form>
    </CenteredCard>
  )
}
