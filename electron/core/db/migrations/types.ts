import type Database from 'better-sqlite3'

export interface Migration {
  /**
   * Stored in PRAGMA user_version. Only ever above the last released migration
   * (tests/fixtures/released-migrations.json): a database already past a number skips it, so a fix slotted in
   * between two released migrations would never run there.
   */
  version: number
  name: string
  up(db: Database.Database): void
}
