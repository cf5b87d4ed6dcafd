import type { CoreEnv, Handlers } from '../handlers.ts'
import { basisForBatch } from '../access/gate.ts'
import { visibleResult } from '../access/events.ts'
import { actorOf } from '../context.ts'
import { devicesClockCheck, devicesRetire } from '../devices/screen.ts'
import { filingSuggestions } from './suggestions.ts'
import { fileableCases } from './filing.ts'
import * as ingest from './service.ts'
import * as captureTimeCorrections from './capture-time-corrections.ts'

/** devices.*, ingest.*, evidence.* (shared/contract/ingest.ts). */
export function ingestHandlers({ deps, ingestDeps, jobs }: CoreEnv) {
  return {
    'devices.list': () => ingest.devicesList(ingestDeps),
    'devices.register': (i, ctx) => ingest.devicesRegister(ingestDeps, i, ctx),
    'devices.update': (i, ctx) => ingest.devicesUpdate(ingestDeps, i, ctx),
    'devices.clear': (i, ctx) => ingest.devicesClear(ingestDeps, i, ctx),
    'devices.retire': (i, ctx) => devicesRetire(ingestDeps, i, ctx),
    'devices.clockCheck': (i) => devicesClockCheck(ingestDeps, i),
    'ingest.suggestions': (i, ctx) => filingSuggestions(ingestDeps, i, ctx),
    'ingest.scan': (i) => ingest.ingestScan(ingestDeps, i),
    'ingest.start': (i, ctx) => jobs.start(i, actorOf(ctx), ctx.channel),
    'ingest.cases': (i, ctx) => fileableCases(ingestDeps, i, ctx),
    'ingest.cancel': (i) => {
      jobs.cancel(i.jobId)
      return {}
    },
    'ingest.jobs': (_i, ctx) => {
      const actor = actorOf(ctx)
      // The same filter as the ingest events: one's own batches (or filing work), records as the gate allows.
      return {
        jobs: jobs.list().flatMap((j) =>
          basisForBatch(deps, actor, j.progress.batchId)
            ? [
                {
                  progress: j.progress,
                  results: j.results.flatMap((r) => visibleResult(deps, actor, j.progress.batchId, r) ?? []),
                },
              ]
            : [],
        ),
      }
    },
    'evidence.list': (i, ctx) => ingest.evidenceList(ingestDeps, i, ctx),
    'evidence.thumbnail': (i, ctx) => ingest.evidenceThumbnail(ingestDeps, i, ctx),
    'evidence.setLateReason': (i, ctx) => ingest.evidenceSetLateReason(ingestDeps, i, ctx),
    'evidence.setCaptureTime': (i, ctx) => captureTimeCorrections.evidenceSetCaptureTime(deps, i, ctx),
    'evidence.captureTimeHistory': (i, ctx) =>
      captureTimeCorrections.evidenceCaptureTimeHistory(deps, i, ctx),
  } satisfies Partial<Handlers>
}
