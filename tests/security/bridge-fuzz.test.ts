import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import fc from 'fast-check'
import { startBridgeProcess, type RunningBridge } from '../helpers/bridge.ts'
import { exchange, frame, stillServing, untilClosed, upgradeRequest } from '../helpers/raw-socket.ts'

/*
 * Issue 17: a raw-socket fuzz of the bridge, seeded so a failure replays. Random bytes, broken request lines,
 * headers and percent-encodings, WebSocket upgrades with bad Hosts and keys, then frames with reserved opcodes, bad
 * masks, lying lengths and fragments. Whatever comes back, the process must still answer an ordinary call after each
 * input, and no answer may carry a stack trace. (tests/e2e/bridge-fuzz.test.ts fuzzes the contract's JSON instead.)
 */

const SEED = 17_2026
let bridge: RunningBridge

beforeAll(async () => {
  bridge = await startBridgeProcess()
})
afterAll(async () => {
  await bridge?.stop()
})

/** Mostly what a client would send, sometimes not: so most inputs get past the parser to the routes. */
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: usual, weight: 4 }, { arbitrary: odd, weight: 1 })

const METHODS = ['PUT', 'OPTIONS', 'CONNECT', 'TRACE', 'G\x00T', '', 'GET GET']
const PATHS = ['/', '/rpc', '/media/', '/events', '/index.html', '/assets/', '//', '/..', '/./', '\\', '*']
const ESCAPES = [
  '%',
  '%c0%ae',
  '%zz',
  '%ff',
  '%00',
  '%2e%2e%2f',
  '%E0%A4%A',
  '%u002e',
  '..',
  '%%',
  '%2F',
  '?',
  '#',
]
const VERSIONS = ['HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'http/1.1', '', 'HTTP/1.1 extra']

/** A request target made of path pieces and percent-escapes, valid or not. */
const target = fc
  .tuple(
    fc.constantFrom(...PATHS),
    fc.array(
      fc.oneof(
        fc.constantFrom(...ESCAPES),
        fc.string({ maxLength: 8 }),
        fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { maxLength: 4 }).map((a) => a.join('')),
      ),
      {
        maxLength: 8,
      },
    ),
  )
  .map(([p, parts]) => p + parts.join(''))

/** Header lines, including what no client should send: bare CR/LF, NUL, duplicates, lies about the body. */
const WELL_FORMED = fc.constantFrom(
  'Host: evil.example',
  'Content-Length: 0',
  'Content-Length: 99999999999999999999',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: gzip, chunked, identity',
  'Origin: null',
  'Origin: http://evil.example',
  'Authorization: Bearer ',
  'Range: bytes=-0',
  'Range: bytes=99999999999999999999-',
  'Range: bytes=0-1,1-2,2-3',
  'Content-Type: application/json',
  'Connection: Upgrade',
  'Upgrade: websocket',
  'Expect: 100-continue',
)
const ILL_FORMED = fc.oneof(
  fc.constantFrom('Host: [::1', 'Host:', 'Content-Length: -1', 'Content-Length: 5\r\nContent-Length: 6'),
  fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 })).map(([k, v]) => `${k}: ${v}`),
  fc.string({ maxLength: 60 }).map((s) => s.replace(/\n/g, '\r')),
  fc.nat({ max: 12_000 }).map((n) => `X-Big: ${'a'.repeat(n)}`),
)
const headers = (host: string, token: string) =>
  fc
    .tuple(
      mostly(fc.constant(`Host: ${host}`), fc.constant('X-No-Host: 1')),
      // With the real token, broken bodies and chunked encodings get as far as the RPC handler.
      fc.option(fc.constant(`Authorization: Bearer ${token}`), { nil: undefined }),
      mostly(
        fc.array(WELL_FORMED, { maxLength: 4 }),
        fc.array(fc.oneof(WELL_FORMED, ILL_FORMED), { minLength: 1, maxLength: 6 }),
      ),
    )
    .map(([h, auth, rest]) => [h, ...(auth ? [auth] : []), ...rest])

/** A whole HTTP request, broken somewhere or not at all. */
const request = (host: string, token: string) =>
  fc
    .tuple(
      mostly(fc.constantFrom('GET', 'HEAD', 'POST'), fc.constantFrom(...METHODS)),
      target,
      mostly(fc.constant('HTTP/1.1'), fc.constantFrom(...VERSIONS)),
      headers(host, token),
      fc.oneof(fc.constant(''), fc.string({ maxLength: 200 }), fc.constant('5\r\nhello\r\nzz\r\n')),
    )
    .map(([m, t, v, hs, body]) => `${m} ${t} ${v}\r\n${hs.map((h) => `${h}\r\n`).join('')}\r\n${body}`)

