import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { CoreEvent } from '../../shared/contract.ts'
import { sessionEvents } from '../../electron/core/host.ts'
import {
  callOk,
  readyAdmin,
  readyUser,
  startBridgeProcess,
  tempDir,
  type RunningBridge,
} from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { eventSocket, type EventSocket, type Received } from '../helpers/event-socket.ts'
import { makeClip } from '../helpers/media.ts'

/*
 * Issue 17, item 2: events went to every socket. Anyone holding the bridge token, signed in or not, received every
 * `ingest.file` event: record ids, file names and the GPS position of recordings they may not see. A socket now
 * hears nothing until it names a signed-in session, and then only what the core's gate lets that session see
 * (electron/core/access/events.ts); the Electron window goes through the same relay (sessionEvents).
 */

const GPS = '+26.0745+119.2965/'

/** Start an ingest as `session` and wait, on `socket`, for its end: the job id and the files' record ids. */
async function ingestHeard(bridge: RunningBridge, session: string, socket: EventSocket, dir: string) {
  const { jobId } = (await callOk(bridge, 'ingest.start', { sourceRoot: dir }, session)) as { jobId: string }
  await socket.next(
    (m) => m.type === 'ingest.done' && (m.progress as { jobId: string }).jobId === jobId,
    `ingest.done of ${jobId}`,
  )
  const files = socket.received.filter((m) => m.type === 'ingest.file' && m.jobId === jobId)
  return { jobId, evidenceIds: files.map((m) => (m.result as { evidenceId: string }).evidenceId) }
}

/** Anything in `messages` that mentions one of `needles` (a job id, a record id, a GPS position). */
const mentioning = (messages: Received[], needles: string[]) =>
  messages.filter((m) => needles.some((n) => JSON.stringify(m).includes(n)))

describe('events through the real bridge', () => {
  let bridge: RunningBridge
  const s: Record<string, string> = {}

  beforeAll(async () => {
    bridge = await startBridgeProcess()
    s.admin = await readyAdmin(bridge)
    const people: [string, string, string[]][] = [
      ['lijing', '李静', ['enforcement_officer']],
      ['zhangwei', '张伟', ['enforcement_officer']],
      ['jilu', '纪律', ['records_officer']],
    ]
    for (const [username, displayName, roles] of people)
      s[username] = (
        await readyUser(bridge, s.admin, {
          username,
          displayName,
          roles,
          ...(roles.includes('enforcement_officer') ? { badgeNo: `3501${username.length}001` } : {}),
        })
      ).session
  })
  afterAll(async () => {
    await bridge?.stop()
  })

  test("no session, a forged one or another officer's hears none of an officer's ingest; the gate's people do", async () => {
    const none = await eventSocket(bridge) // the token only, as any page that got hold of it
    const forged = await eventSocket(bridge)
    await forged.bind('A'.repeat(43))
    const own = await eventSocket(bridge)
    await own.bind(s.lijing!)
    const other = await eventSocket(bridge)
    await other.bind(s.zhangwei!)
    const filing = await eventSocket(bridge)
    await filing.bind(s.jilu!)

    const dirA = tempDir('liuhen-events-a-')
    makeClip(path.join(dirA, 'ZD_20261123080000_0001.MP4'), { location: GPS })
    const a = await ingestHeard(bridge, s.lijing!, own, dirA)
    expect(a.evidenceIds).toHaveLength(1)
    // Positive controls: the officer who brought it in, and the records officer filing it, hear it with its place.
    expect(mentioning(own.received, [GPS])).not.toEqual([])
    await filing.next((m) => m.type === 'ingest.done', "the records officer's ingest.done")
    expect(mentioning(filing.received, [a.evidenceIds[0]!])).not.toEqual([])

    // Another officer: events arrive on one socket in the order the core emitted them, so once his own ingest is
    // done, anything about the first one would already be here.
    const dirB = tempDir('liuhen-events-b-')
    makeClip(path.join(dirB, 'ZD_20261123090000_0001.MP4'))
    const b = await ingestHeard(bridge, s.zhangwei!, other, dirB)
    expect(b.evidenceIds).toHaveLength(1)
    expect(mentioning(other.received, [a.jobId, a.evidenceIds[0]!, GPS])).toEqual([])
    // Nor does the method that lists jobs show him the other officer's.
    const { jobs } = (await callOk(bridge, 'ingest.jobs', {}, s.zhangwei)) as {
      jobs: { progress: { jobId: string } }[]
    }
    expect(jobs.map((j) => j.progress.jobId)).toEqual([b.jobId])
    // Neither officer is an auditor: the trail's growth is not theirs to watch.
    expect(other.received.filter((m) => m.type === 'audit.appended')).toEqual([])

    // The sockets without a (real) session: naming one now and waiting for the answer puts everything sent to them
    // before on the wire first. There was nothing.
    await none.bind(s.zhangwei!)
    await forged.bind(s.zhangwei!)
    expect(none.received.filter((m) => m.type !== 'events.bound')).toEqual([])
    expect(forged.received.filter((m) => m.type !== 'events.bound')).toEqual([])
    for (const ws of [none, forged, own, other, filing]) ws.close()
  })

  test('a message that is not a session binding closes the socket; the bridge keeps serving', async () => {
    const ws = await eventSocket(bridge)
    await expect(
      (async () => {
        await ws.bind(42 as unknown as string)
      })(),
    ).rejects.toThrow(/closed/)
    expect((await callOk(bridge, 'system.info', {})).initialized).toBe(true)
  })
})

