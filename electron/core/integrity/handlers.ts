import type { CoreEnv, Handlers } from '../handlers.ts'
import * as integrity from './service.ts'
import * as retention from './retention.ts'

/** integrity.*, vault.*, backup.run (shared/contract/integrity.ts). */
export function integrityHandlers({ deps, integrityJobs }: CoreEnv) {
  return {
    'integrity.verify': (i, ctx) => integrityJobs.run(i.jobId, (o) => integrity.runVerify(deps, i, ctx, o)),
    'integrity.cancel': (i) => ({ cancelled: integrityJobs.cancel(i.jobId) }),
    'integrity.last': () => integrity.last(deps),
    'integrity.reportPdf': () => integrity.reportPdf(deps),
    'integrity.schedule': () => integrity.schedule(deps),
    'integrity.setSchedule': (i, ctx) => integrity.setSchedule(deps, i, ctx),
    'vault.requestDeletion': (i, ctx) => retention.requestDeletion(deps, i, ctx),
    'vault.decideDeletion': (i, ctx) => retention.decideDeletion(deps, i, ctx),
    'vault.deletions': () => retention.listDeletions(deps),
    'vault.expired': () => retention.expiredRecords(deps),
    'backup.run': (i, ctx) => integrity.backup(deps, integrityJobs, i, ctx),
  } satisfies Partial<Handlers>
}
