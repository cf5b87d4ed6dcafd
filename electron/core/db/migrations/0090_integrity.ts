import { appendAudit } from '../../audit.ts'
import { SEALED, rowHash, sealTriggersSql, storeSeals } from '../../integrity/seals.ts'
import type { Migration } from './types.ts'

/**
 * Integrity: row seals chained into the audit trail (see integrity/seals.ts), the runs of the fixity check (so
 * a long one resumes where it stopped), and tombstones of originals removed at the end of their retention.
 * Rows that exist already are sealed here, in audit events of their own.
 */
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
      ${sealTriggersSql()}
    `)
    const now = new Date()
    for (const { table } of SEALED) {
      const rows = db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]
      const key = SEALED.find((s) => s.table === table)!.key
      for (let i = 0; i < rows.length; i += 5000) {
        const seals = Object.fromEntries(
          rows.slice(i, i + 5000).map((r) => [`${table}/${String(r[key])}`, rowHash(table, r)]),
        )
        const seq = appendAudit(
          db,
          {
            actorId: null,
            actorName: null,
            action: 'integrity.baseline',
            targetType: table,
            details: { seals },
          },
          now,
        )
        storeSeals(db, seals, seq)
      }
    }
  },
}
