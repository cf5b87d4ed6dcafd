import type { Migration } from './types.ts'

/**
 * A running ingest batch names the process that runs it ("<pid>_<start time>", see owner.ts), so start-up
 * recovery in another process marks it interrupted only once that process is gone. Batches from before this
 * migration have no owner and are recovered as before.
 *
 * A batch run with an officer's key records that certificate, so a record it registered without a signature
 * (a kill or full disk between the two) is known to be owed one (signing/owed.ts).
 */
export const m0140: Migration = {
  version: 140,
  name: 'process_owners',
  up(db) {
    db.exec(`
      ALTER TABLE ingest_batches ADD COLUMN owner TEXT;
      ALTER TABLE ingest_batches ADD COLUMN signer_cert_id TEXT REFERENCES certificates(id);
    `)
  },
}
