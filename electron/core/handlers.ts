import type { MethodName, MethodOutput, ParsedInput } from '../../shared/contract.ts'
import type { CallContext, CoreDeps } from './context.ts'
import type { SessionStore } from './accounts/sessions.ts'
import type { PostCommitRunner } from './post-commit.ts'
import type { IngestJobs } from './ingest/ingest.ts'
import type { Jobs } from './jobs.ts'
import type { Uploads } from './files/uploads.ts'
import type { MediaTickets } from './media.ts'
import type { AuditAnchor } from './audit-anchor.ts'
import type { TimestampQueue } from './background.ts'

/*
 * The core's handlers, one slice per domain: `electron/core/<domain>/handlers.ts` returns the handlers of the
 * methods in `shared/contract/<domain>.ts`, and `core.ts` puts the slices together into one `Handlers` object,
 * which fails to compile while any method of the contract has no handler.
 */

export type Handler<M extends MethodName> = (
  input: ParsedInput<M>,
  ctx: CallContext,
) => Promise<MethodOutput<M>> | MethodOutput<M>

export type Handlers = { [M in MethodName]: Handler<M> }

/** What the folder's owner core holds: its dependencies with the session store and the post-commit queue. */
export type OwnerDeps = CoreDeps & { sessions: SessionStore; postCommit: PostCommitRunner }

/** Everything a domain's handlers may use: made once by `createCore`, shared by every slice. */
export interface CoreEnv {
  deps: OwnerDeps
  /** `deps` with the ingest job runner, for the ingest and devices services. */
  ingestDeps: OwnerDeps & { jobs: IngestJobs }
  jobs: IngestJobs
  archiveJobs: Jobs
  integrityJobs: Jobs
  uploads: Uploads
  media: MediaTickets
  stamper: TimestampQueue
  anchor: AuditAnchor
  /** Where files.browse may list folders (CoreOptions.browseRoots). */
  browseRoots?: readonly string[]
}
