import type { MethodOutput } from '../../../shared/contract.ts'
import { useCall } from '../query.tsx'

export type Officer = MethodOutput<'cases.officers'>['officers'][number]

const NONE: readonly Officer[] = []

/**
 * The agency's officers, for the pickers of handlers, collectors and a device's officer: one cached read shared by
 * every form on screen (was five effects that each swallowed a failure). `query` carries the failure for the form
 * to show with QueryError.
 */
export function useOfficers() {
  const query = useCall('cases.officers', {})
  return { officers: query.data?.officers ?? NONE, query }
}
