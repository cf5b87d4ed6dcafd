import { sealAll, sealTriggersSql } from '../../integrity/seals.ts'
import type { Migration } from './types.ts'

/**
 * Integrity: row seals chained into the audit trail (see integrity/seals.ts), the runs of the fixity check (so
 * a long one resumes where it stopped), and tombstones of originals removed at the end of their retention.
 * Rows that exist already are sealed here, in audit events of their own.
 */
const TABLES = ['evidence', 'record_tags', 'cases', 'text_records', 'access_grants']

export const m0090: Migration = {
  version: 90,
  name: 'integrity',
  up(db) {
    db.exec(`
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
      ${sealTriggersSql(TABLES)}
    `)
    for (const table of TABLES) sealAll(db, table)
  },
}
