// Over 600 lines: one ingest job whose steps (copy and hash, prepare, commit, sign) share its state and transactions.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError, type AppErrorValue } from '../../../shared/errors.ts'
import { toValue } from './errors.ts'
import type { EvidenceFlag, FileResult, JobProgress, JobSummary } from '../../../shared/ingest.ts'
import type { MediaType } from '../../../shared/media.ts'
import { actorFields, auditedChange, type Actor, type CallContext, type CoreDeps } from '../context.ts'
import { fileAtIngest } from './filing.ts'
import { isLate } from './late.ts'
import { clockOf, findDevice, findDeviceByIdentity, insertDevice } from '../devices/registry.ts'
import type { Device } from '../../../shared/ingest.ts'
import { objectPath, storeFile, syncVaultDirs, type StoredObject } from '../vault.ts'
import { captureTimes, reconcile, timeFromFileName, type ClockSuggestion } from './capture-time.ts'
import { discover, type SourceEntry } from './discover.ts'
import {
  findEvidenceBySha,
  insertEvidence,
  insertSource,
  knownSource,
  type EvidenceRow,
} from './evidence-repo.ts'
import { readFacts } from './metadata.ts'
import type { ThumbnailQueue } from './thumbnails.ts'
import { mediaExtensions } from './settings.ts'
import { checkSourceRoot, sourceGuard } from './source-guard.ts'
import { inCaptureOrder, JobPool } from './pool.ts'
import { unlockSigner, type BatchSigner } from '../signing/service.ts'
import { enqueue, runPostCommit, type UnlockedKey } from '../post-commit.ts'
import { writeCheckpoint } from '../signing/checkpoints.ts'
import { ownerAlive, selfOwner } from '../owner.ts'
import { owesSignature } from '../signing/owed.ts'

/*
 * An ingest job: discover the source, then for each file either recognise it (pre-check), or copy it into the
 * vault (storeFile: one read, hash, fsync, read-back) and register it — evidence row, source row and audit
 * event in one transaction, only after the file is verified in place. A failing file is reported with its
 * reason and the job goes on; cancelling stops between (or inside) files and keeps what is done.
 */

export interface IngestRequest {
  sourceRoot: string
  deviceId?: string | undefined
  collectorUserId?: string | undefined
  caseNo?: string | undefined
  caseId?: string | undefined
  place?: string | undefined
  fact?: string | undefined
  lateReason?: string | undefined
  lateReasons?: Record<string, string> | undefined
  signingPin?: string | undefined
  /** Set when no one pressed import: a registered camera plugged in with auto-import on (devices/auto-import.ts). */
  trigger?: 'autoImport' | undefined
}

const MAX_REGISTERING = 4

/*
 * Small files (recorders' WAVs, photos, short clips) are stored in batches, because what they cost is not their
 * bytes but the work around each one: a journal commit for the file, another for its folder, a durable database
 * commit. A batch is copied a few files at once (their fsyncs share journal commits), each file fsynced and
 * read back as always, then every vault folder it touched is fsynced once, and only then are all its rows
 * committed in one transaction (one audit event per file in it, as before). A kill at any point leaves at worst
 * stored objects without rows, which the next ingest of the same files takes up; never a row without its file.
 */
export const SMALL_FILE_BYTES = 16 << 20
const BATCH_FILES = 64
const BATCH_BYTES = 256 << 20
const BATCH_PARALLEL = 3

/** Run `work` over `items`, at most `width` at once; results in the items' order. */
async function inParallel<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await work(items[i]!)
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker))
  return out
}

/** Everything a new record's row needs, read and reasoned before its transaction. */
interface PreparedRecord {
  entry: SourceEntry
  base: FileResult
  object: StoredObject
  mediaType: MediaType
  now: Date
  facts: Awaited<ReturnType<typeof readFacts>>
  times: ReturnType<typeof captureTimes>
  verdict: ReturnType<typeof reconcile>
  clockSuggestion: ClockSuggestion | null
  flags: EvidenceFlag[]
  lateReason: string | null
  metadata: Record<string, unknown>
  collector: string | null
  clockOffsetMs: number
}
/** The result for a file whose content is already registered: what the earlier ingest recorded about it. */
function recordedResult(base: FileResult, status: 'already' | 'duplicate', row: EvidenceRow): FileResult {
  return {
    ...base,
    size: row.size,
    status,
    sha256: row.sha256,
    evidenceId: row.id,
    flags: JSON.parse(row.flags) as EvidenceFlag[],
    captureStart: row.capture_start,
    captureEnd: row.capture_end,
    metadata: recordedMetadata(row),
  }
}

