import crypto from 'node:crypto'
import type { CoreDeps } from './context.ts'

export interface JobProgress {
  phase: string
  done: number
  total: number
}
export interface JobOpts {
  signal: AbortSignal
  onProgress: (p: JobProgress) => void
}

/**
 * Long runs (disc images, burns, checks, integrity checks) by a job id the caller chose: each can be cancelled,
 * and reports progress with an estimate of the time left, at most a few times a second.
 */
export class Jobs {
  private running = new Map<string, AbortController>()
  constructor(
    private deps: CoreDeps,
    private event: 'archive.progress' | 'integrity.progress',
  ) {}

  async run<T>(jobId: string | undefined, work: (opts: JobOpts) => Promise<T>): Promise<T> {
    const id = jobId ?? crypto.randomUUID()
    const ctl = new AbortController()
    this.running.set(id, ctl)
    const started = new Map<string, { at: number; done: number }>()
    let last = 0
    let lastPhase = ''
    const onProgress = (p: JobProgress) => {
      const now = Date.now()
      // At most four updates a second, but a new phase and the end of one are always shown at once.
      if (now - last < 250 && p.done < p.total && p.phase === lastPhase) return
      last = now
      lastPhase = p.phase
      const s = started.get(p.phase) ?? { at: now, done: p.done }
      started.set(p.phase, s)
      const rate = (p.done - s.done) / Math.max(1, now - s.at)
      const eta = rate > 0 && now - s.at > 1000 ? Math.round((p.total - p.done) / rate / 1000) : null
      this.deps.emit({ type: this.event, jobId: id, ...p, etaSeconds: eta } as never)
    }
    try {
      return await work({ signal: ctl.signal, onProgress })
    } finally {
      this.running.delete(id)
    }
  }

  cancel(jobId: string): boolean {
    const ctl = this.running.get(jobId)
    ctl?.abort()
    return !!ctl
  }
}
