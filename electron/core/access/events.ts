import { type CoreEvent, type MethodName } from '../../../shared/contract.ts'
import { mayCall } from '../../../shared/may-call.ts'
import type { FileResult } from '../../../shared/ingest.ts'
import type { Actor, CoreDeps } from '../context.ts'
import { basisForBatch, basisForRecord } from './gate.ts'

/*
 * Who receives a core event (WebSocket on the bridge, webContents under Electron). An event says no more than the
 * method that serves the same facts, so it goes to that method's callers only; an event about an ingest batch or a
 * record goes, on top of that, only to those the gate lets see the batch or the record. Adapters never decide: they
 * subscribe with a session (Core.subscribe) and the core filters, with the session and user as they are now.
 */

/** The method whose callers may hear each kind of event. A new event type must be placed here (the compiler says so). */
const SAME_AS: Record<CoreEvent['type'], MethodName> = {
  'audit.appended': 'audit.list',
  'ingest.progress': 'ingest.jobs',
  'ingest.done': 'ingest.jobs',
  'ingest.file': 'ingest.jobs',
  'integrity.progress': 'integrity.verify',
  'archive.progress': 'archive.image',
  'devices.changed': 'devices.list',
}

/**
 * One file's result as `actor` may see it: none when the batch is not theirs to see; without the record id when the
 * file matched a record they may not open (a duplicate of someone else's evidence), so the id does not lead there.
 */
export function visibleResult(
  deps: CoreDeps,
  actor: Actor,
  batchId: string | null,
  result: FileResult,
): FileResult | null {
  if (!batchId || !basisForBatch(deps, actor, batchId)) return null
  if (result.evidenceId && !basisForRecord(deps, actor, result.evidenceId, 'view'))
    return { ...result, evidenceId: null }
  return result
}

/** The event as `actor` may receive it (possibly with a record id withheld), or null when not at all. */
export function eventFor(
  deps: CoreDeps,
  actor: Actor,
  event: CoreEvent,
  batchOfJob: (jobId: string) => string | null,
): CoreEvent | null {
  if (!mayCall(SAME_AS[event.type], actor.roles)) return null
  switch (event.type) {
    case 'ingest.progress':
    case 'ingest.done':
      return basisForBatch(deps, actor, event.progress.batchId) ? event : null
    case 'ingest.file': {
      const result = visibleResult(deps, actor, batchOfJob(event.jobId), event.result)
      return result ? { ...event, result } : null
    }
    default:
      return event
  }
}
