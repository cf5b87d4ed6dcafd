import type { CoreEnv, Handlers } from '../handlers.ts'
import { browse, browseRoots } from './browse.ts'

/** files.* (shared/contract/files.ts): choosing files in browser mode. */
export function filesHandlers({ deps, uploads, browseRoots: roots }: CoreEnv) {
  return {
    // Roots are looked up at each call: a USB disk mounted since start shows up.
    'files.browse': (i) => browse(browseRoots(roots), i, deps.layout),
    'files.upload': (i, ctx) => uploads.receive(i, ctx),
  } satisfies Partial<Handlers>
}
