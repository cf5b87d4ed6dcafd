import { AppError } from '../../../shared/errors.ts'
import type { MethodOutput, ParsedInput, User } from '../../../shared/contract.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import { getAgency } from '../agency.ts'
import { dummyPasswordHash, hashPassword, isStrongPassword, verifyPassword } from './passwords.ts'
import {
  countOtherActiveAdmins,
  findById,
  findByUsername,
  insertUser,
  listUsers,
  setRoles,
  toUser,
  type UserRow,
} from './users.ts'
import type { SessionStore } from './sessions.ts'
import { PASSWORD_HISTORY, rememberReplacedPassword, reusesRecentPassword } from './password-history.ts'

type Deps = CoreDeps & { sessions: SessionStore }

function requireActor(ctx: CallContext) {
  const actor = actorOf(ctx)
  if (!ctx.sessionToken) throw new AppError('UNAUTHENTICATED')
  return { actor, token: ctx.sessionToken }
}

function requireUser(deps: Deps, id: string): UserRow {
  const row = findById(deps.db, id)
  if (!row) throw new AppError('NOT_FOUND')
  return row
}

/**
 * Record a wrong password for `row`: count it, and lock the account when the agency's limit is reached.
 * One transaction, one or two audit events. Returns the lock end when the account got locked.
 */
function recordFailure(deps: Deps, row: UserRow, action: string, ctx: CallContext): string | null {
  const agency = getAgency(deps.db)
  const now = deps.now()
  let lockedUntil: string | null = null
  auditedChange(
    deps,
    () => {
      // Whoever typed the wrong password is unknown: the account is the target, never the actor.
      const failure = {
        actorId: null,
        actorName: null,
        action,
        targetType: 'user',
        targetId: row.id,
        details: { username: row.username, channel: ctx.channel },
      }
      if (!lockedUntil) return failure
      return [
        failure,
        {
          actorId: null,
          actorName: null,
          action: 'auth.accountLocked',
          targetType: 'user',
          targetId: row.id,
          details: { username: row.username, lockedUntil },
        },
      ]
    },
    () => {
      const failed = (
        deps.db
          .prepare(
            'UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE id = ? RETURNING failed_sign_ins',
          )
          .get(row.id) as { failed_sign_ins: number }
      ).failed_sign_ins
      if (failed >= agency.maxFailedSignIns) {
        lockedUntil = new Date(now.getTime() + agency.lockoutMinutes * 60_000).toISOString()
        deps.db
          .prepare('UPDATE users SET failed_sign_ins = 0, locked_until = ? WHERE id = ?')
          .run(lockedUntil, row.id)
      }
    },
  )
  if (lockedUntil) deps.sessions.deleteForUser(row.id)
  return lockedUntil
}

function isLocked(row: UserRow, now: Date): boolean {
  return row.locked_until !== null && row.locked_until > now.toISOString()
}

export async function signIn(
  deps: Deps,
  input: ParsedInput<'auth.signIn'> & { username: string },
  ctx: CallContext,
): Promise<MethodOutput<'auth.signIn'>> {
  const row = findByUsername(deps.db, input.username)
  if (!row) {
    await verifyPassword(input.password, await dummyPasswordHash())
    auditedChange(
      deps,
      {
        actorId: null,
        actorName: null,
        action: 'auth.signInFailed',
        details: { username: input.username, reason: 'unknown_user', channel: ctx.channel },
      },
      () => undefined,
    )
    throw new AppError('BAD_CREDENTIALS')
  }
  if (isLocked(row, deps.now())) throw new AppError('ACCOUNT_LOCKED', { until: row.locked_until! })
  const ok = await verifyPassword(input.password, row.password_hash)
  if (!ok) {
    const lockedUntil = recordFailure(deps, row, 'auth.signInFailed', ctx)
    if (lockedUntil) throw new AppError('ACCOUNT_LOCKED', { until: lockedUntil })
    throw new AppError('BAD_CREDENTIALS')
  }
  // Checked only after the password, so a stranger cannot probe which accounts exist but are disabled.
  if (row.disabled) throw new AppError('ACCOUNT_DISABLED')
  const now = deps.now()
  auditedChange(
    deps,
    {
      actorId: row.id,
      actorName: row.display_name,
      action: 'auth.signIn',
      targetType: 'user',
      targetId: row.id,
      details: { channel: ctx.channel },
    },
    () =>
      deps.db
        .prepare(
          'UPDATE users SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = ? WHERE id = ?',
        )
        .run(now.toISOString(), row.id),
  )
  const session = deps.sessions.create(row.id, ctx.channel, now)
  const user = toUser(deps.db, requireUser(deps, row.id))
  return {
    session: session.token,
    user,
    mustChangePassword: user.mustChangePassword,
    idleLockMinutes: getAgency(deps.db).idleLockMinutes,
  }
}

