import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker as NodeWorker, type Worker } from 'node:worker_threads'
import type { CoreEvent } from '../../shared/contract.ts'
import type { RpcResult } from '../../shared/rpc.ts'
import type { Channel } from './context.ts'
import type { CoreOptions } from './core.ts'
import type { MediaFile } from './media.ts'

/**
 * What an adapter needs from the core, whether it runs in this thread or in a worker.
 * Adapters hold a CoreHost, never the database.
 */
export interface CoreHost {
  dispatch(request: unknown, channel: Channel): Promise<RpcResult>
  /** The file a live media ticket names (see core/media.ts), or null. */
  resolveMedia(ticket: string, channel: Channel): Promise<MediaFile | null>
  /**
   * The events the session may receive (Core.subscribe): the core filters, in its own thread, as each event
   * happens. There is deliberately no unfiltered feed here: an adapter cannot forward what nobody decided on.
   */
  subscribe(session: string, channel: Channel, listener: (e: CoreEvent) => void): () => void
  close(): Promise<void>
}

export type WorkerMessage =
  | { type: 'result'; seq: number; result: RpcResult }
  | { type: 'media'; seq: number; media: MediaFile | null }
  | { type: 'event'; sub: number; event: CoreEvent }

/** What the host sends the worker: a call, a media request, or a subscription opened or closed. */
export type HostMessage =
  | { seq: number; request: unknown; channel: Channel }
  | { seq: number; media: string; channel: Channel }
  | { subscribe: number; session: string; channel: Channel }
  | { unsubscribe: number }

/**
 * One window's or socket's events: none until its page names a session (again at each sign-in, null at sign-out);
 * then what the core lets that session see. The bridge (per WebSocket) and the Electron shell (per window) both
 * relay through this, so neither forwards an event the core did not decide on.
 */
export function sessionEvents(
  host: Pick<CoreHost, 'subscribe'>,
  channel: Channel,
  deliver: (e: CoreEvent) => void,
): { bind(session: unknown): void; close(): void } {
  let unsubscribe: (() => void) | null = null
  const close = () => {
    unsubscribe?.()
    unsubscribe = null
  }
  return {
    bind(session) {
      close()
      // Session tokens are 43 characters; anything not a plausible one subscribes nothing.
      if (typeof session === 'string' && session.length > 0 && session.length <= 256)
        unsubscribe = host.subscribe(session, channel, deliver)
    },
    close,
  }
}

/**
 * Run the core in a worker thread so that hashing, SQLite and scrypt never block the thread that serves
 * the UI (Electron's main process, the bridge's HTTP loop). `{seq, request}` in, `{seq, result}` out.
 * If the worker dies, calls in flight fail with INTERNAL and the next call starts a fresh worker.
 */
export function startCoreWorker(
  makeWorker: (workerData: Omit<CoreOptions, 'now'>) => Worker,
  opts: Omit<CoreOptions, 'now'>,
): CoreHost {
  const subscriptions = new Map<number, (e: CoreEvent) => void>()
  const pending = new Map<number, (r: RpcResult) => void>()
  const pendingMedia = new Map<number, (m: MediaFile | null) => void>()
  let seq = 0
  let worker: Worker | null = null
  let closing = false

  function spawn(): Worker {
    const w = makeWorker(opts)
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'result') {
        pending.get(m.seq)?.(m.result)
        pending.delete(m.seq)
      } else if (m.type === 'media') {
        pendingMedia.get(m.seq)?.(m.media)
        pendingMedia.delete(m.seq)
      } else {
        subscriptions.get(m.sub)?.(m.event)
      }
    })
    const fail = (err: unknown) => {
      if (!closing) console.error('[liuhen] core worker stopped:', err)
      for (const resolve of pending.values())
        resolve({ ok: false, error: { code: 'INTERNAL', params: { ref: 'worker' } } })
      pending.clear()
      for (const resolve of pendingMedia.values()) resolve(null)
      pendingMedia.clear()
      // Sessions lived in the worker and died with it; a new sign-in subscribes again.
      subscriptions.clear()
      worker = null
    }
    w.on('error', fail)
    w.on('exit', (code) => fail(`exit ${code}`))
    return w
  }

  // Started at once, not at the first call: the worker takes the folder's owner lock (or finds the owner) and,
  // as owner, runs start-up recovery and serves other processes while the app waits for its first click.
  worker = spawn()
  return {
    dispatch(request, channel) {
      worker ??= spawn()
      const id = ++seq
      return new Promise((resolve) => {
        pending.set(id, resolve)
        worker!.postMessage({ seq: id, request, channel } satisfies HostMessage)
      })
    },
    resolveMedia(ticket, channel) {
      worker ??= spawn()
      const id = ++seq
      return new Promise((resolve) => {
        pendingMedia.set(id, resolve)
        worker!.postMessage({ seq: id, media: ticket, channel } satisfies HostMessage)
      })
    },
    subscribe(session, channel, l) {
      worker ??= spawn()
      const id = ++seq
      const w = worker
      subscriptions.set(id, l)
      w.postMessage({ subscribe: id, session, channel } satisfies HostMessage)
      return () => {
        if (!subscriptions.delete(id)) return
        if (worker === w) w.postMessage({ unsubscribe: id } satisfies HostMessage)
      }
    },
    async close() {
      closing = true
      await worker?.terminate()
    },
  }
}

/**
 * A worker running worker.ts straight from TypeScript source, for the plain-Node hosts (bridge, tests).
 * Node 20 neither hands a parent's loader hooks to workers nor runs its `--import` preloads in them, so the
 * worker registers tsx itself and then imports the parent's preloads (as Node 22 does), before the core.
 */
export function tsCoreWorkerFactory(): (workerData: Omit<CoreOptions, 'now'>) => Worker {
  const tsx = import.meta.resolve('tsx/esm/api')
  return workerBooting(`import(${JSON.stringify(tsx)}).then((m) => m.register())`, [
    new URL('./worker.ts', import.meta.url).href,
  ])
}

/**
 * A worker running the built worker bundle (out/main/worker-*.js) under plain Node: the bundled bridge. The
 * parent's `--import` preloads run first, as in the TypeScript worker above (Node 20 would skip them).
 */
export function bundledCoreWorkerFactory(
  workerFile: string,
): (workerData: Omit<CoreOptions, 'now'>) => Worker {
  return workerBooting('Promise.resolve()', [pathToFileURL(workerFile).href])
}

function workerBooting(first: string, entry: string[]): (workerData: Omit<CoreOptions, 'now'>) => Worker {
  const chain = [...parentPreloads(), ...entry]
    .map((m) => `.then(() => import(${JSON.stringify(m)}))`)
    .join('')
  return (workerData) => new NodeWorker(`${first}${chain}`, { eval: true, workerData })
}

/** The `--import` modules this process was started with, as URLs a worker can import (tsx aside). */
function parentPreloads(): string[] {
  const out: string[] = []
  process.execArgv.forEach((arg, i) => {
    const spec =
      arg === '--import' ? process.execArgv[i + 1] : arg.startsWith('--import=') ? arg.slice(9) : null
    if (!spec || spec === 'tsx' || spec.startsWith('tsx/')) return
    out.push(/^[./]|^[A-Za-z]:[\\/]/.test(spec) ? pathToFileURL(path.resolve(spec)).href : spec)
  })
  return out
}
