import type { CoreEnv, Handlers } from '../handlers.ts'
import { listAudit } from '../audit.ts'
import { auditNames } from '../audit-names.ts'
import { checkpointNow, verifyTrailAudited } from '../signing/checkpoints.ts'

/** audit.* (shared/contract/audit.ts). */
export function auditHandlers({ deps }: CoreEnv) {
  return {
    'audit.list': (i) => {
      const r = listAudit(deps.db, i)
      return { ...r, names: auditNames(deps.db, r.events) }
    },
    'audit.verify': (_i, ctx) => verifyTrailAudited(deps, ctx),
    'audit.checkpoint': (i, ctx) => checkpointNow(deps, i, ctx),
  } satisfies Partial<Handlers>
}
