import { useCallback, useEffect, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { Agency, User } from '../../../../shared/contract.ts'
import type { AppErrorValue } from '../../../../shared/errors.ts'
import { ROLES, type Role } from '../../../../shared/roles.ts'
import { call } from '../../api.ts'
import { CertificatesPanel } from './SettingsCertificates.tsx'
import { BackupPanel } from './SettingsBackup.tsx'
import { ReviewSettingsPanel } from './SettingsReview.tsx'
import { SecrecySettingsPanel } from './SettingsSecrecy.tsx'
import {
  ErrorText,
  Field,
  PasswordInput,
  errorValueOf,
  formatTime,
  useSubmit,
} from '../../components/common.tsx'

export function SettingsPage({ currentUserId }: { currentUserId: string }) {
  const { t } = useTranslation()
  return (
    <section>
      <h2>{t('settings.title')}</h2>
      <AgencyForm />
      <Users currentUserId={currentUserId} />
      <SecrecySettingsPanel />
      <CertificatesPanel />
      <ReviewSettingsPanel />
      <BackupPanel />
    </section>
  )
}

function AgencyForm() {
  const { t } = useTranslation()
  const [agency, setAgency] = useState<Agency | null>(null)
  const [error, setError] = useState<AppErrorValue | null>(null)
  const [saved, setSaved] = useState(false)

  useEffect(() => {
    call('agency.get', {}).then(setAgency, (e: unknown) => setError(errorValueOf(e)))
  }, [])

  if (!agency) return <ErrorText error={error} />

  async function save(e: FormEvent) {
    e.preventDefault()
    if (!agency) return
    setError(null)
    setSaved(false)
    try {
      setAgency(
        await call('agency.update', {
          name: agency.name,
          code: agency.code,
          idleLockMinutes: agency.idleLockMinutes,
          maxFailedSignIns: agency.maxFailedSignIns,
          lockoutMinutes: agency.lockoutMinutes,
          autoImport: agency.autoImport,
        }),
      )
      setSaved(true)
    } catch (err) {
      setError(errorValueOf(err))
    }
  }
  const num = (k: 'idleLockMinutes' | 'maxFailedSignIns' | 'lockoutMinutes') => ({
    type: 'number',
    value: agency[k],
    onChange: (e: { target: { value: string } }) => setAgency({ ...agency, [k]: Number(e.target.value) }),
  })

  return (
    <form className="panel" onSubmit={save}>
      <h3>{t('settings.agency')}</h3>
      <div className="grid">
        <Field label={t('settings.agencyName')}>
          <input value={agency.name} onChange={(e) => setAgency({ ...agency, name: e.target.value })} />
        </Field>
        <Field label={t('settings.agencyCode')}>
          <input value={agency.code} onChange={(e) => setAgency({ ...agency, code: e.target.value })} />
        </Field>
        <Field label={t('settings.idleLockMinutes')}>
          <input {...num('idleLockMinutes')} min={1} max={240} />
        </Field>
        <Field label={t('settings.maxFailedSignIns')}>
          <input {...num('maxFailedSignIns')} min={3} max={20} />
        </Field>
        <Field label={t('settings.lockoutMinutes')}>
          <input {...num('lockoutMinutes')} min={1} max={1440} />
        </Field>
      </div>
      <label className="check">
        <input
          type="checkbox"
          name="autoImport"
          checked={agency.autoImport}
          onChange={(e) => setAgency({ ...agency, autoImport: e.target.checked })}
        />
        {t('settings.autoImport')}
      </label>
      <p className="muted">{t('settings.autoImportHint')}</p>
      <ErrorText error={error} />
      <div className="row">
        <button type="submit" className="primary">
          {t('common.save')}
        </button>
        {saved ? <span className="ok-text">{t('common.saved')}</span> : null}
      </div>
    </form>
  )
}

function RolePicker(props: { value: Role[]; onChange: (r: Role[]) => void }) {
  const { t } = useTranslation()
  return (
    <div className="role-picker">
      {ROLES.map((r) => (
        <label key={r} className="check">
          <input
            type="checkbox"
            name={`role-${r}`}
            checked={props.value.includes(r)}
            onChange={(e) =>
              props.onChange(e.target.checked ? [...props.value, r] : props.value.filter((x) => x !== r))
            }
          />
          {t(`roles.${r}`)}
        </label>
      ))}
    </div>
  )
}

function Users({ currentUserId }: { currentUserId: string }) {
  const { t, i18n } = useTranslation()
  const [users, setUsers] = useState<User[]>([])
  const [error, setError] = useState<AppErrorValue | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const [resetFor, setResetFor] = useState<User | null>(null)

  const load = useCallback(async () => {
    try {
      setUsers((await call('users.list', {})).users)
    } catch (e) {
      setError(errorValueOf(e))
    }
  }, [])
  useEffect(() => {
    void load()
  }, [load])

  async function act(fn: () => Promise<unknown>) {
    setError(null)
    setMessage(null)
    try {
      await fn()
      setMessage(t('settings.updated'))
      await load()
    } catch (e) {
      setError(errorValueOf(e))
    }
  }

  return (
    <div className="panel">
      <h3>{t('settings.users')}</h3>
      <table className="table" data-testid="users-table">
        <thead>
          <tr>
            <th>{t('settings.username')}</th>
            <th>{t('settings.displayName')}</th>
            <th>{t('settings.roles')}</th>
            <th>{t('settings.badgeNo')}</th>
            <th>{t('settings.status')}</th>
            <th>{t('settings.lastSignIn')}</th>
            <th>{t('settings.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>{u.displayName}</td>
              <td>{u.roles.map((r) => t(`roles.${r}`)).join(t('validation.fieldSep'))}</td>
              <td>{u.badgeNo ?? '—'}</td>
              <td>
                {u.disabled ? t('settings.disabled') : t('settings.active')}
                {u.lockedUntil && u.lockedUntil > new Date().toISOString()
                  ? ` · ${t('settings.lockedUntil', { time: formatTime(u.lockedUntil, i18n.language) })}`
                  : ''}
                {u.mustChangePassword ? ` · ${t('settings.mustChange')}` : ''}
              </td>
              <td className="nowrap">{formatTime(u.lastSignInAt, i18n.language)}</td>
              <td className="actions">
                {u.id !== currentUserId ? (
                  <button
                    onClick={() => act(() => call('users.update', { userId: u.id, disabled: !u.disabled }))}
                  >
                    {u.disabled ? t('settings.enable') : t('settings.disable')}
                  </button>
                ) : null}
                {u.lockedUntil ? (
                  <button onClick={() => act(() => call('users.unlock', { userId: u.id }))}>
                    {t('settings.unlock')}
                  </button>
                ) : null}
                <button onClick={() => setResetFor(u)}>{t('settings.resetPassword')}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {resetFor ? (
        <ResetPassword
          user={resetFor}
          onDone={(p) => {
            setResetFor(null)
            if (p) void act(p)
          }}
        />
      ) : null}
      <ErrorText error={error} />
      {message ? <p className="ok-text">{message}</p> : null}
      <AddUser
        onCreated={(username) => {
          setMessage(t('settings.created', { username }))
          void load()
        }}
      />
    </div>
  )
}

function ResetPassword(props: { user: User; onDone: (action: (() => Promise<unknown>) | null) => void }) {
  const { t } = useTranslation()
  const [password, setPassword] = useState('')
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault()
        props.onDone(() => call('users.resetPassword', { userId: props.user.id, newPassword: password }))
      }}
    >
      <Field
        label={t('settings.resetPrompt', { name: props.user.displayName })}
        hint={t('changePassword.rules')}
      >
        <PasswordInput
          name="resetPassword"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
        />
      </Field>
      <div className="row">
        <button type="submit" className="primary">
          {t('common.confirm')}
        </button>
        <button type="button" onClick={() => props.onDone(null)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}

function AddUser({ onCreated }: { onCreated: (username: string) => void }) {
  const { t } = useTranslation()
  const blank = { username: '', displayName: '', badgeNo: '', initialPassword: '', roles: [] as Role[] }
  const [form, setForm] = useState(blank)
  const { error, busy, onSubmit } = useSubmit()

  const submit = onSubmit(async () => {
    const { user } = await call('users.create', {
      username: form.username,
      displayName: form.displayName,
      roles: form.roles,
      initialPassword: form.initialPassword,
      ...(form.badgeNo.trim() ? { badgeNo: form.badgeNo } : {}),
    })
    setForm(blank)
    onCreated(user.username)
  })

  return (
    <form className="sub-panel" onSubmit={submit} aria-label={t('settings.addUser')}>
      <h4>{t('settings.addUser')}</h4>
      <div className="grid">
        <Field label={t('settings.username')}>
          <input
            name="username"
            value={form.username}
            onChange={(e) => setForm({ ...form, username: e.target.value })}
            required
          />
        </Field>
        <Field label={t('settings.displayName')}>
          <input
            name="displayName"
            value={form.displayName}
            onChange={(e) => setForm({ ...form, displayName: e.target.value })}
            required
          />
        </Field>
        <Field label={t('settings.badgeNo')} hint={t('settings.badgeHint')}>
          <input
            name="badgeNo"
            value={form.badgeNo}
            onChange={(e) => setForm({ ...form, badgeNo: e.target.value })}
          />
        </Field>
        <Field label={t('settings.initialPassword')} hint={t('settings.initialPasswordHint')}>
          <PasswordInput
            name="initialPassword"
            autoComplete="new-password"
            value={form.initialPassword}
            onChange={(v) => setForm({ ...form, initialPassword: v })}
          />
        </Field>
      </div>
      <Field label={t('settings.roles')}>
        <RolePicker value={form.roles} onChange={(roles) => setForm({ ...form, roles })} />
      </Field>
      <ErrorText error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('settings.addUser')}
      </button>
    </form>
  )
}
