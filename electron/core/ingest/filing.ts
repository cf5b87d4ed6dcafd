import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import type { CASE_STAGES } from '../../../shared/cases.ts'
import { AppError } from '../../../shared/errors.ts'
import type { FileResult } from '../../../shared/ingest.ts'
import { basisForCase } from '../access/gate.ts'
import { isFrozen, refuseIfFrozen } from '../cases/archived.ts'
import { tagRecords } from '../cases/tags.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import { toValue } from './errors.ts'

/*
 * Filed at import (issue 19, item 3). The case chosen on the import form is applied to each stored recording
 * exactly as a records.tag call would be — the dispatcher's frozen-case check, then the tagging gate (a basis on
 * the recording and on the case) — so ingest opens no second way into a case. A recording that cannot be filed
 * is stored all the same and reported 待归案 with the reason; it is never lost, and never silently moved out of
 * a case it is already in.
 */

export type Filing = NonNullable<FileResult['filing']>

/** File one stored recording into the chosen case; the outcome, never a throw (the recording is safe either way). */
export function fileAtIngest(
  deps: CoreDeps,
  ctx: CallContext,
  evidenceId: string,
  caseId: string,
  batchId: string,
): Filing {
  const current = deps.db.prepare('SELECT case_id FROM record_tags WHERE evidence_id = ?').get(evidenceId) as
    { case_id: string | null } | undefined
  const filed = (): Filing => ({
    caseId,
    caseNo:
      (
        deps.db.prepare('SELECT case_no FROM cases WHERE id = ?').get(caseId) as
          { case_no: string } | undefined
      )?.case_no ?? null,
    filed: true,
    error: null,
  })
  if (current?.case_id === caseId) return filed()
  try {
    if (current?.case_id) throw new AppError('ALREADY_IN_CASE')
    const input: ParsedInput<'records.tag'> = {
      evidenceIds: [evidenceId],
      tags: { caseId },
      reason: '采集时归案',
    }
    // The same two checks, in the same order, as the dispatcher makes for records.tag.
    refuseIfFrozen(deps, ctx, 'records.tag', input)
    tagRecords(deps, input, ctx)
    return filed()
  } catch (e) {
    const error = toValue(e)
    if (error.code === 'INTERNAL') console.error('[liuhen] filing at ingest', evidenceId, e)
    // The reason outlives the job's report: one event on the batch (not on the recording or the case, whose
    // archive would read it as a change), naming the case as fileInto.
    try {
      auditedChange(
        deps,
        {
          ...actorFields(ctx.actor),
          action: 'ingest.unfiled',
          targetType: 'batch',
          targetId: batchId,
          details: { evidenceId, fileInto: caseId, code: error.code },
        },
        () => undefined,
      )
    } catch (auditError) {
      console.error('[liuhen] could not record an unfiled recording', evidenceId, auditError)
    }
    return { caseId, caseNo: null, filed: false, error }
  }
}

/** The case picker's list: cases the caller may file into now, by partial number or cause. */
export function fileableCases(
  deps: CoreDeps,
  input: ParsedInput<'ingest.cases'>,
  ctx: CallContext,
): MethodOutput<'ingest.cases'> {
  const actor = actorOf(ctx)
  const q = input.query?.trim()
  const like = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null
  const rows = deps.db
    .prepare(
      `SELECT id, case_no, cause, stage FROM cases
       WHERE (? IS NULL OR case_no LIKE ? ESCAPE '\\' OR cause LIKE ? ESCAPE '\\')
       ORDER BY created_at DESC, case_no DESC`,
    )
    .all(like, like, like) as {
    id: string
    case_no: string
    cause: string
    stage: (typeof CASE_STAGES)[number]
  }[]
  const cases: MethodOutput<'ingest.cases'>['cases'] = []
  for (const r of rows) {
    if (cases.length >= input.limit) break
    if (!basisForCase(deps, actor, r.id, 'file') || isFrozen(deps.db, r.id)) continue
    cases.push({ id: r.id, caseNo: r.case_no, cause: r.cause, stage: r.stage })
  }
  return { cases }
}
