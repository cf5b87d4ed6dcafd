import { sealTriggersSql } from '../../integrity/seals.ts'
import type { Migration } from './types.ts'

/**
 * The end of an original's life: removal only after its retention period, asked for by a records officer and
 * approved by another person, leaving a tombstone with its hash. Both tables are sealed like the evidence.
 */
export const m0100: Migration = {
  version: 100,
  name: 'retention',
  up(db) {
    db.exec(`
      ALTER TABLE evidence ADD COLUMN deleted_at TEXT;
      CREATE TABLE deletion_requests (
        id            TEXT PRIMARY KEY,
        evidence_id   TEXT NOT NULL REFERENCES evidence(id),
        reason        TEXT NOT NULL,
        -- When the retention period ended (the basis of the request), and of which discs.
        expired_on    TEXT NOT NULL,
        basis         TEXT NOT NULL,
        requested_by  TEXT NOT NULL REFERENCES users(id),
        requested_at  TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
        decided_by    TEXT REFERENCES users(id),
        decided_at    TEXT,
        decision_note TEXT
      ) STRICT;
      CREATE INDEX deletion_requests_by_status ON deletion_requests(status);
      CREATE TABLE tombstones (
        evidence_id  TEXT PRIMARY KEY REFERENCES evidence(id),
        sha256       TEXT NOT NULL,
        size         INTEGER NOT NULL,
        original_name TEXT NOT NULL,
        request_id   TEXT NOT NULL REFERENCES deletion_requests(id),
        deleted_at   TEXT NOT NULL,
        requested_by TEXT NOT NULL REFERENCES users(id),
        approved_by  TEXT NOT NULL REFERENCES users(id)
      ) STRICT;
      ${sealTriggersSql(['deletion_requests', 'tombstones'])}
    `)
  },
}
