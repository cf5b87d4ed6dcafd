import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Device, MethodOutput } from '../../../../shared/contract.ts'
import { call } from '../../api.ts'
import { ErrorText, Field, useSubmit } from '../../components/common.tsx'
import { formatUtcOffset } from '../../../../shared/device-format.ts'
import type { Officer } from '../../components/officers.ts'

type Volume = MethodOutput<'devices.list'>['attached'][number]

// Whole and the usual half/quarter hours from UTC−12 to UTC+14, the range devices.update takes.
const OFFSETS = Array.from({ length: 27 }, (_, i) => (i - 12) * 60).concat([330, 345, 570, 525])

/**
 * Register an attached camera or edit a registered device: its name, the officer it is bound to (who becomes the
 * default collector), how its clock writes time (local or UTC), its zone and how far its clock runs off.
 */
export function DeviceEditor(props: {
  device?: Device
  volume?: Volume
  officers: readonly Officer[]
  onDone: () => void
  onCancel: () => void
}) {
  const { t } = useTranslation()
  const d = props.device
  const v = props.volume
  // A camera that names its officer's badge number (GA/T 947 DeviceInfo) is offered bound to that officer.
  const badge = v?.deviceInfo.officerNo
  const [label, setLabel] = useState(d?.label ?? (v ? v.label || v.model || v.mountPoint : ''))
  const [officer, setOfficer] = useState(
    d?.officerUserId ?? props.officers.find((o) => badge && o.badgeNo === badge)?.id ?? '',
  )
  const [clockMode, setClockMode] = useState<'local' | 'utc'>(d?.clockMode ?? 'local')
  const [utcOffsetMin, setUtcOffsetMin] = useState(d?.utcOffsetMin ?? 480)
  const [offsetSeconds, setOffsetSeconds] = useState(String(Math.round((d?.clockOffsetMs ?? 0) / 1000)))
  const saving = useSubmit()
  const offsets = [...new Set([...OFFSETS, utcOffsetMin])].sort((a, b) => a - b)
  const save = () =>
    saving.run(async () => {
      const settings = {
        label: label.trim(),
        officerUserId: officer || null,
        clockMode,
        utcOffsetMin,
        clockOffsetMs: Math.round(Number(offsetSeconds || '0') * 1000),
      }
      if (d) await call('devices.update', { deviceId: d.id, ...settings })
      else if (v)
        await call('devices.register', { kind: 'usb', identity: v.identity, info: v.deviceInfo, ...settings })
      props.onDone()
    })
  return (
    <form
      className="device-editor"
      data-testid="device-editor"
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      <div className="grid">
        <Field label={t('ingest.deviceLabel')}>
          <input
            name="deviceLabel"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            required
            maxLength={80}
          />
        </Field>
        <Field label={t('ingest.officer')} hint={t('devices.officerHint')}>
          <select name="officer" value={officer} onChange={(e) => setOfficer(e.target.value)}>
            <option value="">{t('ingest.noOfficer')}</option>
            {props.officers.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
                {o.badgeNo ? `（${o.badgeNo}）` : ''}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('devices.clockMode')} hint={t('devices.clockModeHint')}>
          <select
            name="clockMode"
            value={clockMode}
            onChange={(e) => setClockMode(e.target.value === 'utc' ? 'utc' : 'local')}
          >
            <option value="local">{t('ingest.clockName.local')}</option>
            <option value="utc">{t('ingest.clockName.utc')}</option>
          </select>
        </Field>
        <Field label={t('devices.utcOffset')}>
          <select
            name="utcOffset"
            value={utcOffsetMin}
            onChange={(e) => setUtcOffsetMin(Number(e.target.value))}
          >
            {offsets.map((m) => (
              <option key={m} value={m}>
                {formatUtcOffset(m)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('devices.clockOffset')} hint={t('devices.clockOffsetHint')}>
          <input
            name="clockOffset"
            type="number"
            step="1"
            value={offsetSeconds}
            onChange={(e) => setOffsetSeconds(e.target.value)}
          />
        </Field>
      </div>
      <ErrorText error={saving.error} />
      <div className="row">
        <button type="submit" className="primary" disabled={saving.busy}>
          {d ? t('common.save') : t('ingest.register')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}