/** What an earlier ingest learnt about an item, for results of files recognised without a new copy. */
function recordedMetadata(row: EvidenceRow): Record<string, unknown> {
  let meta: { location?: unknown; info?: Record<string, unknown>; rawCaptureStart?: unknown } = {}
  try {
    meta = JSON.parse(row.metadata) as typeof meta
  } catch {
    /* keep empty */
  }
  return {
    durationMs: row.duration_ms,
    location: meta.location ?? null,
    captureSource: row.capture_source,
    capturePrecision: row.capture_precision,
    rawCaptureStart: meta.rawCaptureStart ?? null,
    clockOffsetMs: row.clock_offset_ms,
    ...(meta.info ?? {}),
  }
}

interface Job {
  progress: JobProgress
  results: FileResult[]
  abort: AbortController
  done: Promise<void>
  lastEmit: number
  signer: BatchSigner | null
}

export class IngestJobs {
  private readonly jobs = new Map<string, Job>()
  private readonly pool = new JobPool()

  constructor(
    private readonly deps: CoreDeps,
    private readonly thumbs: ThumbnailQueue,
  ) {}

  /** Find the device a source belongs to; a folder import registers the folder once as its own "device". */
  private resolveDevice(req: IngestRequest, actor: Actor): Device {
    if (req.deviceId) {
      const d = findDevice(this.deps.db, req.deviceId)
      if (!d) throw new AppError('NOT_FOUND')
      if (d.retiredAt) throw new AppError('DEVICE_RETIRED')
      return d
    }
    const identity = `folder:${fs.realpathSync(req.sourceRoot)}`
    const known = findDeviceByIdentity(this.deps.db, identity)
    if (known?.retiredAt) throw new AppError('DEVICE_RETIRED')
    if (known) return known
    return auditedChange(
      this.deps,
      (d: Device) => ({
        ...actorFields(actor),
        action: 'devices.register',
        targetType: 'device',
        targetId: d.id,
        details: { kind: 'folder', identity, label: d.label },
      }),
      () =>
        insertDevice(
          this.deps.db,
          {
            kind: 'folder',
            identity,
            label: path.basename(req.sourceRoot) || req.sourceRoot,
            officerUserId: null,
            clockMode: 'local',
            clockModeKnown: false,
            utcOffsetMin: 480,
            clockOffsetMs: 0,
            info: {},
          },
          this.deps.now(),
        ),
    )
  }

  start(
    req: IngestRequest,
    actor: Actor,
    channel: CallContext['channel'] = 'ipc',
  ): { jobId: string; batchId: string } {
    let st: fs.Stats
    try {
      st = fs.statSync(req.sourceRoot)
    } catch {
      throw new AppError('SOURCE_GONE')
    }
    if (!st.isDirectory()) throw new AppError('NOT_A_FILE', { path: req.sourceRoot })
    checkSourceRoot(this.deps.layout, req.sourceRoot)
    // A wrong PIN is refused before anything starts; the key then stays unlocked for this batch only.
    const signer = req.signingPin ? unlockSigner(this.deps, actor, req.signingPin, channel) : null
    const device = this.resolveDevice(req, actor)
    const jobId = crypto.randomUUID()
    const batchId = crypto.randomUUID()
    const now = this.deps.now()
    auditedChange(
      this.deps,
      {
        ...actorFields(actor),
        action: 'ingest.start',
        targetType: 'batch',
        targetId: batchId,
        details: {
          device: device.label,
          deviceId: device.id,
          sourceRoot: req.sourceRoot,
          caseNo: req.caseNo ?? null,
          // Not "caseId": a key the archive reads as a change to the case; the filing itself is records.tag's.
          fileInto: req.caseId ?? null,
          ...(req.trigger ? { trigger: req.trigger } : {}),
        },
      },
      () =>
        this.deps.db
          .prepare(
            `INSERT INTO ingest_batches (id, device_id, source_root, user_id, started_at, status, owner, signer_cert_id)
             VALUES (?, ?, ?, ?, ?, 'running', ?, ?)`,
          )
          .run(
            batchId,
            device.id,
            req.sourceRoot,
            actor.userId,
            now.toISOString(),
            selfOwner(),
            signer?.certId ?? null,
          ),
    )
    const job: Job = {
      progress: {
        jobId,
        batchId,
        deviceId: device.id,
        sourceRoot: req.sourceRoot,
        // Until the pool gives it a place (pool.ts): shown as waiting, never as copying.
        state: 'queued',
        filesTotal: 0,
        filesDone: 0,
        bytesTotal: 0,
        bytesDone: 0,
        currentFile: null,
        currentFileBytes: 0,
        currentFileSize: 0,
        bytesPerSecond: 0,
        etaSeconds: null,
        summary: null,
      },
      results: [],
      abort: new AbortController(),
      done: Promise.resolve(),
      lastEmit: 0,
      signer,
    }
    this.jobs.set(jobId, job)
    job.done = this.pool
      .run(() => this.run(job, req, device, { channel, actor }))
      .catch((e: unknown) => this.abandon(job, actor, e))
    this.emitProgress(job, true)
    return { jobId, batchId }
  }

