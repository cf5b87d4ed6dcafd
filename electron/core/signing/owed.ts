import type { Db } from '../db/index.ts'
import { ownerAlive } from '../owner.ts'

/*
 * Signatures owed: a record registered by an ingest batch that ran with an officer's key (ingest_batches
 * .signer_cert_id, migration 120) must carry a signature. The evidence row and its signature are two steps — the
 * signature needs the file written first — so a kill or a full disk between them leaves a record that should be
 * signed and is not. verify reports such records; a later ingest with a PIN that meets them signs them.
 */

function batchesRecordSigner(db: Db): boolean {
  // A read-only check of a database older than migration 120 has no such column: nothing is known to be owed.
  return (db.pragma('table_info(ingest_batches)') as { name: string }[]).some(
    (c) => c.name === 'signer_cert_id',
  )
}

const OWED = `
  FROM evidence e JOIN ingest_batches b ON b.id = e.batch_id
  WHERE b.signer_cert_id IS NOT NULL AND e.deleted_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.evidence_id = e.id)`

/**
 * A batch still running in a live process is between a row and its signature on purpose: that process signs
 * its own records next, so they are not owed (yet), neither to verify nor to another ingest.
 */
const settled = (r: { status: string; owner: string | null }) =>
  r.status !== 'running' || !ownerAlive(r.owner)

/** Every record whose batch signed and which has no signature. */
export function owedSignatures(db: Db): { id: string; batchId: string }[] {
  if (!batchesRecordSigner(db)) return []
  const rows = db
    .prepare(`SELECT e.id, e.batch_id AS batchId, b.status, b.owner ${OWED} ORDER BY e.id`)
    .all() as { id: string; batchId: string; status: string; owner: string | null }[]
  return rows.filter(settled).map(({ id, batchId }) => ({ id, batchId }))
}

/** Whether this record is owed a signature. */
export function owesSignature(db: Db, evidenceId: string): boolean {
  if (!batchesRecordSigner(db)) return false
  const r = db.prepare(`SELECT b.status, b.owner ${OWED} AND e.id = ?`).get(evidenceId) as
    { status: string; owner: string | null } | undefined
  return r !== undefined && settled(r)
}
