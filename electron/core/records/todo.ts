import type { MethodOutput, TODO_KEYS } from '../../../shared/contract.ts'
import type { Role } from '../../../shared/roles.ts'
import { actorOf, type CallContext, type CoreDeps } from '../context.ts'
import { listAccess } from '../access/requests.ts'
import { inspectionsDue } from '../archive/discs.ts'
import { deadlines } from '../cases/service.ts'
import { list as disclosures } from '../disclosure/service.ts'
import { reviewQueue } from '../review/service.ts'
import { countRecords } from './list.ts'

/*
 * The to-do counts on the home page and the menu. Each is computed by the very function behind the list a click
 * leads to, for the caller, so a count never differs from what that list shows and never counts what the caller
 * may not see; and each is computed only for the roles whose work it is.
 */

type Key = (typeof TODO_KEYS)[number]

const CASE_WORK: readonly Role[] = ['records_officer', 'enforcement_officer', 'approver', 'legal_reviewer']
const FILING: readonly Role[] = ['records_officer', 'enforcement_officer']

const COUNTS: readonly {
  key: Key
  roles: readonly Role[]
  count: (deps: CoreDeps, ctx: CallContext) => number
}[] = [
  { key: 'accessToDecide', roles: ['approver'], count: (deps, ctx) => listAccess(deps, ctx).inbox },
  {
    key: 'reviewsToDo',
    roles: ['legal_reviewer'],
    // Waiting to be taken up, or taken up by this reviewer and not yet signed.
    count: (deps, ctx) =>
      reviewQueue(deps, {}, ctx).reviews.filter(
        (r) => r.status === 'submitted' || (r.status === 'in_review' && r.reviewerId === actorOf(ctx).userId),
      ).length,
  },
  {
    key: 'disclosuresDue',
    roles: ['records_officer', 'approver'],
    count: (deps) => disclosures(deps).pending.length,
  },
  {
    key: 'deadlinesOverdue',
    roles: CASE_WORK,
    count: (deps, ctx) => deadlines(deps, ctx).items.filter((i) => i.overdue).length,
  },
  {
    key: 'discsDue',
    roles: ['records_officer', 'auditor'],
    count: (deps) => {
      const d = inspectionsDue(deps)
      return new Set([...d.due, ...d.failed].map((x) => x.id)).size
    },
  },
  {
    key: 'recordsUnfiled',
    roles: FILING,
    count: (deps, ctx) => countRecords(deps, actorOf(ctx), { unfiled: true }),
  },
  {
    key: 'recordsLate',
    roles: FILING,
    count: (deps, ctx) => countRecords(deps, actorOf(ctx), { flags: ['late_without_reason'] }),
  },
]

export function todoCounts(deps: CoreDeps, ctx: CallContext): MethodOutput<'todo.counts'> {
  const roles = actorOf(ctx).roles
  return {
    items: COUNTS.filter((c) => c.roles.some((r) => roles.includes(r))).map((c) => ({
      key: c.key,
      count: c.count(deps, ctx),
    })),
  }
}
