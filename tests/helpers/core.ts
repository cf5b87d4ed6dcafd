import { expect } from 'vitest'
import { createCore, type Core, type CoreOptions } from '../../electron/core/core.ts'
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract.ts'
import type { AppErrorValue } from '../../shared/errors.ts'
import { tempDir } from './bridge.ts'

export const AGENCY = { agencyName: '福州市医疗保障局', agencyCode: 'FZYBJ' }
export const ADMIN_PASSWORD = 'Chushi2026a'

/** A core over a fresh data directory with a clock the test can move. */
export function testCore(
  dataDir = tempDir(),
  extra: Pick<CoreOptions, 'anchor' | 'browseRoots' | 'mountRoot' | 'watchDevices'> = {},
) {
  let now = new Date('2026-11-23T08:00:00.000Z')
  const core = createCore({ dataDir, create: true, now: () => now, ...extra })
  const clock = {
    advance(ms: number) {
      now = new Date(now.getTime() + ms)
    },
    now: () => now,
  }

  async function call<M extends MethodName>(
    method: M,
    input: MethodInput<M>,
    session?: string,
  ): Promise<MethodOutput<M>> {
    const r = await core.dispatch({ method, input, session }, 'test')
    if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code}`), { value: r.error })
    return r.value as MethodOutput<M>
  }

  async function fail(method: string, input: unknown, session?: string): Promise<AppErrorValue> {
    const r = await core.dispatch({ method, input, session }, 'test')
    expect(r.ok, `${method} should fail`).toBe(false)
    return (r as { ok: false; error: AppErrorValue }).error
  }

  /** Initialise, sign the admin in and change the initial password: a ready administrator session. */
  async function adminSession(): Promise<string> {
    await call('system.initialize', {
      ...AGENCY,
      adminUsername: 'admin',
      adminDisplayName: '陈建国',
      adminPassword: ADMIN_PASSWORD,
    })
    const s = await call('auth.signIn', { username: 'admin', password: ADMIN_PASSWORD })
    await call(
      'auth.changePassword',
      { currentPassword: ADMIN_PASSWORD, newPassword: 'Admin2026ok' },
      s.session,
    )
    return s.session
  }

  /** Create a user with the given roles and return a session in which the initial password is already changed. */
  async function userSession(admin: string, username: string, roles: MethodInput<'users.create'>['roles']) {
    const { user } = await call(
      'users.create',
      {
        username,
        displayName: username,
        roles,
        ...(roles.includes('enforcement_officer') ? { badgeNo: '35010001' } : {}),
        initialPassword: 'Linshi2026x',
      },
      admin,
    )
    const s = await call('auth.signIn', { username, password: 'Linshi2026x' })
    await call(
      'auth.changePassword',
      { currentPassword: 'Linshi2026x', newPassword: 'Zhengshi2026y' },
      s.session,
    )
    return { user, session: s.session }
  }

  return { core: core as Core, dataDir, clock, call, fail, adminSession, userSession }
}