  cancel(jobId: string): void {
    const job = this.jobs.get(jobId)
    if (!job) throw new AppError('JOB_NOT_FOUND')
    job.abort.abort()
  }

  list(): { progress: JobProgress; results: FileResult[] }[] {
    return [...this.jobs.values()].map((j) => ({ progress: { ...j.progress }, results: j.results }))
  }

  get(jobId: string): { progress: JobProgress; results: FileResult[] } {
    const j = this.jobs.get(jobId)
    if (!j) throw new AppError('JOB_NOT_FOUND')
    return { progress: { ...j.progress }, results: j.results }
  }

  /** Resolves when the job has finished (CLI, tests). */
  async wait(jobId: string): Promise<void> {
    await this.jobs.get(jobId)?.done
  }

  /** At most four progress events a second, except when a file or the job changes state. */
  private emitProgress(job: Job, force = false): void {
    const t = Date.now()
    if (!force && t - job.lastEmit < 250) return
    job.lastEmit = t
    this.deps.emit({ type: 'ingest.progress', progress: { ...job.progress } })
  }

  /** The job could not go on at all (the source vanished before it was listed, say): say so and record it. */
  private abandon(job: Job, actor: Actor, e: unknown): void {
    const error = toValue(e)
    if (error.code === 'INTERNAL') console.error('[liuhen] ingest job failed', e)
    job.progress.state = 'failed'
    job.progress.currentFile = null
    // A job that ended early still says what it did: files not reported count as failed, so no caller reads a
    // missing summary as success (or crashes on it).
    job.progress.summary ??= summarize(
      job.results,
      Math.max(job.progress.filesTotal, job.results.length),
      0,
      0,
    )
    try {
      auditedChange(
        this.deps,
        {
          ...actorFields(actor),
          action: 'ingest.finish',
          targetType: 'batch',
          targetId: job.progress.batchId,
          details: { status: 'failed', code: error.code },
        },
        () =>
          this.deps.db
            .prepare(
              "UPDATE ingest_batches SET status = 'failed', finished_at = ? WHERE id = ? AND status = 'running'",
            )
            .run(this.deps.now().toISOString(), job.progress.batchId),
      )
    } catch (auditError) {
      console.error('[liuhen] could not record the failed ingest batch', auditError)
    }
    this.deps.emit({ type: 'ingest.done', progress: { ...job.progress } })
  }

