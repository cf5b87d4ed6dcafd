import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { type MethodOutput } from '../../../../shared/contract.ts'
import { mayCall } from '../../../../shared/may-call.ts'
import {
  COPIES,
  MEDIA_KINDS,
  RETENTIONS,
  type MediaKind,
  type VerifyResult,
} from '../../../../shared/archive.ts'
import type { Role } from '../../../../shared/roles.ts'
import { call, onCoreEvent } from '../../api.ts'
import { ErrorText, Field, downloadPdf, formatTime, useSubmit } from '../../components/common.tsx'
import { DeletionsPanel } from './Deletions.tsx'
import { useConfirm } from '../../components/ConfirmDialog.tsx'
import { QueryError, useCall } from '../../query.tsx'

/*
 * 归档: the records officer turns a finished case into archive discs (images, then discs written and checked),
 * keeps the disc registry, prints labels and the 卷内目录, and does the periodic inspections. The administrator
 * sets the inspection schedule and the agency's disc capacities.
 */

type Volume = MethodOutput<'archive.volumes'>['volumes'][number]
type Disc = MethodOutput<'discs.list'>['discs'][number]
type Progress = { phase: string; done: number; total: number; etaSeconds: number | null }

/** Progress events of one run, by the job id this page gave it. */
function useJob() {
  const [jobId, setJobId] = useState<string | null>(null)
  const [progress, setProgress] = useState<Progress | null>(null)
  useEffect(
    () =>
      onCoreEvent((e) => {
        if (e.type === 'archive.progress' && e.jobId === jobId) setProgress(e)
      }),
    [jobId],
  )
  const start = useCallback(() => {
    const id = crypto.randomUUID()
    setJobId(id)
    setProgress(null)
    return id
  }, [])
  const end = useCallback(() => setJobId(null), [])
  return { jobId, progress, start, end }
}

function JobProgress({ job }: { job: ReturnType<typeof useJob> }) {
  const { t } = useTranslation()
  if (!job.jobId) return null
  const p = job.progress
  const pct = p && p.total > 0 ? Math.min(100, Math.floor((p.done / p.total) * 100)) : 0
  return (
    <div className="job" data-testid="archive-progress">
      <div className="progress" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <p className="muted">
        {p ? t(`archive.phase.${p.phase}`) : t('archive.preparing')} {pct}%
        {p?.etaSeconds != null
          ? ` · ${t('archive.eta', { minutes: Math.max(1, Math.ceil(p.etaSeconds / 60)) })}`
          : ''}
      </p>
      <button type="button" onClick={() => void call('archive.cancel', { jobId: job.jobId! })}>
        {t('archive.cancel')}
      </button>
    </div>
  )
}

function VerifySummary({ v }: { v: VerifyResult }) {
  const { t } = useTranslation()
  return (
    <div className={v.ok ? 'banner ok' : 'banner bad'} role="status" data-testid="verify-summary">
      <strong>
        {v.ok ? t('archive.verifyOk', { volid: v.volid }) : t('archive.verifyBad', { volid: v.volid || '?' })}
      </strong>
      <ul>
        <li>{t('archive.md5', { result: t(`archive.md5Result.${v.sessionMd5}`) })}</li>
        <li>{t('archive.filesRead', { files: v.filesChecked, mb: (v.bytesChecked / 1e6).toFixed(1) })}</li>
        {v.problems.slice(0, 10).map((p) => (
          <li key={p.path + p.problem} className="bad-text">
            {t(`archive.problem.${p.problem}`)}：{p.path}
          </li>
        ))}
        {v.matchesRegistry === false ? <li className="bad-text">{t('archive.notRegistry')}</li> : null}
      </ul>
    </div>
  )
}

export function ArchivePage({ roles, userId }: { roles: readonly Role[]; userId: string }) {
  return (
    <>
      {mayCall('archive.build', roles) ? <ArchiveWork /> : null}
      {mayCall('vault.requestDeletion', roles) ? <DeletionsPanel mode="request" userId={userId} /> : null}
      {mayCall('archive.setSettings', roles) ? <ArchiveSettings /> : null}
    </>
  )
}

