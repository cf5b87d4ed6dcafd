import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Device, Evidence } from '../../../../shared/contract.ts'
import { call } from '../../api.ts'
import { CaptureTimeCorrection } from './CaptureTimeCorrection.tsx'
import { ErrorText, formatCaptureTime, formatTime, useSubmit } from '../../components/common.tsx'
import { Thumbnail } from '../../components/Thumbnail.tsx'
import { QueryError, patchCall, useCall } from '../../query.tsx'

/*
 * What is already in: the recordings stored most recently, so a records officer sees at a glance what came in and
 * what still needs a case. The registered devices have their own screen (采集 → 设备, DevicesScreen.tsx).
 */
export function IngestRecent(props: { devices: Device[]; refreshKey: number }) {
  const { t, i18n } = useTranslation()
  const recentQ = useCall('evidence.list', { limit: 20 })
  const items: readonly Evidence[] = recentQ.data?.items ?? []
  // A job finished (refreshKey): what came in is read again. Not on first showing: the query reads then itself.
  const { refetch } = recentQ
  const firstKey = useRef(props.refreshKey)
  const shown = (next: Evidence) =>
    patchCall('evidence.list', { limit: 20 }, (o) => ({
      ...o,
      items: o.items.map((x) => (x.id === next.id ? next : x)),
    }))
  useEffect(() => {
    if (props.refreshKey !== firstKey.current) void refetch()
  }, [props.refreshKey, refetch])
  const deviceLabel = (id: string) => props.devices.find((d) => d.id === id)?.label ?? '—'
  return (
    <>
      <QueryError query={recentQ} />
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
                    <CaptureTimeCorrection evidence={e} onChanged={shown} />
                  </td>
                  <td>{deviceLabel(e.deviceId)}</td>
                  <td className="nowrap">
                    {e.caseNo ?? <span className="warn-text">{t('ingest.noCase')}</span>}
                  </td>
                  <td>
                    {e.flags.map((f) => t(`ingest.flag.${f}`)).join('；') || '—'}
                    {e.flags.includes('late_ingest') ? <LateReason evidence={e} onSaved={shown} /> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  )
}

/** A late recording's reason, given or corrected after import (audited by the core; the flag clears). */
function LateReason(props: { evidence: Evidence; onSaved: (e: Evidence) => void }) {
  const { t } = useTranslation()
  const e = props.evidence
  const [editing, setEditing] = useState(false)
  const [reason, setReason] = useState(e.lateReason ?? '')
  const saving = useSubmit()
  const save = () =>
    saving.run(async () => {
      const r = await call('evidence.setLateReason', { evidenceId: e.id, reason: reason.trim() })
      props.onSaved(r.evidence)
      setEditing(false)
    })
  return (
    <div className="late-reason" data-testid="late-reason">
      {e.lateReason ? (
        <div className="small">{t('ingest.lateReasonOf', { reason: e.lateReason })}</div>
      ) : null}
      {editing ? (
        <form
          className="row"
          onSubmit={(ev) => {
            ev.preventDefault()
            void save()
          }}
        >
          <input
            name="lateReasonAfter"
            aria-label={t('ingest.lateReason')}
            value={reason}
            minLength={2}
            maxLength={500}
            required
            onChange={(ev) => setReason(ev.target.value)}
          />
          <button type="submit" className="primary" disabled={saving.busy}>
            {t('ingest.lateSave')}
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => setEditing(true)}>
          {e.lateReason ? t('ingest.lateEdit') : t('ingest.lateFix')}
        </button>
      )}
      <ErrorText error={saving.error} />
    </div>
  )
}
