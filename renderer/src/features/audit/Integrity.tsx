import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { jobErrorText, type IntegrityReport } from '../../../../shared/integrity.ts'
import { call, onCoreEvent } from '../../api.ts'
import { ErrorText, downloadPdf, formatTime, useSubmit } from '../../components/common.tsx'
import { QueryError, useCall } from '../../query.tsx'

/*
 * 完整性校验 on the 审计 page: re-hash the originals (all or a sample), check the database rows against their
 * seals, the audit trail and the signatures; show exactly what failed; download the report as PDF.
 */
export function IntegrityPanel({ admin }: { admin: boolean }) {
  const { t, i18n } = useTranslation()
  // The last run as stored, until this screen runs one of its own.
  const lastQ = useCall('integrity.last', {})
  const [ran, setReport] = useState<IntegrityReport | null>(null)
  const [resumedOrRan, setResumable] = useState<boolean | null>(null)
  const report = ran ?? lastQ.data?.report ?? null
  const resumable = resumedOrRan ?? lastQ.data?.resumable ?? false
  const [sample, setSample] = useState(10)
  const [jobId, setJobId] = useState<string | null>(null)
  const [progress, setProgress] = useState<{ phase: string; done: number; total: number } | null>(null)
  const scheduleQ = useCall('integrity.schedule', {})
  const [edited, setSchedule] = useState<{ intervalHours: number; samplePercent: number } | null>(null)
  const schedule = edited ?? scheduleQ.data ?? null
  const [savedSchedule, setSavedSchedule] = useState(false)
  const save = useSubmit()
  const run = useSubmit()
  const pdf = useSubmit()

  useEffect(
    () =>
      onCoreEvent((e) => {
        if (e.type === 'integrity.progress' && e.jobId === jobId) setProgress(e)
      }),
    [jobId],
  )

  const start = (input: { samplePercent?: number; resume?: boolean }) =>
    run.run(async () => {
      const id = crypto.randomUUID()
      setJobId(id)
      setProgress(null)
      try {
        setReport(await call('integrity.verify', { ...input, jobId: id }))
        setResumable(false)
      } finally {
        setJobId(null)
      }
    })

  const pct =
    progress && progress.total > 0 ? Math.min(100, Math.floor((progress.done / progress.total) * 100)) : 0
  return (
    <div className="panel" data-testid="integrity">
      <div className="page-head">
        <h3>{t('integrity.title')}</h3>
      </div>
      <p className="muted">{t('integrity.intro')}</p>
      <QueryError query={lastQ} />
      <QueryError query={scheduleQ} />
      <div className="actions">
        <button className="primary" disabled={run.busy} onClick={() => void start({})}>
          {t('integrity.full')}
        </button>
        <label className="check">
          <input
            type="number"
            min={1}
            max={100}
            value={sample}
            onChange={(e) => setSample(Number(e.target.value))}
            style={{ width: 64 }}
          />
          %
        </label>
        <button disabled={run.busy} onClick={() => void start({ samplePercent: sample })}>
          {t('integrity.sample')}
        </button>
        {resumable ? (
          <button disabled={run.busy} onClick={() => void start({ resume: true })}>
            {t('integrity.resume')}
          </button>
        ) : null}
        {run.busy && jobId ? (
          <button onClick={() => void call('integrity.cancel', { jobId })}>{t('common.cancel')}</button>
        ) : null}
        {report ? (
          <button
            disabled={pdf.busy}
            onClick={() =>
              pdf.run(async () =>
                downloadPdf((await call('integrity.reportPdf', {})).pdfBase64, t('integrity.pdfName')),
              )
            }
          >
            {t('integrity.pdf')}
          </button>
        ) : null}
      </div>
      {run.busy ? (
        <div className="job">
          <div
            className="progress"
            role="progressbar"
            aria-valuenow={pct}
            aria-valuemin={0}
            aria-valuemax={100}
          >
            <div className="progress-fill" style={{ width: `${pct}%` }} />
          </div>
          <p className="muted">
            {progress ? t(`integrity.phase.${progress.phase}`) : t('integrity.starting')} {pct}%
          </p>
        </div>
      ) : null}
      <ErrorText error={run.error ?? pdf.error} />
      {schedule ? (
        admin ? (
          <form
            className="inline-form"
            onSubmit={save.onSubmit(async () => {
              setSchedule(await call('integrity.setSchedule', schedule))
              setSavedSchedule(true)
            })}
          >
            <div className="actions">
              <span>{t('integrity.scheduleEvery')}</span>
              <input
                type="number"
                min={0}
                value={schedule.intervalHours}
                onChange={(e) => setSchedule({ ...schedule, intervalHours: Number(e.target.value) })}
                style={{ width: 80 }}
                aria-label={t('integrity.intervalHours')}
              />
              <span>{t('integrity.hoursSample')}</span>
              <input
                type="number"
                min={1}
                max={100}
                value={schedule.samplePercent}
                onChange={(e) => setSchedule({ ...schedule, samplePercent: Number(e.target.value) })}
                style={{ width: 64 }}
                aria-label={t('integrity.samplePercent')}
              />
              <span>%</span>
              <button type="submit" disabled={save.busy}>
                {t('common.save')}
              </button>
              {savedSchedule ? <span className="ok-text">{t('common.saved')}</span> : null}
            </div>
            <ErrorText error={save.error} />
          </form>
        ) : (
          <p className="muted">
            {schedule.intervalHours
              ? t('integrity.scheduleText', { ...schedule })
              : t('integrity.scheduleOff')}
          </p>
        )
      ) : null}
      {report ? (
        <>
          <p className={report.ok ? 'banner ok' : 'banner bad'} role="status" data-testid="integrity-result">
            {report.ok ? t('integrity.ok') : t('integrity.bad', { count: report.problems.length })}{' '}
            {t('integrity.scope', {
              scope: t(`integrity.scopeName.${report.scope}`),
              at: formatTime(report.finishedAt, i18n.language),
              objects: report.checked.objects,
              gb: (report.checked.bytes / 1e9).toFixed(2),
              rows: report.checked.rows,
              events: report.checked.auditEvents,
              signatures: report.checked.signatures,
            })}
          </p>
          {report.problems.length ? (
            <table className="table">
              <thead>
                <tr>
                  <th>{t('integrity.check')}</th>
                  <th>{t('integrity.object')}</th>
                  <th>{t('integrity.problem')}</th>
                  <th>{t('integrity.records')}</th>
                </tr>
              </thead>
              <tbody>
                {report.problems.map((p, i) => (
                  <tr key={i} className="row-bad">
                    <td>{t(`cli.integrityCheck.${p.check}`)}</td>
                    <td className="mono small">
                      {p.table ? `${p.table} ` : ''}
                      {p.id}
                    </td>
                    <td>
                      {i18n.exists(`cli.integrityKind.${p.kind}`)
                        ? t(`cli.integrityKind.${p.kind}`, { count: p.count, seq: p.id })
                        : p.kind}
                      {p.check === 'queue' && p.detail ? `：${jobErrorText(p.detail, t)}` : ''}
                    </td>
                    <td className="mono small">{p.records.join(' ') || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      ) : null}
    </div>
  )
}