  private async run(job: Job, req: IngestRequest, device: Device, ctx: CallContext): Promise<void> {
    const actor = ctx.actor!
    const started = Date.now()
    const p = job.progress
    p.state = 'scanning'
    this.emitProgress(job, true)
    const entries = inCaptureOrder(
      await discover(req.sourceRoot, mediaExtensions(this.deps.db), sourceGuard(this.deps.layout)),
      device.utcOffsetMin,
    )
    p.filesTotal = entries.length
    p.bytesTotal = entries.reduce((n, e) => n + (e.skip ? 0 : e.size), 0)
    p.state = 'copying'
    this.emitProgress(job, true)
    let copied = 0
    let stopWith: AppErrorValue | null = null
    const inflight = new Set<Promise<void>>()
    const finish = (stored: FileResult) => {
      // Filed into the chosen case as the file is reported, so the report says where each one went.
      const result =
        req.caseId && stored.evidenceId && stored.status !== 'failed'
          ? { ...stored, filing: fileAtIngest(this.deps, ctx, stored.evidenceId, req.caseId, p.batchId) }
          : stored
      job.results.push(result)
      p.filesDone++
      this.deps.emit({ type: 'ingest.file', jobId: p.jobId, result })
      this.emitProgress(job, true)
      // A full disk fails every file after this one too: stop cleanly instead.
      if (result.error?.code === 'DISK_FULL') stopWith = result.error
    }
    const onBytes = (delta: number) => {
      p.bytesDone += delta
      p.currentFileBytes += delta
      copied += delta
      // Rates over less than a second are noise; show none until there is a real one.
      const secs = (Date.now() - started) / 1000
      p.bytesPerSecond = secs >= 1 ? Math.round(copied / secs) : 0
      p.etaSeconds = p.bytesPerSecond > 0 ? Math.round((p.bytesTotal - p.bytesDone) / p.bytesPerSecond) : null
      this.emitProgress(job)
    }
    let batch: SourceEntry[] = []
    let batchBytes = 0
    const flush = async () => {
      if (!batch.length) return
      const entriesOfBatch = batch
      batch = []
      batchBytes = 0
      p.currentFile = entriesOfBatch[0]!.relPath
      p.currentFileBytes = 0
      p.currentFileSize = entriesOfBatch.reduce((n, e) => n + e.size, 0)
      this.emitProgress(job)
      const results = await this.ingestBatch(job, entriesOfBatch, req, device, actor, onBytes)
      results.forEach((r, i) => {
        const entry = entriesOfBatch[i]!
        if (r.status !== 'stored' && r.status !== 'duplicate' && !entry.skip) p.bytesDone += entry.size
        finish(r)
      })
    }
    for (const entry of entries) {
      if (job.abort.signal.aborted) stopWith ??= { code: 'CANCELLED' }
      if (stopWith) {
        // Not attempted: said so file by file, never dropped from the report.
        finish(notAttempted(entry, stopWith))
        continue
      }
      if (!entry.skip && entry.size <= SMALL_FILE_BYTES) {
        batch.push(entry)
        batchBytes += entry.size
        if (batch.length >= BATCH_FILES || batchBytes >= BATCH_BYTES) await flush()
        continue
      }
      // A large file (or a skipped one) keeps its place in capture order: what is batched before it goes first.
      await flush()
      if (job.abort.signal.aborted) stopWith ??= { code: 'CANCELLED' }
      if (stopWith) {
        finish(notAttempted(entry, stopWith))
        continue
      }
      p.currentFile = entry.relPath
      p.currentFileBytes = 0
      p.currentFileSize = entry.size
      this.emitProgress(job)
      const outcome = await this.ingestOne(job, entry, device, actor, onBytes, false)
      if ('now' in outcome) {
        // Files recognised without copying still count as done bytes.
        if (outcome.now.status !== 'stored' && outcome.now.status !== 'duplicate')
          p.bytesDone += entry.skip ? 0 : entry.size - p.currentFileBytes
        finish(outcome.now)
      } else {
        // Reading metadata and registering overlap with copying the next file (ffprobe runs in its own
        // process); a few at most, so a fast small-file device cannot pile up work.
        const { stored, base } = outcome
        const pending: Promise<void> = this.register(job, entry, req, device, actor, stored, base)
          .catch((e: unknown) => this.failed(job, entry, actor, base, e))
          .then((r) => {
            inflight.delete(pending)
            finish(r)
          })
        inflight.add(pending)
        if (inflight.size >= MAX_REGISTERING) await Promise.race(inflight)
      }
    }
    await flush()
    await Promise.all(inflight)
    const cancelled = job.abort.signal.aborted
    const diskFull = stopWith?.code === 'DISK_FULL'
    const status = cancelled ? 'cancelled' : diskFull ? 'failed' : 'done'
    const summary = summarize(job.results, entries.length, copied, started)
    p.summary = summary
    p.state = status
    p.currentFile = null
    p.etaSeconds = 0
    try {
      auditedChange(
        this.deps,
        {
          ...actorFields(actor),
          action: cancelled ? 'ingest.cancel' : 'ingest.finish',
          targetType: 'batch',
          targetId: p.batchId,
          details: { ...summary, status },
        },
        () =>
          this.deps.db
            .prepare('UPDATE ingest_batches SET status = ?, finished_at = ?, summary = ? WHERE id = ?')
            .run(status, this.deps.now().toISOString(), JSON.stringify(summary), p.batchId),
      )
    } catch (e) {
      // With the disk full even this record may not fit; the batch stays "running" and is marked
      // interrupted at the next start. Every registered file is already complete.
      console.error('[liuhen] could not record the end of ingest batch', p.batchId, e)
    }
    if (job.signer) {
      // The officer's key is unlocked: whatever else is owed their signature (an earlier batch killed between
      // a row and its signature) is signed now.
      await runPostCommit(this.deps, {
        kinds: ['sign_record'],
        keys: new Map([[actor.userId, { signer: job.signer, actor }]]),
        ignoreBackoff: true,
      }).catch((e: unknown) => console.error('[liuhen] could not sign what is owed', e))
      // The officer's key is still unlocked: sign a checkpoint of the trail's head, batch by batch.
      await writeCheckpoint(this.deps, { signer: job.signer, actor, reason: 'ingest' }).catch((e: unknown) =>
        console.error('[liuhen] could not write the audit checkpoint', e),
      )
    }
    this.deps.emit({ type: 'ingest.done', progress: { ...p } })
  }

