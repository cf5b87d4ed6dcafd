import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { PERSON_NAME_RULES, type ReviewScope } from '../../../../shared/review.ts'
import { call } from '../../api.ts'
import { EnumSelect, ErrorText, Field, useSubmit } from '../../components/common.tsx'
import { QueryError, useCall } from '../../query.tsx'

/*
 * 设置 → 法制审核与公示: the agency's review catalogue (its criteria renamed, added or switched off, and Hebei's
 * all-penalties rule) and how natural persons' names are published.
 */
export function ReviewSettingsPanel() {
  const { t } = useTranslation()
  // What is stored, read through the query layer; what is typed over it, until saved.
  const scopeQ = useCall('review.scope', {})
  const rulesQ = useCall('disclosure.rules', {})
  const [edited, setScope] = useState<ReviewScope | null>(null)
  const [editedName, setPersonName] = useState<(typeof PERSON_NAME_RULES)[number] | null>(null)
  const [saved, setSaved] = useState(false)
  const s = useSubmit()
  const scope = edited ?? scopeQ.data ?? null
  const personName = editedName ?? rulesQ.data?.personName ?? 'surname'
  if (scopeQ.error || rulesQ.error)
    return (
      <div className="panel" data-testid="review-settings">
        <QueryError query={scopeQ} />
        <QueryError query={rulesQ} />
      </div>
    )
  if (!scope || !rulesQ.data) return null
  const setItem = (i: number, patch: Partial<ReviewScope['items'][number]>) =>
    setScope({ ...scope, items: scope.items.map((x, j) => (j === i ? { ...x, ...patch } : x)) })
  return (
    <form
      className="panel"
      aria-label={t('review.scope')}
      data-testid="review-settings"
      onSubmit={s.onSubmit(async () => {
        setSaved(false)
        setScope(await call('review.setScope', scope))
        await call('disclosure.setRules', { personName })
        setSaved(true)
      })}
    >
      <h3>{t('review.scope')}</h3>
      <p className="muted">{t('review.scopeHint')}</p>
      <table className="table">
        <thead>
          <tr>
            <th>{t('review.scopeEnabled')}</th>
            <th>{t('review.scopeName')}</th>
            <th>{t('review.scopeCode')}</th>
          </tr>
        </thead>
        <tbody>
          {scope.items.map((item, i) => (
            <tr key={i}>
              <td>
                <input
                  type="checkbox"
                  aria-label={t('review.scopeEnabled')}
                  checked={item.enabled}
                  onChange={(e) => setItem(i, { enabled: e.target.checked })}
                />
              </td>
              <td>
                <input
                  className="wide"
                  aria-label={t('review.scopeName')}
                  value={item.name}
                  onChange={(e) => setItem(i, { name: e.target.value })}
                  required
                />
              </td>
              <td>
                <input
                  className="mono"
                  aria-label={t('review.scopeCode')}
                  value={item.code}
                  onChange={(e) => setItem(i, { code: e.target.value })}
                  pattern="[a-z][a-z0-9_]{1,40}"
                  required
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button
          type="button"
          onClick={() =>
            setScope({
              ...scope,
              items: [...scope.items, { code: `item_${scope.items.length + 1}`, name: '', enabled: true }],
            })
          }
        >
          {t('review.scopeAdd')}
        </button>
      </div>
      <p>
        <label className="check">
          <input
            type="checkbox"
            name="allPenalties"
            checked={scope.allPenalties}
            onChange={(e) => setScope({ ...scope, allPenalties: e.target.checked })}
          />
          {t('review.allPenalties')}
        </label>
      </p>
      <h3>{t('disclosure.rules')}</h3>
      <Field label={t('disclosure.personName')}>
        <EnumSelect
          name="personName"
          value={personName}
          options={PERSON_NAME_RULES}
          label={(r) => t(`disclosure.personNameRule.${r}`)}
          onChange={setPersonName}
        />
      </Field>
      <ErrorText error={s.error} />
      <button type="submit" className="primary" disabled={s.busy}>
        {t('review.saveScope')}
      </button>
      {saved ? (
        <span className="ok-text" role="status">
          {' '}
          {t('review.saved')}
        </span>
      ) : null}
    </form>
  )
}
