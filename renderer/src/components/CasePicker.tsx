import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../shared/contract.ts'
import { call } from '../api.ts'

type Fileable = MethodOutput<'ingest.cases'>['cases'][number]

/**
 * The case a recording is filed into, picked from a list (never typed free): the cases the signed-in user may
 * file into now, searched by part of the number or the cause. The core checks again when it files.
 */
export function CasePicker(props: { value: Fileable | null; onChange: (c: Fileable | null) => void }) {
  const { t } = useTranslation()
  const [query, setQuery] = useState('')
  const [cases, setCases] = useState<Fileable[] | null>(null)
  useEffect(() => {
    let stale = false
    // A short pause while typing, so each keystroke does not ask the core.
    const timer = window.setTimeout(() => {
      void call('ingest.cases', query.trim() ? { query: query.trim() } : {}).then(
        (r) => !stale && setCases(r.cases),
        () => !stale && setCases([]),
      )
    }, 200)
    return () => {
      stale = true
      window.clearTimeout(timer)
    }
  }, [query])
  if (props.value)
    return (
      <div className="case-picked row" data-testid="case-picked">
        <strong>{props.value.caseNo}</strong>
        <span className="muted">{props.value.cause}</span>
        <span className="spacer" />
        <button type="button" onClick={() => props.onChange(null)}>
          {t('ingest.clearCase')}
        </button>
      </div>
    )
  return (
    <div className="case-picker" data-testid="case-picker">
      <input
        name="caseSearch"
        type="search"
        value={query}
        placeholder={t('ingest.caseSearch')}
        aria-label={t('ingest.caseSearch')}
        onChange={(e) => setQuery(e.target.value)}
      />
      {cases && cases.length === 0 ? <p className="muted small">{t('ingest.noFileable')}</p> : null}
      {cases?.length ? (
        <ul className="case-options" role="listbox">
          {cases.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                role="option"
                aria-selected={false}
                className="case-option"
                onClick={() => props.onChange(c)}
              >
                <strong>{c.caseNo}</strong> <span className="muted">{c.cause}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}
