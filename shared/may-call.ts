import { contract, type MethodName } from './contract.ts'
import { hasAnyRole, type Role } from './roles.ts'

/**
 * Whether someone with these roles may call a method, as the contract lists it. The core's authorize and its event
 * filter ask this for their role check, and screens ask it before offering a page or a button — never a role by
 * name (house.test) — so a method given to other roles moves its button with it.
 */
export function mayCall(method: MethodName, roles: readonly Role[]): boolean {
  const access = contract[method].access
  if (access === 'public' || access === 'authenticated') return true
  return hasAnyRole(roles, access)
}
