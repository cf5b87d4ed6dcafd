import type { CoreEvent } from '../../shared/contract.ts'
import { AppError } from '../../shared/errors.ts'
import type { RpcResult } from '../../shared/rpc.ts'
import type { Channel } from './context.ts'
import { createCore, type Core, type CoreOptions } from './core.ts'
import type { MediaFile } from './media.ts'
import { liveOwner, ownerLockHeld, readOwnerInfo } from './owner-lock.ts'
import type { ClientMessage, HostOp, OwnerMessage } from './owner-serve.ts'
import { localSocketTransport, type Link, type Transport } from './owner-socket.ts'
import { dataLayout } from './paths.ts'

/*
 * A data folder as a process sees it: either it owns the folder (the core runs here and serves the others), or it
 * is a client of the process that does, every call going over the owner's socket. Adapters (the CLI, the core
 * worker behind the app and the bridge) hold a DataFolder and need not know which.
 */

export interface DataFolder {
  readonly role: 'owner' | 'client'
  readonly dataDir: string
  dispatch(request: unknown, channel: Channel): Promise<RpcResult>
  /** Events for a session, filtered by the owner's core (Core.subscribe). */
  subscribe(session: string, channel: Channel, listener: (e: CoreEvent) => void): () => void
  resolveMedia(ticket: string, channel: Channel): Promise<MediaFile | null>
  waitForJob(jobId: string): Promise<void>
  thumbnailsIdle(): Promise<void>
  timestampsIdle(): Promise<void>
  /** Called once if the owner this client speaks to goes away (never for an owner). */
  onLost(listener: () => void): void
  /**
   * An owner waits for its clients to finish first (their work runs here); a client just disconnects. Use
   * `close({ now: true })` where the process is stopping anyway (a signal).
   */
  close(opts?: { now?: boolean }): Promise<void>
}

export interface OpenOptions {
  /** The operation needs the folder to itself (init, demo): refused while another process owns it. */
  exclusive?: boolean
  /** How long to keep trying to reach a starting owner, or to take over from one that is stopping. */
  waitMs?: number
  /**
   * A long-lived process (the app, the bridge): as a client, it tells the owner not to wait for it to leave. A
   * CLI command that owns the folder then ends when its own work and the calls under way are done.
   */
  resident?: boolean
}

/** Open a data folder: own it if nobody does, else become the owner's client. */
export async function openDataFolder(opts: CoreOptions, open: OpenOptions = {}): Promise<DataFolder> {
  const layout = dataLayout(opts.dataDir)
  const deadline = Date.now() + (open.waitMs ?? 20_000)
  let pid = '?'
  for (;;) {
    try {
      return ownerFolder(createCore(opts))
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'DATA_DIR_IN_USE' || open.exclusive) throw e
      pid = String(e.params?.pid ?? pid)
    }
    const info = readOwnerInfo(layout)
    if (info) {
      const link = await reach(localSocketTransport(info.address))
      if (link) {
        if (open.resident) link.link.send({ t: 'resident' } satisfies ClientMessage)
        return clientFolder(layout.root, link.link, link.hello)
      }
    }
    // Not reachable: the owner is still starting (migrating), or stopping and about to free the lock.
    if (Date.now() > deadline) {
      if (ownerLockHeld(layout))
        throw new AppError('OWNER_UNREACHABLE', { pid: liveOwner(layout)?.pid || pid })
      continue
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Connect and wait for the owner's hello; null when it does not answer (not listening, or hung). */
async function reach(
  transport: Transport,
): Promise<{ link: Link; hello: Extract<OwnerMessage, { t: 'hello' }> } | null> {
  let link: Link
  try {
    link = await transport.connect()
  } catch {
    return null
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      link.close()
      resolve(null)
    }, 10_000)
    link.onMessage((m) => {
      if ((m as OwnerMessage | null)?.t !== 'hello') return
      clearTimeout(timer)
      resolve({ link, hello: m as Extract<OwnerMessage, { t: 'hello' }> })
    })
    link.onClose(() => {
      clearTimeout(timer)
      resolve(null)
    })
  })
}

