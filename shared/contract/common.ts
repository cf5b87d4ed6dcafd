/** What every domain's part of the contract shares: small schemas, the method definition and its helper. */
import { z } from 'zod'
import { type Access } from '../roles.ts'

export const shortText = z.string().trim().max(500)
export const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
export const empty = z.strictObject({})
export const isoTime = z.string()
export const id = z.string().min(1).max(64)
/**
 * A path on this computer where the core writes or reads: absolute (POSIX, Windows drive or UNC), so nothing lands
 * relative to wherever the core process happens to run. xorriso's `stdio:` pseudo-drive prefix is allowed.
 */
export const absolutePath = z
  .string()
  .min(2)
  .max(4096)
  .regex(/^(stdio:)?(\/|[A-Za-z]:[\\/]|\\\\)/, 'absolutePath')
export interface MethodDef {
  input: z.ZodType
  output: z.ZodType
  access: Access
  /** Callable while the session's user still has to change an initial or reset password. */
  whilePasswordChangeRequired?: true
  /** Callable while the session is locked for idleness. */
  whileLocked?: true
  /**
   * Changes no data: the core runs its handler over a read-only database connection (electron/core/read-only.ts),
   * so a write fails; only audit events (a refusal, audit.verify's record of the check) are still written. Such a
   * method is answered on a damaged database, is outside the frozen-case table, and does not recount the to-dos.
   */
  readOnly?: true
}

export function method<I extends z.ZodType, O extends z.ZodType>(
  def: { input: I; output: O; access: Access } & Omit<MethodDef, 'input' | 'output' | 'access'>,
) {
  return def
}
