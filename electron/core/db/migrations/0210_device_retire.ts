import type { Migration } from './types.ts'

/**
 * Devices screen (issue 19, item 5): a camera taken out of service is retired, never deleted — its recordings
 * keep pointing at it, and the audit trail names it. A retired device is not imported from again.
 */
export const m0210: Migration = {
  version: 210,
  name: 'device_retire',
  up(db) {
    db.exec(`
      ALTER TABLE devices ADD COLUMN retired_at TEXT;
      ALTER TABLE devices ADD COLUMN retired_by TEXT REFERENCES users(id);
      ALTER TABLE devices ADD COLUMN retire_reason TEXT;
    `)
  },
}
