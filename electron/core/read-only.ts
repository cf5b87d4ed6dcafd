import type { Db } from './db/index.ts'
import type { CoreEnv } from './handlers.ts'

/*
 * What the contract's `readOnly` flag means (shared/contract/common.ts, MethodDef): the method changes no data.
 * Kept rather than deleted because three readers act on it — a damaged database still answers these methods
 * (integrity/damage.ts), the frozen-case table leaves them out (tests/security/frozen-table.test.ts), and the
 * to-do badges are not recounted after them (renderer/src/components/todo.ts) — so it has to be true, not
 * merely asserted. It is made true here: the handlers of readOnly methods run over a second connection to the
 * database opened read-only, where any INSERT, UPDATE or DELETE fails (SQLITE_READONLY) instead of landing.
 * The one write such a call may still make is an audit event — a refusal of the access gate, or audit.verify's
 * record of who checked the trail — and those go through the writing connection (`auditDb`, used by
 * auditedChange only). A data change slipped into a readOnly method's change function still fails, because
 * the function's own statements run on the read-only connection.
 */

/** The handlers' environment for readOnly methods: the same services and jobs, the database read-only. */
export function readOnlyEnv(env: CoreEnv, readDb: Db): CoreEnv {
  const auditDb = env.deps.db
  return {
    ...env,
    deps: { ...env.deps, db: readDb, auditDb },
    ingestDeps: { ...env.ingestDeps, db: readDb, auditDb },
  }
}