  /**
   * Copy one file into the vault, or recognise it: `now` when its result is known (already registered, the same
   * content as a record, skipped, failed), else the stored object to register. With `deferDirSync` the vault
   * folder is not yet fsynced: the caller does it (syncVaultDirs) before the row commits.
   */
  private async ingestOne(
    job: Job,
    entry: SourceEntry,
    device: Device,
    actor: Actor,
    onBytes: (delta: number) => void,
    deferDirSync: boolean,
  ): Promise<{ now: FileResult } | { stored: StoredObject; base: FileResult }> {
    const base: FileResult = {
      relPath: entry.relPath,
      size: entry.size,
      status: 'skipped',
      mediaType: entry.mediaType,
      sha256: null,
      evidenceId: null,
      flags: [],
      skipReason: entry.skip,
      error: null,
      captureStart: null,
      captureEnd: null,
      metadata: {},
    }
    if (entry.skip === 'liuhen_data')
      return {
        now: this.failed(
          job,
          entry,
          actor,
          base,
          new AppError('SOURCE_IN_DATA_FOLDER', { path: entry.relPath }),
        ),
      }
    if (entry.skip) return { now: base }
    const db = this.deps.db
    const known = knownSource(db, device.id, entry.relPath, entry.size, entry.mtimeMs)
    if (known && fs.existsSync(objectPath(this.deps.layout, known.sha256))) {
      const row = findEvidenceBySha(db, known.sha256)!
      return { now: await this.signOwed(job, actor, row, recordedResult(base, 'already', row)) }
    }
    try {
      const stored = await storeFile(this.deps.layout, entry.absPath, {
        signal: job.abort.signal,
        onBytes,
        // SM2 signs the SM3 of the content: taken in the same pass as SHA-256, never by a second read.
        sm3: job.signer?.algorithm === 'sm2',
        ...(entry.dev !== undefined && entry.ino !== undefined
          ? { expect: { dev: entry.dev, ino: entry.ino } }
          : {}),
        deferDirSync,
      })
      const seenAt = this.deps.now().toISOString()
      const existing = findEvidenceBySha(db, stored.sha256)
      if (existing) {
        // A source row about to name the object: its folder entry must be durable first.
        await syncVaultDirs([stored])
        auditedChange(
          this.deps,
          {
            ...actorFields(actor),
            action: 'evidence.sourceAdded',
            targetType: 'evidence',
            targetId: existing.id,
            details: {
              sha256: stored.sha256,
              relPath: entry.relPath,
              deviceId: device.id,
              batchId: job.progress.batchId,
            },
          },
          () =>
            insertSource(db, {
              evidenceId: existing.id,
              batchId: job.progress.batchId,
              deviceId: device.id,
              relPath: entry.relPath,
              size: stored.size,
              mtimeMs: entry.mtimeMs,
              seenAt,
            }),
        )
        return { now: await this.signOwed(job, actor, existing, recordedResult(base, 'duplicate', existing)) }
      }
      return { stored, base }
    } catch (e) {
      return { now: this.failed(job, entry, actor, base, e) }
    }
  }

  /**
   * A record met again (already registered, or the same content) that an earlier signed batch registered but
   * never signed (killed, or the disk full, between the row and its signature): this batch's key signs it now.
   */
  private async signOwed(job: Job, actor: Actor, row: EvidenceRow, result: FileResult): Promise<FileResult> {
    if (!job.signer || !owesSignature(this.deps.db, row.id)) return result
    // A record owed from before the queue knew of it gets its job now; one already queued is kept as it is.
    const batchUser = (
      this.deps.db
        .prepare('SELECT b.user_id FROM evidence e JOIN ingest_batches b ON b.id = e.batch_id WHERE e.id = ?')
        .get(row.id) as { user_id: string }
    ).user_id
    // Bookkeeping, not a change to the record: the signature it leads to has its own audit event.
    this.deps.db
      .transaction(() =>
        enqueue(this.deps.db, 'sign_record', row.id, { now: this.deps.now(), userId: batchUser }),
      )
      .immediate()
    const signature = await this.signQueued(job, actor, row.id)
    return signature ? { ...result, metadata: { ...result.metadata, signature } } : result
  }

