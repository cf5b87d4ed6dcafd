import { AppError, type AppErrorValue } from '../../shared/errors.ts'
import type { Actor, CoreDeps } from './context.ts'
import type { Db } from './db/index.ts'
import { storageError } from './db/index.ts'
import { ownerAlive, selfOwner } from './owner.ts'
import type { BatchSigner } from './signing/batch-signer.ts'

/*
 * Work that must follow a commit — sign this record, stamp this signature — is written as a row of
 * post_commit_jobs (migration 170) in the same transaction as the change that needs it, so a kill, a full disk
 * or a failing service between the change and the work leaves the work on record instead of losing it.
 *
 * One runner drains the table: right after the commit that queued a job, at start-up (after recovery), on an
 * interval, and when an officer unlocks their key (jobs that need a key wait for it). A job is claimed in an
 * IMMEDIATE transaction under this process's owner token, so two processes on one data folder never run the
 * same job; a claim whose owner died is taken over. Handlers are idempotent (they look whether the work is
 * already there), so a crash between doing a job and marking it done only repeats a check. A failure is kept
 * as a typed error value (translated where it is shown) and retried with a growing delay.
 */

export interface JobRow {
  id: number
  kind: string
  subject: string
  user_id: string | null
  owner: string | null
  attempts: number
  last_error: string | null
  not_before: string | null
  created_at: string
  done_at: string | null
}

/** A key an officer has unlocked with their PIN, and the officer, for jobs that need it. */
export interface UnlockedKey {
  signer: BatchSigner
  actor: Actor
}

export interface JobHandler {
  /** The job needs the key of its user_id: it is run only when that officer's key is unlocked. */
  needsKey?: boolean
  /**
   * One failure means the service behind this kind is down (a TSA): the other jobs of the kind wait for the next
   * run instead of each failing the same way.
   */
  stopKindOnError?: boolean
  /** Whether jobs of this kind can run at all now (a TSA is configured); the others wait, untried. */
  runnable?: (deps: CoreDeps) => boolean
  run(deps: CoreDeps, job: JobRow, key: UnlockedKey | null): Promise<void> | void
}

const handlers = new Map<string, JobHandler>()

/** Say what a kind of job does. One handler per kind (a second registration replaces the first). */
export function register(kind: string, handler: JobHandler): void {
  handlers.set(kind, handler)
}

/**
 * Queue a job. Must be called inside the transaction that makes the change the job follows (like appendAudit):
 * the two land together or not at all. Queuing a job that is already open changes nothing.
 */
export function enqueue(
  db: Db,
  kind: string,
  subject: string,
  opts: { now: Date; userId?: string | null },
): void {
  if (!db.inTransaction) throw new Error('enqueue outside a transaction')
  db.prepare(
    `INSERT OR IGNORE INTO post_commit_jobs (kind, subject, user_id, created_at) VALUES (?, ?, ?, ?)`,
  ).run(kind, subject, opts.userId ?? null, opts.now.toISOString())
}

/** Delay before the next try after `attempts` failures: 1, 2, 4 … minutes, at most an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000)
}

/** A job counts as failed (verify reports it) after this many failed tries; it is still retried. */
export const FAILED_AFTER = 5
/** A job open this long without being done is overdue (verify reports it), failed or not. */
export const OVERDUE_MS = 24 * 3_600_000

/** What a thrown error is on record: a typed value, never SQLite's or Node's English text. */
export function jobError(e: unknown): AppErrorValue {
  if (e instanceof AppError) return e.toValue()
  const storage = storageError(e)
  if (storage) return storage.toValue()
  const code = String((e as { code?: unknown } | null)?.code ?? '')
  if (/^E[A-Z]+$/.test(code)) return { code: 'IO_ERROR', params: { detail: code } }
  console.error('[liuhen] post-commit job failed', e)
  return { code: 'INTERNAL', params: { ref: 'post-commit' } }
}

