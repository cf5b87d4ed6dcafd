import { contract, type MethodName } from '../../../shared/contract.ts'
import { mayCall } from '../../../shared/may-call.ts'
import { AppError } from '../../../shared/errors.ts'
import type { CallContext, Channel, CoreDeps } from '../context.ts'
import type { SessionStore } from './sessions.ts'
import { idleExpired, sessionUser } from './live.ts'
import { lock } from './service.ts'

/**
 * Resolve the caller of `method`, enforcing sign-in, idle lock, forced password change and roles: the one check
 * every call of the contract passes (`dispatch` in core.ts), before its input is even parsed.
 */
export function authorize(
  deps: CoreDeps & { sessions: SessionStore },
  method: MethodName,
  token: unknown,
  channel: Channel,
): CallContext {
  const def = contract[method] as (typeof contract)[MethodName] & {
    whileLocked?: true
    whilePasswordChangeRequired?: true
  }
  if (def.access === 'public') return { channel }
  const live = sessionUser(deps, token)
  if (!live) throw new AppError('UNAUTHENTICATED')
  const { session, actor } = live
  const ctx: CallContext = { channel, actor, sessionToken: session.token }
  if (!session.locked && idleExpired(deps, session, channel)) lock(deps, ctx, 'idle')
  if (session.locked && !def.whileLocked) throw new AppError('SESSION_LOCKED')
  // The CLI is a trusted local operator tool; the forced change protects interactive sign-ins.
  if (live.mustChangePassword && channel !== 'cli' && !def.whilePasswordChangeRequired)
    throw new AppError('PASSWORD_CHANGE_REQUIRED')
  if (!mayCall(method, actor.roles)) throw new AppError('FORBIDDEN')
  if (!session.locked) session.lastActivity = deps.now().getTime()
  return ctx
}
