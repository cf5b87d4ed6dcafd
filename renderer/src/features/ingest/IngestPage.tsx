import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MethodOutput } from '../../../../shared/contract.ts'
import type { Role } from '../../../../shared/roles.ts'
import { mayCall } from '../../../../shared/may-call.ts'
import { call, onCoreEvent, systemPicker } from '../../api.ts'
import {
  ErrorText,
  Field,
  formatCaptureTime,
  formatTime,
  PasswordInput,
  useSubmit,
} from '../../components/common.tsx'
import { CasePicker } from '../../components/CasePicker.tsx'
import { DevicesScreen } from './DevicesScreen.tsx'
import { FilingSuggestions } from './FilingSuggestions.tsx'
import { IngestJobs, isActive, type Jobs } from './IngestJobs.tsx'
import { JobResults } from './IngestResults.tsx'
import { formatBytes } from '../../components/sizes.ts'
import { FolderBrowser } from '../../components/FolderBrowser.tsx'
import { IngestRecent } from './IngestRecent.tsx'
import { QueryError, useCall } from '../../query.tsx'
import { href } from '../../app/pages.ts'

type ScanResult = MethodOutput<'ingest.scan'>
type Devices = MethodOutput<'devices.list'>

/** 采集 → 导入 | 设备: the two screens of the collection station. */
export function IngestPage({ roles, sub }: { roles: readonly Role[]; sub: string }) {
  const { t } = useTranslation()
  // Removable volumes come and go: asked again every few seconds while the page is open, and at once after any
  // change (an import that made a device, a registration).
  const devicesQuery = useCall('devices.list', {}, { everyMs: 3000 })
  const devices: Devices | null = devicesQuery.data ?? null
  const { refetch } = devicesQuery
  const reload = useCallback(() => refetch().then(() => undefined), [refetch])
  // Who may not import (an administrator) sees the 设备 screen only, as the contract's role lists say.
  const canImport = mayCall('ingest.start', roles)
  const onDevices = sub === 'devices' || !canImport
  return (
    <section className="ingest">
      <h2>{t('ingest.title')}</h2>
      <nav className="subtabs" aria-label={t('ingest.title')}>
        {canImport ? (
          <a href={href.page('ingest')} className={onDevices ? 'subtab' : 'subtab active'}>
            {t('ingest.tabImport')}
          </a>
        ) : null}
        <a href={href.tab('ingest', 'devices')} className={onDevices ? 'subtab active' : 'subtab'}>
          {t('devices.tab')}
        </a>
      </nav>
      <QueryError query={devicesQuery} />
      {onDevices ? (
        <DevicesScreen roles={roles} devices={devices} onChange={reload} />
      ) : (
        <ImportScreen roles={roles} devices={devices} onDevicesChange={reload} />
      )}
    </section>
  )
}

