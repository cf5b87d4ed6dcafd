import type { Migration } from './types.ts'

/**
 * Capture time a court can rely on (issue 19).
 *
 * `devices.clock_mode_known`: whether a person registered the device's clock mode. Every device so far got
 * 'local' by default, whoever registered it, so only 'utc' (never a default) counts as registered; for the rest
 * a "UTC" container stamp means UTC, as the format defines, unless the file's other readings show otherwise.
 *
 * `capture_time_versions`: a records officer's corrections of a capture time. The evidence row shows the current
 * value; the original reading stays in its metadata and as version 1 here (written with the first correction),
 * and each correction is a new version with its reason, never an overwrite of the history.
 */
export const m0200: Migration = {
  version: 200,
  name: 'capture_time',
  up(db) {
    db.exec(`
      ALTER TABLE devices ADD COLUMN clock_mode_known INTEGER NOT NULL DEFAULT 0 CHECK (clock_mode_known IN (0, 1));
      UPDATE devices SET clock_mode_known = 1 WHERE clock_mode = 'utc';

      CREATE TABLE capture_time_versions (
        evidence_id    TEXT NOT NULL REFERENCES evidence(id),
        version        INTEGER NOT NULL CHECK (version >= 1),
        capture_start  TEXT,
        capture_end    TEXT,
        source         TEXT NOT NULL,
        reason         TEXT,
        set_by         TEXT REFERENCES users(id),
        set_at         TEXT NOT NULL,
        PRIMARY KEY (evidence_id, version)
      ) STRICT;
    `)
  },
}
