import { sealAllV1 } from './frozen/seal-v1.ts'
import type { Migration } from './types.ts'

/**
 * Integrity: row seals chained into the audit trail (see integrity/seals.ts), the runs of the fixity check (so
 * a long one resumes where it stopped), and tombstones of originals removed at the end of their retention.
 * Rows that exist already are sealed here, in audit events of their own.
 */
const TABLES = ['evidence', 'record_tags', 'cases', 'text_records', 'access_grants']

/** The tables and triggers, without the sealing of existing rows (exported for the test of the frozen sealing). */
export const INTEGRITY_SQL = `
      CREATE TABLE seal_queue (
        tbl     TEXT NOT NULL,
        row_key TEXT NOT NULL,
        PRIMARY KEY (tbl, row_key)
      ) STRICT;
      CREATE TABLE row_seals (
        tbl     TEXT NOT NULL,
        row_key TEXT NOT NULL,
        hash    TEXT NOT NULL,
        -- The audit event whose details carry this seal.
        seq     INTEGER NOT NULL,
        PRIMARY KEY (tbl, row_key)
      ) STRICT;
      CREATE TABLE fixity_runs (
        id          TEXT PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('full', 'sample')),
        started_at  TEXT NOT NULL,
        started_by  TEXT,
        total       INTEGER NOT NULL,
        done        INTEGER NOT NULL DEFAULT 0,
        -- Objects are checked in sha256 order: a resumed run starts after this one.
        last_sha256 TEXT,
        failures    TEXT NOT NULL DEFAULT '[]',
        finished_at TEXT
      ) STRICT;
      -- Each change to a sealed table queues its row; the audited change seals the queue (integrity/seals.ts).
      -- The text is what integrity/seals.ts sealTriggersSql gave at release, spacing included, so sqlite_master
      -- reads the same in a database made today as in one made then.
      CREATE TRIGGER seal_evidence_insert AFTER INSERT ON evidence BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('evidence', NEW.id);
           END;
      CREATE TRIGGER seal_evidence_update AFTER UPDATE ON evidence BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('evidence', NEW.id);
           END;
      CREATE TRIGGER seal_evidence_delete AFTER DELETE ON evidence BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('evidence', OLD.id);
           END;
      CREATE TRIGGER seal_record_tags_insert AFTER INSERT ON record_tags BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('record_tags', NEW.evidence_id);
           END;
      CREATE TRIGGER seal_record_tags_update AFTER UPDATE ON record_tags BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('record_tags', NEW.evidence_id);
           END;
      CREATE TRIGGER seal_record_tags_delete AFTER DELETE ON record_tags BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('record_tags', OLD.evidence_id);
           END;
      CREATE TRIGGER seal_cases_insert AFTER INSERT ON cases BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('cases', NEW.id);
           END;
      CREATE TRIGGER seal_cases_update AFTER UPDATE ON cases BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('cases', NEW.id);
           END;
      CREATE TRIGGER seal_cases_delete AFTER DELETE ON cases BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('cases', OLD.id);
           END;
      CREATE TRIGGER seal_text_records_insert AFTER INSERT ON text_records BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('text_records', NEW.id);
           END;
      CREATE TRIGGER seal_text_records_update AFTER UPDATE ON text_records BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('text_records', NEW.id);
           END;
      CREATE TRIGGER seal_text_records_delete AFTER DELETE ON text_records BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('text_records', OLD.id);
           END;
      CREATE TRIGGER seal_access_grants_insert AFTER INSERT ON access_grants BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('access_grants', NEW.id);
           END;
      CREATE TRIGGER seal_access_grants_update AFTER UPDATE ON access_grants BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('access_grants', NEW.id);
           END;
      CREATE TRIGGER seal_access_grants_delete AFTER DELETE ON access_grants BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('access_grants', OLD.id);
           END;
`

export const m0090: Migration = {
  version: 90,
  name: 'integrity',
  up(db) {
    db.exec(INTEGRITY_SQL)
    for (const table of TABLES) sealAllV1(db, table)
  },
}
