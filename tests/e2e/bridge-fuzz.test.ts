import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import fc from 'fast-check'
import WebSocket from 'ws'
import { z } from 'zod'
import { contract, METHOD_NAMES, type MethodName } from '../../shared/contract.ts'
import { ERROR_CODES } from '../../shared/errors.ts'
import { callOk, rpc, startBridgeProcess, type RunningBridge } from '../helpers/bridge.ts'

/*
 * Random and malformed JSON at every contract method through the real loopback bridge. Every answer
 * must be a typed envelope (a valid output, or an error with a known code and no stack trace), and the
 * process must stay up.
 */

let bridge: RunningBridge

/**
 * The administrator's session; for the methods about one's own account (wrong passwords at unlock count
 * towards a lockout) a second administrator kept for that, so a lockout there cannot stop the other methods.
 */
type MeAnswer = { ok: boolean; value: { locked: boolean } }
const live: Record<'admin' | 'fuzzself', string | undefined> = { admin: undefined, fuzzself: undefined }
async function signIn(method: string): Promise<string> {
  const who = method.startsWith('auth.') ? 'fuzzself' : 'admin'
  // A session the previous method's random input left alive is reused (a signed-in check costs nothing; a sign-in
  // costs one scrypt, about 0.2 s, which for every method was a fifth of this file's time). One that random
  // input signed out, locked or expired is replaced, so each method starts with a live session as before.
  const held = live[who]
  const me = held && ((await rpc(bridge, { method: 'auth.me', input: {}, session: held })).json as MeAnswer)
  if (me && me.ok && !me.value.locked) return held
  const r = await rpc(bridge, {
    method: 'auth.signIn',
    input: { username: who, password: who === 'fuzzself' ? 'Fuzzself2026ok' : 'Admin2026ok' },
  })
  return (live[who] = (r.json as { value: { session: string } }).value.session)
}

function checkEnvelope(method: string, body: unknown): void {
  const text = JSON.stringify(body)
  expect(text).not.toMatch(/\bat .*\.(ts|js):\d+|stack/i)
  const env = body as { ok: boolean; value?: unknown; error?: { code: string } }
  if (env.ok) {
    const def = contract[method as MethodName]
    expect(def, `unexpected success for ${method}`).toBeDefined()
    expect(() => (def.output as z.ZodType).parse(env.value)).not.toThrow()
  } else {
    expect(ERROR_CODES as readonly string[]).toContain(env.error?.code)
  }
}

/** Values that look like the method's input: its own keys with random values, or anything at all. */
function inputFor(method: MethodName): fc.Arbitrary<unknown> {
  const schema = contract[method].input as unknown as { shape?: Record<string, unknown> }
  const keys = Object.keys(schema.shape ?? {})
  const shaped = keys.length
    ? fc.dictionary(fc.constantFrom(...keys), fc.oneof(fc.jsonValue(), fc.string({ maxLength: 300 })), {
        maxKeys: keys.length,
      })
    : fc.constant({})
  return fc.oneof(shaped, fc.jsonValue(), fc.anything())
}

beforeAll(async () => {
  bridge = await startBridgeProcess()
  const init = await rpc(bridge, {
    method: 'system.initialize',
    input: {
      agencyName: '测试医保局',
      agencyCode: 'TEST',
      adminUsername: 'admin',
      adminDisplayName: '管理员',
      adminPassword: 'Chushi2026a',
    },
  })
  expect(init.json).toMatchObject({ ok: true })
  const s = (
    await rpc(bridge, { method: 'auth.signIn', input: { username: 'admin', password: 'Chushi2026a' } })
  ).json as {
    value: { session: string }
  }
  await rpc(bridge, {
    method: 'auth.changePassword',
    input: { currentPassword: 'Chushi2026a', newPassword: 'Admin2026ok' },
    session: s.value.session,
  })
  await callOk(
    bridge,
    'users.create',
    { username: 'fuzzself', displayName: '测试管理员', roles: ['admin'], initialPassword: 'Linshi2026x' },
    s.value.session,
  )
  const f = await callOk(bridge, 'auth.signIn', { username: 'fuzzself', password: 'Linshi2026x' })
  await callOk(
    bridge,
    'auth.changePassword',
    { currentPassword: 'Linshi2026x', newPassword: 'Fuzzself2026ok' },
    f.session as string,
  )
})

afterAll(async () => {
  await bridge?.stop()
})

