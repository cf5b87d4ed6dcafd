import { findAgency } from '../agency.ts'
import type { Actor, Channel, CoreDeps } from '../context.ts'
import type { Session, SessionStore } from './sessions.ts'
import { findById, rolesOf } from './users.ts'

/*
 * A session and its user as they are now, read afresh from the database: the dispatcher uses it for every call, and
 * so do the things a session holds on to between calls (media tickets, event subscriptions). A user signed out,
 * disabled or stripped of a role loses what the session held at the next byte or event, not when a ticket expires.
 */

type Deps = CoreDeps & { sessions: SessionStore }

export interface SessionUser {
  session: Session
  actor: Actor
  mustChangePassword: boolean
}

/** The session behind `token` and its user with the roles held now; a disabled user's sessions end here. */
export function sessionUser(deps: Deps, token: unknown): SessionUser | null {
  const session = deps.sessions.get(token)
  if (!session) return null
  const row = findById(deps.db, session.userId)
  if (!row || row.disabled) {
    deps.sessions.deleteForUser(session.userId)
    return null
  }
  return {
    session,
    actor: {
      userId: row.id,
      username: row.username,
      displayName: row.display_name,
      roles: rolesOf(deps.db, row.id),
    },
    mustChangePassword: row.must_change_password === 1,
  }
}

/** The session has been idle past the agency's lock time (the CLI, a local operator tool, is never idle-locked). */
export function idleExpired(deps: Deps, session: Session, channel: Channel): boolean {
  const idleMs = (findAgency(deps.db)?.idleLockMinutes ?? 15) * 60_000
  return channel !== 'cli' && deps.now().getTime() - session.lastActivity > idleMs
}

/**
 * Who a session is for something it holds between calls: signed in, enabled, not locked (or idle past the lock),
 * initial password changed. Read-only: it neither counts as activity nor locks the session (the next call does).
 */
export function liveActor(deps: Deps, token: unknown, channel: Channel): Actor | null {
  const s = sessionUser(deps, token)
  if (!s || s.session.locked || idleExpired(deps, s.session, channel)) return null
  if (s.mustChangePassword && channel !== 'cli') return null
  return s.actor
}
