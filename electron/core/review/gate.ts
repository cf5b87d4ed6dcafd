import { AppError } from '../../../shared/errors.ts'
import type { Db } from '../db/index.ts'
import { reviewRequired } from './scope.ts'

/*
 * 000 §5(2)1: 未经法制审核或者法制审核未通过的，不得作出决定. The core refuses to record the decision of a case in
 * scope (its decision date, its move past the decision stage, its decision document) until the latest review
 * round has passed: an 同意 or 其他 opinion, or a collective discussion that decided to proceed.
 */

export function reviewPassed(db: Db, caseId: string): boolean {
  const last = db
    .prepare('SELECT status FROM reviews WHERE case_id = ? ORDER BY round DESC LIMIT 1')
    .get(caseId) as { status: string } | undefined
  return last?.status === 'passed'
}

export function assertDecisionAllowed(db: Db, c: { id: string; type: string; major: number }): void {
  if (reviewRequired(db, c) && !reviewPassed(db, c.id)) throw new AppError('REVIEW_REQUIRED')
}
