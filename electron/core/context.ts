import type { Db } from './db/index.ts'
import type { DataLayout } from './paths.ts'
import type { Role } from '../../shared/roles.ts'
import type { CoreEvent } from '../../shared/contract.ts'
import { storeSeals, takeSeals } from './integrity/seals.ts'
import { appendAudit, type AuditInput } from './audit.ts'
import { AppError } from '../../shared/errors.ts'

/** Which adapter a call came through. The CLI is a trusted local operator tool (see docs/cli.md). */
export type Channel = 'ipc' | 'bridge' | 'cli' | 'test'

export interface Actor {
  userId: string
  username: string
  displayName: string
  roles: Role[]
}

export interface CoreDeps {
  db: Db
  /**
   * Set only for the handlers of `readOnly` methods (read-only.ts): `db` is then a read-only connection, and the
   * audit events such a call may still write (a refusal, the record of a check) go through this one.
   */
  auditDb?: Db
  layout: DataLayout
  now: () => Date
  emit: (event: CoreEvent) => void
  /**
   * The post-commit queue's runner (a PostCommitRunner, post-commit.ts), where the core has one. Typed by shape
   * only: post-commit.ts builds on this module, and importing it back would close an import cycle.
   */
  postCommit?: { run(opts: object): Promise<unknown>; close(): void }
}

export interface CallContext {
  channel: Channel
  /** Present for every method whose access is not 'public'. */
  actor?: Actor
  sessionToken?: string
}

/**
 * Run `change` and write its audit event in one SQLite transaction: both land or neither does.
 * `change` must be synchronous (better-sqlite3 transactions cannot span an await).
 *
 * The transaction is IMMEDIATE: it takes the write lock before its first read. A deferred one that reads and
 * then writes cannot wait for another process's writer in WAL mode — its snapshot is stale once that writer
 * commits, and SQLite answers SQLITE_BUSY at once, whatever busy_timeout says. Taking the lock first lets
 * busy_timeout queue concurrent writers (the app, a CLI ingest, a scheduled check) instead of failing them.
 */
export function auditedChange<T>(
  deps: CoreDeps,
  event: AuditInput | ((result: T) => AuditInput | AuditInput[]),
  change: () => T,
): T {
  let seq = 0
  const db = deps.auditDb ?? deps.db
  const result = db
    .transaction(() => {
      const r = change()
      const events = typeof event === 'function' ? event(r) : event
      const list = Array.isArray(events) ? events : [events]
      // The rows this change touched are sealed in its (last) audit event: see integrity/seals.ts.
      const seals = takeSeals(db)
      list.forEach((e, i) => {
        const last = i === list.length - 1
        seq = appendAudit(db, last && seals ? { ...e, details: { ...e.details, seals } } : e, deps.now())
      })
      if (seals && !list.length)
        seq = appendAudit(
          db,
          { actorId: null, actorName: null, action: 'integrity.seal', details: { seals } },
          deps.now(),
        )
      if (seals) storeSeals(db, seals, seq)
      return r
    })
    .immediate()
  deps.emit({ type: 'audit.appended', seq })
  return result
}

/** The signed-in caller of a method whose access is not 'public'; dispatch guarantees one, this states it. */
export function actorOf(ctx: CallContext): Actor {
  if (!ctx.actor) throw new AppError('UNAUTHENTICATED')
  return ctx.actor
}

export function actorFields(actor: Actor | undefined): Pick<AuditInput, 'actorId' | 'actorName'> {
  return actor ? { actorId: actor.userId, actorName: actor.displayName } : { actorId: null, actorName: null }
}
