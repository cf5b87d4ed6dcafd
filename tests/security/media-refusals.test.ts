import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { Refusals } from '../../electron/bridge/refusals.ts'
import { callOk, readyAdmin, rpc, startBridgeProcess, type RunningBridge } from '../helpers/bridge.ts'
import { exchange, upgradeRequest } from '../helpers/raw-socket.ts'

/*
 * Issue 17, item 9: every `/media/<junk>` request without a token appended an `access.denied` event, so any web page
 * on the machine could fill the audit trail with <img> tags. Requests without a valid bridge token (media, RPC,
 * WebSocket) are now refused by the bridge before the core is asked: counted and logged about once a minute, never
 * audited one by one. A caller with the token is the app itself, and its refusals stay in the access log.
 */

describe('refusals without the bridge token, through the real bridge', () => {
  let bridge: RunningBridge
  let admin = ''
  const auditTotal = async () =>
    ((await callOk(bridge, 'audit.list', { limit: 1 }, admin)) as { total: number }).total

  beforeAll(async () => {
    bridge = await startBridgeProcess()
    admin = await readyAdmin(bridge)
  })
  afterAll(async () => {
    await bridge?.stop()
  })

  test('a page firing /media/<junk> at the bridge writes nothing to the trail; the bridge counts and says so', async () => {
    const before = await auditTotal()
    const junk = ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '..%2F..%2Fvault', 'x'.repeat(64), '%00', '']
    for (let i = 0; i < 40; i++) {
      const id = junk[i % junk.length]!
      // What an <img src> on another origin sends: no Origin header, no token; then a guessed token.
      const query = i % 2 ? `?token=${'A'.repeat(bridge.token.length)}` : ''
      const r = await fetch(`${bridge.origin}/media/${id}${query}`)
      expect(r.status).toBe(403)
      await r.arrayBuffer()
    }
    // The other doors without the token: RPC and the event socket.
    const noToken = await fetch(`${bridge.origin}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'system.info', input: {} }),
    })
    expect(noToken.status).toBe(401)
    const ws = await exchange(bridge, [upgradeRequest(bridge, { target: '/events?token=wrong' })])
    expect(ws.status).toBe(403)
    expect(await auditTotal()).toBe(before)

    // Counted: the first of a quiet period is logged at once (the rest go into one line a minute).
    await new Promise<void>((resolve) => {
      const seen = () => /bridge refused \d+ request\(s\) before the core \(token \d+\); counted, not audited/
      if (seen().test(bridge.stderr())) return resolve()
      const onData = () => {
        if (!seen().test(bridge.stderr())) return
        bridge.process.stderr!.off('data', onData)
        resolve()
      }
      bridge.process.stderr!.on('data', onData)
    })
    // The log line is written once, not once per refusal.
    expect(bridge.stderr().match(/bridge refused/g)).toHaveLength(1)
  })

  test('with the token, a request for a ticket the core never issued is still in the access log', async () => {
    const before = await auditTotal()
    const r = await fetch(`${bridge.origin}/media/${'B'.repeat(32)}?token=${bridge.token}`)
    expect(r.status).toBe(403)
    await r.arrayBuffer()
    const { events } = (await callOk(bridge, 'audit.list', { limit: 1 }, admin)) as {
      events: { action: string; details: Record<string, unknown> }[]
    }
    expect(await auditTotal()).toBe(before + 1)
    expect(events[0]).toMatchObject({
      action: 'access.denied',
      details: { refused: 'media.stream', reason: 'no_ticket', channel: 'bridge' },
    })
    expect((await rpc(bridge, { method: 'system.info', input: {} })).status).toBe(200)
  })
})

describe('the refusal counter', () => {
  test('a flood is one line at once and one line per interval after, with the count; totals by kind', () => {
    vi.useFakeTimers()
    try {
      const lines: string[] = []
      const r = new Refusals((l) => lines.push(l), 60_000)
      for (let i = 0; i < 1000; i++) r.count(i % 4 ? 'token' : 'origin')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain('refused 1 request(s)')
      vi.advanceTimersByTime(60_000)
      expect(lines).toHaveLength(2)
      expect(lines[1]).toContain('refused 999 request(s) before the core (token 750, origin 249)')
      // Quiet for an interval: nothing more is written, and the next refusal is said at once again.
      vi.advanceTimersByTime(120_000)
      expect(lines).toHaveLength(2)
      r.count('failed', new Error('bad\x1b[31m escape'))
      expect(lines).toHaveLength(3)
      expect(lines[2]).toContain('bad?[31m escape')
      expect(r.counts()).toEqual({ token: 750, origin: 250, malformed: 0, failed: 1 })
      r.stop()
    } finally {
      vi.useRealTimers()
    }
  })
})