function ArchiveWork() {
  const { t, i18n } = useTranslation()
  const casesQ = useCall('cases.list', { limit: 200 })
  const cases = casesQ.data?.cases ?? []
  const [caseId, setCaseId] = useState('')
  const [media, setMedia] = useState<MediaKind>('dvd')
  const [outDir, setOutDir] = useState('')
  const [pin, setPin] = useState('')
  const [burnFor, setBurnFor] = useState<Volume | null>(null)
  const [lastVerify, setLastVerify] = useState<VerifyResult | null>(null)
  const job = useJob()
  const make = useSubmit()
  const pdf = useSubmit()

  const discsQ = useCall('discs.list', caseId ? { caseId } : {})
  const volumesQ = useCall('archive.volumes', { caseId }, { enabled: !!caseId })
  // A case archived before and changed since: what is made now is its supplementary disc (补充归档).
  const caseQ = useCall('cases.get', { caseId }, { enabled: !!caseId })
  const discs: readonly Disc[] = discsQ.data?.discs ?? []
  const volumes: readonly Volume[] = caseId ? (volumesQ.data?.volumes ?? []) : []
  const archived = caseId ? (caseQ.data?.archive ?? null) : null
  // No reading again by hand after making, writing or checking a disc: each is a useSubmit action, after which
  // the query layer reads every query on screen again.

  const chosen = cases.find((c) => c.id === caseId)
  return (
    <section className="panel" data-testid="archive-page">
      <div className="page-head">
        <h2>{t('archive.title')}</h2>
      </div>
      <p className="muted">{t('archive.intro')}</p>
      {[casesQ, discsQ, volumesQ, caseQ].map((q, i) => (
        <QueryError key={i} query={q} />
      ))}
      <form
        className="form-grid"
        onSubmit={make.onSubmit(async () => {
          const jobId = job.start()
          try {
            await call('archive.image', {
              caseId,
              media,
              outDir,
              jobId,
              ...(pin ? { pin } : {}),
              ...(archived?.supplementDue ? { supplement: true } : {}),
            })
            setPin('')
          } finally {
            job.end()
          }
        })}
      >
        <Field label={t('archive.case')}>
          <select value={caseId} onChange={(e) => setCaseId(e.target.value)} required name="case">
            <option value="">{t('archive.chooseCase')}</option>
            {cases.map((c) => (
              <option key={c.id} value={c.id}>
                {c.caseNo} {c.cause}
              </option>
            ))}
          </select>
        </Field>
        {archived?.supplementDue ? (
          <p className="warning" role="status" data-testid="supplement-prompt">
            {t('archive.supplementPrompt', {
              n: archived.nextSupplement,
              count: archived.changes.length,
              discs: archived.discs.map((d) => d.discNo).join('、'),
            })}
          </p>
        ) : null}
        <Field label={t('archive.media')} hint={t('archive.mediaHint')}>
          <select value={media} onChange={(e) => setMedia(e.target.value as MediaKind)} name="media">
            {MEDIA_KINDS.map((m) => (
              <option key={m} value={m}>
                {t(`archive.mediaName.${m}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('archive.outDir')} hint={t('archive.outDirHint')}>
          <input name="outDir" value={outDir} onChange={(e) => setOutDir(e.target.value)} required />
        </Field>
        <Field label={t('archive.pin')} hint={t('archive.pinHint')}>
          <input
            name="pin"
            type="password"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            autoComplete="off"
          />
        </Field>
        <div className="actions">
          <button type="submit" disabled={make.busy || !caseId}>
            {t('archive.makeImages')}
          </button>
          <button
            type="button"
            disabled={!caseId || pdf.busy}
            onClick={() =>
              pdf.run(async () =>
                downloadPdf(
                  (await call('archive.catalogue', { caseId })).pdfBase64,
                  `${t('archive.catalogue')} ${chosen?.caseNo ?? ''}`,
                ),
              )
            }
          >
            {t('archive.printCatalogue')}
          </button>
        </div>
      </form>
      {make.busy ? <JobProgress job={job} /> : null}
      <ErrorText error={make.error ?? pdf.error} />

      {caseId ? (
        <>
          <h3>{t('archive.volumes', { caseNo: chosen?.caseNo ?? '' })}</h3>
          {volumes.length ? (
            <table className="table" data-testid="volumes">
              <thead>
                <tr>
                  <th>{t('archive.volume')}</th>
                  <th>{t('archive.volid')}</th>
                  <th>{t('archive.media')}</th>
                  <th>{t('archive.size')}</th>
                  <th>{t('archive.image')}</th>
                  <th>{t('archive.madeAt')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {volumes.map((v) => (
                  <tr key={v.id}>
                    <td>{t('archive.volumeOf', { index: v.index, count: v.count })}</td>
                    <td className="mono">{v.volid}</td>
                    <td>{t(`archive.mediaName.${v.media}`)}</td>
                    <td>{(v.imageBytes / 1e6).toFixed(1)} MB</td>
                    <td className="mono small">{v.image}</td>
                    <td>{formatTime(v.createdAt, i18n.language)}</td>
                    <td>
                      <button type="button" onClick={() => setBurnFor(v)}>
                        {t('archive.writeDisc')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">{t('archive.noVolumes')}</p>
          )}
        </>
      ) : null}
      {burnFor ? (
        <BurnForm
          volume={burnFor}
          onDone={async (v) => {
            setLastVerify(v)
            setBurnFor(null)
          }}
          onClose={() => setBurnFor(null)}
        />
      ) : null}
      {lastVerify ? <VerifySummary v={lastVerify} /> : null}
      <DiscRegistry discs={discs} onVerified={setLastVerify} />
      <Inspections key={discs.length} />
    </section>
  )
}

function BurnForm(props: {
  volume: Volume
  onDone: (v: VerifyResult) => Promise<void>
  onClose: () => void
}) {
  const { t } = useTranslation()
  const [target, setTarget] = useState('')
  const [copy, setCopy] = useState<(typeof COPIES)[number]>('A')
  const [retention, setRetention] = useState<(typeof RETENTIONS)[number]>('permanent')
  const [location, setLocation] = useState('')
  const job = useJob()
  const burn = useSubmit()
  const confirm = useConfirm()
  const drivesQ = useCall('discs.drives', {})
  const drives = drivesQ.data?.drives ?? (drivesQ.error ? [] : null)
  const write = async () => {
    const jobId = job.start()
    try {
      const r = await call('discs.burn', {
        target,
        image: props.volume.image,
        copy,
        retention,
        jobId,
        ...(location ? { location } : {}),
      })
      await props.onDone(r.verify)
    } finally {
      job.end()
    }
  }
  return (
    <form
      className="panel inset form-grid"
      data-testid="burn-form"
      onSubmit={async (e) => {
        e.preventDefault()
        const yes = await confirm.ask({
          title: t('archive.writeTitle', { volid: props.volume.volid }),
          consequence: t('archive.writeConsequence', {
            volid: props.volume.volid,
            target,
            copy: t(`archive.copyName.${copy}`),
          }),
          confirm: t('archive.writeConfirm'),
        })
        if (yes) await burn.run(write)
      }}
    >
      {confirm.dialog}
      <h3>{t('archive.writeTitle', { volid: props.volume.volid })}</h3>
      <Field
        label={t('archive.target')}
        hint={drives && !drives.length ? t('archive.noDrives') : t('archive.targetHint')}
      >
        <input
          name="target"
          list="drives"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          required
        />
        <datalist id="drives">
          {(drives ?? []).map((d) => (
            <option key={d.device} value={d.device}>
              {`${d.vendor} ${d.model} ${d.media} ${d.freeBytes ? `${(d.freeBytes / 1e9).toFixed(1)} GB` : ''}`}
            </option>
          ))}
        </datalist>
      </Field>
      <Field label={t('archive.copy')}>
        <select name="copy" value={copy} onChange={(e) => setCopy(e.target.value as typeof copy)}>
          {COPIES.map((c) => (
            <option key={c} value={c}>
              {t(`archive.copyName.${c}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('archive.retention')}>
        <select
          name="retention"
          value={retention}
          onChange={(e) => setRetention(e.target.value as typeof retention)}
        >
          {RETENTIONS.map((r) => (
            <option key={r} value={r}>
              {t(`archive.retentionName.${r}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('archive.location')}>
        <input name="location" value={location} onChange={(e) => setLocation(e.target.value)} />
      </Field>
      <div className="actions">
        <button type="submit" disabled={burn.busy}>
          {t('archive.startWrite')}
        </button>
        <button type="button" onClick={props.onClose} disabled={burn.busy}>
          {t('common.cancel')}
        </button>
      </div>
      {burn.busy ? <JobProgress job={job} /> : null}
      <QueryError query={drivesQ} />
      <ErrorText error={burn.error} />
    </form>
  )
}

function DiscRegistry(props: { discs: readonly Disc[]; onVerified: (v: VerifyResult) => void }) {
  const { t, i18n } = useTranslation()
  const [checking, setChecking] = useState<Disc | null>(null)
  const [target, setTarget] = useState('')
  const job = useJob()
  const act = useSubmit()
  return (
    <div data-testid="disc-registry">
      <h3>{t('archive.registry')}</h3>
      {props.discs.length ? (
        <table className="table">
          <thead>
            <tr>
              <th>{t('archive.discNo')}</th>
              <th>{t('archive.caseNo')}</th>
              <th>{t('archive.volume')}</th>
              <th>{t('archive.copy')}</th>
              <th>{t('archive.status')}</th>
              <th>{t('archive.location')}</th>
              <th>{t('archive.retention')}</th>
              <th>{t('archive.lastCheck')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.discs.map((d) => (
              <tr key={d.id}>
                <td className="mono">{d.discNo}</td>
                <td>{d.caseNo}</td>
                <td>{t('archive.volumeOf', { index: d.volume, count: d.volumes })}</td>
                <td>{t(`archive.copyName.${d.copy}`)}</td>
                <td>
                  <span className={d.status === 'good' ? 'chip chip-valid' : 'chip chip-revoked'}>
                    {t(`archive.statusName.${d.status}`)}
                  </span>
                </td>
                <td>{d.location ?? '—'}</td>
                <td>{t(`archive.retentionName.${d.retention}`)}</td>
                <td>
                  {formatTime(d.lastCheckedAt, i18n.language)} {d.lastCheckOk ? '✓' : '✗'}
                </td>
                <td className="row-actions">
                  <button
                    type="button"
                    onClick={() =>
                      act.run(async () =>
                        downloadPdf(
                          (await call('discs.label', { discId: d.id })).pdfBase64,
                          `${t('archive.label')} ${d.discNo}`,
                        ),
                      )
                    }
                  >
                    {t('archive.printLabel')}
                  </button>
                  <button
                    type="button"
                    onClick={() => {
                      setChecking(d)
                      setTarget(d.target)
                    }}
                  >
                    {t('archive.check')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">{t('archive.noDiscs')}</p>
      )}
      {checking ? (
        <form
          className="panel inset form-grid"
          onSubmit={act.onSubmit(async () => {
            const jobId = job.start()
            try {
              const r = await call('discs.verify', { target, discNo: checking.discNo, jobId })
              props.onVerified(r.verify)
              setChecking(null)
            } finally {
              job.end()
            }
          })}
        >
          <h3>{t('archive.checkTitle', { discNo: checking.discNo })}</h3>
          <Field label={t('archive.target')} hint={t('archive.checkHint')}>
            <input name="checkTarget" value={target} onChange={(e) => setTarget(e.target.value)} required />
          </Field>
          <div className="actions">
            <button type="submit" disabled={act.busy}>
              {t('archive.startCheck')}
            </button>
            <button type="button" onClick={() => setChecking(null)} disabled={act.busy}>
              {t('common.cancel')}
            </button>
          </div>
          {act.busy ? <JobProgress job={job} /> : null}
        </form>
      ) : null}
      <ErrorText error={act.error} />
    </div>
  )
}

function Inspections() {
  const { t } = useTranslation()
  const q = useCall('discs.inspections', {})
  const r = q.data
  if (q.error) return <QueryError query={q} />
  if (!r) return null
  return (
    <div data-testid="inspections">
      <h3>{t('archive.inspections')}</h3>
      <p className="muted">{t('archive.policy', { ...r.policy })}</p>
      {r.failed.length ? (
        <div className="banner bad" role="alert">
          {t('archive.failedDiscs', { count: r.failed.length })}：{r.failed.map((d) => d.discNo).join('、')}
        </div>
      ) : null}
      <p>
        {r.due.length
          ? `${t('archive.dueDiscs', { count: r.due.length })}：${r.due.map((d) => `${d.discNo}（${d.location ?? '—'}）`).join('、')}`
          : t('archive.noneDue')}
      </p>
    </div>
  )
}

function ArchiveSettings() {
  const { t } = useTranslation()
  // What is stored, read through the query layer; what is typed over it, until saved.
  const settingsQ = useCall('archive.settings', {})
  const [edited, setS] = useState<MethodOutput<'archive.settings'> | null>(null)
  const s = edited ?? settingsQ.data ?? null
  const [saved, setSaved] = useState(false)
  const save = useSubmit()
  if (settingsQ.error) return <QueryError query={settingsQ} />
  if (!s) return null
  return (
    <form
      className="panel narrow form-grid"
      data-testid="archive-settings"
      onSubmit={save.onSubmit(async () => {
        setSaved(false)
        await call('archive.setSettings', { inspection: s.inspection, capacities: s.capacities })
        setSaved(true)
      })}
    >
      <h2>{t('archive.settingsTitle')}</h2>
      <Field label={t('archive.intervalMonths')}>
        <input
          type="number"
          min={1}
          max={120}
          value={s.inspection.intervalMonths}
          onChange={(e) =>
            setS({ ...s, inspection: { ...s.inspection, intervalMonths: Number(e.target.value) } })
          }
        />
      </Field>
      <Field label={t('archive.samplePercent')} hint={t('archive.samplePercentHint')}>
        <input
          type="number"
          min={1}
          max={100}
          value={s.inspection.samplePercent}
          onChange={(e) =>
            setS({ ...s, inspection: { ...s.inspection, samplePercent: Number(e.target.value) } })
          }
        />
      </Field>
      <h3>{t('archive.capacities')}</h3>
      {MEDIA_KINDS.map((m) => (
        <Field key={m} label={t(`archive.mediaName.${m}`)}>
          <input
            type="number"
            value={s.capacities[m]}
            onChange={(e) => setS({ ...s, capacities: { ...s.capacities, [m]: Number(e.target.value) } })}
          />
        </Field>
      ))}
      <div className="actions">
        <button type="submit" disabled={save.busy}>
          {t('common.save')}
        </button>
        {saved ? <span className="ok-text">{t('common.saved')}</span> : null}
      </div>
      <ErrorText error={save.error} />
    </form>
  )
}
