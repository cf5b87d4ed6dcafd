import crypto from 'node:crypto'
import fs from 'node:fs'
import { contract, isMethodName, type CoreEvent } from '../../shared/contract.ts'
import { AppError, type AppErrorValue } from '../../shared/errors.ts'
import type { RpcResult } from '../../shared/rpc.ts'
import { createI18n, translateError, type Language } from '../../shared/i18n/index.ts'
import type { z } from 'zod'
import { openDatabase, openDatabaseReadOnly, storageError } from './db/index.ts'
import { readOnlyEnv } from './read-only.ts'
import { markDamaged, refuseIfDamaged } from './integrity/damage.ts'
import { dataLayout } from './paths.ts'
import type { CallContext, Channel } from './context.ts'
import { SessionStore } from './accounts/sessions.ts'
import { authorize } from './accounts/authorize.ts'
import { findAgency } from './agency.ts'
import { ensureDataFolders, restrictDataFolder } from './system.ts'
import { markDataFolder } from './ingest/source-guard.ts'
import { IngestJobs, markInterruptedBatches } from './ingest/ingest.ts'
import { ThumbnailQueue } from './ingest/thumbnails.ts'
import { cleanTemp } from './vault.ts'
import { eventFor } from './access/events.ts'
import { liveActor } from './accounts/live.ts'
import { Jobs } from './jobs.ts'
import { MediaTickets, streamableMedia, type MediaFile } from './media.ts'
import { refuseIfFrozen } from './cases/archived.ts'
import { PostCommitRunner } from './post-commit.ts'
import { registerSigningJobs } from './signing/jobs.ts'
import { AuditAnchor, type AnchorTimers } from './audit-anchor.ts'
import { liveOwner, takeOwnerLock, type OwnerLock } from './owner-lock.ts'
import { serveOwner, type OwnerServer } from './owner-serve.ts'
import { localSocketTransport } from './owner-socket.ts'
import { Uploads } from './files/uploads.ts'
import { startBackground, timestampQueue } from './background.ts'
import type { CoreEnv, Handlers, OwnerDeps } from './handlers.ts'
import { accountsHandlers } from './accounts/handlers.ts'
import { auditHandlers } from './audit/handlers.ts'
import { ingestHandlers } from './ingest/handlers.ts'
import { signingHandlers } from './signing/handlers.ts'
import { casesHandlers } from './cases/handlers.ts'
import { recordsHandlers } from './records/handlers.ts'
import { mediaHandlers } from './media/handlers.ts'
import { accessHandlers } from './access/handlers.ts'
import { archiveHandlers } from './archive/handlers.ts'
import { integrityHandlers } from './integrity/handlers.ts'
import { statsHandlers } from './stats/handlers.ts'
import { reviewHandlers } from './review/handlers.ts'
import { disclosureHandlers } from './disclosure/handlers.ts'
import { filesHandlers } from './files/handlers.ts'

/**
 * Every slice of handlers, one per domain (electron/core/<domain>/handlers.ts). Typed `Handlers`: a method of the
 * contract without a handler is a compile error here; a method in two slices is refused when the core starts.
 */
function combineHandlers(env: CoreEnv): Handlers {
  const slices = [
    accountsHandlers(env),
    auditHandlers(env),
    ingestHandlers(env),
    signingHandlers(env),
    casesHandlers(env),
    recordsHandlers(env),
    mediaHandlers(env),
    accessHandlers(env),
    archiveHandlers(env),
    integrityHandlers(env),
    statsHandlers(env),
    reviewHandlers(env),
    disclosureHandlers(env),
    filesHandlers(env),
  ] as const
  const seen = new Set<string>()
  for (const slice of slices)
    for (const name of Object.keys(slice)) {
      if (seen.has(name)) throw new Error(`core: two handlers for ${name}`)
      seen.add(name)
    }
  const [a, b, c, d, e, f, g, h, i, j, k, l, m, n] = slices
  return { ...a, ...b, ...c, ...d, ...e, ...f, ...g, ...h, ...i, ...j, ...k, ...l, ...m, ...n }
}

