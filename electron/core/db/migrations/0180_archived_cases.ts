import type { Migration } from './types.ts'

/**
 * Archived cases are frozen (issue 18, item 9). A case with a good disc changes only after an approver's
 * recorded reopening (a case change of kind 'reopen_archived'), and what changes then goes onto a supplementary
 * disc (补充归档 第N次) of its own:
 *  - case_changes accepts the new kind (SQLite cannot alter a CHECK: the table is rebuilt, columns in the same
 *    order so the rows' seals, taken over SELECT *, still match);
 *  - archive_volumes records the audit head its bag was assembled at (what a disc holds is the case as of that
 *    event: anything later is not on it), the supplement number (NULL for a full archive) and the reopening a
 *    supplement closes.
 */
export const m0180: Migration = {
  version: 180,
  name: 'archived_cases',
  up(db) {
    db.exec(`
      CREATE TABLE case_changes_v2 (
        id            TEXT PRIMARY KEY,
        case_id       TEXT NOT NULL REFERENCES cases(id),
        kind          TEXT NOT NULL CHECK (kind IN ('reopen', 'handlers', 'confidentiality', 'reopen_archived')),
        -- JSON: {"stage": ...} | {"handlerIds": [...]} | {"confidentiality": ...} | {} (reopen_archived)
        payload       TEXT NOT NULL,
        reason        TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
        requested_by  TEXT NOT NULL REFERENCES users(id),
        requested_at  TEXT NOT NULL,
        decided_by    TEXT REFERENCES users(id),
        decided_at    TEXT,
        note          TEXT
      ) STRICT;
      INSERT INTO case_changes_v2 SELECT id, case_id, kind, payload, reason, status, requested_by, requested_at,
        decided_by, decided_at, note FROM case_changes;
      DROP TABLE case_changes;
      ALTER TABLE case_changes_v2 RENAME TO case_changes;
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

      ALTER TABLE archive_volumes ADD COLUMN head_seq INTEGER;
      ALTER TABLE archive_volumes ADD COLUMN supplement INTEGER;
      ALTER TABLE archive_volumes ADD COLUMN reopen_id TEXT REFERENCES case_changes(id);
      -- Volumes imaged before this version: the audit head when the image was registered (the bag was assembled
      -- a little earlier, so a change made during that imaging counts as on the disc; nothing better is known).
      UPDATE archive_volumes SET head_seq = (SELECT COALESCE(MAX(seq), 0) FROM audit_events
        WHERE ts <= archive_volumes.created_at);
    `)
  },
}