  /**
   * Run the sign job queued for a record with this batch's key (post-commit.ts), right after the commit that
   * queued it; the signature's path, or null when it could not be made (the job stays queued and is reported).
   */
  private async signQueued(job: Job, actor: Actor, evidenceId: string): Promise<string | null> {
    const keys = new Map<string, UnlockedKey>([[actor.userId, { signer: job.signer!, actor }]])
    try {
      await runPostCommit(this.deps, {
        kinds: ['sign_record'],
        subject: evidenceId,
        keys,
        ignoreBackoff: true,
      })
    } catch (e) {
      console.error('[liuhen] signing failed for', evidenceId, e)
    }
    const sig = this.deps.db
      .prepare('SELECT path FROM signatures WHERE evidence_id = ? ORDER BY signed_at DESC LIMIT 1')
      .get(evidenceId) as { path: string } | undefined
    return sig?.path ?? null
  }

  /** Report one file's failure with its reason, and put it on the record. */
  private failed(job: Job, entry: SourceEntry, actor: Actor, base: FileResult, e: unknown): FileResult {
    const error = toValue(e)
    if (error.code === 'INTERNAL') console.error('[liuhen] ingest', entry.relPath, e)
    // The failure itself is part of the record: which file, from which device, and why.
    try {
      auditedChange(
        this.deps,
        {
          ...actorFields(actor),
          action: 'ingest.fileFailed',
          targetType: 'batch',
          targetId: job.progress.batchId,
          details: { relPath: entry.relPath, code: error.code },
        },
        () => undefined,
      )
    } catch (auditError) {
      if (toValue(auditError).code !== 'DISK_FULL') throw auditError
    }
    return { ...base, status: 'failed', error }
  }

  /**
   * A batch of small files (see SMALL_FILE_BYTES): copied a few at once, every vault folder they entered fsynced
   * once, their metadata read, then all their rows in one transaction; results in the entries' order.
   */
  private async ingestBatch(
    job: Job,
    entries: SourceEntry[],
    req: IngestRequest,
    device: Device,
    actor: Actor,
    onBytes: (delta: number) => void,
  ): Promise<FileResult[]> {
    const outcomes = await inParallel(entries, BATCH_PARALLEL, (entry) =>
      this.ingestOne(job, entry, device, actor, onBytes, true),
    )
    const results: (FileResult | null)[] = outcomes.map((o) => ('now' in o ? o.now : null))
    const toRegister = outcomes.flatMap((o, i) => ('now' in o ? [] : [{ i, ...o }]))
    if (!toRegister.length) return results as FileResult[]
    try {
      await syncVaultDirs(toRegister.map((o) => o.stored))
    } catch (e) {
      // The renames may not survive a power cut: no row may name these objects.
      for (const o of toRegister) results[o.i] = this.failed(job, entries[o.i]!, actor, o.base, e)
      return results as FileResult[]
    }
    const prepared = await inParallel(toRegister, BATCH_PARALLEL, async (o) => {
      try {
        return await this.prepare(entries[o.i]!, req, device, actor, o.stored, o.base)
      } catch (e) {
        results[o.i] = this.failed(job, entries[o.i]!, actor, o.base, e)
        return null
      }
    })
    const committed: { i: number; rec: PreparedRecord; row: { id: string; existed: boolean } }[] = []
    try {
      this.deps.db
        .transaction(() => {
          toRegister.forEach((o, k) => {
            const rec = prepared[k]
            if (!rec) return
            try {
              // Each its own savepoint and audit event: one file's failure does not undo the others.
              committed.push({ i: o.i, rec, row: this.commitRecord(job, req, device, actor, rec) })
            } catch (e) {
              results[o.i] = this.failed(job, entries[o.i]!, actor, o.base, e)
            }
          })
        })
        .immediate()
    } catch (e) {
      // The batch's commit itself failed (a full disk): none of its rows exist.
      for (const c of committed) results[c.i] = this.failed(job, entries[c.i]!, actor, c.rec.base, e)
      return results as FileResult[]
    }
    for (const c of committed) results[c.i] = await this.complete(job, actor, c.rec, c.row)
    return results as FileResult[]
  }

  private async register(
    job: Job,
    entry: SourceEntry,
    req: IngestRequest,
    device: Device,
    actor: Actor,
    object: StoredObject,
    base: FileResult,
  ): Promise<FileResult> {
    const rec = await this.prepare(entry, req, device, actor, object, base)
    const row = this.commitRecord(job, req, device, actor, rec)
    return this.complete(job, actor, rec, row)
  }