export function signOut(deps: Deps, ctx: CallContext): MethodOutput<'auth.signOut'> {
  const { actor, token } = requireActor(ctx)
  auditedChange(
    deps,
    { ...actorFields(actor), action: 'auth.signOut', targetType: 'user', targetId: actor.userId },
    () => deps.sessions.delete(token),
  )
  return {}
}

export function me(deps: Deps, ctx: CallContext): MethodOutput<'auth.me'> {
  const { actor, token } = requireActor(ctx)
  const user = toUser(deps.db, requireUser(deps, actor.userId))
  return {
    user,
    mustChangePassword: user.mustChangePassword,
    idleLockMinutes: getAgency(deps.db).idleLockMinutes,
    locked: deps.sessions.get(token)?.locked ?? false,
  }
}

export async function changePassword(
  deps: Deps,
  input: ParsedInput<'auth.changePassword'>,
  ctx: CallContext,
): Promise<MethodOutput<'auth.changePassword'>> {
  const { actor, token } = requireActor(ctx)
  const row = requireUser(deps, actor.userId)
  if (!(await verifyPassword(input.currentPassword, row.password_hash))) {
    const lockedUntil = recordFailure(deps, row, 'auth.changePasswordFailed', ctx)
    if (lockedUntil) throw new AppError('ACCOUNT_LOCKED', { until: lockedUntil })
    throw new AppError('BAD_CREDENTIALS')
  }
  if (!isStrongPassword(input.newPassword, row.username)) throw new AppError('WEAK_PASSWORD')
  if (await reusesRecentPassword(deps.db, row, input.newPassword))
    throw new AppError('PASSWORD_REUSED', { count: PASSWORD_HISTORY })
  const hash = await hashPassword(input.newPassword)
  const now = deps.now()
  auditedChange(
    deps,
    (ended: number) => ({
      ...actorFields(actor),
      action: 'auth.changePassword',
      targetType: 'user',
      targetId: row.id,
      details: { otherSessionsEnded: ended },
    }),
    () => {
      rememberReplacedPassword(deps.db, row.id, row.password_hash, now)
      deps.db
        .prepare(
          `UPDATE users SET password_hash = ?, must_change_password = 0, password_changed_at = ?,
           failed_sign_ins = 0 WHERE id = ?`,
        )
        .run(hash, now.toISOString(), row.id)
      // Whoever knew the old password may be signed in elsewhere: only this session stays.
      return deps.sessions.deleteForUser(row.id, token)
    },
  )
  return {}
}

export function lock(deps: Deps, ctx: CallContext, reason: 'manual' | 'idle'): void {
  const { actor, token } = requireActor(ctx)
  const session = deps.sessions.get(token)
  if (!session || session.locked) return
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'auth.lock',
      targetType: 'user',
      targetId: actor.userId,
      details: { reason },
    },
    () => {
      session.locked = true
    },
  )
}

export async function unlock(
  deps: Deps,
  input: ParsedInput<'auth.unlock'>,
  ctx: CallContext,
): Promise<MethodOutput<'auth.unlock'>> {
  const { actor, token } = requireActor(ctx)
  const row = requireUser(deps, actor.userId)
  if (!(await verifyPassword(input.password, row.password_hash))) {
    const lockedUntil = recordFailure(deps, row, 'auth.unlockFailed', ctx)
    if (lockedUntil) throw new AppError('ACCOUNT_LOCKED', { until: lockedUntil })
    throw new AppError('BAD_CREDENTIALS')
  }
  const session = deps.sessions.get(token)
  auditedChange(
    deps,
    { ...actorFields(actor), action: 'auth.unlock', targetType: 'user', targetId: actor.userId },
    () => {
      deps.db.prepare('UPDATE users SET failed_sign_ins = 0 WHERE id = ?').run(row.id)
      if (session) {
        session.locked = false
        session.lastActivity = deps.now().getTime()
      }
    },
  )
  return {}
}

// ---- administration of users ----

function checkBadge(roles: readonly string[], badgeNo: string | null | undefined): void {
  if (roles.includes('enforcement_officer') && !badgeNo) throw new AppError('BADGE_REQUIRED')
}

