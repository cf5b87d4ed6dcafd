import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { testCore } from '../helpers/core.ts'

/*
 * Attack (issue 17 item 12): a password is changed because someone else learnt it, yet that someone stays
 * signed in in their own session; and the old password can simply be set again. A change of password (and an
 * administrator's reset, disabling or change of roles) ends the user's other sessions; the current and recent
 * passwords are refused with a typed error.
 */

let t: ReturnType<typeof testCore>
let admin: string
let userId: string

const signIn = async (password: string) => (await t.call('auth.signIn', { username: 'xu', password })).session

beforeAll(async () => {
  t = testCore()
  admin = await t.adminSession()
  userId = (await t.userSession(admin, 'xu', ['enforcement_officer'])).user.id
})

afterAll(() => t?.core.close())

describe('a password change ends the other sessions', () => {
  test("the thief's session ends; the changing session stays; the audit says how many ended", async () => {
    const mine = await signIn('Zhengshi2026y')
    const thief = await signIn('Zhengshi2026y')
    await t.call(
      'auth.changePassword',
      { currentPassword: 'Zhengshi2026y', newPassword: 'Xinmima2026a' },
      mine,
    )
    expect((await t.fail('auth.me', {}, thief)).code).toBe('UNAUTHENTICATED')
    expect((await t.call('auth.me', {}, mine)).user.username).toBe('xu')
    const [event] = (await t.call('audit.list', { action: 'auth.changePassword', limit: 1 }, admin)).events
    // The thief's, and the one userSession() left open.
    expect(event).toMatchObject({ targetId: userId, details: { otherSessionsEnded: 2 } })
  })

  test('the current and the recent passwords cannot be set again (PASSWORD_REUSED)', async () => {
    const s = await signIn('Xinmima2026a')
    // The one just replaced, and the one now in force.
    for (const newPassword of ['Zhengshi2026y', 'Xinmima2026a']) {
      const e = await t.fail('auth.changePassword', { currentPassword: 'Xinmima2026a', newPassword }, s)
      expect(e.code, newPassword).toBe('PASSWORD_REUSED')
      expect(e.params).toEqual({ count: 5 })
    }
    // Through four more changes, the first one is still remembered; after them it falls out of the window.
    let current = 'Xinmima2026a'
    for (const next of ['Disanci2026b', 'Disici2026c', 'Diwuci2026d']) {
      await t.call('auth.changePassword', { currentPassword: current, newPassword: next }, s)
      current = next
    }
    expect(
      (await t.fail('auth.changePassword', { currentPassword: current, newPassword: 'Xinmima2026a' }, s))
        .code,
    ).toBe('PASSWORD_REUSED')
    await t.call('auth.changePassword', { currentPassword: current, newPassword: 'Diliuci2026e' }, s)
    // Zhengshi2026y is now six passwords back: allowed again.
    await t.call('auth.changePassword', { currentPassword: 'Diliuci2026e', newPassword: 'Zhengshi2026y' }, s)
  })
})

describe("an administrator's changes end the user's sessions at once", () => {
  test('reset password', async () => {
    const s = await signIn('Zhengshi2026y')
    await t.call('users.resetPassword', { userId, newPassword: 'Chongzhi2026f' }, admin)
    expect((await t.fail('auth.me', {}, s)).code).toBe('UNAUTHENTICATED')
    // The user must choose a new password, and it may not be the temporary one.
    const next = await signIn('Chongzhi2026f')
    expect(
      (
        await t.fail(
          'auth.changePassword',
          { currentPassword: 'Chongzhi2026f', newPassword: 'Chongzhi2026f' },
          next,
        )
      ).code,
    ).toBe('PASSWORD_REUSED')
    await t.call(
      'auth.changePassword',
      { currentPassword: 'Chongzhi2026f', newPassword: 'Zuihou2026g' },
      next,
    )
  })

  test('role change', async () => {
    const s = await signIn('Zuihou2026g')
    await t.call('users.update', { userId, roles: ['enforcement_officer', 'approver'] }, admin)
    expect((await t.fail('auth.me', {}, s)).code).toBe('UNAUTHENTICATED')
    const [event] = (await t.call('audit.list', { action: 'users.update', limit: 1 }, admin)).events
    expect(event?.details).toMatchObject({ sessionsEnded: true })
    // A change of display name only leaves sessions alone.
    const again = await signIn('Zuihou2026g')
    await t.call('users.update', { userId, displayName: '许警官' }, admin)
    expect((await t.call('auth.me', {}, again)).user.displayName).toBe('许警官')
  })

  test('disable', async () => {
    const s = await signIn('Zuihou2026g')
    await t.call('users.update', { userId, disabled: true }, admin)
    expect((await t.fail('auth.me', {}, s)).code).toBe('UNAUTHENTICATED')
  })

  test('an administrator changing their own roles keeps the session they did it in', async () => {
    const other = (await t.call('auth.signIn', { username: 'admin', password: 'Admin2026ok' })).session
    const { user } = await t.call('auth.me', {}, admin)
    await t.call('users.update', { userId: user.id, roles: ['admin', 'auditor'] }, admin)
    expect((await t.call('auth.me', {}, admin)).user.roles).toContain('auditor')
    expect((await t.fail('auth.me', {}, other)).code).toBe('UNAUTHENTICATED')
  })
})
