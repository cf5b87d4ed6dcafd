import type { Migration } from './types.ts'

/**
 * Work that must follow a commit (electron/core/post-commit.ts): a row written in the same transaction as the
 * change that needs it, so a kill or a full disk between the change and the work leaves the work on record.
 *
 * kind/subject: what to do to what (sign_record + evidence id, stamp_signature + signature id); user_id: whose
 * key the work needs (sign jobs wait until that officer unlocks it); owner: the process working on it now
 * (owner.ts token), cleared when it stops; attempts/last_error (an error value as JSON)/not_before: failures
 * and the backoff before the next try; done_at: when it was finished.
 *
 * Records a signed batch left unsigned before this migration, and signatures still waiting for a time-stamp,
 * become jobs here, so the queue finishes them too.
 */
export const m0170: Migration = {
  version: 170,
  name: 'post_commit',
  up(db) {
    db.exec(`
      CREATE TABLE post_commit_jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        user_id TEXT REFERENCES users(id),
        owner TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        not_before TEXT,
        created_at TEXT NOT NULL,
        done_at TEXT
      );
      CREATE UNIQUE INDEX post_commit_open ON post_commit_jobs (kind, subject) WHERE done_at IS NULL;
      CREATE INDEX post_commit_waiting ON post_commit_jobs (kind, user_id) WHERE done_at IS NULL;

      INSERT OR IGNORE INTO post_commit_jobs (kind, subject, user_id, created_at)
        SELECT 'sign_record', e.id, b.user_id, e.ingested_at
        FROM evidence e JOIN ingest_batches b ON b.id = e.batch_id
        WHERE b.signer_cert_id IS NOT NULL AND e.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.evidence_id = e.id);

      INSERT OR IGNORE INTO post_commit_jobs (kind, subject, created_at)
        SELECT 'stamp_signature', id, signed_at FROM signatures WHERE ts_status = 'pending';
    `)
  },
}