export async function createUser(
  deps: Deps,
  input: ParsedInput<'users.create'>,
  ctx: CallContext,
): Promise<MethodOutput<'users.create'>> {
  const { actor } = requireActor(ctx)
  checkBadge(input.roles, input.badgeNo)
  if (findByUsername(deps.db, input.username))
    throw new AppError('USERNAME_TAKEN', { username: input.username })
  if (!isStrongPassword(input.initialPassword, input.username)) throw new AppError('WEAK_PASSWORD')
  const passwordHash = await hashPassword(input.initialPassword)
  const id = auditedChange(
    deps,
    (newId: string) => ({
      ...actorFields(actor),
      action: 'users.create',
      targetType: 'user',
      targetId: newId,
      details: {
        username: input.username,
        displayName: input.displayName,
        roles: input.roles,
        badgeNo: input.badgeNo ?? null,
      },
    }),
    () => {
      // Checked again inside the transaction: the hash above took time and another call may have won.
      if (findByUsername(deps.db, input.username))
        throw new AppError('USERNAME_TAKEN', { username: input.username })
      return insertUser(
        deps.db,
        {
          username: input.username,
          displayName: input.displayName,
          badgeNo: input.badgeNo ?? null,
          passwordHash,
          roles: input.roles,
        },
        deps.now(),
      )
    },
  )
  return { user: toUser(deps.db, requireUser(deps, id)) }
}

export function updateUser(
  deps: Deps,
  input: ParsedInput<'users.update'>,
  ctx: CallContext,
): MethodOutput<'users.update'> {
  const { actor } = requireActor(ctx)
  const before = toUser(deps.db, requireUser(deps, input.userId))
  const roles = input.roles ?? before.roles
  const badgeNo = input.badgeNo === undefined ? before.badgeNo : input.badgeNo
  const disabled = input.disabled ?? before.disabled
  checkBadge(roles, badgeNo)
  const changes: Record<string, { from: unknown; to: unknown }> = {}
  const note = (k: string, from: unknown, to: unknown) => {
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[k] = { from, to }
  }
  note('displayName', before.displayName, input.displayName ?? before.displayName)
  note('roles', before.roles, roles)
  note('badgeNo', before.badgeNo, badgeNo)
  note('disabled', before.disabled, disabled)
  // Roles and the account's state are read when a session is made and trusted after: end the user's sessions
  // (all but the caller's own, when an administrator edits themself) so the change takes hold at once.
  const endSessions = !!changes.roles || disabled
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'users.update',
      targetType: 'user',
      targetId: before.id,
      details: endSessions ? { ...changes, sessionsEnded: true } : changes,
    },
    () => {
      const staysAdmin = roles.includes('admin') && !disabled
      if (before.roles.includes('admin') && !staysAdmin && countOtherActiveAdmins(deps.db, before.id) === 0)
        throw new AppError('LAST_ADMIN')
      deps.db
        .prepare('UPDATE users SET display_name = ?, badge_no = ?, disabled = ? WHERE id = ?')
        .run(input.displayName ?? before.displayName, badgeNo, disabled ? 1 : 0, before.id)
      setRoles(deps.db, before.id, roles)
    },
  )
  if (endSessions)
    deps.sessions.deleteForUser(before.id, before.id === actor.userId ? ctx.sessionToken : undefined)
  return { user: toUser(deps.db, requireUser(deps, before.id)) }
}

export async function resetPassword(
  deps: Deps,
  input: ParsedInput<'users.resetPassword'>,
  ctx: CallContext,
): Promise<MethodOutput<'users.resetPassword'>> {
  const { actor } = requireActor(ctx)
  const row = requireUser(deps, input.userId)
  if (!isStrongPassword(input.newPassword, row.username)) throw new AppError('WEAK_PASSWORD')
  const hash = await hashPassword(input.newPassword)
  auditedChange(
    deps,
    { ...actorFields(actor), action: 'users.resetPassword', targetType: 'user', targetId: row.id },
    () => {
      rememberReplacedPassword(deps.db, row.id, row.password_hash, deps.now())
      deps.db
        .prepare(
          `UPDATE users SET password_hash = ?, must_change_password = 1, failed_sign_ins = 0,
           locked_until = NULL WHERE id = ?`,
        )
        .run(hash, row.id)
    },
  )
  // Every session of the user ends, the administrator's own too when resetting themself: they sign in anew.
  deps.sessions.deleteForUser(row.id)
  return {}
}

export function unlockUser(
  deps: Deps,
  input: ParsedInput<'users.unlock'>,
  ctx: CallContext,
): MethodOutput<'users.unlock'> {
  const { actor } = requireActor(ctx)
  const row = requireUser(deps, input.userId)
  auditedChange(
    deps,
    { ...actorFields(actor), action: 'users.unlock', targetType: 'user', targetId: row.id },
    () =>
      // Lifts the signing (PIN) lock too.
      deps.db
        .prepare(
          `UPDATE users SET failed_sign_ins = 0, locked_until = NULL, failed_pins = 0, pin_locked_until = NULL
           WHERE id = ?`,
        )
        .run(row.id),
  )
  return { user: toUser(deps.db, requireUser(deps, row.id)) }
}

export function users(deps: Deps): { users: User[] } {
  return { users: listUsers(deps.db) }
}
