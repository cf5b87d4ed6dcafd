import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import type { RecordTags } from '../../../shared/cases.ts'
import { AppError } from '../../../shared/errors.ts'
import type { AuditInput } from '../audit.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import type { Db } from '../db/index.ts'
import { basisForRecord, gateCase, gateRecord, isNamedFor, opensWider, refuse } from '../access/gate.ts'
import { indexRecord } from './search.ts'

/*
 * Tags on audio/video records: case, stage, action, corrected capture time, place, collectors, the fact proven
 * and the text records supported. The ingest values are the first version; every change is a new version in
 * record_tag_history with its audit event, never an overwrite that loses what was there.
 */

interface TagRow {
  case_id: string | null
  stage: RecordTags['stage']
  action_type: string | null
  full_recording: number
  capture_start: string | null
  place: string | null
  latitude: number | null
  longitude: number | null
  fact: string | null
  collectors: string
  supports: string
  version: number
}

type Tags = Omit<RecordTags, 'caseNo' | 'version'>

/** Current tags of a record: its tag row, or what ingest recorded when it was never tagged (version 0). */
export function tagsOf(db: Db, evidenceId: string): RecordTags {
  const t = db.prepare('SELECT * FROM record_tags WHERE evidence_id = ?').get(evidenceId) as
    TagRow | undefined
  if (t) {
    const caseNo = t.case_id
      ? ((
          db.prepare('SELECT case_no FROM cases WHERE id = ?').get(t.case_id) as
            { case_no: string } | undefined
        )?.case_no ?? null)
      : null
    return {
      caseId: t.case_id,
      caseNo,
      stage: t.stage,
      actionType: t.action_type,
      fullRecording: t.full_recording === 1,
      captureStart: t.capture_start,
      place: t.place,
      latitude: t.latitude,
      longitude: t.longitude,
      fact: t.fact,
      collectorIds: JSON.parse(t.collectors) as string[],
      supports: JSON.parse(t.supports) as string[],
      version: t.version,
    }
  }
  const e = db
    .prepare(
      'SELECT case_no, capture_start, place, fact, collector_user_id, metadata FROM evidence WHERE id = ?',
    )
    .get(evidenceId) as
    | {
        case_no: string | null
        capture_start: string | null
        place: string | null
        fact: string | null
        collector_user_id: string | null
        metadata: string
      }
    | undefined
  if (!e) throw new AppError('NOT_FOUND')
  const caseId = e.case_no
    ? ((db.prepare('SELECT id FROM cases WHERE case_no = ?').get(e.case_no) as { id: string } | undefined)
        ?.id ?? null)
    : null
  const loc = (JSON.parse(e.metadata) as { location?: { latitude: number; longitude: number } | null })
    .location
  return {
    caseId,
    caseNo: caseId ? e.case_no : null,
    stage: null,
    actionType: null,
    fullRecording: false,
    captureStart: e.capture_start,
    place: e.place,
    latitude: loc?.latitude ?? null,
    longitude: loc?.longitude ?? null,
    fact: e.fact,
    collectorIds: e.collector_user_id ? [e.collector_user_id] : [],
    supports: [],
    version: 0,
  }
}

function sameTags(a: Tags, b: Tags): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function strip({ caseNo: _c, version: _v, ...rest }: RecordTags): Tags {
  return rest
}

function levelOf(db: Db, caseId: string | null): string {
  if (!caseId) return 'general'
  return (
    (
      db.prepare('SELECT confidentiality FROM cases WHERE id = ?').get(caseId) as
        { confidentiality: string } | undefined
    )?.confidentiality ?? 'general'
  )
}

/** The records a tagging call names: a list, or every record first registered by an ingest batch. */
function targets(db: Db, input: ParsedInput<'records.tag'>): string[] {
  if (input.evidenceIds?.length) return [...new Set(input.evidenceIds)]
  if (input.batchId)
    return (
      db.prepare('SELECT id FROM evidence WHERE batch_id = ? ORDER BY capture_start').all(input.batchId) as {
        id: string
      }[]
    ).map((r) => r.id)
  throw new AppError('VALIDATION', { fields: 'evidenceIds' })
}

