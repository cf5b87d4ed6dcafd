import type { CoreEnv, Handlers } from '../handlers.ts'
import { openMedia, recordProgress } from '../media.ts'

/** media.* (shared/contract/media.ts): tickets for playback and what part was watched. */
export function mediaHandlers({ deps, media }: CoreEnv) {
  return {
    'media.open': (i, ctx) => openMedia({ ...deps, media }, i, ctx),
    'media.progress': (i, ctx) => recordProgress(deps, i, ctx),
  } satisfies Partial<Handlers>
}
