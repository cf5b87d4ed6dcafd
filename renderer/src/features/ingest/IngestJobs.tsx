import { useTranslation } from 'react-i18next'
import type { Device, FileResult, JobProgress } from '../../../../shared/contract.ts'
import { call } from '../../api.ts'
import type { TFunction } from 'i18next'
import { formatBytes } from '../../components/sizes.ts'

export type Jobs = Record<string, { progress: JobProgress; results: FileResult[] }>

const ACTIVE = new Set<JobProgress['state']>(['queued', 'scanning', 'copying'])
export const isActive = (p: JobProgress) => ACTIVE.has(p.state)

/**
 * Several devices at once (issue 19, item 1): every job — a docked camera or a chosen folder — is its own row with
 * its own bar, speed and time left; a job the pool holds back says 排队中. Each can be cancelled on its own.
 */
export function IngestJobs(props: {
  jobs: Jobs
  devices: Device[]
  shownJob: string | null
  onShow: (jobId: string) => void
}) {
  const { t } = useTranslation()
  const list = Object.values(props.jobs)
  if (!list.length) return null
  return (
    <div className="panel" data-testid="jobs">
      <h3>{t('ingest.jobsTitle', { count: list.filter((j) => isActive(j.progress)).length })}</h3>
      {list.map((j) => (
        <JobRow
          key={j.progress.jobId}
          progress={j.progress}
          label={props.devices.find((d) => d.id === j.progress.deviceId)?.label ?? null}
          shown={props.shownJob === j.progress.jobId}
          onShow={() => props.onShow(j.progress.jobId)}
        />
      ))}
    </div>
  )
}

function JobRow(props: { progress: JobProgress; label: string | null; shown: boolean; onShow: () => void }) {
  const { t } = useTranslation()
  const p = props.progress
  const pct = p.bytesTotal ? Math.min(100, Math.floor((100 * p.bytesDone) / p.bytesTotal)) : 0
  const active = isActive(p)
  return (
    <div className={`job-row job-${p.state}`} data-testid="job">
      <div className="row">
        {props.label ? <strong>{props.label}</strong> : null}
        <span className={props.label ? 'mono small muted' : 'mono'}>{p.sourceRoot}</span>
        <span className="spacer" />
        <span className={`chip chip-job-${p.state}`} data-testid="job-state">
          {t(`ingest.jobState.${p.state}`)}
        </span>
        {active ? (
          <button onClick={() => void call('ingest.cancel', { jobId: p.jobId })}>{t('ingest.cancel')}</button>
        ) : props.shown ? null : (
          <button onClick={props.onShow}>{t('ingest.showResults')}</button>
        )}
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={props.label ?? p.sourceRoot}
        aria-valuenow={pct}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <p className="muted small">
        {p.state === 'queued'
          ? t('ingest.queuedNote')
          : !active && p.summary
            ? `${pct}% · ${t('ingest.doneLine', {
                total: formatBytes(p.summary.bytesCopied),
                speed: formatBytes(p.summary.seconds > 0 ? p.summary.bytesCopied / p.summary.seconds : 0),
                seconds: Math.round(p.summary.seconds),
              })} · ${t('ingest.filesLine', { done: p.filesDone, total: p.filesTotal })}`
            : `${pct}% · ${t('ingest.progressLine', {
                done: formatBytes(p.bytesDone),
                total: formatBytes(p.bytesTotal),
                speed: formatBytes(p.bytesPerSecond),
                eta: formatEta(p.etaSeconds, t),
              })} · ${t('ingest.filesLine', { done: p.filesDone, total: p.filesTotal })}`}
      </p>
      {active && p.currentFile ? (
        <p className="muted small">{t('ingest.current', { file: p.currentFile })}</p>
      ) : null}
    </div>
  )
}

/** Time left as 2 分 05 秒 or 40 秒. */
function formatEta(seconds: number | null, t: TFunction): string {
  if (seconds === null) return '—'
  const m = Math.floor(seconds / 60)
  const s = Math.round(seconds % 60)
  return m ? t('ingest.etaMinutes', { m, s: String(s).padStart(2, '0') }) : t('ingest.etaSeconds', { s })
}
