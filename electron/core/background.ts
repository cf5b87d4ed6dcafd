import type { CoreDeps } from './context.ts'
import { findAgency } from './agency.ts'
import * as integrity from './integrity/service.ts'
import type { Jobs } from './jobs.ts'
import { watchDevices } from './devices/watch.ts'
import { attachedVolumes } from './devices/detect.ts'
import { autoImportAdded } from './devices/auto-import.ts'
import type { IngestJobs } from './ingest/ingest.ts'
import { tsaSettings } from './signing/service.ts'
import { pendingStamps, type StampRun } from './signing/timestamps.ts'
import { stampPendingCheckpoints, writeCheckpoint } from './signing/checkpoints.ts'
import type { PostCommitRunner } from './post-commit.ts'

/*
 * The core's timers, for a long-running app (the desktop app, the browser mode); a CLI command starts none of
 * them but the time-stamp queue's retry, which is unref'd and never keeps it alive:
 *   - the time-stamp queue (`timestampQueue`): one run at a time, retried every five minutes while anything is
 *     pending, with the hourly checkpoint of the trail's head when a TSA is set;
 *   - the integrity interval: due scheduled checks start within the hour;
 *   - the device watch: cameras plugged in or pulled out raise `devices.changed`.
 */

export type TimestampQueue = ReturnType<typeof timestampQueue>

/** With a TSA configured, the trail's head is time-stamped hourly while events keep coming. */
async function intervalCheckpoint(deps: CoreDeps): Promise<void> {
  if (!tsaSettings(deps.db).url) return
  const last = deps.db.prepare('SELECT max(created_at) AS at FROM audit_checkpoints').get() as {
    at: string | null
  }
  if (last.at && deps.now().getTime() - Date.parse(last.at) < 60 * 60_000) return
  await writeCheckpoint(deps, { signer: null, actor: null, reason: 'interval' })
}

/**
 * One time-stamping run at a time; retried every few minutes while anything is pending. The timer is unref'd
 * so it never keeps a CLI process alive.
 */
export function timestampQueue(deps: CoreDeps, postCommit: PostCommitRunner) {
  let current: Promise<StampRun> | null = null
  let closed = false
  const run = async (now = false): Promise<StampRun> => {
    // Asked for now while a background run is under way: that run may have skipped jobs in their backoff.
    if (now && current) await current
    if (closed) return { granted: 0, pending: 0, error: null }
    current ??= (async () => {
      const r = await postCommit.run({ kinds: ['stamp_signature'], ignoreBackoff: now })
      const failure = r.firstError
      const run: StampRun = {
        granted: r.done,
        pending: pendingStamps(deps),
        error: failure ? String(failure.params?.detail ?? failure.code) : null,
      }
      if (run.error === null) await stampPendingCheckpoints(deps)
      await intervalCheckpoint(deps)
      return run
    })()
      .catch((e: unknown) => ({ granted: 0, pending: 0, error: e instanceof Error ? e.message : String(e) }))
      .finally(() => {
        current = null
      })
    return current
  }
  const timer = setInterval(() => void run(), 5 * 60_000)
  timer.unref()
  return {
    run,
    async idle() {
      if (current) await current
    },
    stop() {
      closed = true
      clearInterval(timer)
    },
  }
}

/**
 * The integrity interval and the device watch, in a long-running app only (`background`); what `stop` ends at
 * close.
 */
export function startBackground(
  background: boolean,
  deps: CoreDeps,
  integrityJobs: Jobs,
  devicesOpts: { watch?: boolean | 'manual'; mountRoot?: string; jobs: IngestJobs },
): { stop(): void; devicesTick(): Promise<void> } {
  // Scheduled integrity checks while the app runs (not in CLI processes): due ones start within the hour.
  let checking = false
  const scheduledChecks = setInterval(() => {
    if (!background || checking || !findAgency(deps.db) || !integrity.scheduledDue(deps)) return
    checking = true
    void integrityJobs
      .run(undefined, (o) =>
        integrity.runVerify(deps, { samplePercent: integrity.schedule(deps).samplePercent }, null, o),
      )
      .catch((e: unknown) => console.error('[liuhen] scheduled integrity check failed', e))
      .finally(() => (checking = false))
  }, 3_600_000)
  scheduledChecks.unref()
  // Cameras plugged in or pulled out while the app runs; a registered one imports itself when the agency says so.
  const mountRoot = devicesOpts.mountRoot ?? process.env.LIUHEN_MOUNT_ROOT
  const devices =
    (devicesOpts.watch ?? background)
      ? watchDevices(
          () => attachedVolumes(mountRoot),
          (change) => {
            deps.emit({ type: 'devices.changed', ...change })
            if (findAgency(deps.db)) autoImportAdded(deps, devicesOpts.jobs, change)
          },
          devicesOpts.watch === 'manual' ? null : undefined,
        )
      : null
  return {
    stop() {
      clearInterval(scheduledChecks)
      devices?.stop()
    },
    devicesTick: () => devices?.tick() ?? Promise.resolve(),
  }
}
