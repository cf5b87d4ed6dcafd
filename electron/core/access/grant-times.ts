import type { Db } from '../db/index.ts'

/*
 * A grant's period as instants. New periods are stored in UTC (the contract's `instant`), but a row from before may
 * carry an offset (+08:00), and beside the core's UTC clock text compares wrongly (such a grant ran eight hours
 * long): every check of a period goes through these two.
 */

/**
 * SQL: the grant (table alias `alias`, if any) is unrevoked and running at the moment bound twice after it.
 * julianday() reads the offset; `<=`/`>` on the text would not.
 */
export function grantValidAtSql(alias = ''): string {
  const p = alias ? `${alias}.` : ''
  return `${p}revoked_at IS NULL AND julianday(${p}starts_at) <= julianday(?) AND julianday(${p}ends_at) > julianday(?)`
}

/**
 * In how many ms what this person may see of the case next changes by the calendar alone: the nearest start or
 * end of one of their grants on it (a revocation is an act, not the calendar). A page left open reads the case
 * again then.
 */
export function msToNextGrantChange(db: Db, userId: string, caseId: string, now: Date): number | null {
  const rows = db
    .prepare(
      'SELECT starts_at, ends_at FROM access_grants WHERE holder_id = ? AND case_id = ? AND revoked_at IS NULL',
    )
    .all(userId, caseId) as { starts_at: string; ends_at: string }[]
  const t = now.getTime()
  const next = rows.flatMap((g) => [Date.parse(g.starts_at), Date.parse(g.ends_at)]).filter((ms) => ms > t)
  return next.length ? Math.min(...next) - t : null
}
