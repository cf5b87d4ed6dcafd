/*
 * The WHERE clause of a list with optional filters (cases, recordings, the access log, the audit trail), built one
 * way: each condition is added together with the values of its own `?` placeholders, so a filter added or dropped
 * can never shift the values of the others — the slip a parallel `where.push` / `args.push` pair invites. A
 * condition whose placeholders and values disagree in number throws at once, before any SQL runs.
 */

export class Where {
  private readonly parts: string[] = []
  readonly args: unknown[] = []

  /** AND (a filter narrows), or OR (any of several grounds admits: who may see a row). */
  constructor(private readonly joiner: 'AND' | 'OR' = 'AND') {}

  /** Adds `sql` (joined by this clause's AND or OR), its `?` placeholders filled in order by `args`. */
  and(sql: string, ...args: unknown[]): this {
    const holes = sql.split('?').length - 1
    if (holes !== args.length)
      throw new Error(`Where: ${holes} placeholder(s), ${args.length} value(s) in ${sql}`)
    this.parts.push(sql)
    this.args.push(...args)
    return this
  }

  /** Adds `sql` with `value` as its one placeholder when a filter was given (not undefined, null or ''). */
  andIf(value: unknown, sql: string): this {
    return value === undefined || value === null || value === '' ? this : this.and(sql, value)
  }

  /**
   * The conditions, each in parentheses, joined by AND or OR, for use inside a larger clause: '1' when an AND has
   * none, '0' when an OR has none (no ground admits).
   */
  get sql(): string {
    if (!this.parts.length) return this.joiner === 'AND' ? '1' : '0'
    return `(${this.parts.map((p) => `(${p})`).join(` ${this.joiner} `)})`
  }

  /** `WHERE …`, or nothing when an AND has no condition. */
  get clause(): string {
    return this.parts.length || this.joiner === 'OR' ? `WHERE ${this.sql}` : ''
  }
}

/** `?, ?, ?` for an IN list of `n` values; an empty list gives `NULL`, which matches nothing. */
export function placeholders(n: number): string {
  return n ? Array.from({ length: n }, () => '?').join(', ') : 'NULL'
}
