import { Fragment, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Device, MethodOutput } from '../../../../shared/contract.ts'
import type { Role } from '../../../../shared/roles.ts'
import { mayCall } from '../../../../shared/may-call.ts'
import { call } from '../../api.ts'
import { ErrorText, formatTime, useSubmit } from '../../components/common.tsx'
import { ClearDevice, ClockCheck, RetireDevice } from './DeviceActions.tsx'
import { DeviceEditor } from './DeviceEditor.tsx'
import { formatClockOffset, formatUtcOffset } from '../../../../shared/device-format.ts'
import { useOfficers } from '../../components/officers.ts'

type Devices = MethodOutput<'devices.list'>
type Panel =
  { deviceId: string; what: 'edit' | 'retire' | 'clear' | 'clock' } | { identity: string; what: 'register' }

/** Where a device's files are now: the mount point of an attached camera, a folder device's own path. */
export function deviceRoot(d: Device, attached: Devices['attached']): string | null {
  if (d.kind === 'folder') return d.identity.replace(/^folder:/, '')
  return attached.find((a) => a.identity === d.identity)?.mountPoint ?? null
}

/**
 * 采集 → 设备 (issue 19, item 5): every registered camera and folder with its officer, GA/T 947 identity, clock and
 * last import; register an attached camera, edit, check the clock, clear a verified camera, retire. Each button is
 * shown only to the roles the contract lets call its method.
 */
