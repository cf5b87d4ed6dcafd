import { archiveState } from './archived.ts'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { AppError } from '../../../shared/errors.ts'
import { actorOf, type CallContext, type CoreDeps } from '../context.ts'
import { basisForRecord, basisForText, gateCase } from '../access/gate.ts'
import { msToNextGrantChange } from '../access/grant-times.ts'
import { checkCase } from './check.ts'
import { planRowids, searchPlan } from './search.ts'
import { toCase } from './service.ts'
import { caseRow, textRecordsOf } from './repo.ts'
import { tagsOf } from './tags.ts'

/** What the case page and the search box read. */

export function catalogue(deps: CoreDeps): MethodOutput<'cases.catalogue'> {
  const db = deps.db
  return {
    caseTypes: db.prepare('SELECT code, name FROM case_types ORDER BY sort').all() as {
      code: string
      name: string
    }[],
    docTypes: (
      db.prepare('SELECT code, name, stage, required_for, action FROM doc_types ORDER BY sort').all() as {
        code: string
        name: string
        stage: MethodOutput<'cases.catalogue'>['docTypes'][number]['stage']
        required_for: string
        action: string | null
      }[]
    ).map((d) => ({
      code: d.code,
      name: d.name,
      stage: d.stage,
      requiredFor: JSON.parse(d.required_for) as string[],
      action: d.action,
    })),
    actionTypes: (
      db.prepare('SELECT code, name, stage, full_av FROM action_types ORDER BY sort').all() as {
        code: string
        name: string
        stage: MethodOutput<'cases.catalogue'>['actionTypes'][number]['stage']
        full_av: number
      }[]
    ).map((a) => ({ code: a.code, name: a.name, stage: a.stage, fullAv: a.full_av === 1 })),
  }
}

export function getCase(
  deps: CoreDeps,
  input: ParsedInput<'cases.get'>,
  ctx: CallContext,
): MethodOutput<'cases.get'> {
  const db = deps.db
  const actor = actorOf(ctx)
  const now = deps.now()
  // What the case is (and the log line saying on which basis it was seen); its recordings and documents each
  // ask the gate again below, so approvers and auditors see a 一般 case's summary and nothing of its content.
  gateCase(deps, ctx, input.caseId, 'summary', 'access.case', undefined, { logAllowed: true })
  const row = caseRow(db, input.caseId)
  const all = (
    db
      .prepare(
        `SELECT e.id, e.sha256, e.media_type, e.original_name, e.size, e.duration_ms, e.ingested_at
         FROM record_tags t JOIN evidence e ON e.id = t.evidence_id WHERE t.case_id = ?
         ORDER BY coalesce(t.capture_start, e.capture_start), e.ingested_at`,
      )
      .all(row.id) as {
      id: string
      sha256: string
      media_type: 'video' | 'audio' | 'photo'
      original_name: string
      size: number
      duration_ms: number | null
      ingested_at: string
    }[]
  ).map((e) => ({
    evidenceId: e.id,
    sha256: e.sha256,
    mediaType: e.media_type,
    originalName: e.original_name,
    size: e.size,
    durationMs: e.duration_ms,
    ingestedAt: e.ingested_at,
    tags: tagsOf(db, e.id),
  }))
  const records = all.filter((r) => basisForRecord(deps, actor, r.evidenceId, 'meta'))
  const allTexts = textRecordsOf(db, row.id)
  const textRecords = allTexts.filter((d) => basisForText(deps, actor, d.id, 'meta'))
  const actions = (
    db
      .prepare(
        'SELECT id, action_type, occurred_on, place, note FROM case_actions WHERE case_id = ? ORDER BY occurred_on',
      )
      .all(row.id) as {
      id: string
      action_type: string
      occurred_on: string
      place: string | null
      note: string | null
    }[]
  ).map((a) => ({
    id: a.id,
    actionType: a.action_type,
    occurredOn: a.occurred_on,
    place: a.place,
    note: a.note,
  }))
  const archive = archiveState(db, row.id)
  // The change list names records only the caller may see (the rest show as "a record of the case").
  archive.changes = archive.changes.map((c) =>
    (c.targetType === 'evidence' && c.targetId && !basisForRecord(deps, actor, c.targetId, 'meta')) ||
    (c.targetType === 'text_record' && c.targetId && !basisForText(deps, actor, c.targetId, 'meta'))
      ? { ...c, targetId: null }
      : c,
  )
  return {
    case: toCase(db, row),
    records,
    textRecords,
    archive,
    restricted: records.length < all.length || textRecords.length < allTexts.length,
    // A duration on the core's clock: the page's timer counts it, whatever the page's own clock says.
    recheckInMs: msToNextGrantChange(db, actor.userId, row.id, now),
    actions,
    check: checkCase(db, row.id, now),
  }
}

export function caseCheck(
  deps: CoreDeps,
  input: ParsedInput<'cases.check'>,
  ctx: CallContext,
): MethodOutput<'cases.check'> {
  gateCase(deps, ctx, input.caseId, 'summary', 'cases.check')
  return checkCase(deps.db, input.caseId, deps.now())
}

/** Records by the words in their tags; newest first. Enforcement officers see only their own cases' records. */
export function searchRecords(
  deps: CoreDeps,
  input: ParsedInput<'records.search'>,
  ctx: CallContext,
): MethodOutput<'records.search'> {
  const actor = actorOf(ctx)
  const plan = searchPlan(input.query)
  if (!plan) throw new AppError('VALIDATION', { fields: 'query' })
  const found = planRowids('record', plan)
  const onlyMine = !actor.roles.some((r) => r !== 'enforcement_officer' && r !== 'admin')
  const rows = deps.db
    .prepare(
      `SELECT e.id, e.original_name, e.media_type, t.case_id, c.case_no, t.place, t.fact,
              coalesce(t.capture_start, e.capture_start) AS capture_start
       FROM (${found.sql} ORDER BY rowid DESC LIMIT ?) f
       JOIN record_fts_map m ON m.rowid = f.rowid
       JOIN evidence e ON e.id = m.evidence_id
       LEFT JOIN record_tags t ON t.evidence_id = e.id
       LEFT JOIN cases c ON c.id = t.case_id
       ${onlyMine ? 'WHERE t.case_id IN (SELECT case_id FROM case_handlers WHERE user_id = ?)' : ''}
       ORDER BY f.rowid DESC`,
    )
    .all(...found.args, input.limit * (onlyMine ? 4 : 1), ...(onlyMine ? [actor.userId] : [])) as {
    id: string
    original_name: string
    media_type: 'video' | 'audio' | 'photo'
    case_id: string | null
    case_no: string | null
    place: string | null
    fact: string | null
    capture_start: string | null
  }[]
  const visible = rows.filter((r) => basisForRecord(deps, actor, r.id, 'meta'))
  return {
    records: visible.slice(0, input.limit).map((r) => ({
      evidenceId: r.id,
      originalName: r.original_name,
      mediaType: r.media_type,
      caseId: r.case_id,
      caseNo: r.case_no,
      place: r.place,
      fact: r.fact,
      captureStart: r.capture_start,
    })),
  }
}