function ownerFolder(core: Core): DataFolder {
  return {
    role: 'owner',
    dataDir: core.dataDir,
    dispatch: (r, c) => core.dispatch(r, c),
    subscribe: (s, c, l) => core.subscribe(s, c, l),
    resolveMedia: async (t, c) => core.resolveMedia(t, c),
    waitForJob: (id) => core.waitForJob(id),
    thumbnailsIdle: () => core.thumbnailsIdle(),
    timestampsIdle: () => core.timestampsIdle(),
    onLost: () => undefined,
    async close(opts) {
      if (opts?.now) core.close()
      else await core.closeWhenIdle()
    },
  }
}

function clientFolder(dataDir: string, link: Link, hello: { owner: string; pid: number }): DataFolder {
  let seq = 0
  let lost = false
  const results = new Map<number, (r: RpcResult) => void>()
  const media = new Map<number, (m: MediaFile | null) => void>()
  const values = new Map<number, { resolve: (v: string | null) => void; reject: (e: unknown) => void }>()
  const events = new Map<number, (e: CoreEvent) => void>()
  const lostListeners: (() => void)[] = []
  const send = (m: ClientMessage) => link.send(m)

  link.onMessage((raw) => {
    const m = raw as OwnerMessage
    if (m.t === 'result') {
      results.get(m.seq)?.(m.result)
      results.delete(m.seq)
    } else if (m.t === 'media') {
      media.get(m.seq)?.(m.media)
      media.delete(m.seq)
    } else if (m.t === 'value') {
      values.get(m.seq)?.resolve(m.value)
      values.delete(m.seq)
    } else if (m.t === 'event') {
      events.get(m.sub)?.(m.event)
    }
  })
  link.onClose(() => {
    lost = true
    // Work under way ran in the owner: the caller learns it did not finish, never that it did.
    const gone = { ok: false as const, error: { code: 'OWNER_GONE' as const, params: { pid: hello.pid } } }
    for (const r of results.values()) r(gone)
    for (const m of media.values()) m(null)
    for (const v of values.values()) v.reject(new AppError('OWNER_GONE', { pid: hello.pid }))
    results.clear()
    media.clear()
    values.clear()
    events.clear()
    for (const l of lostListeners) l()
  })

  const host = (op: HostOp, arg?: string) =>
    new Promise<string | null>((resolve, reject) => {
      if (lost) return reject(new AppError('OWNER_GONE', { pid: hello.pid }))
      const id = ++seq
      values.set(id, { resolve, reject })
      send({ t: 'host', seq: id, op, ...(arg === undefined ? {} : { arg }) })
    })

  return {
    role: 'client',
    dataDir,
    dispatch(request, channel) {
      if (lost)
        return Promise.resolve({ ok: false, error: { code: 'OWNER_GONE', params: { pid: hello.pid } } })
      const id = ++seq
      return new Promise((resolve) => {
        results.set(id, resolve)
        send({ t: 'call', seq: id, channel, request })
      })
    },
    subscribe(session, channel, listener) {
      const id = ++seq
      events.set(id, listener)
      send({ t: 'sub', sub: id, channel, session })
      return () => {
        if (events.delete(id)) send({ t: 'unsub', sub: id })
      }
    },
    resolveMedia(ticket, channel) {
      if (lost) return Promise.resolve(null)
      const id = ++seq
      return new Promise((resolve) => {
        media.set(id, resolve)
        send({ t: 'media', seq: id, channel, ticket })
      })
    },
    waitForJob: async (jobId) => void (await host('waitForJob', jobId)),
    thumbnailsIdle: async () => void (await host('thumbnailsIdle')),
    timestampsIdle: async () => void (await host('timestampsIdle')),
    onLost(l) {
      if (lost) l()
      else lostListeners.push(l)
    },
    async close() {
      link.close()
    },
  }
}
