import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { AuditEvent } from '../../shared/contract.ts'
import { mediaResponse } from '../../electron/main/media-protocol.ts'
import {
  callOk,
  ingestThroughBridge,
  readyAdmin,
  readyUser,
  startBridgeProcess,
  tempDir,
  type RunningBridge,
} from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { makeClip } from '../helpers/media.ts'

/*
 * Issue 17, item 7: a media ticket kept streaming after its holder signed out, was disabled or lost the role it was
 * opened with, and /media needed no bridge token. A ticket now holds the session, and every byte request (bridge
 * route and Electron protocol alike) asks the core again with the session and the user as they are now; the bridge
 * also wants its token. Each refusal of a ticket holder is in the access log (access.denied, media.stream).
 */

describe('media tickets through the real bridge', () => {
  let bridge: RunningBridge
  let admin = ''
  let evidenceId = ''
  const users: Record<string, { id: string; session: string }> = {}

  const bytes = (ticket: string, token: string | null = bridge.token) =>
    fetch(`${bridge.origin}/media/${ticket}${token === null ? '' : `?token=${encodeURIComponent(token)}`}`, {
      headers: { range: 'bytes=0-9' },
    }).then(async (r) => {
      await r.arrayBuffer()
      return r.status
    })
  const open = async (session: string) =>
    (await callOk(bridge, 'media.open', { evidenceId }, session)).ticket as string
  const denials = async () =>
    (
      (await callOk(bridge, 'audit.list', { action: 'access.denied', limit: 500 }, admin)) as {
        events: AuditEvent[]
      }
    ).events

  beforeAll(async () => {
    bridge = await startBridgeProcess()
    admin = await readyAdmin(bridge)
    users.lijing = await readyUser(bridge, admin, {
      username: 'lijing',
      displayName: '李静',
      roles: ['enforcement_officer'],
      badgeNo: '35010001',
    })
    users.jilu = await readyUser(bridge, admin, {
      username: 'jilu',
      displayName: '纪律',
      roles: ['records_officer'],
    })
    const dir = tempDir('liuhen-tickets-')
    makeClip(path.join(dir, 'ZD_20261123080000_0001.MP4'))
    ;[evidenceId] = (await ingestThroughBridge(bridge, users.lijing.session, { sourceRoot: dir })) as [string]
  })
  afterAll(async () => {
    await bridge?.stop()
  })

  test('without the bridge token a live ticket streams nothing', async () => {
    const ticket = await open(users.lijing!.session)
    expect(await bytes(ticket, null)).toBe(403)
    expect(await bytes(ticket, 'x'.repeat(bridge.token.length))).toBe(403)
    expect(await bytes(ticket)).toBe(206)
  })

  test('signing out ends the ticket at the next byte request, and the refusal is logged', async () => {
    const ticket = await open(users.lijing!.session)
    expect(await bytes(ticket)).toBe(206)
    await callOk(bridge, 'auth.signOut', {}, users.lijing!.session)
    expect(await bytes(ticket)).toBe(403)
    expect((await denials()).find((e) => e.targetId === evidenceId)).toMatchObject({
      actorId: users.lijing!.id,
      details: { refused: 'media.stream', reason: 'no_session', channel: 'bridge' },
    })
    // Dropped with the refusal: signing in again does not bring the old ticket back.
    users.lijing!.session = (
      await callOk(bridge, 'auth.signIn', { username: 'lijing', password: 'Zhengshi2026x' })
    ).session as string
    expect(await bytes(ticket)).toBe(403)
  })

  test('losing the role the ticket was opened under ends it', async () => {
    // The records officer opens the officer's recording for filing work (custodian basis) ...
    const ticket = await open(users.jilu!.session)
    expect(await bytes(ticket)).toBe(206)
    // ... and is moved to another post while the player is open. A role change also ends the user's sessions
    // (tests/security/sessions.test.ts), so the next byte request finds no session behind the ticket.
    await callOk(bridge, 'users.update', { userId: users.jilu!.id, roles: ['approver'] }, admin)
    expect(await bytes(ticket)).toBe(403)
    expect((await denials()).find((e) => e.actorId === users.jilu!.id)).toMatchObject({
      targetId: evidenceId,
      details: { refused: 'media.stream', reason: 'no_session' },
    })
  })

  test('a disabled holder streams nothing more', async () => {
    const ticket = await open(users.lijing!.session)
    expect(await bytes(ticket)).toBe(206)
    await callOk(bridge, 'users.update', { userId: users.lijing!.id, disabled: true }, admin)
    expect(await bytes(ticket)).toBe(403)
    const refusals = (await denials()).filter(
      (e) => e.actorId === users.lijing!.id && e.details.reason === 'no_session',
    )
    expect(refusals).toHaveLength(2) // the sign-out above, and this one
  })
})

describe('the Electron protocol handler asks the same core check (liuhen-media://)', () => {
  const t = testCore()
  let admin = ''
  let evidenceId = ''
  const get = (ticket: string) =>
    mediaResponse(new Request(`liuhen-media://media/${ticket}`, { headers: { range: 'bytes=0-9' } }), (x) =>
      Promise.resolve(t.core.resolveMedia(x, 'ipc')),
    ).then(async (r) => {
      await r.arrayBuffer()
      return r.status
    })

  beforeAll(async () => {
    admin = await t.adminSession()
    const officer = await t.userSession(admin, 'lijing', ['enforcement_officer'])
    const dir = tempDir('liuhen-tickets-ipc-')
    makeClip(path.join(dir, 'ZD_20261123080000_0001.MP4'))
    const { jobId } = await t.call('ingest.start', { sourceRoot: dir }, officer.session)
    await t.core.waitForJob(jobId)
    evidenceId = (await t.call('ingest.jobs', {}, officer.session)).jobs[0]!.results[0]!.evidenceId!
    await t.call('auth.signOut', {}, officer.session)
  })

  test('sign-out, lock and idle lock end a ticket; unlocking does not revive a dropped one', async () => {
    const s1 = (await t.call('auth.signIn', { username: 'lijing', password: 'Zhengshi2026y' })).session
    const a = (await t.call('media.open', { evidenceId }, s1)).ticket
    expect(await get(a)).toBe(206)
    await t.call('auth.lock', {}, s1)
    expect(await get(a)).toBe(403)
    await t.call('auth.unlock', { password: 'Zhengshi2026y' }, s1)
    expect(await get(a)).toBe(403)

    // Idle past the agency's lock time (here 5 minutes, within a ticket's 10): the next byte is refused even before
    // any call locks the session.
    await t.call('agency.update', { idleLockMinutes: 5 }, admin)
    const b = (await t.call('media.open', { evidenceId }, s1)).ticket
    expect(await get(b)).toBe(206)
    t.clock.advance(6 * 60_000)
    expect(await get(b)).toBe(403)
    await t.call('auth.unlock', { password: 'Zhengshi2026y' }, s1)

    const c = (await t.call('media.open', { evidenceId }, s1)).ticket
    await t.call('auth.signOut', {}, s1)
    expect(await get(c)).toBe(403)
    // The administrator's session idled out with the clock too: a fresh one reads the trail.
    const reader = (await t.call('auth.signIn', { username: 'admin', password: 'Admin2026ok' })).session
    const { events } = await t.call('audit.list', { action: 'access.denied', limit: 10 }, reader)
    expect(
      events.filter((e) => e.details.reason === 'no_session' && e.details.channel === 'ipc'),
    ).toHaveLength(3)
  })
})
