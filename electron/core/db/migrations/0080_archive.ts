import type { Migration } from './types.ts'

/**
 * Archive discs: SHA-512 of every vault object (taken while it is stored, so a bag's manifest-sha512 needs no
 * second read), the imaged volumes of a case, the physical discs written from them, and every check of a disc.
 */
export const m0080: Migration = {
  version: 80,
  name: 'archive',
  up(db) {
    db.exec(`
      CREATE TABLE vault_digests (
        sha256  TEXT PRIMARY KEY,
        sha512  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE archive_volumes (
        id                 TEXT PRIMARY KEY,
        case_id            TEXT NOT NULL REFERENCES cases(id),
        -- One imaging run of a case: its volumes share it (1 of n … n of n).
        set_id             TEXT NOT NULL,
        idx                INTEGER NOT NULL CHECK (idx >= 1),
        count              INTEGER NOT NULL CHECK (count >= idx),
        media              TEXT NOT NULL,
        capacity           INTEGER NOT NULL,
        volid              TEXT NOT NULL UNIQUE,
        image_path         TEXT NOT NULL,
        image_size         INTEGER NOT NULL,
        session_md5        TEXT NOT NULL,
        tagmanifest_sha256 TEXT NOT NULL,
        -- The bag's manifest-sha256.txt: what every disc written from this image must read back.
        manifest           TEXT NOT NULL,
        payload_files      INTEGER NOT NULL,
        payload_bytes      INTEGER NOT NULL,
        signed             INTEGER NOT NULL,
        created_at         TEXT NOT NULL,
        created_by         TEXT NOT NULL REFERENCES users(id),
        UNIQUE (set_id, idx)
      ) STRICT;
      CREATE INDEX archive_volumes_by_case ON archive_volumes(case_id);

      CREATE TABLE discs (
        id              TEXT PRIMARY KEY,
        disc_no         TEXT NOT NULL UNIQUE,
        volume_id       TEXT NOT NULL REFERENCES archive_volumes(id),
        copy            TEXT NOT NULL CHECK (copy IN ('A', 'B', 'C')),
        media           TEXT NOT NULL,
        target          TEXT NOT NULL,
        label           TEXT NOT NULL,
        written_at      TEXT NOT NULL,
        written_by      TEXT NOT NULL REFERENCES users(id),
        -- 'bad' when the check after writing failed: such a disc is listed, never counted as a good copy.
        status          TEXT NOT NULL CHECK (status IN ('good', 'bad')),
        location        TEXT,
        retention       TEXT NOT NULL CHECK (retention IN ('permanent', '30y', '10y')),
        last_checked_at TEXT NOT NULL,
        last_check_ok   INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX discs_by_volume ON discs(volume_id);

      CREATE TABLE disc_checks (
        id         TEXT PRIMARY KEY,
        disc_id    TEXT NOT NULL REFERENCES discs(id),
        kind       TEXT NOT NULL CHECK (kind IN ('write', 'inspection')),
        checked_at TEXT NOT NULL,
        checked_by TEXT NOT NULL REFERENCES users(id),
        ok         INTEGER NOT NULL,
        -- JSON: session MD5 result, files read back, first mismatches.
        result     TEXT NOT NULL
      ) STRICT;
      CREATE INDEX disc_checks_by_disc ON disc_checks(disc_id, checked_at);
    `)
  },
}
