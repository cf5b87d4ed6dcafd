import type { Migration } from './types.ts'

/** Agency-configurable sign-in policy: idle lock and lockout after failed sign-ins. */
export const m0020: Migration = {
  version: 20,
  name: 'security_policy',
  up(db) {
    db.exec(`
      ALTER TABLE agency ADD COLUMN idle_lock_minutes   INTEGER NOT NULL DEFAULT 15;
      ALTER TABLE agency ADD COLUMN max_failed_sign_ins INTEGER NOT NULL DEFAULT 5;
      ALTER TABLE agency ADD COLUMN lockout_minutes     INTEGER NOT NULL DEFAULT 15;
    `)
  },
}