/** 采集 → 导入: devices and folders in, progress while copying, and what happened to every file. */
function ImportScreen(props: {
  roles: readonly Role[]
  devices: Devices | null
  onDevicesChange: () => Promise<void>
}) {
  const { t, i18n } = useTranslation()
  const devices = props.devices
  const [source, setSource] = useState<{ root: string; deviceId?: string } | null>(null)
  const [folder, setFolder] = useState('')
  const [browsing, setBrowsing] = useState(false)
  const [scan, setScan] = useState<ScanResult | null>(null)
  const [tags, setTags] = useState({ place: '', fact: '', lateReason: '' })
  const [fileInto, setFileInto] = useState<MethodOutput<'ingest.cases'>['cases'][number] | null>(null)
  const [lateReasons, setLateReasons] = useState<Record<string, string>>({})
  const signingQuery = useCall('signing.settings', {})
  const signing = signingQuery.data ?? null
  const [pin, setPin] = useState('')
  const [jobs, setJobs] = useState<Jobs>({})
  const [shownJob, setShownJob] = useState<string | null>(null)
  const scanning = useSubmit()
  const starting = useSubmit()

  // The jobs as they stand, then kept up to date by the core's events (a query would be overwritten by them).
  const { run: loadJobs, error: jobsError } = useSubmit()
  useEffect(() => {
    void loadJobs(async () =>
      setJobs(Object.fromEntries((await call('ingest.jobs', {})).jobs.map((j) => [j.progress.jobId, j]))),
    )
    return onCoreEvent((e) => {
      if (e.type === 'ingest.progress' || e.type === 'ingest.done') {
        setJobs((js) => ({
          ...js,
          [e.progress.jobId]: { results: js[e.progress.jobId]?.results ?? [], progress: e.progress },
        }))
      } else if (e.type === 'ingest.file') {
        setJobs((js) => {
          const j = js[e.jobId]
          return j ? { ...js, [e.jobId]: { ...j, results: [...j.results, e.result] } } : js
        })
      }
    })
  }, [loadJobs])

  const showFiles = (root: string, deviceId?: string) =>
    scanning.run(async () => {
      setScan(null)
      // A reason or a case belongs to the files it was given for: a new source starts without them.
      setTags((tg) => ({ ...tg, lateReason: '' }))
      setLateReasons({})
      setFileInto(null)
      const r = await call('ingest.scan', { sourceRoot: root, ...(deviceId ? { deviceId } : {}) })
      setSource(deviceId ? { root, deviceId } : { root })
      setScan(r)
    })

  const start = () =>
    starting.run(async () => {
      if (!source) return
      const clean = Object.fromEntries(Object.entries(tags).filter(([, v]) => v.trim()))
      const own = Object.fromEntries(Object.entries(lateReasons).filter(([, v]) => v.trim().length >= 2))
      const r = await call('ingest.start', {
        sourceRoot: source.root,
        ...(source.deviceId ? { deviceId: source.deviceId } : {}),
        ...clean,
        ...(fileInto ? { caseId: fileInto.id } : {}),
        ...(Object.keys(own).length ? { lateReasons: own } : {}),
        ...(pin ? { signingPin: pin } : {}),
      })
      setPin('')
      setLateReasons({})
      setShownJob(r.jobId)
      setScan(null)
    })

  const registerVolume = async (v: Devices['attached'][number]) => {
    const { device } = await call('devices.register', {
      kind: 'usb',
      identity: v.identity,
      label: v.label || v.model || v.mountPoint,
      info: v.deviceInfo,
    })
    await props.onDevicesChange()
    return device.id
  }
  const register = (v: Devices['attached'][number]) => scanning.run(() => registerVolume(v))
  // A camera is always imported as itself (by volume UUID or serial), never as "some folder", so the
  // pre-check recognises its files next time whatever mount point it gets.
  const showVolume = (v: Devices['attached'][number]) =>
    scanning.run(async () => {
      const deviceId = v.deviceId ?? (await registerVolume(v))
      await showFiles(v.mountPoint, deviceId)
    })

  const shown = shownJob ? jobs[shownJob] : undefined
  const running = Object.values(jobs).filter((j) => isActive(j.progress))
  const finished = Object.values(jobs)
    .filter((j) => j.progress.state === 'done' || j.progress.state === 'cancelled')
    .map((j) => j.progress.batchId)

  return (
    <>
      <p className="muted">{t('ingest.intro')}</p>
      <OwedSignatures />

      <div className="panel">
        <h3>{t('ingest.attached')}</h3>
        {devices && devices.attached.length === 0 ? <p className="muted">{t('ingest.noAttached')}</p> : null}
        <div className="device-cards">
          {devices?.attached.map((v) => (
            <div className="device-card" key={v.identity}>
              <strong>{v.label || v.model || v.mountPoint}</strong>
              <span className="muted">{[v.vendor, v.model].filter(Boolean).join(' ')}</span>
              <span className="mono">{v.mountPoint}</span>
              <span className="mono">{v.identity}</span>
              {Object.entries(v.deviceInfo).map(([k, val]) => (
                <span key={k}>
                  {i18n.exists(`ingest.infoKey.${k}`) ? t(`ingest.infoKey.${k}` as 'ingest.infoKey.unit') : k}
                  ：{val}
                </span>
              ))}
              <span className={v.deviceId ? 'ok-text' : 'muted'}>
                {v.deviceId ? t('ingest.registered') : t('ingest.unregistered')}
              </span>
              <div className="row">
                {v.deviceId || !mayCall('devices.register', props.roles) ? null : (
                  <button onClick={() => register(v)}>{t('ingest.register')}</button>
                )}
                <button className="primary" onClick={() => showVolume(v)}>
                  {t('ingest.scan')}
                </button>
              </div>
            </div>
          ))}
        </div>
        <form
          className="folder-form"
          onSubmit={(e) => {
            e.preventDefault()
            void showFiles(folder.trim())
          }}
        >
          <Field label={t('ingest.fromFolder')} hint={t('ingest.folderHint')}>
            <div className="row">
              <input
                name="folder"
                value={folder}
                onChange={(e) => setFolder(e.target.value)}
                placeholder={t('ingest.folderPath')}
                required
              />
              <button
                type="button"
                onClick={() => {
                  const pick = systemPicker()
                  if (!pick) return setBrowsing(true)
                  void pick('importFolder').then((path) => path && setFolder(path))
                }}
              >
                {t('browse.button')}
              </button>
            </div>
          </Field>
          <button type="submit" className="primary" disabled={scanning.busy}>
            {t('ingest.scan')}
          </button>
        </form>
        <ErrorText error={jobsError} />
        <ErrorText error={scanning.error} />
        {browsing ? (
          <FolderBrowser
            mode="folder"
            title={t('browse.titleFolder')}
            onClose={() => setBrowsing(false)}
            onPick={(path) => {
              setBrowsing(false)
              setFolder(path)
            }}
          />
        ) : null}
      </div>

      {scan && source ? (
        <div className="panel" data-testid="scan">
          <h3>
            {t('ingest.files')} · <span className="mono">{source.root}</span>
          </h3>
          <p>
            {t('ingest.newFiles', { count: scan.totals.media - scan.totals.inVault })}，
            {t('ingest.inVault', { count: scan.totals.inVault })}，
            {t('ingest.totalSize', { size: formatBytes(scan.totals.bytes) })}
          </p>
          <ScanTable scan={scan} />
          <Field label={t('ingest.fileInto')} hint={t('ingest.fileIntoHint')}>
            <CasePicker value={fileInto} onChange={setFileInto} />
          </Field>
          <div className="grid">
            {(['place', 'fact'] as const).map((k) => (
              <Field key={k} label={t(`ingest.${k}`)}>
                <input name={k} value={tags[k]} onChange={(e) => setTags({ ...tags, [k]: e.target.value })} />
              </Field>
            ))}
          </div>
          {scan.totals.late ? (
            <LateFiles
              scan={scan}
              common={tags.lateReason}
              onCommon={(v) => setTags({ ...tags, lateReason: v })}
              own={lateReasons}
              onOwn={(rel, v) => setLateReasons({ ...lateReasons, [rel]: v })}
            />
          ) : null}
          <SigningField settings={signing} pin={pin} onPin={setPin} />
          <QueryError query={signingQuery} />
          <ErrorText error={starting.error} />
          <button
            className="primary"
            onClick={start}
            disabled={starting.busy || (!!signing?.myCertificate && !pin)}
          >
            {t('ingest.start')}
          </button>
        </div>
      ) : null}

      <IngestJobs jobs={jobs} devices={devices?.devices ?? []} shownJob={shownJob} onShow={setShownJob} />
      {shown ? <JobResults job={shown} /> : null}
      <FilingSuggestions roles={props.roles} batchIds={finished} />
      <IngestRecent devices={devices?.devices ?? []} refreshKey={Object.keys(jobs).length + running.length} />
    </>
  )
}

