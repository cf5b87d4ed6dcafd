import { contract, type MethodName } from './contract.ts'
import type { Role } from './roles.ts'

/**
 * Whether someone with these roles may call a method, as the contract lists it: a screen shows a button only
 * to those who may press it. The core checks every call regardless; this only decides what is offered.
 */
export function mayCall(method: MethodName, roles: readonly Role[]): boolean {
  const access = contract[method].access
  if (access === 'public' || access === 'authenticated') return true
  return access.some((r) => roles.includes(r))
}
