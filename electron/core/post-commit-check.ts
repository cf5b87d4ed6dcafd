import type { IntegrityProblem } from '../../shared/integrity.ts'
import type { Db } from './db/index.ts'
import { FAILED_AFTER, OVERDUE_MS, type JobRow } from './post-commit.ts'
import { owedSignatures } from './signing/owed.ts'

/*
 * What verify says of the post-commit queue (post-commit.ts): a job that keeps failing, or has waited too long,
 * is work the record is owed and does not have. A sign job whose record is already reported unsigned is not
 * named twice; a job waiting for a key is not failing, only overdue once its wait is long.
 */

/** The evidence or text record a job is about, for the report's `records`. */
function recordsOf(db: Db, job: JobRow): string[] {
  if (job.kind === 'sign_record') return [job.subject]
  if (job.kind === 'stamp_signature') {
    const r = db
      .prepare('SELECT coalesce(evidence_id, text_record_id) AS id FROM signatures WHERE id = ?')
      .get(job.subject) as { id: string } | undefined
    return r ? [r.id] : []
  }
  return []
}

export function queueProblems(db: Db, now: Date): IntegrityProblem[] {
  // A read-only check of a database older than migration 170 has no queue.
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'post_commit_jobs'").get())
    return []
  const owed = new Set(owedSignatures(db).map((o) => o.id))
  const problems: IntegrityProblem[] = []
  for (const job of db
    .prepare('SELECT * FROM post_commit_jobs WHERE done_at IS NULL ORDER BY id')
    .all() as JobRow[]) {
    if (job.kind === 'sign_record' && owed.has(job.subject)) continue
    const failed = job.attempts >= FAILED_AFTER
    const overdue = now.getTime() - Date.parse(job.created_at) > OVERDUE_MS
    if (!failed && !overdue) continue
    problems.push({
      check: 'queue',
      kind: failed ? 'job_failed' : 'job_overdue',
      table: 'post_commit_jobs',
      id: String(job.id),
      records: recordsOf(db, job),
      detail: job.last_error,
    })
  }
  return problems
}
