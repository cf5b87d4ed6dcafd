import type { CoreEnv, Handlers } from '../handlers.ts'
import { getAgency, updateAgency } from '../agency.ts'
import { info, initialize } from '../system.ts'
import { AppError } from '../../../shared/errors.ts'
import * as accounts from './service.ts'
import { findByUsername, firstActiveAdminUsername } from './users.ts'

/** system.*, auth.*, agency.*, users.* (shared/contract/accounts.ts). */
export function accountsHandlers({ deps, anchor }: CoreEnv) {
  return {
    'system.info': () => info(deps),
    'system.initialize': async (i) => {
      const r = await initialize(deps, i)
      // The audit anchor starts with the agency: a folder without one has no trail to anchor.
      anchor.start()
      return r
    },
    'auth.signIn': (i, ctx) => {
      // The CLI's default operator (no --as, no LIUHEN_USER): the earliest active administrator.
      const username = i.username ?? (ctx.channel === 'cli' ? firstActiveAdminUsername(deps.db) : null)
      if (!username)
        throw ctx.channel === 'cli'
          ? new AppError('NOT_FOUND')
          : new AppError('VALIDATION', { fields: 'username' })
      return accounts.signIn(deps, { ...i, username }, ctx)
    },
    'auth.signOut': (_i, ctx) => accounts.signOut(deps, ctx),
    'auth.me': (_i, ctx) => accounts.me(deps, ctx),
    'auth.changePassword': (i, ctx) => accounts.changePassword(deps, i, ctx),
    'auth.lock': (_i, ctx) => {
      accounts.lock(deps, ctx, 'manual')
      return {}
    },
    'auth.unlock': (i, ctx) => accounts.unlock(deps, i, ctx),
    'agency.get': () => getAgency(deps.db),
    'agency.update': (i, ctx) => updateAgency(deps, i, ctx),
    'users.list': () => accounts.users(deps),
    'users.create': (i, ctx) => accounts.createUser(deps, i, ctx),
    'users.update': (i, ctx) => accounts.updateUser(deps, i, ctx),
    'users.find': (i) => {
      const user = findByUsername(deps.db, i.username)
      if (!user) throw new AppError('NOT_FOUND')
      return { userId: user.id }
    },
    'users.resetPassword': (i, ctx) => accounts.resetPassword(deps, i, ctx),
    'users.unlock': (i, ctx) => accounts.unlockUser(deps, i, ctx),
  } satisfies Partial<Handlers>
}
