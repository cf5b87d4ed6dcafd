import type { CoreEvent } from '../../shared/contract.ts'
import type { RpcResult } from '../../shared/rpc.ts'
import type { Channel } from './context.ts'
import type { MediaFile } from './media.ts'
import type { Link, Listener, Transport } from './owner-socket.ts'

/*
 * The owner protocol: what a client process (the CLI while the app runs, the bridge, a second app) asks of the
 * owner of a data folder, and what it gets back. Every contract call goes through the owner's one dispatch —
 * the same sessions, the same gate and the same audit trail as a call made in the owner's own process — and
 * events come filtered for the session a client names, exactly as a window or WebSocket receives them.
 *
 * Besides contract calls, a client may ask the few things the CLI's adapter needs from a core (`HostOp`): wait
 * for a job, for the thumbnails, for the time-stamp queue. They reveal nothing; looking a user or a case up by
 * name is a contract method (users.find, cases.find), authorised like any other.
 */

/** What a served core must offer: the parts of Core an adapter uses. */
export interface ServedCore {
  dispatch(request: unknown, channel: Channel): Promise<RpcResult>
  subscribe(session: string, channel: Channel, listener: (e: CoreEvent) => void): () => void
  resolveMedia(ticket: string, channel?: Channel): MediaFile | null
  waitForJob(jobId: string): Promise<void>
  thumbnailsIdle(): Promise<void>
  timestampsIdle(): Promise<void>
  /** Whether work runs that a call started and nobody waits for (an ingest job). */
  busy(): boolean
}

export const HOST_OPS = ['waitForJob', 'thumbnailsIdle', 'timestampsIdle'] as const
export type HostOp = (typeof HOST_OPS)[number]

export type ClientMessage =
  | { t: 'call'; seq: number; channel: Channel; request: unknown }
  | { t: 'media'; seq: number; channel: Channel; ticket: string }
  | { t: 'sub'; sub: number; channel: Channel; session: string }
  | { t: 'unsub'; sub: number }
  | { t: 'host'; seq: number; op: HostOp; arg?: string }
  /** A long-lived client (the app, the bridge): an owner that is done need not wait for it to leave. */
  | { t: 'resident' }

export type OwnerMessage =
  | { t: 'hello'; owner: string; pid: number }
  | { t: 'result'; seq: number; result: RpcResult }
  | { t: 'media'; seq: number; media: MediaFile | null }
  | { t: 'event'; sub: number; event: CoreEvent }
  | { t: 'value'; seq: number; value: string | null }

/**
 * The channels a local client may speak for. 'test' is not one: it is for in-process test cores. A remote
 * transport would fix the channel itself instead of taking the client's word.
 */
const CLIENT_CHANNELS: readonly Channel[] = ['cli', 'bridge', 'ipc']

const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0
const isChannel = (v: unknown): v is Channel => CLIENT_CHANNELS.includes(v as Channel)

/** A message of the protocol, or null for anything else (which ends the link). */
function parse(m: unknown): ClientMessage | null {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return null
  const o = m as Record<string, unknown>
  switch (o.t) {
    case 'call':
      return isSeq(o.seq) && isChannel(o.channel) ? (o as ClientMessage) : null
    case 'media':
      return isSeq(o.seq) && isChannel(o.channel) && typeof o.ticket === 'string'
        ? (o as ClientMessage)
        : null
    case 'sub':
      return isSeq(o.sub) && isChannel(o.channel) && typeof o.session === 'string'
        ? (o as ClientMessage)
        : null
    case 'unsub':
      return isSeq(o.sub) ? (o as ClientMessage) : null
    case 'resident':
      return o as ClientMessage
    case 'host':
      return isSeq(o.seq) &&
        HOST_OPS.includes(o.op as HostOp) &&
        (o.arg === undefined || typeof o.arg === 'string')
        ? (o as ClientMessage)
        : null
    default:
      return null
  }
}