export function tagRecords(
  deps: CoreDeps,
  input: ParsedInput<'records.tag'>,
  ctx: CallContext,
): MethodOutput<'records.tag'> {
  const actor = actorOf(ctx)
  const db = deps.db
  const ids = targets(db, input)
  // Filing a recording needs a basis on the recording itself — custodian, whoever brought it in or recorded it,
  // or the handler of the open case it is in — not only on the target case: otherwise anyone could open a case
  // of their own and pull someone else's recording into it. An unknown id (or batch) answers like a forbidden one.
  if (!ids.length)
    gateCase(deps, ctx, null, 'file', 'records.tag', { type: 'ingest_batch', id: input.batchId ?? '' })
  for (const id of ids)
    if (!basisForRecord(deps, actor, id, 'file')) gateRecord(deps, ctx, id, 'file', 'records.tag')
  const t = input.tags
  if (t.caseId) gateCase(deps, ctx, t.caseId, 'file', 'records.tag')
  // Moving a recording out of a confidential case to one fewer or other people may see is lowering its
  // confidentiality: only someone the agency named for that level does it.
  const target = t.caseId === undefined ? undefined : levelOf(db, t.caseId)
  if (target !== undefined)
    for (const id of ids) {
      const from = levelOf(db, tagsOf(db, id).caseId)
      if (from !== target && opensWider(from, target) && !isNamedFor(db, from, actor.userId))
        refuse(deps, ctx, { type: 'evidence', id }, 'records.tag', 'lowers_confidentiality')
    }
  if (t.actionType && !db.prepare('SELECT 1 FROM action_types WHERE code = ?').get(t.actionType))
    throw new AppError('VALIDATION', { fields: 'tags.actionType' })
  for (const u of t.collectorIds ?? [])
    if (!db.prepare('SELECT 1 FROM users WHERE id = ?').get(u))
      throw new AppError('VALIDATION', { fields: 'tags.collectorIds' })
  const now = deps.now().toISOString()
  let updated = 0
  auditedChange(
    deps,
    (events: AuditInput[]) => events,
    () => {
      const events: AuditInput[] = []
      for (const evidenceId of ids) {
        const current = tagsOf(db, evidenceId)
        const next: Tags = {
          ...strip(current),
          ...Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)),
        } as Tags
        if (t.caseId === null) next.caseId = null
        const caseId = next.caseId
        for (const s of next.supports) {
          const ok = db.prepare('SELECT 1 FROM text_records WHERE id = ? AND case_id = ?').get(s, caseId)
          if (!ok) throw new AppError('VALIDATION', { fields: 'tags.supports' })
        }
        if (sameTags(strip(current), next)) continue
        const version = current.version + 1
        if (current.version === 0)
          db.prepare(
            `INSERT INTO record_tag_history (evidence_id, version, tags, reason, changed_at, changed_by)
             VALUES (?, 0, ?, 'ingest', ?, ?)`,
          ).run(evidenceId, JSON.stringify(strip(current)), now, actor.userId)
        db.prepare(
          `INSERT INTO record_tags (evidence_id, case_id, stage, action_type, full_recording, capture_start, place,
             latitude, longitude, fact, collectors, supports, version, updated_at, updated_by)
           VALUES (@evidenceId, @caseId, @stage, @actionType, @full, @captureStart, @place, @latitude, @longitude,
             @fact, @collectors, @supports, @version, @now, @by)
           ON CONFLICT(evidence_id) DO UPDATE SET case_id = @caseId, stage = @stage, action_type = @actionType,
             full_recording = @full, capture_start = @captureStart, place = @place, latitude = @latitude,
             longitude = @longitude, fact = @fact, collectors = @collectors, supports = @supports,
             version = @version, updated_at = @now, updated_by = @by`,
        ).run({
          evidenceId,
          caseId: next.caseId,
          stage: next.stage,
          actionType: next.actionType,
          full: next.fullRecording ? 1 : 0,
          captureStart: next.captureStart,
          place: next.place,
          latitude: next.latitude,
          longitude: next.longitude,
          fact: next.fact,
          collectors: JSON.stringify(next.collectorIds),
          supports: JSON.stringify(next.supports),
          version,
          now,
          by: actor.userId,
        })
        db.prepare(
          `INSERT INTO record_tag_history (evidence_id, version, tags, reason, changed_at, changed_by)
           VALUES (?, ?, ?, ?, ?, ?)`,
        ).run(evidenceId, version, JSON.stringify(next), input.reason ?? null, now, actor.userId)
        indexRecord(db, evidenceId)
        const changed = Object.fromEntries(
          Object.entries(next).filter(
            ([k, v]) => JSON.stringify(v) !== JSON.stringify((strip(current) as Record<string, unknown>)[k]),
          ),
        )
        events.push({
          ...actorFields(actor),
          action: 'records.tag',
          targetType: 'evidence',
          targetId: evidenceId,
          details: {
            version,
            changed,
            before: Object.fromEntries(
              Object.keys(changed).map((k) => [k, (strip(current) as Record<string, unknown>)[k]]),
            ),
            ...(input.reason ? { reason: input.reason } : {}),
          },
        })
        updated++
      }
      return events
    },
  )
  return { updated, unchanged: ids.length - updated }
}

export function tagHistory(
  deps: CoreDeps,
  input: ParsedInput<'records.tagHistory'>,
  ctx: CallContext,
): MethodOutput<'records.tagHistory'> {
  gateRecord(deps, ctx, input.evidenceId, 'meta', 'records.tagHistory')
  const rows = deps.db
    .prepare(
      `SELECT h.version, h.tags, h.reason, h.changed_at, u.display_name FROM record_tag_history h
       JOIN users u ON u.id = h.changed_by WHERE h.evidence_id = ? ORDER BY h.version`,
    )
    .all(input.evidenceId) as {
    version: number
    tags: string
    reason: string | null
    changed_at: string
    display_name: string
  }[]
  return {
    versions: rows.map((r) => ({
      version: r.version,
      tags: JSON.parse(r.tags) as Record<string, unknown>,
      reason: r.reason,
      changedAt: r.changed_at,
      changedBy: r.display_name,
    })),
  }
}
