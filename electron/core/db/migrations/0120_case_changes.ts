import type { Migration } from './types.ts'

/**
 * Case changes one person may not make alone (issue 17): reopening a case (going back a stage), changing its
 * handlers, lowering its confidentiality. One asks with a reason, a different approver decides; the row is
 * sealed like the case it changes.
 */
export const m0120: Migration = {
  version: 120,
  name: 'case_changes',
  up(db) {
    db.exec(`
      CREATE TABLE case_changes (
        id            TEXT PRIMARY KEY,
        case_id       TEXT NOT NULL REFERENCES cases(id),
        kind          TEXT NOT NULL CHECK (kind IN ('reopen', 'handlers', 'confidentiality')),
        -- JSON: {"stage": ...} | {"handlerIds": [...]} | {"confidentiality": ...}
        payload       TEXT NOT NULL,
        reason        TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
        requested_by  TEXT NOT NULL REFERENCES users(id),
        requested_at  TEXT NOT NULL,
        decided_by    TEXT REFERENCES users(id),
        decided_at    TEXT,
        note          TEXT
      ) STRICT;
      CREATE INDEX case_changes_by_case ON case_changes(case_id, status);
      CREATE INDEX case_changes_by_status ON case_changes(status);
      CREATE TRIGGER seal_case_changes_insert AFTER INSERT ON case_changes BEGIN
        INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('case_changes', NEW.id);
      END;
      CREATE TRIGGER seal_case_changes_update AFTER UPDATE ON case_changes BEGIN
        INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('case_changes', NEW.id);
      END;
      CREATE TRIGGER seal_case_changes_delete AFTER DELETE ON case_changes BEGIN
        INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('case_changes', OLD.id);
      END;
    `)
  },
}
