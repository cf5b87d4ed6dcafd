import { AppError } from '../../../shared/errors.ts'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import { validDate } from '../ingest/capture-time.ts'
import { attachedVolumes } from './detect.ts'
import { findDevice } from './registry.ts'

/*
 * The devices screen (issue 19, item 5): what each registered camera last brought in, the clock mode its files
 * point to, retiring one, and checking its clock against the station's.
 */

type Usage = MethodOutput<'devices.list'>['usage'][number]

/**
 * Per device: the last import and the record count, and — from what capture-time reconciliation inferred for its
 * files (metadata.clockInference, docs/capture-time.md) — the clock mode most of them show, when it is not the
 * registered one. One query each, so the screen costs the same for 3 devices as for 300.
 */
export function deviceUsage(deps: CoreDeps): Usage[] {
  const db = deps.db
  const imports = db
    .prepare(
      `SELECT d.id AS deviceId, MAX(b.started_at) AS lastImportAt,
         (SELECT COUNT(*) FROM evidence e WHERE e.device_id = d.id) AS records
       FROM devices d LEFT JOIN ingest_batches b ON b.device_id = d.id GROUP BY d.id`,
    )
    .all() as { deviceId: string; lastImportAt: string | null; records: number }[]
  const inferred = db
    .prepare(
      `SELECT e.device_id AS deviceId, json_extract(e.metadata, '$.clockInference.clockMode') AS mode,
         json_extract(e.metadata, '$.clockInference.utcOffsetMin') AS offset, COUNT(*) AS n
       FROM evidence e
       WHERE json_valid(e.metadata) AND json_extract(e.metadata, '$.clockInference.clockMode') IN ('local', 'utc')
       GROUP BY e.device_id, mode, offset ORDER BY n DESC`,
    )
    .all() as { deviceId: string; mode: 'local' | 'utc'; offset: number | null; n: number }[]
  const registered = new Map(
    (
      db.prepare('SELECT id, clock_mode, clock_mode_known, utc_offset_min FROM devices').all() as {
        id: string
        clock_mode: 'local' | 'utc'
        clock_mode_known: number
        utc_offset_min: number
      }[]
    ).map((r) => [r.id, r]),
  )
  return imports.map((u) => {
    const all = inferred.filter((i) => i.deviceId === u.deviceId)
    const top = all[0]
    const total = all.reduce((n, i) => n + i.n, 0)
    const reg = registered.get(u.deviceId)!
    const offset = top?.offset ?? reg.utc_offset_min
    // Only a clear majority is offered: a device whose files disagree is for a person to look at, not one click.
    const clear = !!top && top.n * 2 > total
    const same = reg.clock_mode_known === 1 && reg.clock_mode === top?.mode && reg.utc_offset_min === offset
    return {
      ...u,
      clockSuggestion: clear && !same ? { clockMode: top.mode, utcOffsetMin: offset, records: top.n } : null,
    }
  })
}

export function devicesRetire(
  deps: CoreDeps,
  input: ParsedInput<'devices.retire'>,
  ctx: CallContext,
): MethodOutput<'devices.retire'> {
  const actor = actorOf(ctx)
  const device = findDevice(deps.db, input.deviceId)
  if (!device) throw new AppError('NOT_FOUND')
  if (device.retiredAt) return { device }
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'devices.retire',
      targetType: 'device',
      targetId: device.id,
      details: { label: device.label, identity: device.identity, reason: input.reason },
    },
    () =>
      deps.db
        .prepare('UPDATE devices SET retired_at = ?, retired_by = ?, retire_reason = ? WHERE id = ?')
        .run(deps.now().toISOString(), actor.userId, input.reason, device.id),
  )
  return { device: findDevice(deps.db, device.id)! }
}

/**
 * Camera time against the station's. A USB mass-storage camera shows no live clock; some write their current time
 * into their info file when docked (DeviceInfo.txt `当前时间=…`, read by detect.ts as `deviceTime`). Without it
 * the answer says so — the officer then photographs the camera's clock screen beside the station's instead.
 */
export async function devicesClockCheck(
  deps: CoreDeps,
  input: ParsedInput<'devices.clockCheck'>,
): Promise<MethodOutput<'devices.clockCheck'>> {
  const device = findDevice(deps.db, input.deviceId)
  if (!device) throw new AppError('NOT_FOUND')
  const now = deps.now()
  const stationTime = now.toISOString()
  const volume = (await attachedVolumes()).find((v) => v.identity === device.identity)
  const text = volume?.deviceInfo.deviceTime
  const m = text
    ? /^(\d{4})[-/.年]?(\d{2})[-/.月]?(\d{2})日?[ T_]?(\d{2})[:时]?(\d{2})[:分]?(\d{2})/.exec(text)
    : null
  const [, y, mo, d, h, mi, s] = (m ?? []).map(Number) as number[]
  // An impossible date is no reading of the clock (never rolled over into the next month).
  if (!volume || !m || !validDate(y!, mo!, d!, h, mi, s))
    return { attached: !!volume, exposed: false, stationTime, deviceTime: null, offsetMs: null }
  // The camera's wall clock, read in the zone it is registered with (its clock mode says what it writes).
  const zoneMin = device.clockMode === 'utc' ? 0 : device.utcOffsetMin
  const at = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) - zoneMin * 60_000
  return {
    attached: true,
    exposed: true,
    stationTime,
    deviceTime: new Date(at).toISOString(),
    offsetMs: at - now.getTime(),
  }
}
