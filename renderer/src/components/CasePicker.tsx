import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../shared/contract.ts'
import { call } from '../api.ts'

type Fileable = MethodOutput<'ingest.cases'>['cases'][number]
/** A case as the picker lists it. */
export type PickedCase = Pick<Fileable, 'id' | 'caseNo' | 'cause'>

const fileable = async (query: string): Promise<Fileable[]> =>
  (await call('ingest.cases', query ? { query } : {})).cases

/**
 * The case a recording is filed into, picked from a list (never typed free): the cases the signed-in user may
 * file into now, searched by part of the number or the cause. The core checks again when it files.
 */
export function CasePicker<C extends PickedCase = Fileable>(props: {
  value: C | null
  onChange: (c: C | null) => void
  /** Where the cases come from: by default those the user may file into now (ingest.cases). */
  search?: (query: string) => Promise<C[]>
  /** The words on the button that takes the chosen case back (default 不归入). */
  clearLabel?: string
  /** What to say when nothing matches (default: no case you may file into). */
  emptyLabel?: string
}) {
  const { t } = useTranslation()
  const [query, setQuery] = useState('')
  // The list with the query it answers: while a newer query is on its way the shown options are an older answer,
  // and a click on one could land on a row that moves when the answer comes (or file into a case no longer meant).
  const [found, setFound] = useState<{ query: string; cases: C[] } | null>(null)
  const cases = found?.cases ?? null
  const settled = found?.query === query.trim()
  // Kept in a ref: a search function made anew on every render must not ask the core again each time.
  const search = useRef(props.search ?? (fileable as unknown as (q: string) => Promise<C[]>))
  search.current = props.search ?? (fileable as unknown as (q: string) => Promise<C[]>)
  useEffect(() => {
    let stale = false
    // A short pause while typing, so each keystroke does not ask the core.
    const q = query.trim()
    const timer = window.setTimeout(() => {
      void search.current(q).then(
        (r) => !stale && setFound({ query: q, cases: r }),
        () => !stale && setFound({ query: q, cases: [] }),
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
          {props.clearLabel ?? t('ingest.clearCase')}
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
      {settled && cases?.length === 0 ? (
        <p className="muted small">{props.emptyLabel ?? t('ingest.noFileable')}</p>
      ) : null}
      {cases?.length ? (
        <ul className="case-options" role="listbox" aria-busy={!settled}>
          {cases.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                role="option"
                aria-selected={false}
                disabled={!settled}
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
