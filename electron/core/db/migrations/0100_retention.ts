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
      -- Each change to a sealed table queues its row; the audited change seals the queue (integrity/seals.ts).
      -- The text is what integrity/seals.ts sealTriggersSql gave at release, spacing included, so sqlite_master
      -- reads the same in a database made today as in one made then.
      CREATE TRIGGER seal_deletion_requests_insert AFTER INSERT ON deletion_requests BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('deletion_requests', NEW.id);
           END;
      CREATE TRIGGER seal_deletion_requests_update AFTER UPDATE ON deletion_requests BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('deletion_requests', NEW.id);
           END;
      CREATE TRIGGER seal_deletion_requests_delete AFTER DELETE ON deletion_requests BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('deletion_requests', OLD.id);
           END;
      CREATE TRIGGER seal_tombstones_insert AFTER INSERT ON tombstones BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('tombstones', NEW.evidence_id);
           END;
      CREATE TRIGGER seal_tombstones_update AFTER UPDATE ON tombstones BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('tombstones', NEW.evidence_id);
           END;
      CREATE TRIGGER seal_tombstones_delete AFTER DELETE ON tombstones BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('tombstones', OLD.evidence_id);
           END;
    `)
  },
}
