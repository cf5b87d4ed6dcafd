/*
 * Requests the bridge refuses before the core sees them: no valid bridge token, a foreign Origin or Host, a request
 * it cannot parse, a handler that threw. Anyone on the machine (any web page, through an <img>) can send these, so
 * they are counted and logged at most about once a minute, never written one by one to the audit trail (they would
 * fill it). Refusals of a caller with a valid token go on to the core, which logs them there (access.denied).
 */

export type RefusalKind = 'token' | 'origin' | 'malformed' | 'failed'

export type RefusalCounts = Record<RefusalKind, number>

const zero = (): RefusalCounts => ({ token: 0, origin: 0, malformed: 0, failed: 0 })

export class Refusals {
  private readonly totals = zero()
  private pending = zero()
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly log: (line: string) => void,
    private readonly intervalMs = 60_000,
  ) {}

  /** One refusal; `detail` (a failed handler's error) is logged with the first of an interval only. */
  count(kind: RefusalKind, detail?: unknown): void {
    this.totals[kind]++
    this.pending[kind]++
    if (this.timer) return
    // The first of a quiet period is said at once; what follows is summed into one line per interval.
    this.flush(detail)
    this.arm()
  }

  /** Refusals since the bridge started, by kind. */
  counts(): RefusalCounts {
    return { ...this.totals }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = null
      if (Object.values(this.pending).some((n) => n > 0)) {
        this.flush()
        this.arm()
      }
    }, this.intervalMs)
    this.timer.unref()
  }

  private flush(detail?: unknown): void {
    const p = this.pending
    this.pending = zero()
    const n = p.token + p.origin + p.malformed + p.failed
    const kinds = (Object.keys(p) as RefusalKind[]).filter((k) => p[k] > 0).map((k) => `${k} ${p[k]}`)
    // Whatever the client sent may be in an error's message: no control characters reach the terminal.
    const why =
      detail === undefined
        ? ''
        : `: ${(detail instanceof Error ? detail.message : String(detail)).replace(/\p{Cc}/gu, '?').slice(0, 200)}`
    this.log(
      `[liuhen] bridge refused ${n} request(s) before the core (${kinds.join(', ')}); counted, not audited${why}`,
    )
  }
}
