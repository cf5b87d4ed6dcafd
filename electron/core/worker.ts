import { parentPort, workerData } from 'node:worker_threads'
import type { AppErrorValue } from '../../shared/errors.ts'
import type { Channel } from './context.ts'
import { createCore, toErrorValue, type Core, type CoreOptions } from './core.ts'
import type { WorkerMessage } from './host.ts'

/** Worker-thread entry: one core over one data directory, serving the protocol of host.ts. */
const port = parentPort!
let core: Core | null = null
let startError: AppErrorValue | null = null
try {
  core = createCore({ ...(workerData as CoreOptions), background: true })
  core.onEvent((event) => port.postMessage({ type: 'event', event } satisfies WorkerMessage))
} catch (e) {
  // A database from a newer version, an unusable folder...: every call answers with the reason,
  // so the UI can show it instead of a blank window.
  startError = toErrorValue(e)
}

port.on('message', (m: { seq: number; request: unknown; channel: Channel; media?: string }) => {
  if (typeof m.media === 'string') {
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
