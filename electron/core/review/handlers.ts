import type { CoreEnv, Handlers } from '../handlers.ts'
import * as review from './service.ts'
import { reviewScope } from './scope.ts'

/** review.* (shared/contract/review.ts). */
export function reviewHandlers({ deps }: CoreEnv) {
  return {
    'review.get': (i, ctx) => review.reviewState(deps, i.caseId, ctx),
    'review.list': (i, ctx) => review.reviewQueue(deps, i, ctx),
    'review.scope': () => reviewScope(deps.db),
    'review.setScope': (i, ctx) => review.setScope(deps, i, ctx),
    'review.reviewers': (i, ctx) => review.reviewers(deps, i.caseId, ctx),
    'review.submit': (i, ctx) => review.submit(deps, i, ctx),
    'review.assign': (i, ctx) => review.assign(deps, i, ctx),
    'review.opinion': (i, ctx) => review.giveOpinion(deps, i, ctx),
    'review.previewOpinion': (i, ctx) => review.previewOpinion(deps, i, ctx),
    'review.extend': (i, ctx) => review.requestExtension(deps, i, ctx),
    'review.decideExtension': (i, ctx) => review.decideExtension(deps, i, ctx),
    'review.dispute': (i, ctx) => review.dispute(deps, i, ctx),
    'review.previewDiscussion': (i, ctx) => review.previewDiscussion(deps, i, ctx),
    'review.discuss': (i, ctx) => review.discuss(deps, i, ctx),
  } satisfies Partial<Handlers>
}
