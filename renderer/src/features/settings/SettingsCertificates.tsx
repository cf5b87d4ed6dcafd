import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { REVOCATION_REASONS, type MethodOutput, type User } from '../../../../shared/contract.ts'
import { mayCall } from '../../../../shared/may-call.ts'
import { call } from '../../api.ts'
import { ErrorText, Field, PasswordInput, formatTime, useSubmit } from '../../components/common.tsx'

type Certs = MethodOutput<'certs.list'>
type Cert = Certs['certificates'][number]

/** The administrator's view of the agency's certificates: root, officers' certificates, TSA, revocation. */
export function CertificatesPanel() {
  const { t, i18n } = useTranslation()
  const [certs, setCerts] = useState<Certs | null>(null)
  const [users, setUsers] = useState<User[]>([])
  const [tsaUrl, setTsaUrl] = useState('')
  const [revoking, setRevoking] = useState<Cert | null>(null)
  const load = useSubmit()
  const { run } = load
  const reload = useCallback(
    () =>
      run(async () => {
        setCerts(await call('certs.list', {}))
        setUsers((await call('users.list', {})).users)
        setTsaUrl((await call('signing.settings', {})).tsaUrl ?? '')
      }),
    [run],
  )
  useEffect(() => {
    void reload()
  }, [reload])

  const root = certs?.certificates.find((c) => c.kind === 'root' && !c.revokedAt)
  const nameOf = (id: string | null) => users.find((u) => u.id === id)?.displayName ?? '—'
  const tsa = useSubmit()

  return (
    <div className="panel" data-testid="certificates">
      <h3>{t('certs.title')}</h3>
      <ErrorText error={load.error} />
      {certs && !root && !certs.trustAnchors.some((a) => a.purpose === 'signing') ? (
        <CreateRoot onDone={reload} />
      ) : null}
      {certs ? (
        <table className="table">
          <thead>
            <tr>
              <th>{t('certs.kind')}</th>
              <th>{t('certs.holder')}</th>
              <th>{t('certs.algorithm')}</th>
              <th>{t('certs.serial')}</th>
              <th>{t('certs.notAfter')}</th>
              <th>{t('certs.status')}</th>
              <th>{t('settings.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {certs.certificates.map((c) => (
              <tr key={c.id}>
                <td>{t(`certs.kindName.${c.kind}`)}</td>
                <td>{c.subject}</td>
                <td>{c.algorithm === 'sm2' ? 'SM2 / SM3' : 'RSA / SHA-256'}</td>
                <td className="mono">{c.serial}</td>
                <td className="nowrap">{formatTime(c.notAfter, i18n.language)}</td>
                <td>
                  <span className={`chip chip-${c.status}`}>
                    {t(`certs.statusName.${c.status}`, { days: c.daysLeft })}
                  </span>
                </td>
                <td>
                  {c.kind === 'officer' && !c.revokedAt ? (
                    <button type="button" onClick={() => setRevoking(c)}>
                      {t('certs.revoke')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
            {certs.trustAnchors.map((a) => (
              <tr key={a.id}>
                <td>{t(`certs.anchor.${a.purpose}`)}</td>
                <td>{a.subject}</td>
                <td>—</td>
                <td className="mono" title={a.fingerprint}>
                  {a.fingerprint.slice(0, 16)}…
                </td>
                <td className="nowrap">{formatTime(a.notAfter, i18n.language)}</td>
                <td />
                <td />
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {revoking ? (
        <Revoke
          cert={revoking}
          holder={nameOf(revoking.userId)}
          onDone={() => {
            setRevoking(null)
            void reload()
          }}
        />
      ) : null}
      {root ? <IssueCertificate users={users} onDone={reload} /> : null}
      <form
        className="sub-panel"
        onSubmit={tsa.onSubmit(async () => {
          await call('signing.setSettings', { tsaUrl: tsaUrl.trim() || null })
          await reload()
        })}
      >
        <Field label={t('certs.tsaUrl')} hint={t('certs.tsaHint')}>
          <input name="tsaUrl" value={tsaUrl} onChange={(e) => setTsaUrl(e.target.value)} />
        </Field>
        <ErrorText error={tsa.error} />
        <button type="submit">{t('common.save')}</button>
      </form>
    </div>
  )
}

function CreateRoot({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation()
  const [passphrase, setPassphrase] = useState('')
  const [algorithm, setAlgorithm] = useState<'rsa' | 'sm2'>('rsa')
  const s = useSubmit()
  return (
    <form
      className="sub-panel"
      onSubmit={s.onSubmit(async () => {
        await call('ca.init', { passphrase, algorithm })
        setPassphrase('')
        onDone()
      })}
    >
      <p className="banner warn">{t('certs.noRoot')}</p>
      <div className="grid">
        <Field label={t('certs.algorithm')}>
          <select value={algorithm} onChange={(e) => setAlgorithm(e.target.value as 'rsa' | 'sm2')}>
            <option value="rsa">RSA / SHA-256</option>
            <option value="sm2">{t('certs.sm2')}</option>
          </select>
        </Field>
        <Field label={t('certs.rootPassphrase')} hint={t('certs.rootPassphraseHint')}>
          <PasswordInput
            name="rootPassphrase"
            value={passphrase}
            onChange={setPassphrase}
            autoComplete="new-password"
          />
        </Field>
      </div>
      <ErrorText error={s.error} />
      <button type="submit" className="primary" disabled={s.busy}>
        {t('certs.createRoot')}
      </button>
    </form>
  )
}

function IssueCertificate({ users, onDone }: { users: User[]; onDone: () => void }) {
  const { t } = useTranslation()
  const [userId, setUserId] = useState('')
  const [rootPassphrase, setRootPassphrase] = useState('')
  const [pin, setPin] = useState('')
  const s = useSubmit()
  // Certificates are for those who sign what they import.
  const holders = users.filter((u) => !u.disabled && mayCall('signing.signOwed', u.roles))
  return (
    <form
      className="sub-panel"
      aria-label={t('certs.issue')}
      onSubmit={s.onSubmit(async () => {
        await call('ca.issue', { userId, rootPassphrase, pin })
        setRootPassphrase('')
        setPin('')
        onDone()
      })}
    >
      <h4>{t('certs.issue')}</h4>
      <div className="grid">
        <Field label={t('certs.holder')}>
          <select name="holder" value={userId} onChange={(e) => setUserId(e.target.value)} required>
            <option value="">—</option>
            {holders.map((u) => (
              <option key={u.id} value={u.id}>
                {u.displayName}（{u.username}）
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('certs.rootPassphrase')}>
          <PasswordInput
            name="issueRootPassphrase"
            value={rootPassphrase}
            onChange={setRootPassphrase}
            autoComplete="current-password"
          />
        </Field>
        <Field label={t('certs.pin')} hint={t('certs.pinHint')}>
          <PasswordInput name="newPin" value={pin} onChange={setPin} autoComplete="new-password" />
        </Field>
      </div>
      <ErrorText error={s.error} />
      <button type="submit" className="primary" disabled={s.busy}>
        {t('certs.issue')}
      </button>
    </form>
  )
}

function Revoke(props: { cert: Cert; holder: string; onDone: () => void }) {
  const { t } = useTranslation()
  const [reason, setReason] = useState<(typeof REVOCATION_REASONS)[number]>('keyCompromise')
  const [rootPassphrase, setRootPassphrase] = useState('')
  const s = useSubmit()
  return (
    <form
      className="sub-panel"
      onSubmit={s.onSubmit(async () => {
        await call('ca.revoke', {
          serial: props.cert.serial,
          reason,
          ...(props.cert.origin === 'local' ? { rootPassphrase } : {}),
        })
        props.onDone()
      })}
    >
      <h4>{t('certs.revokeTitle', { holder: props.holder, serial: props.cert.serial })}</h4>
      <div className="grid">
        <Field label={t('certs.reason')}>
          <select value={reason} onChange={(e) => setReason(e.target.value as typeof reason)}>
            {REVOCATION_REASONS.map((r) => (
              <option key={r} value={r}>
                {t(`certs.reasonName.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        {props.cert.origin === 'local' ? (
          <Field label={t('certs.rootPassphrase')}>
            <PasswordInput
              name="revokeRootPassphrase"
              value={rootPassphrase}
              onChange={setRootPassphrase}
              autoComplete="current-password"
            />
          </Field>
        ) : null}
      </div>
      <ErrorText error={s.error} />
      <div className="row">
        <button type="submit" className="danger" disabled={s.busy}>
          {t('certs.revoke')}
        </button>
        <button type="button" onClick={props.onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}
