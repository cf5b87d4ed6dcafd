import { Fragment, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { FileResult, JobProgress } from '../../../../shared/contract.ts'
import { call } from '../../api.ts'
import { ErrorText, formatCaptureTime, useSubmit } from '../../components/common.tsx'
import { SignatureReport, type VerifyReport } from './SignatureReport.tsx'
import { formatBytes } from '../../components/sizes.ts'
import { Thumbnail } from '../../components/Thumbnail.tsx'

/** What happened to every file of one import job: stored, duplicate, skipped or failed, its time and its case. */
export function JobResults({ job }: { job: { progress: JobProgress; results: FileResult[] } }) {
  const { t } = useTranslation()
  const [reports, setReports] = useState<Record<string, VerifyReport>>({})
  const verifying = useSubmit()
  const verify = (evidenceId: string) =>
    verifying.run(async () => {
      const report = await call('signatures.verify', { evidenceId })
      setReports((rs) => ({ ...rs, [evidenceId]: report }))
    })
  const s = job.progress.summary
  const sorted = useMemo(
    () => [...job.results].sort((a, b) => a.relPath.localeCompare(b.relPath)),
    [job.results],
  )
  if (!job.results.length && !s) return null
  return (
    <div className="panel" data-testid="results">
      <h3>{t('ingest.results')}</h3>
      {s ? (
        <p className={s.failed ? 'banner bad' : 'banner ok'} role="status">
          {t('ingest.finished', { ...s })}
          {job.progress.state === 'cancelled' ? ` ${t('ingest.cancelledNote')}` : ''}
        </p>
      ) : null}
      <table className="table">
        <thead>
          <tr>
            <th>{t('ingest.col.thumb')}</th>
            <th>{t('ingest.col.file')}</th>
            <th>{t('ingest.col.size')}</th>
            <th>{t('ingest.col.status')}</th>
            <th>{t('ingest.col.capture')}</th>
            <th>{t('ingest.col.flags')}</th>
            <th>{t('ingest.col.case')}</th>
            <th>{t('ingest.col.sha256')}</th>
            <th>{t('ingest.col.signature')}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <Fragment key={r.relPath}>
              <tr className={r.status === 'failed' ? 'row-bad' : undefined}>
                <td>
                  {r.evidenceId ? (
                    <Thumbnail evidenceId={r.evidenceId} ready={job.progress.state !== 'copying'} />
                  ) : null}
                </td>
                <td className="path">{r.relPath}</td>
                <td className="nowrap">{formatBytes(r.size)}</td>
                <td>
                  {t(`ingest.status.${r.status}`)}
                  {r.skipReason ? `：${t(`ingest.skip.${r.skipReason}`)}` : ''}
                  {r.error ? <ErrorText error={r.error} /> : null}
                </td>
                <td className="nowrap">{formatCaptureTime(r.captureStart)}</td>
                <td>
                  {r.flags.map((f) => (
                    <span key={f} className="chip">
                      {t(`ingest.flag.${f}`)}
                    </span>
                  ))}
                  <TimeNotes metadata={r.metadata} />
                </td>
                <td data-testid="filing">
                  <Filing result={r} />
                </td>
                <td className="mono" title={r.sha256 ?? ''}>
                  {r.sha256 ? `${r.sha256.slice(0, 12)}…` : ''}
                </td>
                <td className="nowrap">
                  {r.evidenceId ? (
                    <button
                      type="button"
                      disabled={verifying.busy}
                      onClick={() => verify(r.evidenceId!)}
                      data-testid="verify"
                    >
                      {t('verify.button')}
                    </button>
                  ) : null}
                </td>
              </tr>
              {r.evidenceId && reports[r.evidenceId] ? (
                <tr className="report-row">
                  <td colSpan={9}>
                    <SignatureReport report={reports[r.evidenceId]!} />
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
      <ErrorText error={verifying.error} />
    </div>
  )
}

/** Where a stored recording went: filed into the chosen case, or 待归案 with the reason. */
function Filing({ result: r }: { result: FileResult }) {
  const { t } = useTranslation()
  if (!r.filing) return r.evidenceId ? <span className="muted">{t('ingest.noCase')}</span> : null
  if (r.filing.filed)
    return <span className="ok-text">{t('ingest.filed', { caseNo: r.filing.caseNo ?? '' })}</span>
  return (
    <span className="warn-text">
      {t('ingest.unfiled')}
      <ErrorText error={r.filing.error} />
    </span>
  )
}

interface TimeConflictValue {
  chosen: { source: string; value: string }
  other: { source: string; value: string }
}

/** The two readings of a time conflict, and the clock mode the file suggests registering for its device. */
function TimeNotes(props: { metadata: Record<string, unknown> }) {
  const { t } = useTranslation()
  const conflict = props.metadata.timeConflict as TimeConflictValue | null | undefined
  const suggestion = props.metadata.clockSuggestion as { clockMode: 'utc' | 'local' } | null | undefined
  const name = (s: string) =>
    t(`captureTime.sourceName.${s}`, { defaultValue: t('captureTime.sourceName.other') })
  return (
    <>
      {conflict ? (
        <div className="small warn-text" data-testid="time-conflict">
          {t('captureTime.conflict', {
            chosenSource: name(conflict.chosen.source),
            chosen: formatCaptureTime(conflict.chosen.value),
            otherSource: name(conflict.other.source),
            other: formatCaptureTime(conflict.other.value),
          })}
        </div>
      ) : null}
      {suggestion ? (
        <div className="small muted" data-testid="clock-suggestion">
          {t(suggestion.clockMode === 'utc' ? 'captureTime.suggestUtc' : 'captureTime.suggestLocal')}
        </div>
      ) : null}
    </>
  )
}
