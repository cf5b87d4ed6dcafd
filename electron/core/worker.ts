import { parentPort, workerData } from 'node:worker_threads'
import type { RpcResult } from '../../shared/rpc.ts'
import { toErrorValue, type CoreOptions } from './core.ts'
import { openDataFolder, type DataFolder } from './folder.ts'
import type { HostMessage, WorkerMessage } from './host.ts'

/*
 * Worker-thread entry: the data folder behind the app or the bridge. It owns the folder (the core runs here and
 * serves other processes), or, while another Liuhen process owns it, it is that owner's client. When the owner it
 * spoke to goes away, the next call opens the folder again, as owner if it can.
 */
const port = parentPort!

/** The folder, or the reason it cannot be opened (a newer database, an unusable folder...) for every call. */
let folder: Promise<DataFolder | { error: ReturnType<typeof toErrorValue> }> | null = null
function current() {
  folder ??= openDataFolder({ ...(workerData as CoreOptions), background: true }, { resident: true }).then(
    (f) => {
      f.onLost(() => {
        folder = null
        // Sessions lived in the owner and ended with it; the window signs in again and subscribes anew.
        for (const off of subscriptions.values()) off()
        subscriptions.clear()
      })
      return f
    },
    (e: unknown) => ({ error: toErrorValue(e) }),
  )
  return folder
}

/** Open event subscriptions by the host's id: each forwards only what its session may receive. */
const subscriptions = new Map<number, () => void>()

port.on('message', (m: HostMessage) => {
  void (async () => {
    const f = await current()
    if ('subscribe' in m) {
      const sub = m.subscribe
      subscriptions.set(
        sub,
        'error' in f
          ? () => undefined
          : f.subscribe(m.session, m.channel, (event) =>
              port.postMessage({ type: 'event', sub, event } satisfies WorkerMessage),
            ),
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
        media: 'error' in f ? null : await f.resolveMedia(m.media, m.channel),
      } satisfies WorkerMessage)
      return
    }
    const result: RpcResult =
      'error' in f ? { ok: false, error: f.error } : await f.dispatch(m.request, m.channel)
    port.postMessage({ type: 'result', seq: m.seq, result } satisfies WorkerMessage)
  })()
})

// Open at once, not at the first call: an owner starts its recovery and timers with the app.
void current()
