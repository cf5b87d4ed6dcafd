import { afterEach, describe, expect, test } from 'vitest'
import Database from 'better-sqlite3'
import { dataLayout } from '../../electron/core/paths.ts'
import { ADMIN_PASSWORD, testCore } from '../helpers/core.ts'

let open: ReturnType<typeof testCore>[] = []
function fresh() {
  const t = testCore()
  open.push(t)
  return t
}
afterEach(() => {
  for (const t of open) t.core.close()
  open = []
})

describe('first run', () => {
  test('creates the agency and an administrator who must change the password', async () => {
    const { call, fail } = fresh()
    expect((await call('system.info', {})).initialized).toBe(false)
    await call('system.initialize', {
      agencyName: '福州市医疗保障局',
      agencyCode: 'FZYBJ',
      adminUsername: 'admin',
      adminDisplayName: '陈建国',
      adminPassword: ADMIN_PASSWORD,
    })
    const info = await call('system.info', {})
    expect(info).toMatchObject({ initialized: true, agency: { name: '福州市医疗保障局', code: 'FZYBJ' } })
    const s = await call('auth.signIn', { username: 'admin', password: ADMIN_PASSWORD })
    expect(s.mustChangePassword).toBe(true)
    expect((await fail('users.list', {}, s.session)).code).toBe('PASSWORD_CHANGE_REQUIRED')
    expect(
      (await fail('auth.changePassword', { currentPassword: ADMIN_PASSWORD, newPassword: 'abc' }, s.session))
        .code,
    ).toBe('WEAK_PASSWORD')
    expect(
      (
        await fail(
          'auth.changePassword',
          { currentPassword: ADMIN_PASSWORD, newPassword: ADMIN_PASSWORD },
          s.session,
        )
      ).code,
    ).toBe('PASSWORD_REUSED')
    await call(
      'auth.changePassword',
      { currentPassword: ADMIN_PASSWORD, newPassword: 'Admin2026ok' },
      s.session,
    )
    expect((await call('users.list', {}, s.session)).users).toHaveLength(1)
  })

  test('a second initialisation is refused', async () => {
    const { call, fail, adminSession } = fresh()
    await adminSession()
    const e = await fail('system.initialize', {
      agencyName: '另一个局',
      agencyCode: 'OTHER',
      adminUsername: 'root',
      adminDisplayName: '王五',
      adminPassword: 'Other2026pw',
    })
    expect(e.code).toBe('ALREADY_INITIALIZED')
    expect((await call('system.info', {})).agency?.code).toBe('FZYBJ')
  })
})

describe('sign-in', () => {
  test('password hashes are scrypt with a per-user salt and never leave the core', async () => {
    const { call, adminSession, dataDir } = fresh()
    const admin = await adminSession()
    await call(
      'users.create',
      { username: 'a1', displayName: '甲', roles: ['auditor'], initialPassword: 'Same2026pw' },
      admin,
    )
    await call(
      'users.create',
      { username: 'a2', displayName: '乙', roles: ['auditor'], initialPassword: 'Same2026pw' },
      admin,
    )
    const db = new Database(dataLayout(dataDir).db, { readonly: true })
    const hashes = db.prepare("SELECT password_hash FROM users WHERE username IN ('a1','a2')").all() as {
      password_hash: string
    }[]
    db.close()
    expect(hashes[0]!.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/)
    expect(hashes[0]!.password_hash).not.toBe(hashes[1]!.password_hash)
    const listed = JSON.stringify(await call('users.list', {}, admin))
    expect(listed).not.toContain('scrypt')
    expect(listed).not.toContain('password')
  })

  test('locks the account after the configured number of failures, and the administrator can unlock it', async () => {
    const { call, fail, adminSession, userSession, clock } = fresh()
    const admin = await adminSession()
    const { user } = await userSession(admin, 'zhang', ['records_officer'])
    for (let i = 0; i < 4; i++)
      expect((await fail('auth.signIn', { username: 'zhang', password: 'Wrong2026' })).code).toBe(
        'BAD_CREDENTIALS',
      )
    const locked = await fail('auth.signIn', { username: 'zhang', password: 'Wrong2026' })
    expect(locked.code).toBe('ACCOUNT_LOCKED')
    // Even the right password is refused while locked.
    expect((await fail('auth.signIn', { username: 'zhang', password: 'Zhengshi2026y' })).code).toBe(
      'ACCOUNT_LOCKED',
    )
    await call('users.unlock', { userId: user.id }, admin)
    await call('auth.signIn', { username: 'zhang', password: 'Zhengshi2026y' })
    // And the lock also expires by itself.
    for (let i = 0; i < 5; i++) await fail('auth.signIn', { username: 'zhang', password: 'Wrong2026' })
    clock.advance(16 * 60_000)
    await call('auth.signIn', { username: 'zhang', password: 'Zhengshi2026y' })
  })

  test('unknown users and wrong passwords get the same answer', async () => {
    const { fail, adminSession } = fresh()
    await adminSession()
    expect((await fail('auth.signIn', { username: 'nobody', password: 'Whatever1' })).code).toBe(
      'BAD_CREDENTIALS',
    )
    expect((await fail('auth.signIn', { username: 'admin', password: 'Whatever1' })).code).toBe(
      'BAD_CREDENTIALS',
    )
  })

  test('a disabled user cannot sign in and loses open sessions', async () => {
    const { call, fail, adminSession, userSession } = fresh()
    const admin = await adminSession()
    const { user, session } = await userSession(admin, 'wang', ['approver'])
    await call('users.update', { userId: user.id, disabled: true }, admin)
    expect((await fail('auth.me', {}, session)).code).toBe('UNAUTHENTICATED')
    expect((await fail('auth.signIn', { username: 'wang', password: 'Zhengshi2026y' })).code).toBe(
      'ACCOUNT_DISABLED',
    )
  })

  test('the session locks when idle and unlocks with the password', async () => {
    const { call, fail, adminSession, clock } = fresh()
    const admin = await adminSession()
    clock.advance(16 * 60_000)
    expect((await fail('users.list', {}, admin)).code).toBe('SESSION_LOCKED')
    expect((await call('auth.me', {}, admin)).locked).toBe(true)
    expect((await fail('auth.unlock', { password: 'Nope2026x' }, admin)).code).toBe('BAD_CREDENTIALS')
    await call('auth.unlock', { password: 'Admin2026ok' }, admin)
    expect((await call('users.list', {}, admin)).users.length).toBe(1)
  })

  test('a password reset forces a change and ends the user’s sessions', async () => {
    const { call, fail, adminSession, userSession } = fresh()
    const admin = await adminSession()
    const { user, session } = await userSession(admin, 'liu', ['legal_reviewer'])
    await call('users.resetPassword', { userId: user.id, newPassword: 'Reset2026pw' }, admin)
    expect((await fail('auth.me', {}, session)).code).toBe('UNAUTHENTICATED')
    const s = await call('auth.signIn', { username: 'liu', password: 'Reset2026pw' })
    expect(s.mustChangePassword).toBe(true)
  })
})

