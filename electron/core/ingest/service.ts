import fs from 'node:fs'
import { AppError } from '../../../shared/errors.ts'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { basisForRecord, gateRecord } from '../access/gate.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import { findById } from '../accounts/users.ts'
import { attachedVolumes } from '../devices/detect.ts'
import { deviceUsage } from '../devices/screen.ts'
import {
  clockOf,
  findDevice,
  findDeviceByIdentity,
  insertDevice,
  listDevices,
  updateDevice,
} from '../devices/registry.ts'
import { hashFile, objectPath } from '../vault.ts'
import { discover } from './discover.ts'
import { DEFAULT_CLOCK } from './capture-time.ts'
import { isLate, sourceCaptureTimes } from './late.ts'
import { checkSourceRoot } from './source-guard.ts'
import { findEvidence, knownSource, listEvidence, toEvidence } from './evidence-repo.ts'
import type { IngestJobs } from './ingest.ts'
import { mediaExtensions } from './settings.ts'
import { thumbnailPath } from './thumbnails.ts'

/** The contract's devices.*, ingest.* and evidence.* methods. */

type Deps = CoreDeps & { jobs: IngestJobs }

function checkOfficer(deps: Deps, userId: string | null | undefined): void {
  if (userId && !findById(deps.db, userId)) throw new AppError('NOT_FOUND')
}

export async function devicesList(deps: Deps): Promise<MethodOutput<'devices.list'>> {
  const attached = await attachedVolumes()
  return {
    devices: listDevices(deps.db),
    usage: deviceUsage(deps),
    attached: attached.map((v) => ({
      ...v,
      deviceId: findDeviceByIdentity(deps.db, v.identity)?.id ?? null,
    })),
  }
}

export function devicesRegister(
  deps: Deps,
  input: ParsedInput<'devices.register'>,
  ctx: CallContext,
): MethodOutput<'devices.register'> {
  const actor = actorOf(ctx)
  checkOfficer(deps, input.officerUserId)
  const existing = findDeviceByIdentity(deps.db, input.identity)
  if (existing) return { device: existing }
  const device = auditedChange(
    deps,
    (d: ReturnType<typeof insertDevice>) => ({
      ...actorFields(actor),
      action: 'devices.register',
      targetType: 'device',
      targetId: d.id,
      details: {
        kind: d.kind,
        identity: d.identity,
        label: d.label,
        officerUserId: d.officerUserId,
        ...d.info,
      },
    }),
    () =>
      insertDevice(
        deps.db,
        {
          kind: input.kind,
          identity: input.identity,
          label: input.label,
          officerUserId: input.officerUserId ?? null,
          clockMode: input.clockMode ?? 'local',
          clockModeKnown: input.clockMode !== undefined,
          utcOffsetMin: input.utcOffsetMin ?? 480,
          clockOffsetMs: input.clockOffsetMs ?? 0,
          info: input.info ?? {},
        },
        deps.now(),
      ),
  )
  return { device }
}

export function devicesUpdate(
  deps: Deps,
  input: ParsedInput<'devices.update'>,
  ctx: CallContext,
): MethodOutput<'devices.update'> {
  const actor = actorOf(ctx)
  const before = findDevice(deps.db, input.deviceId)
  if (!before) throw new AppError('NOT_FOUND')
  checkOfficer(deps, input.officerUserId)
  const { deviceId, ...changes } = input
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'devices.update',
      targetType: 'device',
      targetId: deviceId,
      details: changes,
    },
    () => updateDevice(deps.db, deviceId, changes),
  )
  return { device: findDevice(deps.db, deviceId)! }
}

export async function ingestScan(
  deps: Deps,
  input: ParsedInput<'ingest.scan'>,
): Promise<MethodOutput<'ingest.scan'>> {
  if (!fs.existsSync(input.sourceRoot) || !fs.statSync(input.sourceRoot).isDirectory())
    throw new AppError('SOURCE_GONE')
  const guard = checkSourceRoot(deps.layout, input.sourceRoot)
  const entries = await discover(input.sourceRoot, mediaExtensions(deps.db), guard)
  const device =
    (input.deviceId && findDevice(deps.db, input.deviceId)) ||
    findDeviceByIdentity(deps.db, `folder:${fs.realpathSync(input.sourceRoot)}`)
  const now = deps.now()
  const clock = device ? clockOf(device) : DEFAULT_CLOCK
  const out: MethodOutput<'ingest.scan'>['entries'] = []
  // Files not yet in the vault are read in place (metadata, else the name) for the late-recording list;
  // two at a time, as ingest overlaps them, so a large card does not start a process per file at once.
  const read = async (e: (typeof entries)[number]) => {
    const inVault =
      !e.skip && !!device && knownSource(deps.db, device.id, e.relPath, e.size, e.mtimeMs) !== undefined
    const times =
      e.skip || inVault || !e.mediaType
        ? null
        : await sourceCaptureTimes(e.absPath, e.relPath, e.mediaType, clock, now, e.mtimeMs).catch(() => null)
    return {
      relPath: e.relPath,
      size: e.size,
      mtime: new Date(e.mtimeMs).toISOString(),
      mediaType: e.mediaType,
      skipReason: e.skip,
      inVault,
      captureStart: times?.captureStart ?? null,
      late: !!times && isLate(times, now),
    }
  }
  for (let i = 0; i < entries.length; i += 2)
    out.push(...(await Promise.all(entries.slice(i, i + 2).map(read))))
  const media = out.filter((e) => !e.skipReason)
  return {
    entries: out,
    totals: {
      files: out.length,
      media: media.length,
      bytes: media.reduce((n, e) => n + e.size, 0),
      inVault: out.filter((e) => e.inVault).length,
      late: out.filter((e) => e.late).length,
    },
  }
}

