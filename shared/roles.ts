import { z } from 'zod'

/** The people of docs/architecture.md ("Accounts and roles"). A user may hold several roles. */
export const ROLES = [
  'enforcement_officer',
  'records_officer',
  'approver',
  'legal_reviewer',
  'auditor',
  'admin',
] as const

export const roleSchema = z.enum(ROLES)
export type Role = z.infer<typeof roleSchema>

/** Who may call a method: nobody signed in, any signed-in user, or holders of one of the roles. */
export type Access = 'public' | 'authenticated' | readonly Role[]

export function hasAnyRole(held: readonly Role[], needed: readonly Role[]): boolean {
  return needed.some((r) => held.includes(r))
}
