import os from 'node:os'
import { Worker } from 'node:worker_threads'

/*
 * Digests of files on every core: a small pool of worker threads, each streaming one file at a time. The
 * worker's code is a plain string evaluated by Node (no separate bundle entry), so it runs the same under
 * Electron's bundled main process and plain Node.
 */
const WORKER = `
const { parentPort } = require('node:worker_threads')
const crypto = require('node:crypto')
const fs = require('node:fs')
parentPort.on('message', async ({ id, file, algorithms }) => {
  try {
    const hs = algorithms.map((a) => crypto.createHash(a))
    let size = 0
    const fd = await fs.promises.open(file, 'r')
    try {
      const buf = Buffer.allocUnsafe(4 << 20)
      for (;;) {
        const { bytesRead } = await fd.read(buf, 0, buf.length, size)
        if (!bytesRead) break
        for (const h of hs) h.update(buf.subarray(0, bytesRead))
        size += bytesRead
        parentPort.postMessage({ id, progress: bytesRead })
      }
    } finally {
      await fd.close()
    }
    parentPort.postMessage({ id, digests: Object.fromEntries(algorithms.map((a, i) => [a, hs[i].digest('hex')])), size })
  } catch (e) {
    parentPort.postMessage({ id, error: e && e.code ? e.code : String(e) })
  }
})
`

export interface HashResult {
  /** Hex digests by algorithm name (empty when the file could not be read). */
  digests: Record<string, string>
  size: number
  /** ENOENT, EACCES, EIO … when the file could not be read. */
  error: string | null
}

export class HashPool {
  private workers: Worker[]
  private idle: Worker[]
  private waiting: (() => void)[] = []
  private pending = new Map<number, { resolve: (r: HashResult) => void; onBytes?: (n: number) => void }>()
  private next = 1

  constructor(size = Math.max(1, Math.min(os.availableParallelism?.() ?? os.cpus().length, 8))) {
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(WORKER, { eval: true })
      w.on(
        'message',
        (m: {
          id: number
          progress?: number
          digests?: Record<string, string>
          size?: number
          error?: string
        }) => {
          const p = this.pending.get(m.id)
          if (!p) return
          if (m.progress !== undefined) return p.onBytes?.(m.progress)
          this.pending.delete(m.id)
          p.resolve({ digests: m.digests ?? {}, size: m.size ?? 0, error: m.error ?? null })
          this.release(w)
        },
      )
      return w
    })
    this.idle = [...this.workers]
  }

  get size(): number {
    return this.workers.length
  }

  private release(w: Worker) {
    this.idle.push(w)
    this.waiting.shift()?.()
  }

  private async acquire(): Promise<Worker> {
    while (!this.idle.length) await new Promise<void>((r) => this.waiting.push(r))
    return this.idle.pop()!
  }

  async hash(
    file: string,
    onBytes?: (n: number) => void,
    algorithms: string[] = ['sha256'],
  ): Promise<HashResult> {
    const w = await this.acquire()
    const id = this.next++
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, ...(onBytes ? { onBytes } : {}) })
      w.postMessage({ id, file, algorithms })
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()))
  }
}
