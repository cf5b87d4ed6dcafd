import type { Migration } from './types.ts'

/**
 * Legal review of major decisions (000 §5) and public disclosure of decisions (000 §3(3)). A review is one row per
 * submission round; its opinion and any collective discussion point at the signed text records that carry them.
 * Both tables are sealed like the case file they belong to.
 */
export const m0110: Migration = {
  version: 110,
  name: 'review_disclosure',
  up(db) {
    db.exec(`
      CREATE TABLE reviews (
        id              TEXT PRIMARY KEY,
        case_id         TEXT NOT NULL REFERENCES cases(id),
        round           INTEGER NOT NULL,
        status          TEXT NOT NULL DEFAULT 'submitted'
          CHECK (status IN ('submitted', 'in_review', 'returned', 'disputed', 'passed')),
        basis           TEXT NOT NULL,
        proposal        TEXT NOT NULL,
        changes         TEXT,
        materials       TEXT NOT NULL,
        submitted_at    TEXT NOT NULL,
        submitted_by    TEXT NOT NULL REFERENCES users(id),
        -- The legal office receives the materials on submission; its 10 working days run from that Beijing date.
        received_on     TEXT NOT NULL,
        due_on          TEXT NOT NULL,
        reviewer_id     TEXT REFERENCES users(id),
        assigned_by     TEXT REFERENCES users(id),
        assigned_at     TEXT,
        extension_reason TEXT,
        extension_requested_at TEXT,
        extension_status TEXT CHECK (extension_status IN ('pending', 'approved', 'rejected')),
        extension_decided_by TEXT REFERENCES users(id),
        extension_note  TEXT,
        checklist       TEXT,
        opinion         TEXT CHECK (opinion IN ('agree', 'investigate', 'change', 'correct', 'other')),
        opinion_text    TEXT,
        opinion_at      TEXT,
        record_id       TEXT REFERENCES text_records(id),
        dispute         TEXT,
        disputed_by     TEXT REFERENCES users(id),
        discussion      TEXT,
        discussion_record_id TEXT REFERENCES text_records(id),
        UNIQUE (case_id, round)
      ) STRICT;
      CREATE INDEX reviews_by_status ON reviews(status);

      CREATE TABLE disclosures (
        id              TEXT PRIMARY KEY,
        case_id         TEXT NOT NULL REFERENCES cases(id),
        status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'withdrawn')),
        kind            TEXT NOT NULL CHECK (kind IN ('penalty', 'other')),
        agency          TEXT NOT NULL,
        -- Stored as published: already redacted by the core.
        subject         TEXT NOT NULL,
        subject_code    TEXT,
        category        TEXT NOT NULL,
        conclusion      TEXT NOT NULL,
        decision_no     TEXT,
        decided_on      TEXT NOT NULL,
        due_on          TEXT NOT NULL,
        drafted_by      TEXT NOT NULL REFERENCES users(id),
        drafted_at      TEXT NOT NULL,
        approved_by     TEXT REFERENCES users(id),
        approved_at     TEXT,
        published_at    TEXT,
        withdrawn_at    TEXT,
        withdrawn_by    TEXT REFERENCES users(id),
        withdraw_ground TEXT CHECK (withdraw_ground IN ('revoked', 'unlawful', 'redo')),
        withdraw_reason TEXT
      ) STRICT;
      -- One live disclosure per case; a withdrawn one stays as the record of its withdrawal.
      CREATE UNIQUE INDEX disclosures_live ON disclosures(case_id) WHERE status <> 'withdrawn';
      -- Each change to a sealed table queues its row; the audited change seals the queue (integrity/seals.ts).
      -- The text is what integrity/seals.ts sealTriggersSql gave at release, spacing included, so sqlite_master
      -- reads the same in a database made today as in one made then.
      CREATE TRIGGER seal_reviews_insert AFTER INSERT ON reviews BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('reviews', NEW.id);
           END;
      CREATE TRIGGER seal_reviews_update AFTER UPDATE ON reviews BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('reviews', NEW.id);
           END;
      CREATE TRIGGER seal_reviews_delete AFTER DELETE ON reviews BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('reviews', OLD.id);
           END;
      CREATE TRIGGER seal_disclosures_insert AFTER INSERT ON disclosures BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('disclosures', NEW.id);
           END;
      CREATE TRIGGER seal_disclosures_update AFTER UPDATE ON disclosures BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('disclosures', NEW.id);
           END;
      CREATE TRIGGER seal_disclosures_delete AFTER DELETE ON disclosures BEGIN
             INSERT OR IGNORE INTO seal_queue (tbl, row_key) VALUES ('disclosures', OLD.id);
           END;
    `)
  },
}
