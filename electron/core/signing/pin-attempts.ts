import { AppError } from '../../../shared/errors.ts'
import { getAgency } from '../agency.ts'
import { actorFields, auditedChange, type Actor, type CoreDeps } from '../context.ts'

/*
 * A certificate PIN (and the root passphrase) is guessed like a password: every wrong one is audited, and the
 * agency's sign-in limit (five by default) locks signing for the lockout time, audited with its end. The
 * counter is the user's own and apart from the sign-in counter: a mistyped PIN locks signing, not the account.
 * An administrator's users.unlock lifts both.
 */

interface PinState {
  failed_pins: number
  pin_locked_until: string | null
}

/** Run `open` (which throws BAD_PIN or BAD_CREDENTIALS on a wrong secret) under the user's attempt limit. */
export function withPinAttempts<T>(deps: CoreDeps, actor: Actor, channel: string, open: () => T): T {
  const now = deps.now()
  const state = deps.db
    .prepare('SELECT failed_pins, pin_locked_until FROM users WHERE id = ?')
    .get(actor.userId) as PinState | undefined
  if (state?.pin_locked_until && state.pin_locked_until > now.toISOString())
    throw new AppError('PIN_LOCKED', { until: state.pin_locked_until })
  try {
    const value = open()
    if (state && (state.failed_pins > 0 || state.pin_locked_until))
      deps.db
        .prepare('UPDATE users SET failed_pins = 0, pin_locked_until = NULL WHERE id = ?')
        .run(actor.userId)
    return value
  } catch (e) {
    if (!(e instanceof AppError) || (e.code !== 'BAD_PIN' && e.code !== 'BAD_CREDENTIALS')) throw e
    const lockedUntil = recordWrongPin(deps, actor, channel)
    if (lockedUntil) throw new AppError('PIN_LOCKED', { until: lockedUntil })
    throw e
  }
}

function recordWrongPin(deps: CoreDeps, actor: Actor, channel: string): string | null {
  const agency = getAgency(deps.db)
  const now = deps.now()
  let lockedUntil: string | null = null
  auditedChange(
    deps,
    () => {
      const failure = {
        ...actorFields(actor),
        action: 'signing.pinFailed',
        targetType: 'user',
        targetId: actor.userId,
        details: { channel },
      }
      if (!lockedUntil) return failure
      return [
        failure,
        {
          ...actorFields(actor),
          action: 'signing.pinLocked',
          targetType: 'user',
          targetId: actor.userId,
          details: { lockedUntil, attempts: agency.maxFailedSignIns },
        },
      ]
    },
    () => {
      const { failed_pins } = deps.db
        .prepare('UPDATE users SET failed_pins = failed_pins + 1 WHERE id = ? RETURNING failed_pins')
        .get(actor.userId) as { failed_pins: number }
      if (failed_pins >= agency.maxFailedSignIns) {
        lockedUntil = new Date(now.getTime() + agency.lockoutMinutes * 60_000).toISOString()
        deps.db
          .prepare('UPDATE users SET failed_pins = 0, pin_locked_until = ? WHERE id = ?')
          .run(lockedUntil, actor.userId)
      }
    },
  )
  return lockedUntil
}
