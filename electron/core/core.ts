import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {
  contract,
  isMethodName,
  type CoreEvent,
  type MethodName,
  type MethodOutput,
  type ParsedInput,
} from '../../shared/contract.ts'
import { AppError, type AppErrorValue } from '../../shared/errors.ts'
import { hasAnyRole } from '../../shared/roles.ts'
import type { RpcResult } from '../../shared/rpc.ts'
import { createI18n, translateError, type Language } from '../../shared/i18n/index.ts'
import type { z } from 'zod'
import { openDatabase, storageError } from './db/index.ts'
import { markDamaged, refuseIfDamaged } from './integrity/damage.ts'
import { dataLayout } from './paths.ts'
import type { CallContext, Channel, CoreDeps } from './context.ts'
import { SessionStore } from './accounts/sessions.ts'
import * as accounts from './accounts/service.ts'
import { findByUsername, firstActiveAdminUsername } from './accounts/users.ts'
import { findAgency, getAgency, updateAgency } from './agency.ts'
import { listAudit } from './audit.ts'
import { auditNames } from './audit-names.ts'
import { auditedChange, actorFields } from './context.ts'
import { ensureDataFolders, info, initialize, restrictDataFolder } from './system.ts'
import { markDataFolder } from './ingest/source-guard.ts'
import { IngestJobs, markInterruptedBatches } from './ingest/ingest.ts'
import { devicesClockCheck, devicesRetire } from './devices/screen.ts'
import { filingSuggestions } from './ingest/suggestions.ts'
import { fileableCases } from './ingest/filing.ts'
import * as ingest from './ingest/service.ts'
import * as captureTimeCorrections from './ingest/capture-time-corrections.ts'
import { ThumbnailQueue } from './ingest/thumbnails.ts'
import { cleanTemp } from './vault.ts'
import * as signing from './signing/service.ts'
import * as access from './access/requests.ts'
import { basisForBatch, gateArchive, gateRecord, setAccessPolicy } from './access/gate.ts'
import { eventFor, visibleResult } from './access/events.ts'
import { idleExpired, liveActor, sessionUser } from './accounts/live.ts'
import { exportRecords } from './access/export.ts'
import { buildBag } from './archive/package.ts'
import { archivableCheck } from './archive/discs.ts'
import * as archive from './archive/service.ts'
import * as integrity from './integrity/service.ts'
import { backupTo } from './integrity/backup.ts'
import * as retention from './integrity/retention.ts'
import { statistics } from './stats/stats.ts'
import { statsPdf } from './stats/report.ts'
import * as review from './review/service.ts'
import { reviewScope } from './review/scope.ts'
import * as disclosure from './disclosure/service.ts'
import { Jobs } from './jobs.ts'
import { watchDevices } from './devices/watch.ts'
import { attachedVolumes } from './devices/detect.ts'
import { autoImportAdded } from './devices/auto-import.ts'
import { MediaTickets, openMedia, streamableMedia, type MediaFile } from './media.ts'
import * as cases from './cases/service.ts'
import * as caseQueries from './cases/queries.ts'
import { tagHistory, tagRecords } from './cases/tags.ts'
import { listRecords } from './records/list.ts'
import { todoCounts } from './records/todo.ts'
import { addTextRecord, openTextRecord } from './cases/text-records.ts'
import * as caseChanges from './cases/changes.ts'
import { refuseIfFrozen } from './cases/archived.ts'
import { tsaSettings } from './signing/service.ts'
import * as authority from './signing/authority.ts'
import { pendingStamps, type StampRun } from './signing/timestamps.ts'
import { PostCommitRunner } from './post-commit.ts'
import { owedTo, registerSigningJobs, signOwed } from './signing/jobs.ts'
import { verifyTrail, writeCheckpoint, stampPendingCheckpoints } from './signing/checkpoints.ts'
import { AuditAnchor, type AnchorTimers } from './audit-anchor.ts'
import { liveOwner, takeOwnerLock, type OwnerLock } from './owner-lock.ts'
import { serveOwner, type OwnerServer } from './owner-serve.ts'
import { localSocketTransport } from './owner-socket.ts'
import { browse, browseRoots } from './files/browse.ts'
import { Uploads } from './files/uploads.ts'

