import crypto from 'node:crypto'
import type { Db } from '../db/index.ts'
import type { User } from '../../../shared/contract.ts'
import { ROLES, type Role } from '../../../shared/roles.ts'

/** Repository for users and their roles. Plain functions over `db`; parameters always bound. */

export interface UserRow {
  id: string
  username: string
  display_name: string
  badge_no: string | null
  password_hash: string
  must_change_password: number
  disabled: number
  failed_sign_ins: number
  locked_until: string | null
  created_at: string
  last_sign_in_at: string | null
  password_changed_at: string | null
}

export function rolesOf(db: Db, userId: string): Role[] {
  const rows = db.prepare('SELECT role FROM user_roles WHERE user_id = ?').all(userId) as { role: Role }[]
  // Stable order, the order of ROLES, whatever the table returns.
  return ROLES.filter((r) => rows.some((x) => x.role === r))
}

export function toUser(db: Db, row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: rolesOf(db, row.id),
    badgeNo: row.badge_no,
    disabled: row.disabled === 1,
    lockedUntil: row.locked_until,
    mustChangePassword: row.must_change_password === 1,
    createdAt: row.created_at,
    lastSignInAt: row.last_sign_in_at,
  }
}

export function findByUsername(db: Db, username: string): UserRow | undefined {
  return db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined
}

export function findById(db: Db, id: string): UserRow | undefined {
  return db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined
}

export function listUsers(db: Db): User[] {
  const rows = db.prepare('SELECT * FROM users ORDER BY created_at, username').all() as UserRow[]
  return rows.map((r) => toUser(db, r))
}

export function insertUser(
  db: Db,
  u: { username: string; displayName: string; badgeNo: string | null; passwordHash: string; roles: Role[] },
  now: Date,
): string {
  const id = crypto.randomUUID()
  db.prepare(
    `INSERT INTO users (id, username, display_name, badge_no, password_hash, must_change_password, created_at)
     VALUES (?, ?, ?, ?, ?, 1, ?)`,
  ).run(id, u.username, u.displayName, u.badgeNo, u.passwordHash, now.toISOString())
  setRoles(db, id, u.roles)
  return id
}

export function setRoles(db: Db, userId: string, roles: readonly Role[]): void {
  db.prepare('DELETE FROM user_roles WHERE user_id = ?').run(userId)
  const ins = db.prepare('INSERT INTO user_roles (user_id, role) VALUES (?, ?)')
  for (const r of new Set(roles)) ins.run(userId, r)
}

/** Active administrators other than `exceptUserId`: the guard against locking the agency out of its own system. */
export function countOtherActiveAdmins(db: Db, exceptUserId: string): number {
  return (
    db
      .prepare(
        `SELECT count(*) AS n FROM users u JOIN user_roles r ON r.user_id = u.id
         WHERE r.role = 'admin' AND u.disabled = 0 AND u.id <> ?`,
      )
      .get(exceptUserId) as { n: number }
  ).n
}

export function firstActiveAdminUsername(db: Db): string | null {
  const r = db
    .prepare(
      `SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id
       WHERE r.role = 'admin' AND u.disabled = 0 ORDER BY u.created_at LIMIT 1`,
    )
    .get() as { username: string } | undefined
  return r?.username ?? null
}

/** A user's display name for records and lists; the id itself when the user is unknown. */
export function displayNameOf(db: Db, id: string | null): string | null {
  if (!id) return null
  const r = db.prepare('SELECT display_name FROM users WHERE id = ?').get(id) as
    { display_name: string } | undefined
  return r?.display_name ?? id
}
