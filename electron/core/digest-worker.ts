import { Worker } from 'node:worker_threads'

/*
 * SHA-512 on another core. Ingest hashes SHA-256 (and SM3) on its own thread while it copies; SHA-512, three
 * times dearer, would make a 2-core machine CPU-bound there, so large files feed it to this worker instead.
 * Each stream owns a small ring of shared buffers: a chunk is copied into a free slot, the worker hashes it in
 * place and hands the slot back, so memory stays fixed however fast the disk. One long-lived, unref'd worker
 * serves every stream, keyed by id.
 */
const CODE = `
const { parentPort } = require('node:worker_threads')
const crypto = require('node:crypto')
const streams = new Map()
parentPort.on('message', (m) => {
  if (m.open) streams.set(m.id, { h: crypto.createHash('sha512'), slots: m.slots })
  else if (m.slot !== undefined) {
    const s = streams.get(m.id)
    s.h.update(new Uint8Array(s.slots[m.slot], 0, m.length))
    parentPort.postMessage({ id: m.id, free: m.slot })
  } else if (m.end) {
    const s = streams.get(m.id)
    streams.delete(m.id)
    parentPort.postMessage({ id: m.id, hex: s.h.digest('hex') })
  } else if (m.drop) streams.delete(m.id)
})
`

const SLOTS = 3

let worker: Worker | null = null
let refs = 0
let nextId = 1
const handlers = new Map<number, (m: { free?: number; hex?: string }) => void>()

function shared(): Worker {
  if (!worker) {
    worker = new Worker(CODE, { eval: true })
    worker.unref()
    worker.on('message', (m: { id: number; free?: number; hex?: string }) => handlers.get(m.id)?.(m))
  }
  return worker
}

export interface Sha512Stream {
  /** Resolves once the chunk is copied; the caller may reuse its buffer at once. */
  update(chunk: Uint8Array): Promise<void>
  digest(): Promise<string>
  /** Abandon the stream (the copy failed). */
  drop(): void
}

export function sha512Stream(chunkSize: number): Sha512Stream {
  const w = shared()
  const id = nextId++
  // Keep the process alive while a digest is owed.
  if (refs++ === 0) w.ref()
  const slots = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(chunkSize))
  const free = slots.map((_, i) => i)
  let wake: (() => void) | null = null
  let done: ((hex: string) => void) | null = null
  handlers.set(id, (m) => {
    if (m.free !== undefined) {
      free.push(m.free)
      wake?.()
      wake = null
    } else if (m.hex) done?.(m.hex)
  })
  w.postMessage({ id, open: true, slots })
  const release = () => {
    handlers.delete(id)
    if (--refs === 0) w.unref()
  }
  return {
    async update(chunk) {
      for (let at = 0; at < chunk.byteLength; at += chunkSize) {
        const part = chunk.subarray(at, at + chunkSize)
        while (!free.length) await new Promise<void>((r) => (wake = r))
        const slot = free.shift()!
        new Uint8Array(slots[slot]!).set(part)
        w.postMessage({ id, slot, length: part.byteLength })
      }
    },
    digest() {
      return new Promise((resolve) => {
        done = (hex) => {
          release()
          resolve(hex)
        }
        w.postMessage({ id, end: true })
      })
    },
    drop() {
      w.postMessage({ id, drop: true })
      release()
    },
  }
}
