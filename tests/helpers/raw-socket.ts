import crypto from 'node:crypto'
import net from 'node:net'
import { expect } from 'vitest'
import { rpc, type RunningBridge } from './bridge.ts'

/*
 * Raw TCP to the bridge: what a hostile client can send that fetch and ws never would (broken request lines,
 * percent-encodings, frames). No timing: every exchange waits for an answer or for the server to close.
 */

export interface Exchange {
  /** Everything the server sent back, as latin1 (status lines and headers are ASCII). */
  text: string
  /** The server closed (or reset) the connection. */
  closed: boolean
  /** The HTTP status of the first response line, or null when none came. */
  status: number | null
}

/**
 * Write `chunks` one after another and resolve when `done(text)` says the answer is complete, or when the
 * server closes. `hangMs` only guards against a hung test; it is never what a test asserts on.
 */
export function exchange(
  bridge: RunningBridge,
  chunks: (string | Buffer)[],
  done: (text: string) => boolean = headComplete,
  hangMs = 15_000,
  opts: { end?: boolean } = {},
): Promise<Exchange> {
  const { hostname, port } = new URL(bridge.origin)
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname)
    let text = ''
    let settled = false
    const finish = (closed: boolean) => {
      if (settled) return
      settled = true
      clearTimeout(guard)
      socket.destroy()
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text)
      resolve({ text, closed, status: m ? Number(m[1]) : null })
    }
    const guard = setTimeout(() => finish(false), hangMs)
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1')
      if (done(text)) finish(false)
    })
    socket.on('error', () => finish(true))
    socket.on('close', () => finish(true))
    socket.on('connect', () => {
      socket.setNoDelay(true)
      for (const c of chunks) if (!socket.destroyed) socket.write(c)
      // Half-close: the server sees the end of what we send, so an incomplete request ends too.
      if (opts.end && !socket.destroyed) socket.end()
    })
  })
}

/** A response head has arrived (status line and headers). */
export const headComplete = (text: string) => text.includes('\r\n\r\n')

/** Wait for the server to close: for frames after an upgrade, whose answer is a close. */
export const untilClosed = () => false

/** A masked client frame, as RFC 6455 §5.2 lays it out; `length` may lie about the payload. */
export function frame(
  opcode: number,
  payload: Buffer,
  opts: { fin?: boolean; mask?: boolean; length?: number; rsv?: number } = {},
): Buffer {
  const fin = opts.fin ?? true
  const mask = opts.mask ?? true
  const len = opts.length ?? payload.length
  const head: number[] = [(fin ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | (opcode & 0x0f)]
  const m = mask ? 0x80 : 0
  if (len < 126) head.push(m | len)
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff)
  else {
    const b = Buffer.alloc(8)
    b.writeBigUInt64BE(BigInt(len))
    head.push(m | 127, ...b)
  }
  const key = crypto.randomBytes(4)
  const body = Buffer.from(payload)
  if (mask) for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!
  return Buffer.concat([Buffer.from(head), mask ? key : Buffer.alloc(0), body])
}

/** The HTTP upgrade request for /events, with whatever the test wants to break. */
export function upgradeRequest(
  bridge: RunningBridge,
  opts: { target?: string; host?: string; key?: string; extra?: string } = {},
): string {
  const host = opts.host ?? new URL(bridge.origin).host
  const target = opts.target ?? `/events?token=${bridge.token}`
  return (
    `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${opts.key ?? crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
    `${opts.extra ?? ''}\r\n`
  )
}

/** The process is up and answers an ordinary call. */
export async function stillServing(bridge: RunningBridge): Promise<void> {
  expect(bridge.process.exitCode, 'the bridge process exited').toBeNull()
  const r = await rpc(bridge, { method: 'system.info', input: {} })
  expect(r.json).toMatchObject({ ok: true })
}
