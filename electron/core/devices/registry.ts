import crypto from 'node:crypto'
import type { Db } from '../db/index.ts'
import type { Device } from '../../../shared/contract.ts'
import type { DeviceClock } from '../ingest/capture-time.ts'

/** Repository of known devices: body cameras and recorders by serial or volume UUID, folders by path. */

interface DeviceRow {
  id: string
  kind: 'usb' | 'folder'
  identity: string
  label: string
  officer_user_id: string | null
  clock_mode: 'local' | 'utc'
  clock_mode_known: 0 | 1
  utc_offset_min: number
  clock_offset_ms: number
  info: string
  created_at: string
  retired_at: string | null
}

function toDevice(r: DeviceRow): Device {
  let info: Record<string, string> = {}
  try {
    info = JSON.parse(r.info) as Record<string, string>
  } catch {
    /* keep empty */
  }
  return {
    id: r.id,
    kind: r.kind,
    identity: r.identity,
    label: r.label,
    officerUserId: r.officer_user_id,
    clockMode: r.clock_mode,
    clockModeKnown: r.clock_mode_known === 1,
    utcOffsetMin: r.utc_offset_min,
    clockOffsetMs: r.clock_offset_ms,
    info,
    createdAt: r.created_at,
    retiredAt: r.retired_at,
  }
}

export function listDevices(db: Db): Device[] {
  return (db.prepare('SELECT * FROM devices ORDER BY created_at').all() as DeviceRow[]).map(toDevice)
}

export function findDevice(db: Db, id: string): Device | null {
  const r = db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow | undefined
  return r ? toDevice(r) : null
}

export function findDeviceByIdentity(db: Db, identity: string): Device | null {
  const r = db.prepare('SELECT * FROM devices WHERE identity = ?').get(identity) as DeviceRow | undefined
  return r ? toDevice(r) : null
}

export function insertDevice(db: Db, d: Omit<Device, 'id' | 'createdAt' | 'retiredAt'>, now: Date): Device {
  const id = crypto.randomUUID()
  db.prepare(
    `INSERT INTO devices (id, kind, identity, label, officer_user_id, clock_mode, clock_mode_known, utc_offset_min,
       clock_offset_ms, info, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    d.kind,
    d.identity,
    d.label,
    d.officerUserId,
    d.clockMode,
    d.clockModeKnown ? 1 : 0,
    d.utcOffsetMin,
    d.clockOffsetMs,
    JSON.stringify(d.info),
    now.toISOString(),
  )
  return findDevice(db, id)!
}

export function updateDevice(
  db: Db,
  id: string,
  d: Partial<Omit<Device, 'id' | 'createdAt' | 'kind' | 'identity' | 'retiredAt'>>,
): void {
  const cur = findDevice(db, id)
  if (!cur) return
  const next = { ...cur, ...Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) }
  db.prepare(
    `UPDATE devices SET label = ?, officer_user_id = ?, clock_mode = ?, clock_mode_known = ?, utc_offset_min = ?,
       clock_offset_ms = ?, info = ?
     WHERE id = ?`,
  ).run(
    next.label,
    next.officerUserId,
    next.clockMode,
    // Setting the clock mode is registering it.
    next.clockModeKnown || d.clockMode !== undefined ? 1 : 0,
    next.utcOffsetMin,
    next.clockOffsetMs,
    JSON.stringify(next.info),
    id,
  )
}

export function clockOf(d: Device): DeviceClock {
  return {
    clockMode: d.clockMode,
    clockModeKnown: d.clockModeKnown,
    utcOffsetMin: d.utcOffsetMin,
    clockOffsetMs: d.clockOffsetMs,
  }
}