export interface RunOptions {
  /** Keys unlocked now, by user id: jobs that need a key run only with their user's. */
  keys?: ReadonlyMap<string, UnlockedKey>
  /** Only these kinds. */
  kinds?: readonly string[]
  /** Only this job (kind + subject): what a change runs right after its own commit. */
  subject?: string
  /**
   * Run jobs whose backoff has not yet passed: an officer who has just entered the PIN is the retry a
   * waiting sign job waits for.
   */
  ignoreBackoff?: boolean
}

export interface RunResult {
  done: number
  failed: number
  /** Open jobs of the kinds asked for, after the run. */
  open: number
  /** The first failure of the run, if any. */
  firstError: AppErrorValue | null
}

const CLAIM_BATCH = 20
/** The open job of one kind for one subject (index post_commit_open). */
export const CLAIM_ONE =
  'SELECT * FROM post_commit_jobs WHERE kind = ? AND subject = ? AND done_at IS NULL ORDER BY id'

/** Claim up to CLAIM_BATCH runnable jobs for this process, in one IMMEDIATE transaction. */
function claim(
  deps: CoreDeps,
  opts: RunOptions,
  skipKinds: ReadonlySet<string>,
  tried: ReadonlySet<number>,
): JobRow[] {
  const db = deps.db
  const nowIso = deps.now().toISOString()
  return db
    .transaction(() => {
      // The job a commit has just queued is found by its index (however many stamps wait for a TSA that is
      // down); a general drain reads the open jobs, which are few but for such a wait.
      const rows = (
        opts.subject !== undefined && opts.kinds?.length === 1
          ? db.prepare(CLAIM_ONE).all(opts.kinds[0], opts.subject)
          : opts.subject !== undefined
            ? db
                .prepare('SELECT * FROM post_commit_jobs WHERE done_at IS NULL AND subject = ? ORDER BY id')
                .all(opts.subject)
            : db.prepare('SELECT * FROM post_commit_jobs WHERE done_at IS NULL ORDER BY id').all()
      ) as JobRow[]
      const mine = selfOwner()
      const picked: JobRow[] = []
      const runnable = new Map<string, boolean>()
      const canRun = (kind: string, h: JobHandler) => {
        if (!runnable.has(kind)) runnable.set(kind, h.runnable?.(deps) ?? true)
        return runnable.get(kind)!
      }
      for (const r of rows) {
        if (picked.length >= CLAIM_BATCH) break
        const h = handlers.get(r.kind)
        if (!h || skipKinds.has(r.kind) || tried.has(r.id)) continue
        if (opts.kinds && !opts.kinds.includes(r.kind)) continue
        if (!canRun(r.kind, h)) continue
        if (h.needsKey && !(r.user_id && opts.keys?.has(r.user_id))) continue
        if (!opts.ignoreBackoff && r.not_before && r.not_before > nowIso) continue
        // Claimed by a live process (this one included: another run here is on it): not ours to take.
        if (r.owner && (r.owner === mine || ownerAlive(r.owner))) continue
        picked.push(r)
      }
      const take = db.prepare('UPDATE post_commit_jobs SET owner = ? WHERE id = ?')
      for (const r of picked) take.run(mine, r.id)
      return picked
    })
    .immediate()
}

function finish(deps: CoreDeps, job: JobRow, error: AppErrorValue | null): void {
  const db = deps.db
  const now = deps.now()
  db.transaction(() => {
    if (!error)
      db.prepare('UPDATE post_commit_jobs SET done_at = ?, owner = NULL WHERE id = ? AND owner = ?').run(
        now.toISOString(),
        job.id,
        selfOwner(),
      )
    else
      db.prepare(
        `UPDATE post_commit_jobs SET owner = NULL, attempts = attempts + 1, last_error = ?, not_before = ?
         WHERE id = ? AND owner = ?`,
      ).run(
        JSON.stringify(error),
        new Date(now.getTime() + backoffMs(job.attempts + 1)).toISOString(),
        job.id,
        selfOwner(),
      )
  }).immediate()
}

