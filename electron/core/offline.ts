import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/errors.ts'
import type { AuditVerifyReport } from '../../shared/contract.ts'
import type { IntegrityReport } from '../../shared/integrity.ts'
import { openDatabaseReadOnly } from './db/index.ts'
import { recordDatabaseCheck } from './integrity/damage.ts'
import { verifyIntegrity } from './integrity/verify.ts'
import { restoreFrom } from './integrity/backup.ts'
import { liveOwner } from './owner-lock.ts'
import { dataLayout } from './paths.ts'
import { verifyTrailOffline } from './signing/checkpoints.ts'
import { crlPath } from './signing/authority.ts'
import { verifyFileSignatures } from './signing/service.ts'
import { hashFile } from './vault.ts'

/*
 * The offline operations: the only ways into a data folder that do not go through the contract's `authorize`.
 * Each runs without a session because it must — on a copy of the folder handed to an outside auditor or a court,
 * with no account there, or into an empty folder that has no accounts yet — and each either only reads (the
 * database opened read-only, nothing of the folder changed but the damage mark a check is there to set or
 * clear) or refuses a folder any process owns. Everything else an adapter does goes through `dispatch`.
 * tests/unit/contract-only.test.ts fails when the CLI imports any other core module that could bypass it.
 */

/** `liuhen verify`: the integrity check, read-only; the finding about the database file is kept outside it. */
export async function verifyFolder(
  dataDir: string,
  opts: { samplePercent?: number },
): Promise<IntegrityReport> {
  const layout = dataLayout(dataDir)
  let db: ReturnType<typeof openDatabaseReadOnly>
  try {
    db = openDatabaseReadOnly(layout.db)
  } catch (e) {
    // Too damaged to open at all (page 1 gone): that too is a finding the core must honour.
    if (e instanceof AppError && (e.code === 'DB_DAMAGED' || e.code === 'DB_UNREADABLE'))
      recordDatabaseCheck(
        layout,
        [{ check: 'database', kind: 'damaged', table: null, id: 'liuhen.db', records: [], detail: null }],
        new Date(),
      )
    throw e
  }
  try {
    const report = await verifyIntegrity(db, layout, () => new Date(), opts)
    // The finding about the database file itself is kept outside it: the core refuses writes until cleared.
    recordDatabaseCheck(layout, report.problems, new Date())
    return report
  } finally {
    db.close()
  }
}

/** `liuhen audit verify`: the hash chain, checkpoints and anchor log, read-only. */
export function verifyAuditTrail(dataDir: string): AuditVerifyReport {
  const layout = dataLayout(dataDir)
  return verifyTrailOffline(layout.root, layout.db)
}

/** `liuhen verify-signature`: a file against its registered signatures (or a given one), read-only. */
export async function verifySignatureOf(dataDir: string, file: string, sig?: string) {
  for (const f of [file, ...(sig ? [sig] : [])])
    if (!fs.existsSync(f) || !fs.statSync(f).isFile())
      throw new AppError('NOT_A_FILE', { path: path.resolve(f) })
  const layout = dataLayout(dataDir)
  const db = openDatabaseReadOnly(layout.db)
  try {
    const evidenceOf = (sha256: string) =>
      db.prepare('SELECT id FROM evidence WHERE sha256 = ?').get(sha256) as { id: string } | undefined
    const { sha256 } = sig ? { sha256: null } : await hashFile(file)
    const byHash = sha256 ? evidenceOf(sha256) : undefined
    const result = await verifyFileSignatures(
      db,
      layout,
      file,
      byHash?.id ?? null,
      sig ? path.resolve(sig) : undefined,
    )
    const ev = byHash ?? evidenceOf(result.sha256)
    return { sha256: result.sha256, evidenceId: ev?.id ?? null, checks: result.checks }
  } finally {
    db.close()
  }
}

/** `liuhen ca export-crl`: the agency's revocation list, public by nature (relying parties fetch it). */
export function revocationList(dataDir: string): Buffer {
  const src = crlPath(dataLayout(dataDir))
  if (!fs.existsSync(src)) throw new AppError('NOT_INITIALIZED')
  return fs.readFileSync(src)
}

/** `liuhen restore`: a backup into an empty folder; never into one another process is working in. */
export async function restoreFolder(
  backupDir: string,
  dataDir: string,
): Promise<{ dataDir: string; files: number }> {
  const owner = liveOwner(dataLayout(dataDir))
  if (owner) throw new AppError('DATA_DIR_IN_USE', { pid: owner.pid || '?' })
  return restoreFrom(backupDir, dataDir)
}
