import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Device, MethodOutput } from '../../../../shared/contract.ts'
import { call } from '../../api.ts'
import { ErrorText, Field, formatTime, useSubmit } from '../../components/common.tsx'
import { formatClockOffset } from '../../../../shared/device-format.ts'

/** 停用: says what it means (no more imports from it; its recordings and trail stay) and asks why. */
export function RetireDevice(props: {
  device: Device
  records: number
  onDone: () => void
  onCancel: () => void
}) {
  const { t } = useTranslation()
  const [reason, setReason] = useState('')
  const retiring = useSubmit()
  const retire = () =>
    retiring.run(async () => {
      await call('devices.retire', { deviceId: props.device.id, reason: reason.trim() })
      props.onDone()
    })
  return (
    <div className="confirm-panel" data-testid="retire-confirm">
      <p className="banner warn">
        {t('devices.retireConsequence', { label: props.device.label, count: props.records })}
      </p>
      <Field label={t('devices.retireReason')}>
        <input
          name="retireReason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={500}
        />
      </Field>
      <ErrorText error={retiring.error} />
      <div className="row">
        <button className="danger" onClick={retire} disabled={retiring.busy || reason.trim().length < 2}>
          {t('devices.retireConfirm')}
        </button>
        <button onClick={props.onCancel}>{t('common.cancel')}</button>
      </div>
    </div>
  )
}

/**
 * 清空设备: deletes the camera's media only when every file on it is in the vault from this device and re-hashes
 * right (the core refuses otherwise and deletes nothing); the officer ticks that they understand first.
 */
export function ClearDevice(props: {
  device: Device
  root: string
  onDone: () => void
  onCancel: () => void
}) {
  const { t } = useTranslation()
  const [sure, setSure] = useState(false)
  const [deleted, setDeleted] = useState<number | null>(null)
  const clearing = useSubmit()
  const clear = () =>
    clearing.run(async () => {
      const r = await call('devices.clear', {
        deviceId: props.device.id,
        sourceRoot: props.root,
        confirm: true,
      })
      setDeleted(r.deleted.length)
      props.onDone()
    })
  if (deleted !== null)
    return (
      <p className="banner ok" role="status">
        {t('devices.cleared', { count: deleted, label: props.device.label })}
      </p>
    )
  return (
    <div className="confirm-panel" data-testid="clear-confirm">
      <p className="banner warn">
        {t('devices.clearConsequence', { label: props.device.label })}{' '}
        <span className="mono">{props.root}</span>
      </p>
      <label className="check">
        <input type="checkbox" name="clearSure" checked={sure} onChange={(e) => setSure(e.target.checked)} />{' '}
        {t('devices.clearSure')}
      </label>
      <ErrorText error={clearing.error} />
      <div className="row">
        <button className="danger" onClick={clear} disabled={clearing.busy || !sure}>
          {t('devices.clearConfirm')}
        </button>
        <button onClick={props.onCancel}>{t('common.cancel')}</button>
      </div>
    </div>
  )
}

/** 校时: the station's time against the camera's, when the camera exposes it; the offset can be taken over. */
export function ClockCheck(props: { device: Device; mayCorrect: boolean; onDone: () => void }) {
  const { t, i18n } = useTranslation()
  const [result, setResult] = useState<MethodOutput<'devices.clockCheck'> | null>(null)
  const checking = useSubmit()
  const check = () =>
    checking.run(async () => setResult(await call('devices.clockCheck', { deviceId: props.device.id })))
  const correct = (offsetMs: number) =>
    checking.run(async () => {
      await call('devices.update', { deviceId: props.device.id, clockOffsetMs: offsetMs })
      props.onDone()
    })
  return (
    <div className="confirm-panel" data-testid="clock-check">
      <p className="muted">{t('devices.clockCheckIntro')}</p>
      {result ? (
        result.exposed && result.offsetMs !== null && result.deviceTime ? (
          <div role="status">
            <p>
              {t('devices.stationTime', { time: formatTime(result.stationTime, i18n.language, 'second') })}；
              {t('devices.deviceTime', { time: formatTime(result.deviceTime, i18n.language, 'second') })}
            </p>
            <p>
              <strong>{formatClockOffset(result.offsetMs, t)}</strong>
            </p>
            {props.mayCorrect && result.offsetMs !== props.device.clockOffsetMs ? (
              <button className="primary" onClick={() => correct(result.offsetMs!)} disabled={checking.busy}>
                {t('devices.takeOffset')}
              </button>
            ) : null}
          </div>
        ) : (
          <p className="banner warn" role="status">
            {result.attached ? t('devices.clockNotExposed') : t('devices.notAttached')}
          </p>
        )
      ) : null}
      <ErrorText error={checking.error} />
      <button onClick={check} disabled={checking.busy}>
        {result ? t('devices.checkAgain') : t('devices.checkNow')}
      </button>
    </div>
  )
}