  /** Read the stored copy's metadata and reason out its capture time and flags: nothing is written. */
  private async prepare(
    entry: SourceEntry,
    req: IngestRequest,
    device: Device,
    actor: Actor,
    object: StoredObject,
    base: FileResult,
  ): Promise<PreparedRecord> {
    const { size, objectPath: stored } = object
    const mediaType = entry.mediaType as MediaType
    // Metadata is read from the verified copy, so a device pulled now cannot matter.
    const facts = await readFacts(stored, mediaType)
    const now = this.deps.now()
    // Every reading of the file and its name, compared (capture-time.ts); the file's date only when none.
    const clock = clockOf(device)
    const named = timeFromFileName(path.basename(entry.relPath))
    const verdict = reconcile(named ? [...facts.times, named] : facts.times, clock, facts.durationMs, now)
    const times = captureTimes(verdict.chosen, facts.durationMs, clock, now, entry.mtimeMs || null, {
      zoneMeaning: verdict.zoneMeaning,
      showInDeviceZone: verdict.inferred !== null && clock.clockModeKnown !== true,
    })
    const clockSuggestion = suggestClock(device, verdict.inferred)
    const flags: EvidenceFlag[] = []
    if (size === 0) flags.push('empty_file')
    if (!facts.readable && size > 0) flags.push('metadata_unreadable')
    if (times.implausible) flags.push('implausible_time')
    if (times.source === 'file_mtime') flags.push('time_from_file')
    if (times.precision === 'year' || times.precision === 'day') flags.push('time_imprecise')
    if (verdict.conflict) flags.push('time_conflict')
    const late = isLate(times, now)
    if (late) flags.push('late_ingest')
    const lateReason = late
      ? (req.lateReasons && Object.hasOwn(req.lateReasons, entry.relPath)
          ? req.lateReasons[entry.relPath]!.trim()
          : '') ||
        req.lateReason?.trim() ||
        null
      : null
    if (late && !lateReason) flags.push('late_reason_missing')
    const metadata = {
      location: facts.location,
      info: facts.info,
      rawCaptureStart: times.rawCaptureStart,
      // What every source said, and what was concluded from them: the court sees the reasoning, not only the result.
      timeReadings: verdict.readings,
      timeConflict: verdict.conflict,
      clockInference: verdict.inferred,
    }
    const collector =
      device.officerUserId ??
      req.collectorUserId ??
      (actor.roles.includes('enforcement_officer') ? actor.userId : null)
    return {
      entry,
      base,
      object,
      mediaType,
      now,
      facts,
      times,
      verdict,
      clockSuggestion,
      flags,
      lateReason,
      metadata,
      collector,
      clockOffsetMs: device.clockOffsetMs,
    }
  }

  /** The record's rows and audit event, one transaction (a savepoint inside a batch's). */
  private commitRecord(
    job: Job,
    req: IngestRequest,
    device: Device,
    actor: Actor,
    rec: PreparedRecord,
  ): { id: string; existed: boolean } {
    const { entry, object, mediaType, now, facts, times, flags, metadata, lateReason, collector } = rec
    const { sha256, size } = object
    return auditedChange(
      this.deps,
      (r: { id: string; existed: boolean }) => ({
        ...actorFields(actor),
        action: r.existed ? 'evidence.sourceAdded' : 'evidence.ingest',
        targetType: 'evidence',
        targetId: r.id,
        details: {
          sha256,
          size,
          relPath: entry.relPath,
          deviceId: device.id,
          batchId: job.progress.batchId,
          captureStart: times.captureStart,
          flags,
        },
      }),
      () => {
        // Another job may have registered the same content while this one read metadata.
        const raced = findEvidenceBySha(this.deps.db, sha256)
        const id =
          raced?.id ??
          insertEvidence(this.deps.db, {
            sha256,
            size,
            mediaType,
            originalName: path.basename(entry.relPath),
            ingestedAt: now.toISOString(),
            ingestedBy: actor.userId,
            batchId: job.progress.batchId,
            deviceId: device.id,
            collectorUserId: collector,
            captureStart: times.captureStart,
            captureEnd: times.captureEnd,
            captureSource: times.source ?? 'none',
            capturePrecision: times.precision ?? 'none',
            clockOffsetMs: device.clockOffsetMs,
            durationMs: facts.durationMs,
            metadata,
            flags,
            lateReason,
            // With a case chosen the filing is the record_tags row records.tag writes; a free-text number
            // beside it would read as that case in version 0 of the tags (tagsOf) and make the filing a no-op.
            caseNo: req.caseId ? null : req.caseNo?.trim() || null,
            place: req.place?.trim() || null,
            fact: req.fact?.trim() || null,
            sm3: object.sm3 ?? null,
          })
        insertSource(this.deps.db, {
          evidenceId: id,
          batchId: job.progress.batchId,
          deviceId: device.id,
          relPath: entry.relPath,
          size,
          mtimeMs: entry.mtimeMs,
          seenAt: now.toISOString(),
        })
        // The signature is owed from this commit on: queued with the row, so a kill before it is made is not
        // the end of it (signing/jobs.ts).
        if (job.signer && !raced) enqueue(this.deps.db, 'sign_record', id, { now, userId: actor.userId })
        return { id, existed: raced !== undefined }
      },
    )
  }

