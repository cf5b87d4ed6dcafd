import { parentPort, workerData } from 'node:worker_threads'
import type { AppErrorValue } from '../../shared/errors.ts'
import { createCore, toErrorValue, type Core, type CoreOptions } from './core.ts'
import type { HostMessage, WorkerMessage } from './host.ts'

/** Worker-thread entry: one core over one data directory, serving the protocol of host.ts. */
const port = parentPort!
let core: Core | null = null
let startError: AppErrorValue | null = null
try {
  core = createCore({ ...(workerData as CoreOptions), background: true })
} catch (e) {
  // A database from a newer version, an unusable folder...: every call answers with the reason,
  // so the UI can show it instead of a blank window.
  startError = toErrorValue(e)
}

/** Open event subscriptions by the host's id: each forwards only what its session may receive. */
const subscriptions = new Map<number, () => void>()

port.on('message', (m: HostMessage) => {
  if ('subscribe' in m) {
    const sub = m.subscribe
    subscriptions.set(
      sub,
      core?.subscribe(m.session, m.channel, (event) =>
        port.postMessage({ type: 'event', sub, event } satisfies WorkerMessage),
      ) ?? (() => undefined),
    )
    return
  }
  if ('unsubscribe' in m) {
    subscriptions.get(m.unsubscribe)?.()
    subscriptions.delete(m.unsubscribe)
    return
  }
  if ('media' in m) {
    port.postMessage({
      type: 'media',
      seq: m.seq,
      media: core?.resolveMedia(m.media, m.channel) ?? null,
    } satisfies WorkerMessage)
    return
  }
  void (async () => {
    const result = core
      ? await core.dispatch(m.request, m.channel)
      : { ok: false as const, error: startError! }
    port.postMessage({ type: 'result', seq: m.seq, result } satisfies WorkerMessage)
  })()
})
