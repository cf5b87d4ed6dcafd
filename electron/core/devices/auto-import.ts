import { autoImportEnabled } from './auto-import-setting.ts'
import type { Db } from '../db/index.ts'
import type { Actor, CoreDeps } from '../context.ts'
import { findById, rolesOf } from '../accounts/users.ts'
import { findDeviceByIdentity } from './registry.ts'
import type { DeviceChange } from './watch.ts'
import type { IngestJobs } from '../ingest/ingest.ts'

/*
 * Auto-import on plug-in (issue 19, item 1), as collection stations do: with the agency's setting on (off by
 * default), a *registered* camera that is plugged in is imported by itself, as its registered officer's
 * recording — the same ingest job, the same audit events as an import started on the 采集 page, with
 * `trigger: 'autoImport'` in its ingest.start event. A device that is not registered, retired, bound to no officer,
 * or whose officer is disabled or may not import, is only announced, as before.
 */

/** The officer a device is issued to, as the actor of its import; null when they cannot import now. */
function officerActor(db: Db, userId: string): Actor | null {
  const row = findById(db, userId)
  if (!row || row.disabled) return null
  const roles = rolesOf(db, row.id)
  if (!roles.includes('enforcement_officer') && !roles.includes('records_officer')) return null
  return { userId: row.id, username: row.username, displayName: row.display_name, roles }
}

export interface AutoImportOutcome {
  identity: string
  /** The job started, or why none was. */
  jobId: string | null
  reason: 'started' | 'off' | 'unregistered' | 'retired' | 'no_officer' | 'officer_unavailable' | 'failed'
}

/** Start an import for each registered device among the volumes just attached. */
export function autoImportAdded(deps: CoreDeps, jobs: IngestJobs, change: DeviceChange): AutoImportOutcome[] {
  const out: AutoImportOutcome[] = []
  for (const v of change.added) {
    const identity = v.identity
    if (!autoImportEnabled(deps.db)) {
      out.push({ identity, jobId: null, reason: 'off' })
      continue
    }
    const device = findDeviceByIdentity(deps.db, identity)
    // Only cameras registered by their volume: a folder registered for import is not plugged in.
    if (!device || device.kind !== 'usb') {
      out.push({ identity, jobId: null, reason: 'unregistered' })
      continue
    }
    if (device.retiredAt) {
      out.push({ identity, jobId: null, reason: 'retired' })
      continue
    }
    if (!device.officerUserId) {
      out.push({ identity, jobId: null, reason: 'no_officer' })
      continue
    }
    const actor = officerActor(deps.db, device.officerUserId)
    if (!actor) {
      out.push({ identity, jobId: null, reason: 'officer_unavailable' })
      continue
    }
    try {
      const { jobId } = jobs.start(
        { sourceRoot: v.mountPoint, deviceId: device.id, trigger: 'autoImport' },
        actor,
        'ipc',
      )
      out.push({ identity, jobId, reason: 'started' })
    } catch (e) {
      console.error('[liuhen] auto-import of', device.label, 'did not start', e)
      out.push({ identity, jobId: null, reason: 'failed' })
    }
  }
  return out
}