export interface CoreOptions {
  dataDir: string
  /** Create the data directory and database when missing (app start, `liuhen init`). */
  create: boolean
  now?: () => Date
  /** A long-running app (not a CLI command): catch up on pending time-stamps at start. */
  background?: boolean
  /** The audit anchor's batching (audit-anchor.ts): the delay after a change, and timers a test can drive. */
  anchor?: { delayMs?: number; timers?: AnchorTimers }
  /** Serve the owner socket to other processes (default true; off only for tests of the lock itself). */
  serve?: boolean
  /**
   * How often the post-commit queue is drained while the core runs (default: every minute in a background
   * process, never in a CLI command, which drains what its own commits queue).
   */
  queueIntervalMs?: number
  /** Where files.browse may list folders (default: LIUHEN_BROWSE_ROOTS, else home and media mounts). */
  browseRoots?: readonly string[]
  /**
   * A folder whose subfolders are mounted volumes, watched with the removable disks (default: LIUHEN_MOUNT_ROOT):
   * cameras that mount as folders, and the tests' stand-in for a camera being plugged in.
   */
  mountRoot?: string
  /** Watch for cameras plugged in (default: in a background process only); 'manual': only on devicesTick(). */
  watchDevices?: boolean | 'manual'
}

export interface Core {
  dispatch(request: unknown, channel: Channel): Promise<RpcResult>
  /** Every event, unfiltered: for in-process callers that act for no one session (the CLI waiting for a job). */
  onEvent(listener: (e: CoreEvent) => void): () => void
  /**
   * The events the session behind `session` may receive, as it may receive them (access/events.ts), decided at
   * each event with the session and user as they are then: nothing once it is signed out, locked or disabled.
   * What adapters forward to a window or socket.
   */
  subscribe(session: string, channel: Channel, listener: (e: CoreEvent) => void): () => void
  close(): void
  /**
   * For a process that owns the folder only for its own run (the CLI): wait until every client that came to
   * this owner meanwhile has finished and gone, then close. Their jobs run here; closing earlier would end them.
   */
  closeWhenIdle(): Promise<void>
  /** Processes connected to this owner now. */
  clients(): number
  /** Whether an ingest job is still running here. */
  busy(): boolean
  /** What a media ticket from `media.open` names, while it is valid: for the adapters that stream it. */
  resolveMedia(ticket: string, channel?: Channel): MediaFile | null
  /** Look at the attached volumes now instead of at the next poll (tests: a camera plugged in). */
  devicesTick(): Promise<void>
  /** Resolves when an ingest job has finished (CLI, tests). */
  waitForJob(jobId: string): Promise<void>
  /** Resolves when no time-stamp request is under way (CLI, tests). */
  timestampsIdle(): Promise<void>
  /** Run the post-commit queue once now (no keys: stamping, not signing); resolves when done. */
  drainQueue(): Promise<void>
  /** Resolves when no thumbnail is being made. */
  thumbnailsIdle(): Promise<void>
  /** Anchor the audit head now instead of at the next batch (tests; H1's owner may call it on hand-over). */
  flushAnchor(): void
  readonly dataDir: string
}

/** Open a data directory and return the core that serves the contract over it. */
export function createCore(opts: CoreOptions): Core {
  const layout = dataLayout(opts.dataDir)
  if (opts.create) {
    try {
      ensureDataFolders(layout)
    } catch {
      throw new AppError('DATA_DIR_UNUSABLE', { path: layout.root })
    }
  }
  const now = opts.now ?? (() => new Date())
  // One owner per folder (owner-lock.ts): whoever holds the lock migrates, recovers and runs the timers; every
  // other process is its client (folder.ts) and never opens the database for writing.
  // A folder with no database (and none to create) has nothing to own: opening it fails below, and no lock file
  // is left in it (a restore needs an empty folder).
  const lockable = fs.existsSync(layout.root) && (opts.create || fs.existsSync(layout.db))
  const lock = lockable ? takeOwnerLock(layout, now()) : null
  if (lockable && !lock) throw new AppError('DATA_DIR_IN_USE', { pid: String(liveOwner(layout)?.pid || '?') })
  try {
    return ownedCore(opts, layout, lock, now)
  } catch (e) {
    lock?.release()
    throw e
  }
}

