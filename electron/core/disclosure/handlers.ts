import type { CoreEnv, Handlers } from '../handlers.ts'
import * as disclosure from './service.ts'

/** disclosure.* (shared/contract/disclosure.ts). */
export function disclosureHandlers({ deps }: CoreEnv) {
  return {
    'disclosure.list': () => disclosure.list(deps),
    'disclosure.draft': (i, ctx) => disclosure.draft(deps, i, ctx),
    'disclosure.approve': (i, ctx) => disclosure.approve(deps, i, ctx),
    'disclosure.withdraw': (i, ctx) => disclosure.withdraw(deps, i, ctx),
    'disclosure.export': (i, ctx) => disclosure.exportDisclosures(deps, i, ctx),
    'disclosure.setRules': (i, ctx) => disclosure.setRules(deps, i, ctx),
    'disclosure.rules': () => disclosure.disclosureRules(deps.db),
  } satisfies Partial<Handlers>
}