async function hostOp(core: ServedCore, op: HostOp, arg: string): Promise<string | null> {
  switch (op) {
    case 'waitForJob':
      await core.waitForJob(arg)
      return null
    case 'thumbnailsIdle':
      await core.thumbnailsIdle()
      return null
    case 'timestampsIdle':
      await core.timestampsIdle()
      return null
  }
}

/** What the owner knows of one client: whether it stays for good, and how many of its calls are under way. */
interface LinkState {
  resident: boolean
  inFlight: number
}

function serveLink(
  core: ServedCore,
  link: Link,
  owner: { owner: string; pid: number },
  state: LinkState,
  settled: () => void,
): void {
  const subscriptions = new Map<number, () => void>()
  link.onClose(() => {
    for (const off of subscriptions.values()) off()
    subscriptions.clear()
  })
  const track = <T>(work: Promise<T>): Promise<T> => {
    state.inFlight++
    return work.finally(() => {
      state.inFlight--
      settled()
    })
  }
  link.onMessage((raw) => {
    const m = parse(raw)
    if (!m) return link.close()
    switch (m.t) {
      case 'call':
        void track(core.dispatch(m.request, m.channel)).then((result) =>
          link.send({ t: 'result', seq: m.seq, result }),
        )
        return
      case 'media':
        link.send({ t: 'media', seq: m.seq, media: core.resolveMedia(m.ticket, m.channel) })
        return
      case 'sub':
        subscriptions.get(m.sub)?.()
        subscriptions.set(
          m.sub,
          core.subscribe(m.session, m.channel, (event) => link.send({ t: 'event', sub: m.sub, event })),
        )
        return
      case 'unsub':
        subscriptions.get(m.sub)?.()
        subscriptions.delete(m.sub)
        return
      case 'host':
        void track(hostOp(core, m.op, m.arg ?? '').catch(() => null)).then((value) =>
          link.send({ t: 'value', seq: m.seq, value }),
        )
        return
      case 'resident':
        state.resident = true
        settled()
        return
    }
  })
  link.send({ t: 'hello', ...owner } satisfies OwnerMessage)
}

export interface OwnerServer {
  /** Clients connected now. */
  clients(): number
  /**
   * For an owner that is done with its own work (a CLI command): resolves once nothing depends on it any more —
   * every passing client (another command) has gone, no call of a resident client (the app) is under way, and no
   * job started through it still runs — and then stops accepting. Resident clients are cut when it closes; they
   * open the folder again themselves, as its next owner.
   */
  finish(): Promise<void>
  close(): void
}

/** Serve a core to clients over a transport; a listen that fails leaves the owner working, unreachable. */
export function serveOwner(
  core: ServedCore,
  transport: Transport,
  owner: { owner: string; pid: number },
): OwnerServer {
  const links = new Set<LinkState>()
  let waiters: (() => void)[] = []
  let listener: Listener | null = null
  let closed = false
  const settled = () => {
    for (const w of waiters.splice(0)) w()
  }
  const ready = transport
    .listen((link) => {
      const state: LinkState = { resident: false, inFlight: 0 }
      links.add(state)
      link.onClose(() => {
        links.delete(state)
        settled()
      })
      serveLink(core, link, owner, state, settled)
    })
    .then((l) => {
      if (closed) l.close()
      else listener = l
    })
    .catch((e: unknown) => console.error('[liuhen] owner socket not served', e))
  const needed = () => [...links].some((l) => !l.resident || l.inFlight > 0) || core.busy()
  const idle = async () => {
    await ready
    while (!closed && needed())
      // Woken by a link closing or a call ending; a job that ends on its own is seen within the second.
      await new Promise<void>((resolve) => {
        waiters.push(resolve)
        setTimeout(resolve, 1000).unref()
      })
  }
  return {
    clients: () => links.size,
    async finish() {
      await idle()
      listener?.stop()
      // A client that connected just before the door closed is served to the end too.
      await idle()
    },
    close() {
      closed = true
      listener?.close()
      listener = null
      settled()
      waiters = []
    },
  }
}
