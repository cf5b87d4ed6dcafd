import path from 'node:path'
import { timeFromFileName } from './capture-time.ts'
import type { SourceEntry } from './discover.ts'

/*
 * Several devices at once (issue 19, item 1). Every docked camera or chosen folder is its own job; jobs wait
 * for a place in a small pool instead of all copying at once.
 */

/**
 * Jobs copying at the same time. The vault is one disk: past two streams the writes only interleave (the head,
 * or the SSD's write cache, is the limit) and each job gets slower while none finishes sooner — two keep the
 * disk busy while one of them waits on metadata, registering or fsync. Raise it only for a vault on an array.
 */
export const INGEST_POOL_SIZE = 2

/** A first-come, first-served limit on how many jobs run at once. */
export class JobPool {
  private running = 0
  private readonly waiting: (() => void)[] = []
  constructor(private readonly size: number = INGEST_POOL_SIZE) {}

  /** Jobs started and not yet given a place. */
  get queued(): number {
    return this.waiting.length
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((go) => this.waiting.push(go))
    else this.running++
    try {
      return await work()
    } finally {
      // The place passes straight to the next job: `running` stays counted for it.
      const next = this.waiting.shift()
      if (next) next()
      else this.running--
    }
  }
}

/**
 * A device's files in capture order: the GA/T 947 name's time (device local, read in the device's zone), else the
 * file's date; the path breaks ties. Recordings then enter the vault, and the report, in the order they were made.
 */
export function inCaptureOrder(entries: SourceEntry[], utcOffsetMin: number): SourceEntry[] {
  const key = (e: SourceEntry) => {
    const t = timeFromFileName(path.basename(e.relPath))
    return t ? Date.UTC(t.y, t.mo - 1, t.d, t.h, t.mi, t.s) - utcOffsetMin * 60_000 : e.mtimeMs
  }
  const keyed = entries.map((e) => ({ e, k: key(e) }))
  keyed.sort((a, b) => a.k - b.k || (a.e.relPath < b.e.relPath ? -1 : a.e.relPath > b.e.relPath ? 1 : 0))
  return keyed.map((x) => x.e)
}
