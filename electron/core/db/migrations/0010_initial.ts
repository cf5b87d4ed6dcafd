import type { Migration } from './types.ts'

/** Agency, users with roles, and the hash-chained audit trail. */
export const m0010: Migration = {
  version: 10,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE agency (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        name       TEXT NOT NULL,
        code       TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE users (
        id                   TEXT PRIMARY KEY,
        username             TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name         TEXT NOT NULL,
        badge_no             TEXT,
        password_hash        TEXT NOT NULL,
        must_change_password INTEGER NOT NULL DEFAULT 1 CHECK (must_change_password IN (0, 1)),
        disabled             INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        failed_sign_ins      INTEGER NOT NULL DEFAULT 0,
        locked_until         TEXT,
        created_at           TEXT NOT NULL,
        last_sign_in_at      TEXT,
        password_changed_at  TEXT
      ) STRICT;

      CREATE TABLE user_roles (
        user_id TEXT NOT NULL REFERENCES users(id),
        role    TEXT NOT NULL CHECK (role IN
                  ('enforcement_officer','records_officer','approver','legal_reviewer','auditor','admin')),
        PRIMARY KEY (user_id, role)
      ) STRICT, WITHOUT ROWID;

      -- Append-only by construction of the code: no statement in Liuhen updates or deletes a row here.
      -- Edits from outside are caught by the hash chain (see audit.ts), which is the guarantee that matters.
      CREATE TABLE audit_events (
        seq         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        ts          TEXT NOT NULL,
        actor_id    TEXT,
        actor_name  TEXT,
        action      TEXT NOT NULL,
        target_type TEXT,
        target_id   TEXT,
        details     TEXT NOT NULL,
        prev_hash   TEXT NOT NULL,
        hash        TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_events_by_action ON audit_events(action, seq);
    `)
  },
}