  /** After the commit: the signature (when a key is unlocked), the thumbnail, and the file's result. */
  private async complete(
    job: Job,
    actor: Actor,
    rec: PreparedRecord,
    result: { id: string; existed: boolean },
  ): Promise<FileResult> {
    const { base, object, facts, times, verdict, flags, clockSuggestion } = rec
    // The evidence is safely registered either way; a signature not made now stays queued (and reported).
    const signature = job.signer && !result.existed ? await this.signQueued(job, actor, result.id) : null
    this.thumbs.add({
      source: object.objectPath,
      sha256: object.sha256,
      mediaType: rec.mediaType,
      durationMs: facts.durationMs,
    })
    return {
      ...base,
      size: object.size,
      status: result.existed ? 'duplicate' : 'stored',
      sha256: object.sha256,
      evidenceId: result.id,
      flags,
      captureStart: times.captureStart,
      captureEnd: times.captureEnd,
      metadata: {
        durationMs: facts.durationMs,
        location: facts.location,
        captureSource: times.source,
        capturePrecision: times.precision,
        rawCaptureStart: times.rawCaptureStart,
        clockOffsetMs: rec.clockOffsetMs,
        timeReadings: verdict.readings,
        timeConflict: verdict.conflict,
        clockInference: verdict.inferred,
        clockSuggestion,
        signature,
        ...facts.info,
      },
    }
  }
}

/** A file the job stopped before: reported with the reason, never dropped from the report. */
function notAttempted(entry: SourceEntry, reason: AppErrorValue): FileResult {
  return {
    relPath: entry.relPath,
    size: entry.size,
    status: entry.skip ? 'skipped' : 'failed',
    mediaType: entry.mediaType,
    sha256: null,
    evidenceId: null,
    flags: [],
    skipReason: entry.skip,
    error: entry.skip ? null : reason,
    captureStart: null,
    captureEnd: null,
    metadata: {},
  }
}

/**
 * The clock mode to offer for registration when a file showed how its device writes 'Z' stamps and the device's
 * registered mode is unknown or says otherwise; null when there is nothing to change.
 */
function suggestClock(device: Device, inferred: ClockSuggestion | null): ClockSuggestion | null {
  if (!inferred) return null
  const clock = clockOf(device)
  if (clock.clockModeKnown === true && clock.clockMode === inferred.clockMode) return null
  return inferred
}

/** Counts of a job's results; files without a result (the job stopped before them) count as failed. */
function summarize(results: FileResult[], files: number, bytesCopied: number, started: number): JobSummary {
  const count = (s: FileResult['status']) => results.filter((r) => r.status === s).length
  const counted = {
    stored: count('stored'),
    duplicate: count('duplicate'),
    already: count('already'),
    skipped: count('skipped'),
  }
  const reported = counted.stored + counted.duplicate + counted.already + counted.skipped
  return {
    files,
    stored: counted.stored,
    duplicate: counted.duplicate,
    already: counted.already,
    failed: Math.max(count('failed'), files - reported),
    skipped: counted.skipped,
    bytesCopied,
    seconds: started ? Math.round((Date.now() - started) / 100) / 10 : 0,
  }
}

/**
 * On start: batches a crash left "running" are marked interrupted; their registered files stay valid. A batch
 * whose owner process is still running is another process's live work (the app ingesting while a CLI command
 * starts) and is left alone.
 */
export function markInterruptedBatches(deps: CoreDeps): number {
  const running = (
    deps.db.prepare("SELECT id, owner FROM ingest_batches WHERE status = 'running'").all() as {
      id: string
      owner: string | null
    }[]
  ).filter((b) => !ownerAlive(b.owner))
  for (const b of running) {
    auditedChange(
      deps,
      { actorId: null, actorName: null, action: 'ingest.interrupted', targetType: 'batch', targetId: b.id },
      () =>
        deps.db
          .prepare(
            "UPDATE ingest_batches SET status = 'interrupted', finished_at = ? WHERE id = ? AND status = 'running'",
          )
          .run(deps.now().toISOString(), b.id),
    )
  }
  return running.length
}