describe('roles are checked in the core', () => {
  test('only administrators manage users and the agency', async () => {
    const { fail, adminSession, userSession } = fresh()
    const admin = await adminSession()
    const officer = await userSession(admin, 'officer1', ['enforcement_officer', 'records_officer'])
    for (const [method, input] of [
      ['users.list', {}],
      ['users.create', { username: 'x1', displayName: 'x', roles: ['admin'], initialPassword: 'Abcdef123' }],
      ['users.update', { userId: officer.user.id, roles: ['admin'] }],
      ['users.resetPassword', { userId: officer.user.id, newPassword: 'Abcdef123' }],
      ['agency.update', { name: '别的局' }],
      ['audit.list', {}],
      ['audit.verify', {}],
    ] as const) {
      expect((await fail(method, input, officer.session)).code, method).toBe('FORBIDDEN')
    }
  })

  test('auditors read and verify the trail but cannot manage users', async () => {
    const { call, fail, adminSession, userSession } = fresh()
    const admin = await adminSession()
    const auditor = await userSession(admin, 'shenji', ['auditor'])
    expect((await call('audit.verify', {}, auditor.session)).ok).toBe(true)
    expect((await call('audit.list', { limit: 5 }, auditor.session)).events).toHaveLength(5)
    expect((await fail('users.list', {}, auditor.session)).code).toBe('FORBIDDEN')
  })

  test('without a session only public methods answer', async () => {
    const { fail, adminSession } = fresh()
    await adminSession()
    expect((await fail('users.list', {})).code).toBe('UNAUTHENTICATED')
    expect((await fail('agency.get', {}, 'forged-token')).code).toBe('UNAUTHENTICATED')
  })

  test('the last active administrator cannot be removed or disabled', async () => {
    const { call, fail, adminSession } = fresh()
    const admin = await adminSession()
    const me = await call('auth.me', {}, admin)
    expect((await fail('users.update', { userId: me.user.id, roles: ['auditor'] }, admin)).code).toBe(
      'LAST_ADMIN',
    )
    expect((await fail('users.update', { userId: me.user.id, disabled: true }, admin)).code).toBe(
      'LAST_ADMIN',
    )
  })

  test('enforcement officers need a certificate number; user names are unique', async () => {
    const { call, fail, adminSession } = fresh()
    const admin = await adminSession()
    expect(
      (
        await fail(
          'users.create',
          {
            username: 'zf',
            displayName: '执法',
            roles: ['enforcement_officer'],
            initialPassword: 'Abcdef123',
          },
          admin,
        )
      ).code,
    ).toBe('BADGE_REQUIRED')
    await call(
      'users.create',
      {
        username: 'zf',
        displayName: '执法',
        roles: ['enforcement_officer'],
        badgeNo: '闽35010001',
        initialPassword: 'Abcdef123',
      },
      admin,
    )
    const dup = await fail(
      'users.create',
      { username: 'ZF', displayName: '另一个', roles: ['auditor'], initialPassword: 'Abcdef123' },
      admin,
    )
    expect(dup).toEqual({ code: 'USERNAME_TAKEN', params: { username: 'ZF' } })
  })
})

describe('every state change is audited in the same transaction', () => {
  test('a refused change writes nothing but its own record', async () => {
    const { call, fail, adminSession } = fresh()
    const admin = await adminSession()
    const before = (await call('audit.list', { limit: 1 }, admin)).total
    await fail(
      'users.create',
      { username: 'zf', displayName: '执法', roles: ['enforcement_officer'], initialPassword: 'Abcdef123' },
      admin,
    )
    expect((await call('audit.list', { limit: 1 }, admin)).total).toBe(before)
    await call('agency.update', { idleLockMinutes: 30 }, admin)
    const { events } = await call('audit.list', { limit: 1 }, admin)
    expect(events[0]).toMatchObject({
      action: 'agency.update',
      actorName: '陈建国',
      details: { idleLockMinutes: { from: 15, to: 30 } },
    })
  })
})
