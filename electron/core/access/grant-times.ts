import type { Db } from '../db/index.ts'

/**
 * When what this person may see of the case next changes by the calendar alone: the nearest start or end of one of
 * their grants on it (a revocation is an act, not the calendar). A page left open reads the case again then.
 */
export function nextGrantChange(db: Db, userId: string, caseId: string, now: Date): Date | null {
  const rows = db
    .prepare(
      'SELECT starts_at, ends_at FROM access_grants WHERE holder_id = ? AND case_id = ? AND revoked_at IS NULL',
    )
    .all(userId, caseId) as { starts_at: string; ends_at: string }[]
  // As instants, never as text: a grant given with an offset (+08:00) sorts wrongly beside one written in UTC.
  const t = now.getTime()
  const next = rows.flatMap((g) => [Date.parse(g.starts_at), Date.parse(g.ends_at)]).filter((ms) => ms > t)
  return next.length ? new Date(Math.min(...next)) : null
}