type Handlers = {
  [M in MethodName]: (input: ParsedInput<M>, ctx: CallContext) => Promise<MethodOutput<M>> | MethodOutput<M>
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
  /** Watch for cameras plugged in (default: in a background process only). */
  watchDevices?: boolean
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
  /** The id of a user name, for adapters that take names on their command line. */
  userIdByName(username: string): string | null
  /** What a media ticket from `media.open` names, while it is valid: for the adapters that stream it. */
  resolveMedia(ticket: string, channel?: Channel): MediaFile | null
  /** The id of a case number, likewise. */
  caseIdByNo(caseNo: string): string | null
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
  /** User name of the earliest active administrator: the CLI's default operator. */
  firstActiveAdmin(): string | null
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
  const deps: CoreDeps & { sessions: SessionStore; postCommit: PostCommitRunner } = {
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
  // Scheduled integrity checks while the app runs (not in CLI processes): due ones start within the hour.
  let checking = false
  const scheduledChecks = setInterval(() => {
    if (!opts.background || checking || !findAgency(db) || !integrity.scheduledDue(deps)) return
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
  const mountRoot = opts.mountRoot ?? process.env.LIUHEN_MOUNT_ROOT
  const devices =
    (opts.watchDevices ?? opts.background)
      ? watchDevices(
          () => attachedVolumes(mountRoot),
          (change) => {
            deps.emit({ type: 'devices.changed', ...change })
            if (findAgency(db)) autoImportAdded(deps, jobs, change)
          },
        )
      : null

  const handlers: Handlers = {
    'system.info': () => info(deps),
    'system.initialize': async (i) => {
      const r = await initialize(deps, i)
      anchor?.start()
      return r
    },
    'auth.signIn': (i, ctx) => accounts.signIn(deps, i, ctx),
    'auth.signOut': (_i, ctx) => accounts.signOut(deps, ctx),
    'auth.me': (_i, ctx) => accounts.me(deps, ctx),
    'auth.changePassword': (i, ctx) => accounts.changePassword(deps, i, ctx),
    'auth.lock': (_i, ctx) => {
      accounts.lock(deps, ctx, 'manual')
      return {}
    },
    'auth.unlock': (i, ctx) => accounts.unlock(deps, i, ctx),
    'agency.get': () => getAgency(deps.db),
    'agency.update': (i, ctx) => updateAgency(deps, i, ctx),
    'users.list': () => accounts.users(deps),
    'users.create': (i, ctx) => accounts.createUser(deps, i, ctx),
    'users.update': (i, ctx) => accounts.updateUser(deps, i, ctx),
    'users.resetPassword': (i, ctx) => accounts.resetPassword(deps, i, ctx),
    'users.unlock': (i, ctx) => accounts.unlockUser(deps, i, ctx),
    'audit.list': (i) => {
      const r = listAudit(deps.db, i)
      return { ...r, names: auditNames(deps.db, r.events) }
    },
    'devices.list': () => ingest.devicesList(ingestDeps),
    'devices.register': (i, ctx) => ingest.devicesRegister(ingestDeps, i, ctx),
    'devices.update': (i, ctx) => ingest.devicesUpdate(ingestDeps, i, ctx),
    'devices.clear': (i, ctx) => ingest.devicesClear(ingestDeps, i, ctx),
    'devices.retire': (i, ctx) => devicesRetire(ingestDeps, i, ctx),
    'devices.clockCheck': (i) => devicesClockCheck(ingestDeps, i),
    'ingest.suggestions': (i, ctx) => filingSuggestions(ingestDeps, i, ctx),
    'ingest.scan': (i) => ingest.ingestScan(ingestDeps, i),
    'ingest.start': (i, ctx) => jobs.start(i, ctx.actor!, ctx.channel),
    'ingest.cases': (i, ctx) => fileableCases(ingestDeps, i, ctx),
    'ingest.cancel': (i) => {
      jobs.cancel(i.jobId)
      return {}
    },
    'ingest.jobs': (_i, ctx) => ({
      // The same filter as the ingest events: one's own batches (or filing work), records as the gate allows.
      jobs: jobs.list().flatMap((j) =>
        basisForBatch(deps, ctx.actor!, j.progress.batchId)
          ? [
              {
                progress: j.progress,
                results: j.results.flatMap(
                  (r) => visibleResult(deps, ctx.actor!, j.progress.batchId, r) ?? [],
                ),
              },
            ]
          : [],
      ),
    }),
    'evidence.list': (i, ctx) => ingest.evidenceList(ingestDeps, i, ctx),
    'evidence.thumbnail': (i, ctx) => ingest.evidenceThumbnail(ingestDeps, i, ctx),
    'evidence.setLateReason': (i, ctx) => ingest.evidenceSetLateReason(ingestDeps, i, ctx),
    'evidence.setCaptureTime': (i, ctx) => captureTimeCorrections.evidenceSetCaptureTime(deps, i, ctx),
    'evidence.captureTimeHistory': (i, ctx) =>
      captureTimeCorrections.evidenceCaptureTimeHistory(deps, i, ctx),
    'ca.init': (i, ctx) => authority.caInit(deps, i, ctx),
    'ca.issue': (i, ctx) => authority.caIssue(deps, i, ctx),
    'ca.import': (i, ctx) => authority.caImport(deps, i, ctx),
    'ca.revoke': (i, ctx) => authority.caRevoke(deps, i, ctx),
    'ca.exportRoot': () => authority.caExportRoot(deps),
    'certs.import': (i, ctx) => authority.certImport(deps, i, ctx),
    'certs.list': () => authority.certsList(deps),
    'signing.settings': (_i, ctx) => signing.signingSettings(deps, ctx),
    'signing.setSettings': (i, ctx) => signing.setSigningSettings(deps, i, ctx),
    // Asked for now: jobs still in their backoff after a failure are tried too.
    'timestamps.retry': () => stamper.run(true),
    // The new signatures' time-stamps follow with the next run of the queue (`timestamps.retry`, the app's
    // interval), as after an ingest.
    'signing.signOwed': (i, ctx) => signOwed(deps, ctx.actor!, i.pin, ctx.channel),
    'signing.owed': (_i, ctx) => ({ owed: owedTo(db, ctx.actor!.userId) }),
    'signatures.verify': (i, ctx) => signing.verifyEvidence(deps, i, ctx),
    'cases.catalogue': () => caseQueries.catalogue(deps),
    'cases.numbering': (i, ctx) => cases.setNumbering(deps, i, ctx),
    'access.request': (i, ctx) => access.requestAccess(deps, i, ctx),
    'access.approve': (i, ctx) => access.approveRequest(deps, i, ctx),
    'access.reject': (i, ctx) => access.rejectRequest(deps, i, ctx),
    'access.revoke': (i, ctx) => access.revokeGrant(deps, i, ctx),
    'access.list': (_i, ctx) => access.listAccess(deps, ctx),
    'access.policy': (i, ctx) => setAccessPolicy(deps, i, ctx),
    'access.log': (i, ctx) => access.accessLog(deps, i, ctx),
    'access.export': (i, ctx) => exportRecords(deps, i, ctx),
    'archive.build': async (i, ctx) => {
      gateArchive(deps, ctx, i.caseId, 'archive.build')
      const report = archivableCheck(deps, i.caseId)
      const signer = i.pin ? signing.unlockSigner(deps, ctx.actor!, i.pin, ctx.channel) : null
      const bag = await buildBag(deps, i.caseId, i.outDir, report, { signer })
      auditedChange(
        deps,
        {
          ...actorFields(ctx.actor),
          action: 'archive.build',
          targetType: 'case',
          targetId: i.caseId,
          details: { caseId: i.caseId, dir: bag.dir, files: bag.payloadFiles, bytes: bag.payloadBytes },
        },
        () => undefined,
      )
      return bag
    },
    'access.register': (i, ctx) => access.accessRegister(deps, i, ctx),
    'archive.image': (i, ctx) => archive.image(deps, archiveJobs, i, ctx),
    'archive.cancel': (i) => ({ cancelled: archiveJobs.cancel(i.jobId) }),
    'archive.volumes': (i, ctx) => archive.volumes(deps, i.caseId, ctx),
    'archive.settings': () => archive.settings(deps),
    'archive.setSettings': (i, ctx) => archive.setSettings(deps, i, ctx),
    'archive.catalogue': (i, ctx) => archive.catalogue(deps, i.caseId, ctx),
    'discs.drives': () => archive.drives(),
    'discs.burn': (i, ctx) => archive.burn(deps, archiveJobs, i, ctx),
    'discs.verify': (i, ctx) => archive.verify(deps, archiveJobs, i, ctx),
    'discs.list': (i, ctx) => ({ discs: archive.discsFor(deps, i, ctx) }),
    'discs.update': (i, ctx) => archive.update(deps, i, ctx),
    'discs.label': (i, ctx) => archive.label(deps, i.discId, ctx),
    'discs.inspections': () => archive.inspectionsDue(deps),
    'integrity.verify': (i, ctx) => integrityJobs.run(i.jobId, (o) => integrity.runVerify(deps, i, ctx, o)),
    'integrity.cancel': (i) => ({ cancelled: integrityJobs.cancel(i.jobId) }),
    'vault.requestDeletion': (i, ctx) => retention.requestDeletion(deps, i, ctx),
    'vault.decideDeletion': (i, ctx) => retention.decideDeletion(deps, i, ctx),
    'vault.deletions': () => retention.listDeletions(deps),
    'vault.expired': () => retention.expiredRecords(deps),
    'stats.get': (i) => statistics(deps, i),
    'stats.pdf': (i) => statsPdf(deps, i),
    'review.get': (i, ctx) => review.reviewState(deps, i.caseId, ctx),
    'review.list': (i, ctx) => review.reviewQueue(deps, i, ctx),
    'review.scope': () => reviewScope(db),
    'review.setScope': (i, ctx) => review.setScope(deps, i, ctx),
    'review.reviewers': (i, ctx) => review.reviewers(deps, i.caseId, ctx),
    'review.submit': (i, ctx) => review.submit(deps, i, ctx),
    'review.assign': (i, ctx) => review.assign(deps, i, ctx),
    'review.opinion': (i, ctx) => review.giveOpinion(deps, i, ctx),
    'review.extend': (i, ctx) => review.requestExtension(deps, i, ctx),
    'review.decideExtension': (i, ctx) => review.decideExtension(deps, i, ctx),
    'review.dispute': (i, ctx) => review.dispute(deps, i, ctx),
    'review.discuss': (i, ctx) => review.discuss(deps, i, ctx),
    'disclosure.list': () => disclosure.list(deps),
    'disclosure.draft': (i, ctx) => disclosure.draft(deps, i, ctx),
    'disclosure.approve': (i, ctx) => disclosure.approve(deps, i, ctx),
    'disclosure.withdraw': (i, ctx) => disclosure.withdraw(deps, i, ctx),
    'disclosure.export': (i, ctx) => disclosure.exportDisclosures(deps, i, ctx),
    'disclosure.setRules': (i, ctx) => disclosure.setRules(deps, i, ctx),
    'disclosure.rules': () => disclosure.disclosureRules(db),
    'integrity.last': () => ({
      report: integrity.lastReport(deps),
      resumable: !!db.prepare(`SELECT 1 FROM fixity_runs WHERE finished_at IS NULL AND kind = 'full'`).get(),
    }),
    'integrity.reportPdf': () => integrity.reportPdf(deps),
    'integrity.schedule': () => integrity.schedule(deps),
    'integrity.setSchedule': (i, ctx) => integrity.setSchedule(deps, i, ctx),
    'backup.run': (i, ctx) =>
      integrityJobs.run(i.jobId, async (o) => {
        const r = await backupTo(db, layout, i.target, o.onProgress, o.signal)
        auditedChange(
          deps,
          {
            ...actorFields(ctx.actor),
            action: 'backup.run',
            targetType: 'system',
            targetId: 'backup',
            details: { ...r },
          },
          () => undefined,
        )
        return r
      }),
    'media.progress': (i, ctx) => {
      // Positions watched go into the access log: only for a record the caller may view now (else refused and
      // logged as such, like an unknown id), with the basis the viewing rests on.
      const basis = gateRecord(deps, ctx, i.evidenceId, 'view', 'media.progress', { logAllowed: false })
      auditedChange(
        deps,
        {
          ...actorFields(ctx.actor),
          action: 'media.progress',
          targetType: 'evidence',
          targetId: i.evidenceId,
          details: {
            caseId:
              (
                db.prepare('SELECT case_id FROM record_tags WHERE evidence_id = ?').get(i.evidenceId) as
                  { case_id: string | null } | undefined
              )?.case_id ?? null,
            ranges: i.ranges.map(([a, b]) => [Math.round(a * 10) / 10, Math.round(b * 10) / 10]),
            ...basis,
          },
        },
        () => undefined,
      )
      return {}
    },
    'media.open': (i, ctx) => openMedia({ ...deps, media }, i, ctx),
    'cases.officers': () => cases.officers(deps),
    'cases.create': (i, ctx) => cases.createCase(deps, i, ctx),
    'cases.get': (i, ctx) => caseQueries.getCase(deps, i, ctx),
    'cases.list': (i, ctx) => cases.listCases(deps, i, ctx),
    'cases.update': (i, ctx) => cases.updateCase(deps, i, ctx),
    'cases.requestChange': (i, ctx) => caseChanges.requestChange(deps, i, ctx),
    'cases.decideChange': (i, ctx) => caseChanges.decideChange(deps, i, ctx),
    'cases.changes': (i, ctx) => caseChanges.listChanges(deps, i, ctx),
    'cases.addAction': (i, ctx) => cases.addAction(deps, i, ctx),
    'cases.check': (i, ctx) => caseQueries.caseCheck(deps, i, ctx),
    'cases.archiveException': (i, ctx) => cases.archiveException(deps, i, ctx),
    'cases.deadlines': (_i, ctx) => cases.deadlines(deps, ctx),
    'catalogue.setDocType': (i, ctx) => cases.setDocType(deps, i, ctx),
    'catalogue.setActionType': (i, ctx) => cases.setActionType(deps, i, ctx),
    'calendar.set': (i, ctx) => cases.setCalendar(deps, i, ctx),
    'records.tag': (i, ctx) => tagRecords(deps, i, ctx),
    'records.tagHistory': (i, ctx) => tagHistory(deps, i, ctx),
    'records.search': (i, ctx) => caseQueries.searchRecords(deps, i, ctx),
    'records.list': (i, ctx) => listRecords(deps, i, ctx),
    'todo.counts': (_i, ctx) => todoCounts(deps, ctx),
    'textRecords.add': (i, ctx) => addTextRecord(deps, i, ctx),
    'textRecords.open': (i, ctx) => openTextRecord(deps, i, ctx),
    // Roots are looked up at each call: a USB disk mounted since start shows up.
    'files.browse': (i) => browse(browseRoots(opts.browseRoots), i),
    'files.upload': (i, ctx) => uploads.receive(i, ctx),
    'audit.checkpoint': async (i, ctx) => {
      const actor = ctx.actor!
      const signer = i.pin ? signing.unlockSigner(deps, actor, i.pin, ctx.channel) : null
      const written = await writeCheckpoint(deps, { signer, actor, reason: 'manual' })
      const row = db
        .prepare('SELECT seq, ts_status FROM audit_checkpoints ORDER BY seq DESC LIMIT 1')
        .get() as { seq: number; ts_status: 'none' | 'pending' | 'granted' } | undefined
      return {
        written: written !== null,
        seq: row?.seq ?? 0,
        signed: signer !== null,
        timestamp: row?.ts_status ?? 'none',
        file: written ? path.relative(layout.root, written.file) : null,
      }
    },
    'audit.verify': (_i, ctx) => {
      const report = verifyTrail(deps.db, layout.root, now())
      // Who checked the trail, and what they found, is itself part of the trail.
      auditedChange(
        deps,
        {
          ...actorFields(ctx.actor),
          action: 'audit.verify',
          details: { ok: report.ok, checked: report.checked, firstBad: report.firstBad },
        },
        () => undefined,
      )
      return report
    },
  }

  /** Resolve the caller, enforcing sign-in, idle lock, forced password change and roles. */
  function authorize(method: MethodName, token: unknown, channel: Channel): CallContext {
    const def = contract[method] as (typeof contract)[MethodName] & {
      whileLocked?: true
      whilePasswordChangeRequired?: true
    }
    if (def.access === 'public') return { channel }
    const live = sessionUser(deps, token)
    if (!live) throw new AppError('UNAUTHENTICATED')
    const { session, actor } = live
    const ctx: CallContext = { channel, actor, sessionToken: session.token }
    if (!session.locked && idleExpired(deps, session, channel)) accounts.lock(deps, ctx, 'idle')
    if (session.locked && !def.whileLocked) throw new AppError('SESSION_LOCKED')
    // The CLI is a trusted local operator tool; the forced change protects interactive sign-ins.
    if (live.mustChangePassword && channel !== 'cli' && !def.whilePasswordChangeRequired)
      throw new AppError('PASSWORD_CHANGE_REQUIRED')
    if (def.access !== 'authenticated' && !hasAnyRole(actor.roles, def.access))
      throw new AppError('FORBIDDEN')
    if (!session.locked) session.lastActivity = now().getTime()
    return ctx
  }

  async function dispatch(request: unknown, channel: Channel): Promise<RpcResult> {
    try {
      if (!request || typeof request !== 'object' || Array.isArray(request)) throw new AppError('BAD_REQUEST')
      const { method, input, session } = request as Record<string, unknown>
      if (!isMethodName(method)) {
        throw new AppError('UNKNOWN_METHOD', {
          method: typeof method === 'string' ? method.slice(0, 64) : '?',
        })
      }
      const ctx = authorize(method, session, channel)
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
      const handler = handlers[method] as (i: unknown, c: CallContext) => unknown
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
    clearInterval(scheduledChecks)
    devices?.stop()
    stamper.stop()
    postCommit.close()
    anchor?.close()
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
    firstActiveAdmin: () => firstActiveAdminUsername(db),
    flushAnchor: () => void anchor?.flush(),
    waitForJob: (jobId) => jobs.wait(jobId),
    userIdByName: (username) => findByUsername(db, username)?.id ?? null,
    resolveMedia: (ticket, channel = 'ipc') => streamableMedia({ ...deps, media }, ticket, channel),
    caseIdByNo: (caseNo) =>
      (db.prepare('SELECT id FROM cases WHERE case_no = ?').get(caseNo.trim()) as { id: string } | undefined)
        ?.id ?? null,
    thumbnailsIdle: () => thumbs.idle(),
    devicesTick: () => devices?.tick() ?? Promise.resolve(),
    dataDir: layout.root,
  }
  if (lock && opts.serve !== false)
    served = serveOwner(core, localSocketTransport(lock.info.address), {
      owner: lock.info.owner,
      pid: lock.info.pid,
    })
  return core
}

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
function timestampQueue(deps: CoreDeps, postCommit: PostCommitRunner) {
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