describe('bridge fuzz', () => {
  test.each(METHOD_NAMES)('%s answers random input with typed envelopes', async (method) => {
    const session = await signIn(method)
    await fc.assert(
      fc.asyncProperty(inputFor(method), fc.constantFrom(session, undefined, 'forged'), async (input, s) => {
        let body: string
        try {
          body = JSON.stringify({ method, input, session: s })
        } catch {
          return // fc.anything() can build values JSON cannot carry (BigInt); the browser could not send them either
        }
        const r = await rpc(bridge, body, { raw: true })
        expect(r.status).toBe(200)
        checkEnvelope(method, r.json)
      }),
      { numRuns: 60 },
    )
  })

  test('malformed envelopes and bodies are typed errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        async (raw) => {
          const r = await rpc(bridge, raw, { raw: true })
          expect(r.status).toBe(200)
          checkEnvelope('?', r.json)
        },
      ),
      { numRuns: 200 },
    )
    const big = await rpc(
      bridge,
      JSON.stringify({ method: 'system.info', input: { x: 'x'.repeat(2 * 1024 * 1024) } }),
      { raw: true },
    )
    expect(big.status).toBe(413)
    expect(big.json).toEqual({ ok: false, error: { code: 'BAD_REQUEST' } })
  })

  test('the bridge refuses callers without the token, from other origins, or for other hosts', async () => {
    const body = JSON.stringify({ method: 'system.info', input: {} })
    const noToken = await fetch(`${bridge.origin}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    expect(noToken.status).toBe(401)
    const foreign = await rpc(
      bridge,
      { method: 'system.info', input: {} },
      { headers: { origin: 'http://evil.example' } },
    )
    expect(foreign.status).toBe(403)
    // DNS rebinding: a page on another name that resolves to 127.0.0.1 still sends its own Host.
    const { request } = await import('node:http')
    const status = await new Promise<number>((resolve) => {
      const req = request(
        `${bridge.origin}/rpc`,
        {
          method: 'POST',
          headers: {
            host: 'evil.example',
            'content-type': 'application/json',
            authorization: `Bearer ${bridge.token}`,
          },
        },
        (res) => resolve(res.statusCode ?? 0),
      )
      req.end(body)
    })
    expect(status).toBe(403)
    const ws = new WebSocket(`${bridge.origin.replace('http', 'ws')}/events?token=wrong`)
    const outcome = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'))
      ws.on('error', () => resolve('refused'))
      ws.on('unexpected-response', () => resolve('refused'))
    })
    expect(outcome).toBe('refused')
  })

  test('core events reach a WebSocket holding the token once it names a signed-in session', async () => {
    const ws = new WebSocket(`${bridge.origin.replace('http', 'ws')}/events?token=${bridge.token}`)
    await new Promise((resolve, reject) => {
      ws.on('open', resolve)
      ws.on('error', reject)
    })
    const messages: { type: string }[] = []
    const next = (type: string) =>
      new Promise<unknown>((resolve) => {
        const check = () => {
          const m = messages.find((x) => x.type === type)
          if (m) resolve(m)
          else ws.once('message', check)
        }
        check()
      })
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as { type: string }))
    // The administrator may read the trail, so hears it grow (tests/security/bridge-events.test.ts has the rest).
    ws.send(JSON.stringify({ session: await signIn('admin') }))
    await next('events.bound')
    // A fresh sign-in (signIn() may reuse a live session, which appends nothing): audited, so the trail grows.
    await rpc(bridge, { method: 'auth.signIn', input: { username: 'admin', password: 'Admin2026ok' } })
    expect(await next('audit.appended')).toMatchObject({ type: 'audit.appended' })
    ws.close()
  })

  test('forged and guessed evidence ids over HTTP are refused like forbidden ones, and logged', async () => {
    const admin = await signIn('admin')
    await rpc(bridge, {
      method: 'users.create',
      input: {
        username: 'guess',
        displayName: '王猜测',
        roles: ['enforcement_officer'],
        badgeNo: '35019999',
        initialPassword: 'Linshi2026x',
      },
      session: admin,
    })
    const s = (
      (await rpc(bridge, { method: 'auth.signIn', input: { username: 'guess', password: 'Linshi2026x' } }))
        .json as {
        value: { session: string }
      }
    ).value.session
    await rpc(bridge, {
      method: 'auth.changePassword',
      input: { currentPassword: 'Linshi2026x', newPassword: 'Zhengshi2026x' },
      session: s,
    })
    const forged = ['00000000-0000-4000-8000-000000000000', '../../vault', "' OR 1=1 --", 'x'.repeat(64)]
    for (const id of forged) {
      for (const method of ['media.open', 'evidence.thumbnail'] as const) {
        const r = await rpc(bridge, { method, input: { evidenceId: id }, session: s })
        expect(r.json).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
      }
      // No ticket the core issued, asked with the bridge token (as the app would): refused, and the refusal is in
      // the access log too (checked below). Without the token it is counted, not logged (tests/security).
      const media = await fetch(`${bridge.origin}/media/${encodeURIComponent(id)}?token=${bridge.token}`)
      expect(media.status).toBe(403)
    }
    const audit = (
      (await rpc(bridge, { method: 'audit.list', input: { limit: 100 }, session: admin })).json as {
        value: { events: { action: string; targetType: string | null; targetId: string | null }[] }
      }
    ).value.events
    for (const id of forged)
      expect(audit.some((e) => e.action === 'access.denied' && e.targetId === id.slice(0, 64))).toBe(true)
    expect(
      audit.filter((e) => e.action === 'access.denied' && e.targetType === 'media').length,
    ).toBeGreaterThanOrEqual(forged.length)
  })

  test('the process is still up and serving', async () => {
    expect(bridge.process.exitCode).toBeNull()
    const r = await rpc(bridge, { method: 'system.info', input: {} })
    expect(r.json).toMatchObject({ ok: true, value: { initialized: true } })
  })
})
