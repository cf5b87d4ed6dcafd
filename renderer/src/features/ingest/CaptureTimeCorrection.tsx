import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Evidence } from '../../../../shared/contract.ts'
import type { CaptureTimeVersion } from '../../../../shared/ingest.ts'
import { call } from '../../api.ts'
import { ErrorText, Field, formatCaptureTime, formatTime, useSubmit } from '../../components/common.tsx'
import { DateTimeInput } from '../../components/DateInput.tsx'

/*
 * A records officer corrects a recording's capture time with a reason (issue 19). The form takes Beijing time,
 * whatever zone the record is written in (a time read as UTC shows as +00:00, and an officer typing what the
 * enforcement record says means Beijing time); the list below shows every version, the reading at ingest first,
 * so the correction never hides what the file said.
 */

const ZONE = '+08:00'

/** The record's time as Beijing wall time for the form, "2026-11-20T09:00:00". */
function beijingWall(iso: string | null): string {
  const ms = iso ? Date.parse(iso) : NaN
  return Number.isNaN(ms) ? '' : new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)
}

export function CaptureTimeCorrection(props: { evidence: Evidence; onChanged: (e: Evidence) => void }) {
  const { t, i18n } = useTranslation()
  const [open, setOpen] = useState(false)
  const [versions, setVersions] = useState<CaptureTimeVersion[]>([])
  const [when, setWhen] = useState(beijingWall(props.evidence.captureStart))
  const [reason, setReason] = useState('')
  const { error, busy, onSubmit } = useSubmit()
  const show = async () => {
    setOpen(true)
    const r = await call('evidence.captureTimeHistory', { evidenceId: props.evidence.id })
    setVersions(r.versions)
  }
  if (!open)
    return (
      <button type="button" className="link" onClick={() => void show()} data-testid="capture-time-fix">
        {t('captureTime.correct')}
      </button>
    )
  return (
    <form
      className="inline-form"
      data-testid="capture-time-form"
      onSubmit={onSubmit(async () => {
        const captureStart = `${when}${ZONE}`
        const r = await call('evidence.setCaptureTime', {
          evidenceId: props.evidence.id,
          captureStart,
          reason,
        })
        setVersions(r.versions)
        setReason('')
        props.onChanged(r.evidence)
      })}
    >
      <Field label={t('captureTime.newTime', { zone: t('captureTime.beijing') })}>
        <DateTimeInput
          name="captureStart"
          label={t('captureTime.newTime', { zone: t('captureTime.beijing') })}
          value={when}
          required
          onChange={setWhen}
        />
      </Field>
      <Field label={t('captureTime.reason')} hint={t('captureTime.reasonHint')}>
        <input
          name="reason"
          value={reason}
          required
          minLength={2}
          onChange={(e) => setReason(e.target.value)}
        />
      </Field>
      <ErrorText error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('captureTime.save')}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          {t('captureTime.close')}
        </button>
      </div>
      <table className="table small" data-testid="capture-time-versions">
        <thead>
          <tr>
            <th>{t('captureTime.version')}</th>
            <th>{t('ingest.col.capture')}</th>
            <th>{t('captureTime.source')}</th>
            <th>{t('captureTime.reason')}</th>
            <th>{t('captureTime.setAt')}</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <td>{v.version === 1 ? t('captureTime.original') : t('captureTime.nth', { n: v.version })}</td>
              <td className="nowrap">{formatCaptureTime(v.captureStart)}</td>
              <td>
                {t(`captureTime.sourceName.${v.source}`, { defaultValue: t('captureTime.sourceName.other') })}
              </td>
              <td>{v.reason ?? '—'}</td>
              <td className="nowrap">{formatTime(v.setAt, i18n.language)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </form>
  )
}
