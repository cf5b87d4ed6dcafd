import type { Migration } from './types.ts'

/** Access approval (调阅审批): requests, their decisions, and the time-limited grants they produce. */
export const m0070: Migration = {
  version: 70,
  name: 'access',
  up(db) {
    db.exec(`
      CREATE TABLE access_requests (
        id            TEXT PRIMARY KEY,
        requester_id  TEXT NOT NULL REFERENCES users(id),
        case_id       TEXT NOT NULL REFERENCES cases(id),
        -- NULL: the whole case; otherwise a JSON array of evidence ids of that case.
        record_ids    TEXT,
        purpose       TEXT NOT NULL CHECK (purpose IN
                        ('case_review', 'supervision', 'reconsideration', 'litigation', 'disclosure', 'other')),
        purpose_text  TEXT,
        kind          TEXT NOT NULL CHECK (kind IN ('view', 'export')),
        starts_at     TEXT NOT NULL,
        ends_at       TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
        decided_by    TEXT REFERENCES users(id),
        decided_at    TEXT,
        decision_note TEXT,
        created_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX access_requests_by_status ON access_requests(status);
      CREATE INDEX access_requests_by_requester ON access_requests(requester_id);

      CREATE TABLE access_grants (
        id            TEXT PRIMARY KEY,
        request_id    TEXT NOT NULL UNIQUE REFERENCES access_requests(id),
        holder_id     TEXT NOT NULL REFERENCES users(id),
        case_id       TEXT NOT NULL REFERENCES cases(id),
        record_ids    TEXT,
        kind          TEXT NOT NULL CHECK (kind IN ('view', 'export')),
        starts_at     TEXT NOT NULL,
        ends_at       TEXT NOT NULL,
        approved_by   TEXT NOT NULL REFERENCES users(id),
        revoked_at    TEXT,
        revoked_by    TEXT REFERENCES users(id),
        revoke_reason TEXT,
        created_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX access_grants_by_holder ON access_grants(holder_id, case_id);
    `)
  },
}
