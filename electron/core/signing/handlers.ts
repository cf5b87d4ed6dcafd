import type { CoreEnv, Handlers } from '../handlers.ts'
import { actorOf } from '../context.ts'
import * as signing from './service.ts'
import * as authority from './authority.ts'
import { owedTo, signOwed } from './jobs.ts'

/** ca.*, certs.*, signing.*, timestamps.*, signatures.* (shared/contract/signing.ts). */
export function signingHandlers({ deps, stamper }: CoreEnv) {
  return {
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
    'signing.signOwed': (i, ctx) => signOwed(deps, actorOf(ctx), i.pin, ctx.channel),
    'signing.owed': (_i, ctx) => ({ owed: owedTo(deps.db, actorOf(ctx).userId) }),
    'signatures.verify': (i, ctx) => signing.verifyEvidence(deps, i, ctx),
  } satisfies Partial<Handlers>
}