export function evidenceThumbnail(
  deps: Deps,
  input: ParsedInput<'evidence.thumbnail'>,
  ctx: CallContext,
): MethodOutput<'evidence.thumbnail'> {
  // Thumbnails show content: the same gate as playback. Only refusals are logged (a list shows dozens).
  if (!basisForRecord(deps, actorOf(ctx), input.evidenceId, 'view'))
    gateRecord(deps, ctx, input.evidenceId, 'view', 'evidence.thumbnail')
  const ev = findEvidence(deps.db, input.evidenceId)
  if (!ev) throw new AppError('NOT_FOUND')
  const file = thumbnailPath(deps.layout, ev.sha256)
  if (!fs.existsSync(file)) return { dataUrl: null }
  return { dataUrl: `data:image/jpeg;base64,${fs.readFileSync(file).toString('base64')}` }
}

export function evidenceSetLateReason(
  deps: Deps,
  input: ParsedInput<'evidence.setLateReason'>,
  ctx: CallContext,
): MethodOutput<'evidence.setLateReason'> {
  const actor = actorOf(ctx)
  // The late reason is part of the record's filing: the same basis as tagging it.
  gateRecord(deps, ctx, input.evidenceId, 'file', 'evidence.setLateReason')
  const ev = findEvidence(deps.db, input.evidenceId)!
  const flags = (JSON.parse(ev.flags) as string[]).filter((f) => f !== 'late_reason_missing')
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'evidence.setLateReason',
      targetType: 'evidence',
      targetId: ev.id,
      details: { reason: { from: ev.late_reason, to: input.reason } },
    },
    () =>
      deps.db
        .prepare('UPDATE evidence SET late_reason = ?, flags = ? WHERE id = ?')
        .run(input.reason, JSON.stringify(flags), ev.id),
  )
  return { evidence: toEvidence(deps.db, findEvidence(deps.db, ev.id)!) }
}

/**
 * Clear a device after ingest: only when every media file on it is registered from this device and its vault
 * copy still hashes right. Each deletion is its own audit event, written before the file is removed.
 */
export async function devicesClear(
  deps: Deps,
  input: ParsedInput<'devices.clear'>,
  ctx: CallContext,
): Promise<MethodOutput<'devices.clear'>> {
  const actor = actorOf(ctx)
  const device = findDevice(deps.db, input.deviceId)
  if (!device) throw new AppError('NOT_FOUND')
  // Never deletes inside a data folder or a backup, whatever is registered.
  const guard = checkSourceRoot(deps.layout, input.sourceRoot)
  const entries = (await discover(input.sourceRoot, mediaExtensions(deps.db), guard)).filter((e) => !e.skip)
  const verified: { abs: string; rel: string; sha256: string }[] = []
  for (const e of entries) {
    const known = knownSource(deps.db, device.id, e.relPath, e.size, e.mtimeMs)
    if (!known) throw new AppError('DEVICE_NOT_VERIFIED', { path: e.relPath })
    const inVault = await hashFile(objectPath(deps.layout, known.sha256)).catch(() => null)
    if (!inVault || inVault.sha256 !== known.sha256)
      throw new AppError('DEVICE_NOT_VERIFIED', { path: e.relPath })
    verified.push({ abs: e.absPath, rel: e.relPath, sha256: known.sha256 })
  }
  const deleted: string[] = []
  for (const v of verified) {
    auditedChange(
      deps,
      {
        ...actorFields(actor),
        action: 'devices.clearFile',
        targetType: 'device',
        targetId: device.id,
        details: { relPath: v.rel, sha256: v.sha256 },
      },
      () => undefined,
    )
    await fs.promises.rm(v.abs)
    deleted.push(v.rel)
  }
  return { deleted }
}

/** Recent recordings, as far as the caller may see them (custodians all; officers their own and their cases'). */
export function evidenceList(
  deps: Deps,
  input: ParsedInput<'evidence.list'>,
  ctx: CallContext,
): MethodOutput<'evidence.list'> {
  const actor = actorOf(ctx)
  return { items: listEvidence(deps.db, input).filter((e) => basisForRecord(deps, actor, e.id, 'meta')) }
}