/** Frames after an upgrade: any opcode, reserved bits, masked or not, with a length that may lie. */
const wsFrame = fc
  .record({
    opcode: fc.integer({ min: 0, max: 15 }),
    fin: fc.boolean(),
    mask: fc.boolean(),
    rsv: fc.integer({ min: 0, max: 7 }),
    payload: fc.uint8Array({ maxLength: 300 }),
    lie: fc.option(fc.constantFrom(0, 125, 126, 65_535, 65_536, 2 ** 32, 2 ** 53 - 1), { nil: undefined }),
  })
  .map((f) =>
    frame(f.opcode, Buffer.from(f.payload), {
      fin: f.fin,
      mask: f.mask,
      rsv: f.rsv,
      ...(f.lie === undefined ? {} : { length: f.lie }),
    }),
  )

/** An upgrade (well-formed or not) followed by frames and stray bytes, split at random places. */
const upgrade = (b: RunningBridge) =>
  fc
    .tuple(
      fc.record({
        target: mostly(
          fc.constant(`/events?token=${b.token}`),
          fc.oneof(
            fc.constant('/events?token=wrong'),
            target.map((t) => `${t}?token=${b.token}`),
          ),
        ),
        host: mostly(
          fc.constant(new URL(b.origin).host),
          fc.constantFrom('[::1', '', 'evil.example', `${new URL(b.origin).hostname}:1`),
        ),
        key: mostly(
          fc.constant(undefined),
          fc.constantFrom('', 'x', 'AAAAAAAAAAAAAAAAAAAAAA==', '!!!!!!!!!!!!!!!!!!!!!!!!'),
        ),
      }),
      fc.array(
        fc.oneof(
          wsFrame,
          fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
          fc.constant(frame(0x1, Buffer.from(JSON.stringify({ session: 'x'.repeat(43) })))),
          fc.constant(frame(0x1, Buffer.from('{"session": {"__proto__": 1}}'))),
        ),
        { maxLength: 6 },
      ),
      fc.nat({ max: 40 }),
    )
    .map(([u, frames, cut]) => {
      const all = Buffer.concat([
        Buffer.from(
          upgradeRequest(b, {
            target: u.target,
            host: u.host,
            ...(u.key === undefined ? {} : { key: u.key }),
          }),
        ),
        ...frames,
      ])
      // Fragmented on the wire: the parser must cope with a request or frame cut anywhere.
      return cut && cut < all.length ? [all.subarray(0, cut), all.subarray(cut)] : [all]
    })

/** Nothing a client sends may bring back a stack trace or a path of ours. */
function checkAnswer(text: string): void {
  expect(text).not.toMatch(/\bat .*\.(ts|js):\d+|node:internal|\/electron\//)
  if (text.length) expect(text).toMatch(/^HTTP\/1\.1 \d{3} /)
}

describe('raw-socket fuzz (seeded)', () => {
  test('random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4096 }), async (bytes) => {
        const r = await exchange(bridge, [Buffer.from(bytes)], untilClosed, 15_000, { end: true })
        checkAnswer(r.text)
        await stillServing(bridge)
      }),
      { seed: SEED, numRuns: 100 },
    )
  })

  test('malformed request lines, headers and percent-encodings', async () => {
    await fc.assert(
      fc.asyncProperty(request(new URL(bridge.origin).host, bridge.token), async (raw) => {
        const r = await exchange(bridge, [Buffer.from(raw, 'latin1')], untilClosed, 15_000, { end: true })
        checkAnswer(r.text)
        await stillServing(bridge)
      }),
      { seed: SEED, numRuns: 400 },
    )
  })

  test('WebSocket upgrades with bad Hosts and keys, then bad frames', async () => {
    await fc.assert(
      fc.asyncProperty(upgrade(bridge), async (chunks) => {
        const r = await exchange(bridge, chunks, untilClosed, 15_000, { end: true })
        // After a 101 the server speaks WebSocket: only the handshake is HTTP.
        checkAnswer(r.text.split('\r\n\r\n')[0]!.length ? `${r.text.split('\r\n\r\n')[0]}\r\n` : '')
        await stillServing(bridge)
      }),
      { seed: SEED, numRuns: 250 },
    )
  })

  test('afterwards the bridge still serves, and nothing escaped to the process', async () => {
    await stillServing(bridge)
    expect(bridge.stderr()).not.toMatch(/Uncaught|ERR_UNHANDLED|core worker stopped/)
  })
})
