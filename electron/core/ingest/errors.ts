import { AppError, type AppErrorValue } from '../../../shared/errors.ts'

/** A file's failure as the typed value a result carries: a full disk is DISK_FULL, anything untyped INTERNAL. */
export const toValue = (e: unknown): AppErrorValue => {
  if (e instanceof AppError) return e.toValue()
  const code = (e as { code?: unknown } | null)?.code
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return { code: 'DISK_FULL' }
  return { code: 'INTERNAL', params: { ref: 'ingest' } }
}