function ScanTable({ scan }: { scan: ScanResult }) {
  const { t, i18n } = useTranslation()
  return (
    <div className="scroll-table">
      <table className="table">
        <thead>
          <tr>
            <th>{t('ingest.col.file')}</th>
            <th>{t('ingest.col.type')}</th>
            <th>{t('ingest.col.size')}</th>
            <th>{t('ingest.col.modified')}</th>
            <th>{t('ingest.col.status')}</th>
          </tr>
        </thead>
        <tbody>
          {scan.entries.map((e) => (
            <tr key={e.relPath}>
              <td className="path">{e.relPath}</td>
              <td>{e.mediaType ? t(`ingest.media.${e.mediaType}`) : '—'}</td>
              <td className="nowrap">{formatBytes(e.size)}</td>
              <td className="nowrap">{formatTime(e.mtime, i18n.language)}</td>
              <td>
                {e.skipReason
                  ? `${t('ingest.status.skipped')}：${t(`ingest.skip.${e.skipReason}`)}`
                  : e.inVault
                    ? t('ingest.status.already')
                    : t('ingest.toImport')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/**
 * 补签: records an earlier signed ingest registered and could not sign (the app closed, the disk full in
 * between) wait for their officer's PIN; shown only while there are any.
 */
function OwedSignatures() {
  const { t } = useTranslation()
  const owedQ = useCall('signing.owed', {})
  const [pin, setPin] = useState('')
  const [last, setLast] = useState<MethodOutput<'signing.signOwed'> | null>(null)
  const signing = useSubmit()
  const owed = owedQ.data?.owed ?? 0
  if (owedQ.error) return <QueryError query={owedQ} />
  if (!owed && !last) return null
  const sign = () =>
    signing.run(async () => {
      const r = await call('signing.signOwed', { pin })
      setPin('')
      // What is still owed is read again (the query layer, after this action).
      setLast(r)
    })
  return (
    <div className="panel owed-signatures">
      {owed ? <p className="banner warn">{t('ingest.owedSignatures', { count: owed })}</p> : null}
      {last ? <p>{t('ingest.owedSigned', { ...last })}</p> : null}
      {owed ? (
        <div className="pin-field">
          <Field label={t('ingest.pin')}>
            <PasswordInput name="owed-pin" value={pin} onChange={setPin} autoComplete="current-password" />
          </Field>
          <ErrorText error={signing.error} />
          <button className="primary" onClick={sign} disabled={signing.busy || !pin}>
            {t('ingest.signOwed')}
          </button>
        </div>
      ) : null}
    </div>
  )
}

/**
 * Files recorded more than 24 hours ago, announced before anything is copied: one reason for all of them, or one
 * per file (which wins). A file left without either is flagged and its reason can be added after import.
 */
function LateFiles(props: {
  scan: ScanResult
  common: string
  onCommon: (v: string) => void
  own: Record<string, string>
  onOwn: (relPath: string, v: string) => void
}) {
  const { t } = useTranslation()
  const late = props.scan.entries.filter((e) => e.late)
  return (
    <div className="late-files" data-testid="late-files">
      <p className="banner warn">{t('ingest.lateTitle', { count: late.length })}</p>
      <Field label={t('ingest.lateAll')} hint={t('ingest.lateReasonHint')}>
        <input name="lateReason" value={props.common} onChange={(e) => props.onCommon(e.target.value)} />
      </Field>
      <table className="table">
        <tbody>
          {late.map((e) => (
            <tr key={e.relPath}>
              <td className="path">{e.relPath}</td>
              <td className="nowrap">
                {t('ingest.lateCaptured', { time: formatCaptureTime(e.captureStart) })}
              </td>
              <td>
                <input
                  name={`lateReason:${e.relPath}`}
                  aria-label={`${t('ingest.lateOwn')} ${e.relPath}`}
                  placeholder={t('ingest.lateOwnShort')}
                  value={props.own[e.relPath] ?? ''}
                  onChange={(ev) => props.onOwn(e.relPath, ev.target.value)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">{t('ingest.lateMissingNote')}</p>
    </div>
  )
}

/** The PIN that unlocks the officer's key for this batch, or why the batch will not be signed. */
function SigningField(props: {
  settings: MethodOutput<'signing.settings'> | null
  pin: string
  onPin: (pin: string) => void
}) {
  const { t, i18n } = useTranslation()
  const cert = props.settings?.myCertificate
  if (!props.settings) return null
  if (!cert) return <p className="banner warn">{t('ingest.noCertificate')}</p>
  return (
    <div className="pin-field">
      <Field
        label={t('ingest.pin')}
        hint={t('ingest.pinHint', { subject: cert.subject, date: formatTime(cert.notAfter, i18n.language) })}
      >
        <PasswordInput name="pin" value={props.pin} onChange={props.onPin} autoComplete="current-password" />
      </Field>
      {cert.status === 'expiring' ? (
        <p className="banner warn">{t('ingest.certExpiring', { days: cert.daysLeft })}</p>
      ) : null}
    </div>
  )
}
