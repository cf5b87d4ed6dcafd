import type { CoreEnv, Handlers } from '../handlers.ts'
import { statistics } from './stats.ts'
import { statsPdf } from './report.ts'

/** stats.* (shared/contract/stats.ts). */
export function statsHandlers({ deps }: CoreEnv) {
  return {
    'stats.get': (i) => statistics(deps, i),
    'stats.pdf': (i) => statsPdf(deps, i),
  } satisfies Partial<Handlers>
}