function ownedCore(
  opts: CoreOptions,
  layout: ReturnType<typeof dataLayout>,
  lock: OwnerLock | null,
  now: () => Date,
): Core {
  const db = openDatabase(layout.db, { create: opts.create })
  restrictDataFolder(layout)
  markDataFolder(layout)
  const listeners = new Set<(e: CoreEvent) => void>()
  // Made below, once recovery has run; changes before that are anchored by its start.
  let anchor: AuditAnchor | null = null
  registerSigningJobs()
  const deps: OwnerDeps = {
    db,
    layout,
    now,
    sessions: new SessionStore(),
    // Replaced below, once deps exist: the runner works over them.
    postCommit: undefined as unknown as PostCommitRunner,
    emit: (e) => {
      // A finished batch's signatures get their time-stamps now, in the background.
      if (e.type === 'ingest.done') void stamper.run()
      if (e.type === 'audit.appended') anchor?.noteChange()
      // A listener that throws (a closed socket, a failed check) must not break the work that emitted.
      for (const l of listeners)
        try {
          l(e)
        } catch (err) {
          console.error('[liuhen] event listener failed', err)
        }
    },
  }

  // Recovery after a crash: temp copies are dropped (nothing was registered from them) and batches that were
  // running are marked interrupted. Running the same ingest again finishes the rest. Only the lock holder gets
  // here, so nothing another live Liuhen process is doing can be taken for a crash's leftovers; the owner tokens
  // on each piece of work remain as a second check.
  if (fs.existsSync(layout.tmp)) cleanTemp(layout)
  if (findAgency(db)) markInterruptedBatches(deps)
  // The audit head anchored outside the database (audit-anchor.ts); an older folder gets its station key now.
  anchor = new AuditAnchor(deps, opts.anchor)
  if (findAgency(db)) anchor.start()
  // Only the folder's owner gets here (owner-lock.ts); of owners, only a long-running one (the app, the bridge)
  // drains the whole queue at start and on its interval — a CLI command drains what its own commits queued and
  // is never held open by a slow time-stamp service.
  const ownsQueue = opts.background === true
  const postCommit = new PostCommitRunner(deps)
  deps.postCommit = postCommit
  const stamper = timestampQueue(deps, postCommit)
  const media = new MediaTickets()
  if (ownsQueue && findAgency(db)) {
    // After recovery: what a crash left between a commit and its work is finished now (a batch's time-stamps
    // and checkpoints with it). Sign jobs wait for their officer's PIN.
    void stamper.run()
  }
  const queueInterval = opts.queueIntervalMs ?? (ownsQueue ? 60_000 : 0)
  if (queueInterval > 0) postCommit.every(queueInterval)
  const thumbs = new ThumbnailQueue(layout)
  const jobs = new IngestJobs(deps, thumbs)
  const ingestDeps = { ...deps, jobs }
  const archiveJobs = new Jobs(deps, 'archive.progress')
  const integrityJobs = new Jobs(deps, 'integrity.progress')
  const uploads = new Uploads(layout, now)
  const background = startBackground(opts.background === true, deps, integrityJobs, {
    watch: opts.watchDevices,
    mountRoot: opts.mountRoot,
    jobs,
  })

  const env: CoreEnv = {
    deps,
    ingestDeps,
    jobs,
    archiveJobs,
    integrityJobs,
    uploads,
    media,
    stamper,
    anchor,
    browseRoots: opts.browseRoots,
  }
  const handlers = combineHandlers(env)
  // readOnly methods run over a read-only connection (read-only.ts): a write in one fails instead of landing.
  const readDb = openDatabaseReadOnly(layout.db)
  const readHandlers = combineHandlers(readOnlyEnv(env, readDb))

  async function dispatch(request: unknown, channel: Channel): Promise<RpcResult> {
    try {
      if (!request || typeof request !== 'object' || Array.isArray(request)) throw new AppError('BAD_REQUEST')
      const { method, input, session } = request as Record<string, unknown>
      if (!isMethodName(method)) {
        throw new AppError('UNKNOWN_METHOD', {
          method: typeof method === 'string' ? method.slice(0, 64) : '?',
        })
      }
      const ctx = authorize(deps, method, session, channel)
      const def = contract[method]
      const parsed = (def.input as z.ZodType).safeParse(input === undefined ? {} : input)
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(input)'))].slice(
          0,
          10,
        )
        throw new AppError('VALIDATION', { fields: fields.join(', ') })
      }
      refuseIfDamaged(layout, method, def.readOnly === true)
      // An archived case holds still until an approved reopening (cases/archived.ts has the table).
      refuseIfFrozen(deps, ctx, method, parsed.data)
      const handler = (def.readOnly === true ? readHandlers : handlers)[method] as (
        i: unknown,
        c: CallContext,
      ) => unknown
      const value = await handler(parsed.data, ctx)
      // Outputs are parsed too: a field the contract does not name (a password hash, say) never leaves.
      return { ok: true, value: (def.output as z.ZodType).parse(value) }
    } catch (e) {
      const error = toErrorValue(e)
      // SQLite itself found the file corrupt (not our refusal): no further writes until a check clears it.
      if (error.code === 'DB_DAMAGED' && !(e instanceof AppError))
        markDamaged(layout, String(error.params?.detail ?? 'liuhen.db'), now())
      return { ok: false, error }
    }
  }

  let served: OwnerServer | null = null
  const close = () => {
    served?.close()
    background.stop()
    stamper.stop()
    postCommit.close()
    anchor?.close()
    readDb.close()
    db.close()
    lock?.release()
  }
  const core: Core = {
    dispatch,
    onEvent(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    subscribe(session, channel, l) {
      const batchOfJob = (jobId: string) =>
        jobs.list().find((j) => j.progress.jobId === jobId)?.progress.batchId ?? null
      const filtered = (e: CoreEvent) => {
        const actor = liveActor(deps, session, channel)
        const visible = actor ? eventFor(deps, actor, e, batchOfJob) : null
        if (visible) l(visible)
      }
      listeners.add(filtered)
      return () => listeners.delete(filtered)
    },
    close,
    async closeWhenIdle() {
      await served?.finish()
      close()
    },
    clients: () => served?.clients() ?? 0,
    busy: () => jobs.list().some((j) => ['queued', 'scanning', 'copying'].includes(j.progress.state)),
    timestampsIdle: () => stamper.idle(),
    drainQueue: async () => {
      await postCommit.run()
    },
    flushAnchor: () => void anchor?.flush(),
    waitForJob: (jobId) => jobs.wait(jobId),
    resolveMedia: (ticket, channel = 'ipc') => streamableMedia({ ...deps, media }, ticket, channel),
    thumbnailsIdle: () => thumbs.idle(),
    devicesTick: () => background.devicesTick(),
    dataDir: layout.root,
  }
  if (lock && opts.serve !== false)
    served = serveOwner(core, localSocketTransport(lock.info.address), {
      owner: lock.info.owner,
      pid: lock.info.pid,
    })
  return core
}

/** Map anything thrown to a typed error value; unknown failures are logged here with a reference. */
export function toErrorValue(e: unknown): AppErrorValue {
  if (e instanceof AppError) return e.toValue()
  const code = (e as { code?: unknown } | null)?.code
  const storage = storageError(e)
  if (storage) return storage.toValue()
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return { code: 'BUSY' }
  if (code === 'SQLITE_NOTADB' || (code === 'SQLITE_ERROR' && /no such table/.test(String(e))))
    return { code: 'DB_UNREADABLE', params: { reason: e instanceof Error ? e.message : String(e) } }
  const ref = crypto.randomBytes(4).toString('hex')
  console.error(`[liuhen] internal error ${ref}:`, e)
  return { code: 'INTERNAL', params: { ref } }
}

/** Attach a human message in `lang`, for adapters whose reader is a person (CLI, logs). */
const translators = new Map<Language, ReturnType<typeof createI18n>>()
export function withMessage(error: AppErrorValue, lang: Language): AppErrorValue {
  let i18n = translators.get(lang)
  if (!i18n) translators.set(lang, (i18n = createI18n(lang)))
  return { ...error, message: translateError(i18n.t, error) }
}
