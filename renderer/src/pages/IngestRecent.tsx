import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Device, Evidence } from '../../../shared/contract.ts'
import { call } from '../api.ts'
import { CaptureTimeCorrection } from '../components/CaptureTimeCorrection.tsx'
import { formatCaptureTime, formatTime } from '../components/common.tsx'
import { Thumbnail } from './Ingest.tsx'

/*
 * What is already in: the devices this agency registered (with the officer each belongs to) and the recordings
 * stored most recently, so a records officer sees at a glance what came in and what still needs a case.
 */
export function IngestRecent(props: { devices: Device[]; refreshKey: number }) {
  const { t, i18n } = useTranslation()
  const [items, setItems] = useState<Evidence[]>([])
  const [officers, setOfficers] = useState<Record<string, string>>({})
  useEffect(() => {
    void call('evidence.list', { limit: 20 }).then(
      (r) => setItems(r.items),
      () => undefined,
    )
  }, [props.refreshKey])
  useEffect(() => {
    void call('cases.officers', {}).then(
      (r) => setOfficers(Object.fromEntries(r.officers.map((o) => [o.id, o.name]))),
      () => undefined,
    )
  }, [])
  const deviceLabel = (id: string) => props.devices.find((d) => d.id === id)?.label ?? '—'
  return (
    <>
      {props.devices.length ? (
        <div className="panel" data-testid="registered-devices">
          <h3>{t('ingest.registeredDevices')}</h3>
          <table className="table">
            <thead>
              <tr>
                <th>{t('ingest.deviceLabel')}</th>
                <th>{t('ingest.deviceOfficer')}</th>
                <th>{t('ingest.deviceClock')}</th>
                <th>{t('ingest.deviceSince')}</th>
              </tr>
            </thead>
            <tbody>
              {props.devices.map((d) => (
                <tr key={d.id}>
                  <td>
                    <strong>{d.label}</strong>
                    <div className="mono small muted">{d.identity}</div>
                  </td>
                  <td>{d.officerUserId ? (officers[d.officerUserId] ?? '—') : '—'}</td>
                  <td className="nowrap">{t(`ingest.clockName.${d.clockMode}`)}</td>
                  <td className="nowrap">{formatTime(d.createdAt, i18n.language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {items.length ? (
        <div className="panel" data-testid="recent-records">
          <h3>{t('ingest.recent')}</h3>
          <table className="table">
            <thead>
              <tr>
                <th>{t('ingest.col.thumb')}</th>
                <th>{t('ingest.col.file')}</th>
                <th>{t('ingest.col.capture')}</th>
                <th>{t('ingest.deviceLabel')}</th>
                <th>{t('cases.caseNo')}</th>
                <th>{t('ingest.col.flags')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id}>
                  <td>
                    <Thumbnail evidenceId={e.id} ready />
                  </td>
                  <td>
                    {e.originalName}
                    <div className="muted small">
                      {t(`ingest.media.${e.mediaType}`)} · {formatTime(e.ingestedAt, i18n.language)}
                    </div>
                  </td>
                  <td>
                    <div className="nowrap">{formatCaptureTime(e.captureStart)}</div>
                    {e.captureSource === 'corrected' ? (
                      <div className="muted small">{t('captureTime.sourceName.corrected')}</div>
                    ) : null}
                    <CaptureTimeCorrection
                      evidence={e}
                      onChanged={(next) => setItems((all) => all.map((x) => (x.id === next.id ? next : x)))}
                    />
                  </td>
                  <td>{deviceLabel(e.deviceId)}</td>
                  <td className="nowrap">
                    {e.caseNo ?? <span className="warn-text">{t('ingest.noCase')}</span>}
                  </td>
                  <td>{e.flags.map((f) => t(`ingest.flag.${f}`)).join('；') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  )
}
