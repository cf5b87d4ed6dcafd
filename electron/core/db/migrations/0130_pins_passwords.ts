import type { Migration } from './types.ts'

/**
 * Wrong certificate PINs are counted and lock signing like wrong passwords lock an account (the two counters are
 * apart: a mistyped PIN must not sign the officer out). Replaced password hashes are kept, a few per user, so an
 * old password cannot be set again.
 */
export const m0130: Migration = {
  version: 130,
  name: 'pins_passwords',
  up(db) {
    db.exec(`
      ALTER TABLE users ADD COLUMN failed_pins INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE users ADD COLUMN pin_locked_until TEXT;
      CREATE TABLE password_history (
        user_id       TEXT NOT NULL REFERENCES users(id),
        password_hash TEXT NOT NULL,
        replaced_at   TEXT NOT NULL
      ) STRICT;
      CREATE INDEX password_history_by_user ON password_history(user_id, replaced_at);
    `)
  },
}
