import { z } from 'zod'

/* The integrity report: what was checked, what failed, the exact ids. */

export const integrityProblemSchema = z.object({
  check: z.enum(['vault', 'rows', 'audit', 'signatures', 'database', 'queue']),
  /**
   * vault: hash_mismatch, size_mismatch, missing, unreadable (id = object SHA-256);
   * rows: changed, unsealed, deleted, seal_mismatch (table + id = the row's key);
   * audit: the audit check's reasons (id = event seq);
   * signatures: file_changed, file_missing, invalid (id = signature id); unsigned (table evidence, id = the
   *   record a signed batch registered without its signature, detail = the batch).
   * database: damaged (SQLite's integrity_check; id = the page, table = its tree), foreign_key (table + rowid),
   * phase_failed (id = the phase a damaged file stopped).
   * queue: job_failed (failed FAILED_AFTER times, still retried), job_overdue (open longer than OVERDUE_MS)
   *   (table post_commit_jobs, id = the job, records = its record, detail = the last error value as JSON).
   */
  kind: z.string(),
  table: z.string().nullable(),
  id: z.string(),
  /** The records it concerns: evidence or text record ids. */
  records: z.array(z.string()),
  detail: z.string().nullable(),
  /** audit anchor_truncated: how many events are missing after event `id`. */
  count: z.number().int().optional(),
})
export type IntegrityProblem = z.infer<typeof integrityProblemSchema>

/** The translated last error of a queue problem (its detail: an error value as JSON); '' when there is none. */
export function jobErrorText(
  detail: string | null,
  t: (key: string, params?: Record<string, unknown>) => string,
): string {
  if (!detail) return ''
  try {
    const e = JSON.parse(detail) as { code?: unknown; params?: Record<string, unknown> }
    return typeof e.code === 'string' ? t(`errors.${e.code}`, e.params ?? {}) : ''
  } catch {
    return ''
  }
}

/** A file no row names (left by a crash, or put there from outside): reported, never deleted. */
export const orphanSchema = z.object({
  kind: z.enum(['vault', 'signature', 'timestamp', 'temp']),
  /** Relative to the data folder. */
  path: z.string(),
})
export type Orphan = z.infer<typeof orphanSchema>

export const integrityReportSchema = z.object({
  ok: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** full: every vault object read; sample: the share asked for. */
  scope: z.enum(['full', 'sample']),
  checked: z.object({
    objects: z.number().int(),
    bytes: z.number(),
    rows: z.number().int(),
    auditEvents: z.number().int(),
    checkpoints: z.number().int(),
    signatures: z.number().int(),
  }),
  problems: z.array(integrityProblemSchema),
  audit: z.object({
    ok: z.boolean(),
    problems: z.array(z.object({ seq: z.number().int(), id: z.string().nullable(), reason: z.string() })),
  }),
  /** The database file's own check (absent in reports of older versions). */
  database: z.object({ ok: z.boolean() }).optional(),
  /** Files that no row names; they do not make the report fail. */
  orphans: z.array(orphanSchema).optional(),
})
export type IntegrityReport = z.infer<typeof integrityReportSchema>
