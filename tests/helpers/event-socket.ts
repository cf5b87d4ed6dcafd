import WebSocket from 'ws'
import type { RunningBridge } from './bridge.ts'

/** Something a socket received: a core event, or the bridge's `events.bound`. */
export type Received = { type: string } & Record<string, unknown>

export interface EventSocket {
  /** Everything received so far, in order. */
  received: Received[]
  /** Name the session (or null) and wait for the bridge to say it is bound: later events are decided for it. */
  bind(session: string | null): Promise<void>
  /** Wait for a message matching `match` (one already received counts). */
  next(match: (m: Received) => boolean, what?: string): Promise<Received>
  close(): void
}

/**
 * A WebSocket to /events with the bridge token, the way the renderer opens one. Waits are for messages, never
 * for time; `hangMs` only turns a hung test into a failure that says what it waited for.
 */
export async function eventSocket(bridge: RunningBridge, hangMs = 60_000): Promise<EventSocket> {
  const ws = new WebSocket(`${bridge.origin.replace('http', 'ws')}/events?token=${bridge.token}`)
  const received: Received[] = []
  const waiters = new Set<() => void>()
  let closed = false
  ws.on('message', (d) => {
    received.push(JSON.parse(String(d)) as Received)
    for (const w of waiters) w()
  })
  ws.on('close', () => {
    closed = true
    for (const w of waiters) w()
  })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const next = (match: (m: Received) => boolean, what = 'a message', from = 0) =>
    new Promise<Received>((resolve, reject) => {
      const guard = setTimeout(() => done(new Error(`no ${what} within ${hangMs} ms`)), hangMs)
      const done = (err?: Error, m?: Received) => {
        clearTimeout(guard)
        waiters.delete(check)
        if (err) reject(err)
        else resolve(m!)
      }
      const check = () => {
        const m = received.slice(from).find(match)
        if (m) done(undefined, m)
        else if (closed) done(new Error(`socket closed before ${what}`))
      }
      waiters.add(check)
      check()
    })
  return {
    received,
    async bind(session) {
      const from = received.length
      ws.send(JSON.stringify({ session }))
      await next((m) => m.type === 'events.bound', 'events.bound', from)
    },
    next: (match, what) => next(match, what),
    close: () => ws.close(),
  }
}
