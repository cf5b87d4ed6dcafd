import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../../shared/contract.ts'
import type { Role } from '../../../../shared/roles.ts'
import { mayCall } from '../../../../shared/may-call.ts'
import { call } from '../../api.ts'
import { ErrorText, formatCaptureTime, useSubmit } from '../../components/common.tsx'
import { QueryError, useCall } from '../../query.tsx'

type Item = MethodOutput<'ingest.suggestions'>['items'][number]
type Candidate = Item['candidates'][number]

/**
 * 归案建议 (issue 19, item 3): for each recording of the finished imports not yet in a case, the declared case
 * action it fits (same officer, same day). One button files every suggestion, each through records.tag — the
 * same gate and frozen-case check as a tag form — and recordings nothing fits are listed as 待归案.
 */
export function FilingSuggestions(props: { roles: readonly Role[]; batchIds: string[] }) {
  const { t } = useTranslation()
  const [chosen, setChosen] = useState<Record<string, number>>({})
  const [filed, setFiled] = useState<number | null>(null)
  const accepting = useSubmit()
  const key = props.batchIds.join(',')
  const suggestionsQ = useCall(
    'ingest.suggestions',
    { batchIds: key.split(',').slice(-50) },
    { enabled: !!key },
  )
  const items: readonly Item[] | null = suggestionsQ.data?.items ?? null
  if (suggestionsQ.error) return <QueryError query={suggestionsQ} />
  if (!items?.length && filed === null) return null
  const matched = (items ?? []).filter((i) => i.candidates.length)
  const unmatched = (items ?? []).filter((i) => !i.candidates.length)
  const pick = (i: Item): Candidate => i.candidates[chosen[i.evidenceId] ?? 0]!
  const acceptAll = () =>
    accepting.run(async () => {
      // One records.tag per (case, stage, action): the same call the tag form makes, audited per recording.
      const groups = new Map<string, { c: Candidate; ids: string[] }>()
      for (const i of matched) {
        const c = pick(i)
        const k = `${c.caseId}|${c.stage}|${c.actionType}`
        const g = groups.get(k) ?? { c, ids: [] }
        g.ids.push(i.evidenceId)
        groups.set(k, g)
      }
      let n = 0
      try {
        for (const { c, ids } of groups.values()) {
          const r = await call('records.tag', {
            evidenceIds: ids,
            tags: { caseId: c.caseId, stage: c.stage, actionType: c.actionType },
            reason: t('suggest.reason'),
          })
          n += r.updated
        }
      } finally {
        // Read again even when a later case failed: those filed are no longer suggestions.
        setFiled(n)
        void suggestionsQ.refetch()
      }
    })
  return (
    <div className="panel" data-testid="suggestions">
      <h3>{t('suggest.title')}</h3>
      <p className="muted">{t('suggest.intro')}</p>
      {filed !== null ? (
        <p className="banner ok" role="status">
          {t('suggest.filed', { count: filed })}
        </p>
      ) : null}
      {matched.length ? (
        <table className="table">
          <thead>
            <tr>
              <th>{t('ingest.col.file')}</th>
              <th>{t('ingest.col.capture')}</th>
              <th>{t('suggest.officer')}</th>
              <th>{t('suggest.case')}</th>
              <th>{t('suggest.stage')}</th>
              <th>{t('suggest.action')}</th>
            </tr>
          </thead>
          <tbody>
            {matched.map((i) => {
              const c = pick(i)
              return (
                <tr key={i.evidenceId} data-testid="suggestion">
                  <td className="path">{i.originalName}</td>
                  <td className="nowrap">{formatCaptureTime(i.captureStart)}</td>
                  <td>{i.officerName ?? '—'}</td>
                  <td>
                    {i.candidates.length > 1 ? (
                      <select
                        aria-label={`${t('suggest.case')} ${i.originalName}`}
                        value={chosen[i.evidenceId] ?? 0}
                        onChange={(e) => setChosen({ ...chosen, [i.evidenceId]: Number(e.target.value) })}
                      >
                        {i.candidates.map((x, n) => (
                          <option key={n} value={n}>
                            {x.caseNo} {x.cause} · {x.actionName}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <>
                        <strong>{c.caseNo}</strong> <span className="muted">{c.cause}</span>
                      </>
                    )}
                  </td>
                  <td className="nowrap">{t(`cases.stageName.${c.stage}`)}</td>
                  <td>
                    {c.actionName}
                    <div className="muted small">{c.occurredOn}</div>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      ) : null}
      {unmatched.length ? (
        <div data-testid="unmatched">
          <h4>{t('suggest.unmatchedTitle', { count: unmatched.length })}</h4>
          <ul className="unmatched-list">
            {unmatched.map((i) => (
              <li key={i.evidenceId}>
                <span className="chip">{t('ingest.unfiled')}</span>{' '}
                <span className="path">{i.originalName}</span>{' '}
                <span className="muted">{formatCaptureTime(i.captureStart)}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <ErrorText error={accepting.error} />
      {matched.length && mayCall('records.tag', props.roles) ? (
        <button className="primary" onClick={acceptAll} disabled={accepting.busy}>
          {t('suggest.acceptAll', { count: matched.length })}
        </button>
      ) : null}
    </div>
  )
}
