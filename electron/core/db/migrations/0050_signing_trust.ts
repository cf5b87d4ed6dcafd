import type { Migration } from './types.ts'

/**
 * Signing, second step: the algorithm of each certificate (RSA or SM2), revocation reasons, trust anchors the
 * agency imports (its own CA chain, its time-stamping service's), time-stamps on signatures, the SM3 digest
 * SM2 signatures need, and signed checkpoints of the audit trail's head.
 */
export const m0050: Migration = {
  version: 50,
  name: 'signing_trust',
  up(db) {
    db.exec(`
      ALTER TABLE certificates ADD COLUMN algorithm TEXT NOT NULL DEFAULT 'rsa' CHECK (algorithm IN ('rsa', 'sm2'));
      ALTER TABLE certificates ADD COLUMN revoked_reason TEXT;
      -- 'local': issued here from the agency root; 'imported': brought in from the agency's CA as PKCS#12.
      ALTER TABLE certificates ADD COLUMN origin TEXT NOT NULL DEFAULT 'local' CHECK (origin IN ('local', 'imported'));

      CREATE TABLE trust_anchors (
        id          TEXT PRIMARY KEY,
        purpose     TEXT NOT NULL CHECK (purpose IN ('signing', 'tsa')),
        subject     TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        not_after   TEXT NOT NULL,
        cert_pem    TEXT NOT NULL,
        added_at    TEXT NOT NULL,
        UNIQUE (purpose, fingerprint)
      ) STRICT;

      ALTER TABLE evidence ADD COLUMN sm3 TEXT CHECK (sm3 IS NULL OR length(sm3) = 64);

      -- none: no TSA configured when signed; pending: asked for, not yet granted; granted: token in tsr_path.
      ALTER TABLE signatures ADD COLUMN ts_status TEXT NOT NULL DEFAULT 'none'
        CHECK (ts_status IN ('none', 'pending', 'granted'));
      ALTER TABLE signatures ADD COLUMN tsr_path TEXT;
      ALTER TABLE signatures ADD COLUMN ts_time TEXT;
      CREATE INDEX signatures_pending_ts ON signatures(ts_status) WHERE ts_status = 'pending';

      CREATE TABLE audit_checkpoints (
        id          TEXT PRIMARY KEY,
        seq         INTEGER NOT NULL,
        head_hash   TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        reason      TEXT NOT NULL,
        -- The checkpoint statement, its detached CMS signature and time-stamp, relative to the data folder.
        path        TEXT NOT NULL,
        cert_id     TEXT REFERENCES certificates(id),
        ts_status   TEXT NOT NULL DEFAULT 'none' CHECK (ts_status IN ('none', 'pending', 'granted'))
      ) STRICT;
      CREATE INDEX audit_checkpoints_by_seq ON audit_checkpoints(seq);
    `)
  },
}
