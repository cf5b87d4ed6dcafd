import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import type { STAGE_CODES } from '../../../shared/cases.ts'
import { formatBeijingDate } from '../../../shared/datetime.ts'
import { basisForCase, basisForRecord } from '../access/gate.ts'
import { isFrozen } from '../cases/archived.ts'
import { tagsOf } from '../cases/tags.ts'
import { actorOf, type CallContext, type CoreDeps } from '../context.ts'

/*
 * Filing suggestions (issue 19, item 3), as Axon's auto-tagging does from dispatch data: a recording not yet in a
 * case is offered the cases' declared actions (case_actions) it fits — the officer who recorded it (the device's
 * officer, else the collector) handles the case, and it was captured on the action's day (Beijing calendar; an
 * action is declared by date). Only cases the caller may file into now are offered (the tagging gate's `file`
 * basis, not frozen): a suggestion never names a case the caller may not see. Confirming is records.tag, the
 * tag form's own call, so a suggestion opens no second way into a case.
 */

type Item = MethodOutput<'ingest.suggestions'>['items'][number]

export function filingSuggestions(
  deps: CoreDeps,
  input: ParsedInput<'ingest.suggestions'>,
  ctx: CallContext,
): MethodOutput<'ingest.suggestions'> {
  const actor = actorOf(ctx)
  const db = deps.db
  const byBatch = input.batchIds?.length
  const rows = db
    .prepare(
      `SELECT e.id, e.original_name, e.capture_start, COALESCE(d.officer_user_id, e.collector_user_id) AS officer,
         u.display_name AS officer_name
       FROM evidence e JOIN devices d ON d.id = e.device_id
       LEFT JOIN users u ON u.id = COALESCE(d.officer_user_id, e.collector_user_id)
       WHERE e.deleted_at IS NULL
         ${byBatch ? 'AND e.id IN (SELECT evidence_id FROM evidence_sources WHERE batch_id IN (SELECT value FROM json_each(?)))' : ''}
       ORDER BY e.capture_start, e.original_name LIMIT ?`,
    )
    .all(...(byBatch ? [JSON.stringify(input.batchIds), input.limit] : [input.limit])) as {
    id: string
    original_name: string
    capture_start: string | null
    officer: string | null
    officer_name: string | null
  }[]
  const actions = db.prepare(
    `SELECT c.id AS caseId, c.case_no AS caseNo, c.cause, t.stage, a.action_type AS actionType,
       t.name AS actionName, a.occurred_on AS occurredOn
     FROM case_actions a JOIN cases c ON c.id = a.case_id JOIN action_types t ON t.code = a.action_type
     JOIN case_handlers h ON h.case_id = c.id AND h.user_id = ?
     WHERE a.occurred_on = ? AND c.stage != 'closed'
     ORDER BY c.created_at DESC, t.sort`,
  )
  // A case is judged once per call: the gate is not cheap, and the answer does not change within one.
  const mayFile = new Map<string, boolean>()
  const fileable = (caseId: string) => {
    if (!mayFile.has(caseId))
      mayFile.set(caseId, !!basisForCase(deps, actor, caseId, 'file') && !isFrozen(db, caseId))
    return mayFile.get(caseId)!
  }
  const items: Item[] = []
  for (const r of rows) {
    // Only what the caller could file: the same record basis records.tag asks for.
    if (!basisForRecord(deps, actor, r.id, 'file')) continue
    const tags = tagsOf(db, r.id)
    if (tags.caseId) continue
    const start = tags.captureStart ?? r.capture_start
    const candidates =
      r.officer && start
        ? (
            actions.all(r.officer, formatBeijingDate(start)) as (Item['candidates'][number] & {
              stage: (typeof STAGE_CODES)[number]
            })[]
          ).filter((a) => fileable(a.caseId))
        : []
    items.push({
      evidenceId: r.id,
      originalName: r.original_name,
      captureStart: start,
      officerName: r.officer_name,
      candidates,
    })
  }
  return { items }
}