export function DevicesScreen(props: {
  roles: readonly Role[]
  devices: Devices | null
  onChange: () => Promise<void>
}) {
  const { t, i18n } = useTranslation()
  const { officers } = useOfficers()
  const [panel, setPanel] = useState<Panel | null>(null)
  const may = (m: Parameters<typeof mayCall>[0]) => mayCall(m, props.roles)
  const done = () => {
    setPanel(null)
    void props.onChange()
  }
  // The clock mode its files point to, registered in one click (devices.update, audited).
  const adopting = useSubmit()
  const adopt = (d: Device, c: { clockMode: 'local' | 'utc'; utcOffsetMin: number }) =>
    adopting.run(async () => {
      await call('devices.update', { deviceId: d.id, clockMode: c.clockMode, utcOffsetMin: c.utcOffsetMin })
      await props.onChange()
    })
  const list = props.devices
  if (!list) return null
  const unregistered = list.attached.filter((a) => !a.deviceId)
  const officerName = (id: string | null) => (id ? (officers.find((o) => o.id === id)?.name ?? '—') : '—')
  const open = (deviceId: string, what: 'edit' | 'retire' | 'clear' | 'clock') =>
    setPanel(
      panel && 'deviceId' in panel && panel.deviceId === deviceId && panel.what === what
        ? null
        : { deviceId, what },
    )
  return (
    <>
      <p className="muted">{t('devices.intro')}</p>
      <ErrorText error={adopting.error} />
      {unregistered.length ? (
        <div className="panel" data-testid="unregistered">
          <h3>{t('devices.unregisteredTitle')}</h3>
          {unregistered.map((v) => (
            <div key={v.identity} className="device-line">
              <div className="row">
                <strong>{v.label || v.model || v.mountPoint}</strong>
                <span className="muted">{[v.vendor, v.model].filter(Boolean).join(' ')}</span>
                <Identity info={v.deviceInfo} identity={v.identity} />
                <span className="spacer" />
                {may('devices.register') ? (
                  <button onClick={() => setPanel({ identity: v.identity, what: 'register' })}>
                    {t('ingest.register')}
                  </button>
                ) : null}
              </div>
              {panel?.what === 'register' && panel.identity === v.identity ? (
                <DeviceEditor volume={v} officers={officers} onDone={done} onCancel={() => setPanel(null)} />
              ) : null}
            </div>
          ))}
        </div>
      ) : null}
      <div className="panel" data-testid="devices">
        <h3>{t('ingest.registeredDevices')}</h3>
        {list.devices.length === 0 ? <p className="muted">{t('devices.none')}</p> : null}
        {list.devices.length ? (
          <table className="table">
            <thead>
              <tr>
                <th>{t('ingest.deviceLabel')}</th>
                <th>{t('devices.identity')}</th>
                <th>{t('ingest.deviceOfficer')}</th>
                <th>{t('ingest.deviceClock')}</th>
                <th>{t('devices.lastImport')}</th>
                <th>{t('devices.state')}</th>
                <th>{t('devices.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.devices.map((d) => {
                const usage = list.usage.find((u) => u.deviceId === d.id)
                const root = deviceRoot(d, list.attached)
                const shown = panel && 'deviceId' in panel && panel.deviceId === d.id ? panel.what : null
                const live = !d.retiredAt
                return (
                  <Fragment key={d.id}>
                    <tr data-testid="device-row" className={live ? undefined : 'row-muted'}>
                      <td>
                        <strong>{d.label}</strong>
                        <div className="muted small">{t(`devices.kind.${d.kind}`)}</div>
                      </td>
                      <td>
                        <Identity info={d.info} identity={d.identity} />
                      </td>
                      <td>{officerName(d.officerUserId)}</td>
                      <td className="nowrap">
                        {t(`ingest.clockName.${d.clockMode}`)}
                        <div className="muted small">
                          {formatUtcOffset(d.utcOffsetMin)} · {formatClockOffset(d.clockOffsetMs, t)}
                        </div>
                        {usage?.clockSuggestion ? (
                          <div className="warn-text small" data-testid="device-clock-suggestion">
                            {t('devices.clockSuggestion', {
                              mode: t(`ingest.clockName.${usage.clockSuggestion.clockMode}`),
                              offset: formatUtcOffset(usage.clockSuggestion.utcOffsetMin),
                              count: usage.clockSuggestion.records,
                            })}
                            {live && may('devices.update') ? (
                              <button className="link" onClick={() => void adopt(d, usage.clockSuggestion!)}>
                                {t('devices.adoptClock')}
                              </button>
                            ) : null}
                          </div>
                        ) : null}
                      </td>
                      <td className="nowrap">
                        {usage?.lastImportAt
                          ? formatTime(usage.lastImportAt, i18n.language)
                          : t('devices.never')}
                        <div className="muted small">
                          {t('devices.records', { count: usage?.records ?? 0 })}
                        </div>
                      </td>
                      <td className="nowrap">
                        {live ? (
                          <span className="chip chip-active">{t('devices.inService')}</span>
                        ) : (
                          <span className="chip chip-withdrawn">
                            {t('devices.retiredOn', { date: formatTime(d.retiredAt, i18n.language, 'date') })}
                          </span>
                        )}
                        {root && d.kind === 'usb' ? (
                          <div className="ok-text small">{t('devices.attachedNow')}</div>
                        ) : null}
                      </td>
                      <td>
                        <div className="device-actions">
                          {live && may('devices.update') ? (
                            <button onClick={() => open(d.id, 'edit')}>{t('devices.edit')}</button>
                          ) : null}
                          {live && may('devices.clockCheck') ? (
                            <button onClick={() => open(d.id, 'clock')}>{t('devices.clockCheck')}</button>
                          ) : null}
                          {live && root && usage?.records && may('devices.clear') ? (
                            <button onClick={() => open(d.id, 'clear')}>{t('devices.clear')}</button>
                          ) : null}
                          {live && may('devices.retire') ? (
                            <button className="danger" onClick={() => open(d.id, 'retire')}>
                              {t('devices.retire')}
                            </button>
                          ) : null}
                        </div>
                      </td>
                    </tr>
                    {shown ? (
                      <tr className="report-row">
                        <td colSpan={7}>
                          {shown === 'edit' ? (
                            <DeviceEditor
                              device={d}
                              officers={officers}
                              onDone={done}
                              onCancel={() => setPanel(null)}
                            />
                          ) : shown === 'retire' ? (
                            <RetireDevice
                              device={d}
                              records={usage?.records ?? 0}
                              onDone={done}
                              onCancel={() => setPanel(null)}
                            />
                          ) : shown === 'clear' && root ? (
                            <ClearDevice
                              device={d}
                              root={root}
                              onDone={() => void props.onChange()}
                              onCancel={() => setPanel(null)}
                            />
                          ) : shown === 'clock' ? (
                            <ClockCheck device={d} mayCorrect={may('devices.update')} onDone={done} />
                          ) : null}
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                )
              })}
            </tbody>
          </table>
        ) : null}
      </div>
    </>
  )
}

/** A device's identity as GA/T 947 names it (产品序号, 警号, 姓名, 单位), else its serial, volume or folder. */
function Identity(props: { info: Record<string, string>; identity: string }) {
  const { t, i18n } = useTranslation()
  const known = Object.entries(props.info).filter(([k]) => k !== 'deviceTime')
  if (known.length)
    return (
      <div className="small">
        {known.map(([k, v]) => (
          <div key={k}>
            {i18n.exists(`ingest.infoKey.${k}`) ? t(`ingest.infoKey.${k}` as 'ingest.infoKey.unit') : k}：{v}
          </div>
        ))}
      </div>
    )
  const m = /^(uuid|serial|path|folder):(.*)$/.exec(props.identity)
  return (
    <div className="small">
      {m ? `${t(`devices.identityKind.${m[1] as 'uuid'}`)}：` : ''}
      <span className="mono">{m ? m[2] : props.identity}</span>
    </div>
  )
}
