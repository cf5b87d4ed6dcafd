import type { Migration } from './types.ts'

/** Certificates (the agency root and officers') and the detached CMS signatures over evidence. */
export const m0040: Migration = {
  version: 40,
  name: 'signing',
  up(db) {
    db.exec(`
      CREATE TABLE certificates (
        id          TEXT PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('root', 'officer')),
        user_id     TEXT REFERENCES users(id),
        subject     TEXT NOT NULL,
        serial      TEXT NOT NULL,
        not_before  TEXT NOT NULL,
        not_after   TEXT NOT NULL,
        cert_pem    TEXT NOT NULL,
        -- The private key, never in the clear: encrypted PKCS#8 (root) or PKCS#12 (officers), base64.
        key_blob    TEXT NOT NULL,
        revoked_at  TEXT,
        created_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX certificates_by_user ON certificates(user_id);

      CREATE TABLE signatures (
        id           TEXT PRIMARY KEY,
        evidence_id  TEXT NOT NULL REFERENCES evidence(id),
        cert_id      TEXT NOT NULL REFERENCES certificates(id),
        path         TEXT NOT NULL,
        p7s_sha256   TEXT NOT NULL,
        signed_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX signatures_by_evidence ON signatures(evidence_id);
    `)
  },
}
