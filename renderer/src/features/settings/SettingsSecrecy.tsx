import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { SECRET_LEVELS, type User } from '../../../../shared/contract.ts'
import { call } from '../../api.ts'
import { ErrorText, useSubmit } from '../../components/common.tsx'
import { QueryError, useCall } from '../../query.tsx'

type Level = (typeof SECRET_LEVELS)[number]

/*
 * 设置 → 涉密案件的指定人员: for each level above 一般, who the agency names (access.policy). A level nobody is
 * named for stays closed in the core: none of its records opens and no request on it is approved.
 */
export function SecrecySettingsPanel() {
  const { t } = useTranslation()
  const usersQ = useCall('users.list', {})
  const users: User[] = (usersQ.data?.users ?? []).filter((u) => !u.disabled)
  const [named, setNamed] = useState<Record<Level, string[]> | null>(null)
  const [saved, setSaved] = useState(false)
  const s = useSubmit()
  const { run: load, error: loadError } = useSubmit()
  // access.policy with no fields reads the policy; it is a setting's method, not a query to re-read at will.
  useEffect(() => {
    void load(async () => setNamed((await call('access.policy', {})).named))
  }, [load])
  if (!named)
    return loadError ? (
      <div className="panel">
        <ErrorText error={loadError} />
      </div>
    ) : null
  const toggle = (level: Level, id: string, on: boolean) =>
    setNamed({ ...named, [level]: on ? [...named[level], id] : named[level].filter((x) => x !== id) })
  return (
    <form
      className="panel"
      aria-label={t('settings.secrecy.title')}
      data-testid="secrecy-settings"
      onSubmit={s.onSubmit(async () => {
        setSaved(false)
        setNamed((await call('access.policy', { named })).named)
        setSaved(true)
      })}
    >
      <h3>{t('settings.secrecy.title')}</h3>
      <p className="muted">{t('settings.secrecy.hint')}</p>
      {SECRET_LEVELS.map((level) => (
        <fieldset key={level} data-testid={`secrecy-${level}`}>
          <legend>{t(`cases.confidentialityName.${level}`)}</legend>
          {named[level].length === 0 ? <p className="banner warn">{t('settings.secrecy.closed')}</p> : null}
          <div className="role-picker">
            {users.map((u) => (
              <label key={u.id} className="check">
                <input
                  type="checkbox"
                  name={`named-${level}-${u.username}`}
                  checked={named[level].includes(u.id)}
                  onChange={(e) => toggle(level, u.id, e.target.checked)}
                />
                {u.displayName}
                <span className="muted">（{u.roles.map((r) => t(`roles.${r}`)).join('、')}）</span>
              </label>
            ))}
          </div>
        </fieldset>
      ))}
      <QueryError query={usersQ} />
      <ErrorText error={s.error} />
      <div className="row">
        <button type="submit" className="primary" disabled={s.busy}>
          {t('common.save')}
        </button>
        {saved ? <span className="ok-text">{t('settings.secrecy.saved')}</span> : null}
      </div>
    </form>
  )
}
