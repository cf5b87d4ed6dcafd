import type { Db } from '../db/index.ts'
import { verifyPassword } from './passwords.ts'
import type { UserRow } from './users.ts'

/*
 * A changed password must differ from the current one and the ones before it, or "change your password" means
 * typing the old one back. Replaced hashes (scrypt, salted) are kept, a few per user; nothing else is.
 */

/** The current password and the four before it may not be set again. */
export const PASSWORD_HISTORY = 5

export async function reusesRecentPassword(db: Db, row: UserRow, candidate: string): Promise<boolean> {
  if (await verifyPassword(candidate, row.password_hash)) return true
  const older = db
    .prepare(
      'SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY replaced_at DESC, rowid DESC LIMIT ?',
    )
    .all(row.id, PASSWORD_HISTORY - 1) as { password_hash: string }[]
  for (const o of older) if (await verifyPassword(candidate, o.password_hash)) return true
  return false
}

/** Keep the hash being replaced (inside the change's transaction), and only as many as are checked. */
export function rememberReplacedPassword(db: Db, userId: string, hash: string, at: Date): void {
  db.prepare('INSERT INTO password_history (user_id, password_hash, replaced_at) VALUES (?, ?, ?)').run(
    userId,
    hash,
    at.toISOString(),
  )
  db.prepare(
    `DELETE FROM password_history WHERE user_id = ? AND rowid NOT IN (
       SELECT rowid FROM password_history WHERE user_id = ? ORDER BY replaced_at DESC, rowid DESC LIMIT ?)`,
  ).run(userId, userId, PASSWORD_HISTORY - 1)
}