describe('the core decides who hears an event, at each event (Core.subscribe, the Electron relay)', () => {
  const t = testCore()
  const s: Record<string, { session: string; id: string }> = {}
  let admin = ''
  const OFFICERS = ['lijing', 'zhangwei'] as const
  // Records officers hear every ingest (filing work); each one below loses that a different way.
  const FILING = ['control', 'signedOut', 'disabled', 'demoted', 'locked'] as const

  beforeAll(async () => {
    admin = await t.adminSession()
    for (const u of OFFICERS) {
      const r = await t.userSession(admin, u, ['enforcement_officer'])
      s[u] = { session: r.session, id: r.user.id }
    }
    for (const u of FILING) {
      const r = await t.userSession(admin, `jilu_${u.toLowerCase()}`, ['records_officer'])
      s[u] = { session: r.session, id: r.user.id }
    }
  })

  /** Ingest one clip as the officer; each listener's list holds what it heard during that ingest. */
  async function ingest(heard: Record<string, CoreEvent[]>, n: number): Promise<string> {
    for (const k of Object.keys(heard)) heard[k]!.length = 0
    const dir = tempDir('liuhen-events-core-')
    makeClip(path.join(dir, `ZD_2026112310000${n}_0001.MP4`), { location: GPS, seconds: 1 })
    const { jobId } = await t.call('ingest.start', { sourceRoot: dir }, s.lijing!.session)
    await t.core.waitForJob(jobId)
    return jobId
  }
  const files = (list: CoreEvent[] | undefined) => (list ?? []).filter((e) => e.type === 'ingest.file')

  test('signed out, disabled, stripped of the role, locked or unbound: the next event is not delivered', async () => {
    const heard: Record<string, CoreEvent[]> = { electron: [] }
    for (const u of [...OFFICERS, ...FILING]) {
      heard[u] = []
      t.core.subscribe(s[u]!.session, 'ipc', (e) => heard[u]!.push(e))
    }
    // The Electron window's relay, bound to the session its page holds.
    const relay = sessionEvents(t.core, 'ipc', (e) => heard.electron!.push(e))
    relay.bind(s.lijing!.session)

    const first = await ingest(heard, 1)
    for (const u of ['lijing', 'electron', ...FILING]) expect(files(heard[u]), u).toHaveLength(1)
    expect(JSON.stringify(files(heard.lijing))).toContain(GPS)
    expect(heard.zhangwei!.filter((e) => JSON.stringify(e).includes(first))).toEqual([])

    await t.call('auth.signOut', {}, s.signedOut!.session)
    await t.call('users.update', { userId: s.disabled!.id, disabled: true }, admin)
    await t.call('users.update', { userId: s.demoted!.id, roles: ['approver'] }, admin)
    await t.call('auth.lock', {}, s.locked!.session)
    relay.bind(null) // the page signed out

    await ingest(heard, 2)
    expect(files(heard.lijing)).toHaveLength(1)
    expect(files(heard.control)).toHaveLength(1)
    for (const u of ['electron', 'signedOut', 'disabled', 'demoted', 'locked'])
      expect(heard[u], u).toEqual([])
  })
})