/** Let go of claimed jobs not run (a kind that stopped on an error): untouched, for the next run. */
function release(deps: CoreDeps, jobs: JobRow[]): void {
  if (!jobs.length) return
  const db = deps.db
  db.transaction(() => {
    const up = db.prepare('UPDATE post_commit_jobs SET owner = NULL WHERE id = ? AND owner = ?')
    for (const j of jobs) up.run(j.id, selfOwner())
  }).immediate()
}

/** One pass over the runnable jobs; jobs failed in this pass are not retried in it. */
export async function runJobs(deps: CoreDeps, opts: RunOptions = {}): Promise<RunResult> {
  const result: RunResult = { done: 0, failed: 0, open: 0, firstError: null }
  const stopped = new Set<string>()
  const tried = new Set<number>()
  for (;;) {
    const batch = claim(deps, opts, stopped, tried)
    if (!batch.length) break
    for (const [i, job] of batch.entries()) {
      tried.add(job.id)
      if (stopped.has(job.kind)) {
        release(deps, [job])
        continue
      }
      const h = handlers.get(job.kind)!
      let error: AppErrorValue | null = null
      try {
        await h.run(deps, job, job.user_id ? (opts.keys?.get(job.user_id) ?? null) : null)
      } catch (e) {
        error = jobError(e)
      }
      try {
        finish(deps, job, error)
      } catch (e) {
        // Even the mark could not be written (the disk full): the claim dies with this process, and the
        // handler's own check makes the next run's repeat harmless.
        release(deps, batch.slice(i + 1))
        throw e
      }
      if (error) {
        result.failed++
        result.firstError ??= error
        if (h.stopKindOnError) stopped.add(job.kind)
      } else result.done++
    }
  }
  result.open = openJobs(deps.db, opts.kinds)
  return result
}

export function openJobs(db: Db, kinds?: readonly string[]): number {
  const rows = db.prepare('SELECT kind FROM post_commit_jobs WHERE done_at IS NULL').pluck().all() as string[]
  return rows.filter((k) => !kinds || kinds.includes(k)).length
}

/**
 * The runner a core owns. Runs may overlap — the claims keep them off each other's jobs — but a general drain
 * already under way is joined rather than started twice; a run for one subject or with an officer's key always
 * starts (it is what a commit or a PIN entered now is waiting for). `every` drains on an interval; nothing runs
 * once closed.
 */
export class PostCommitRunner {
  private readonly inflight = new Set<Promise<RunResult>>()
  private readonly drains = new Map<string, Promise<RunResult>>()
  private timer: NodeJS.Timeout | null = null
  private closed = false

  constructor(private readonly deps: CoreDeps) {}

  run(opts: RunOptions = {}): Promise<RunResult> {
    if (this.closed) return Promise.resolve({ done: 0, failed: 0, open: 0, firstError: null })
    const general = opts.subject === undefined && !opts.keys
    const key = JSON.stringify([opts.kinds ?? null, opts.ignoreBackoff === true])
    const joined = general ? this.drains.get(key) : undefined
    if (joined) return joined
    const p = runJobs(this.deps, opts).finally(() => {
      this.inflight.delete(p)
      if (this.drains.get(key) === p) this.drains.delete(key)
    })
    this.inflight.add(p)
    if (general) this.drains.set(key, p)
    return p
  }

  /** Drain every `ms` while the core runs; unref'd, so it never keeps a CLI process alive. */
  every(ms: number): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = setInterval(() => {
      this.run().catch((e: unknown) => console.error('[liuhen] post-commit run failed', e))
    }, ms)
    this.timer.unref()
  }

  /** Resolves when no run is under way. */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight])
  }

  close(): void {
    this.closed = true
    if (this.timer) clearInterval(this.timer)
  }
}

/** The runner of these deps, or a direct run where there is none (a core-less caller). */
export function runPostCommit(deps: CoreDeps, opts: RunOptions): Promise<RunResult> {
  return deps.postCommit ? (deps.postCommit as PostCommitRunner).run(opts) : runJobs(deps, opts)
}
