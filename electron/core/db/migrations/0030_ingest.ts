import type { Migration } from './types.ts'

/** Devices, ingest batches, evidence items (one per distinct content) and every source path that held them. */
export const m0030: Migration = {
  version: 30,
  name: 'ingest',
  up(db) {
    db.exec(`
      CREATE TABLE devices (
        id                TEXT PRIMARY KEY,
        kind              TEXT NOT NULL CHECK (kind IN ('usb', 'folder')),
        identity          TEXT NOT NULL UNIQUE,
        label             TEXT NOT NULL,
        officer_user_id   TEXT REFERENCES users(id),
        clock_mode        TEXT NOT NULL DEFAULT 'local' CHECK (clock_mode IN ('local', 'utc')),
        utc_offset_min    INTEGER NOT NULL DEFAULT 480,
        clock_offset_ms   INTEGER NOT NULL DEFAULT 0,
        info              TEXT NOT NULL DEFAULT '{}',
        created_at        TEXT NOT NULL
      ) STRICT;

      CREATE TABLE ingest_batches (
        id           TEXT PRIMARY KEY,
        device_id    TEXT NOT NULL REFERENCES devices(id),
        source_root  TEXT NOT NULL,
        user_id      TEXT NOT NULL REFERENCES users(id),
        started_at   TEXT NOT NULL,
        finished_at  TEXT,
        status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'failed', 'interrupted')),
        summary      TEXT NOT NULL DEFAULT '{}'
      ) STRICT;

      CREATE TABLE evidence (
        id                TEXT PRIMARY KEY,
        sha256            TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
        size              INTEGER NOT NULL,
        media_type        TEXT NOT NULL CHECK (media_type IN ('video', 'audio', 'photo')),
        original_name     TEXT NOT NULL,
        ingested_at       TEXT NOT NULL,
        ingested_by       TEXT NOT NULL REFERENCES users(id),
        batch_id          TEXT NOT NULL REFERENCES ingest_batches(id),
        device_id         TEXT NOT NULL REFERENCES devices(id),
        collector_user_id TEXT REFERENCES users(id),
        capture_start     TEXT,
        capture_end       TEXT,
        capture_source    TEXT NOT NULL,
        capture_precision TEXT NOT NULL,
        clock_offset_ms   INTEGER NOT NULL DEFAULT 0,
        duration_ms       INTEGER,
        metadata          TEXT NOT NULL DEFAULT '{}',
        flags             TEXT NOT NULL DEFAULT '[]',
        late_reason       TEXT,
        case_no           TEXT,
        place             TEXT,
        fact              TEXT
      ) STRICT;
      CREATE INDEX evidence_by_batch ON evidence(batch_id);

      CREATE TABLE evidence_sources (
        id           INTEGER PRIMARY KEY,
        evidence_id  TEXT NOT NULL REFERENCES evidence(id),
        batch_id     TEXT NOT NULL REFERENCES ingest_batches(id),
        device_id    TEXT NOT NULL REFERENCES devices(id),
        rel_path     TEXT NOT NULL,
        size         INTEGER NOT NULL,
        mtime_ms     INTEGER NOT NULL,
        seen_at      TEXT NOT NULL,
        UNIQUE (batch_id, rel_path)
      ) STRICT;
      -- The cheap pre-check: same device, path, size and mtime means the same file, no re-hash.
      CREATE INDEX evidence_sources_precheck ON evidence_sources(device_id, rel_path, size, mtime_ms);
      CREATE INDEX evidence_sources_by_evidence ON evidence_sources(evidence_id);
    `)
  },
}
