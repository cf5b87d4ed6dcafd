import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { type AuditEvent, type AuditVerifyReport } from '../../../../shared/contract.ts'
import { mayCall } from '../../../../shared/may-call.ts'
import type { AppErrorValue } from '../../../../shared/errors.ts'
import { call, onCoreEvent } from '../../api.ts'
import { ErrorText, errorValueOf, formatTime } from '../../components/common.tsx'
import { formatAuditDetails } from './auditDetails.ts'
import { IntegrityPanel } from './Integrity.tsx'
import type { Role } from '../../../../shared/roles.ts'

const PAGE = 50

export function AuditPage({ roles }: { roles: readonly Role[] }) {
  const { t, i18n } = useTranslation()
  const [events, setEvents] = useState<AuditEvent[]>([])
  const [total, setTotal] = useState(0)
  const [names, setNames] = useState<Record<string, string>>({})
  const [report, setReport] = useState<AuditVerifyReport | null>(null)
  const [verifying, setVerifying] = useState(false)
  const [error, setError] = useState<AppErrorValue | null>(null)

  const load = useCallback(async () => {
    try {
      const r = await call('audit.list', { limit: PAGE })
      setEvents(r.events)
      setTotal(r.total)
      setNames(r.names)
    } catch (e) {
      setError(errorValueOf(e))
    }
  }, [])

  useEffect(() => {
    void load()
    return onCoreEvent((e) => {
      if (e.type === 'audit.appended') void load()
    })
  }, [load])

  async function older() {
    const last = events[events.length - 1]
    if (!last) return
    try {
      const r = await call('audit.list', { limit: PAGE, beforeSeq: last.seq })
      setEvents([...events, ...r.events])
      setNames({ ...names, ...r.names })
    } catch (e) {
      setError(errorValueOf(e))
    }
  }

  async function verify() {
    setVerifying(true)
    setError(null)
    try {
      setReport(await call('audit.verify', {}))
    } catch (e) {
      setError(errorValueOf(e))
    } finally {
      setVerifying(false)
    }
  }

  const actionLabel = (a: string) =>
    i18n.exists(`actions.${a}`) ? t(`actions.${a}` as 'actions.auth.signIn') : a

  return (
    <section>
      <div className="page-head">
        <h2>{t('audit.title')}</h2>
        <span className="muted">{t('audit.total', { count: total })}</span>
        <button className="primary" onClick={verify} disabled={verifying}>
          {verifying ? t('audit.verifying') : t('audit.verify')}
        </button>
      </div>
      {report ? (
        <p className={report.ok ? 'banner ok' : 'banner bad'} role="status" data-testid="verify-result">
          {report.ok || !report.firstBad
            ? t('audit.ok', { count: report.checked, seq: report.headSeq })
            : t('audit.broken', {
                seq: report.firstBad.seq,
                reason: t(`audit.reason.${report.firstBad.reason}`, {
                  count: report.firstBad.count,
                  seq: report.firstBad.seq,
                }),
                count: report.problems.length,
              })}
        </p>
      ) : null}
      <ErrorText error={error} />
      <IntegrityPanel admin={mayCall('integrity.setSchedule', roles)} />
      {events.length === 0 ? (
        <p className="muted">{t('audit.empty')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t('audit.seq')}</th>
              <th>{t('audit.time')}</th>
              <th>{t('audit.actor')}</th>
              <th>{t('audit.action')}</th>
              <th>{t('audit.details')}</th>
              <th>{t('audit.hash')}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td className="nowrap">{formatTime(e.ts, i18n.language)}</td>
                <td>{e.actorName ?? t('audit.unknownActor')}</td>
                <td>{actionLabel(e.action)}</td>
                <td className="details">{formatAuditDetails(e.details, t, (k) => i18n.exists(k), names)}</td>
                <td className="mono" title={e.hash}>
                  {e.hash.slice(0, 12)}…
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {events.length < total ? <button onClick={older}>{t('audit.older')}</button> : null}
    </section>
  )
}
