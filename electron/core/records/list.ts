import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { AppError } from '../../../shared/errors.ts'
import { SECRET_LEVELS } from '../../../shared/contract.ts'
import { actorOf, type Actor, type CallContext, type CoreDeps } from '../context.ts'
import { accessPolicy, basisForRecord, isCustodian } from '../access/gate.ts'
import { planRowids, searchPlan } from '../cases/search.ts'
import { Where, placeholders } from '../db/where.ts'
import { grantValidAtSql } from '../access/grant-times.ts'

/*
 * The recordings page (音像记录): every recording the caller may see, filtered and paged by keyset.
 *
 * Who sees what is the gate's rule (access/gate.ts, use 'meta'), written here once more as SQL so that a page,
 * its filters and its count are computed over exactly the visible rows — a page filled by dropping rows after the
 * query would show short pages and a count that includes what the caller may not see. Each returned row is still
 * asked of basisForRecord (the rule of record); tests/security/records-list.test.ts holds the two to agree.
 */

type Input = ParsedInput<'records.list'>

/** The gate's 'meta' decision as a WHERE clause over e (evidence), t (record_tags) and c (cases). */
export function visibleWhere(deps: CoreDeps, actor: Actor): { sql: string; args: unknown[] } {
  const policy = accessPolicy(deps.db)
  if (isCustodian(policy, actor)) return { sql: '1', args: [] }
  const me = actor.userId
  const now = deps.now().toISOString()
  const named = SECRET_LEVELS.filter((l) => policy.named[l].includes(me))
  const any = new Where('OR')
    // Not filed yet: whoever brought it in or recorded it (the facts of ingest, not the tags).
    .and('t.case_id IS NULL AND (e.ingested_by = ? OR e.collector_user_id = ?)', me, me)
    // A handler of the case, open or archived, sees what is in it.
    .and('t.case_id IN (SELECT case_id FROM case_handlers WHERE user_id = ?)', me)
    // An open legal review assigned to the caller that lists this recording.
    .and(
      `EXISTS (SELECT 1 FROM reviews r WHERE r.case_id = t.case_id AND r.status = 'in_review' AND r.reviewer_id = ?
       AND EXISTS (SELECT 1 FROM json_each(r.materials) m WHERE json_extract(m.value, '$.id') = e.id))`,
      me,
    )
    // A grant valid now, on the whole case or naming this recording.
    .and(
      `EXISTS (SELECT 1 FROM access_grants g WHERE g.holder_id = ? AND g.case_id = t.case_id AND ${grantValidAtSql('g')}
       AND (g.record_ids IS NULL OR EXISTS (SELECT 1 FROM json_each(g.record_ids) x WHERE x.value = e.id)))`,
      me,
      now,
      now,
    )
  if (named.length) any.and(`c.confidentiality IN (${placeholders(named.length)})`, ...named)
  if (actor.roles.includes('approver'))
    // Deciding a pending request (of someone else) on a 一般 case: its records, read-only (named levels above).
    any.and(
      `c.confidentiality = 'general' AND EXISTS (SELECT 1 FROM access_requests q WHERE q.case_id = t.case_id
       AND q.status = 'pending' AND q.requester_id <> ?
       AND (q.record_ids IS NULL OR EXISTS (SELECT 1 FROM json_each(q.record_ids) x WHERE x.value = e.id)))`,
      me,
    )
  return { sql: any.sql, args: any.args }
}

/** 2026-12-02 in Beijing time as the UTC instant its day starts (capture times are stored in UTC). */
const dayStart = (day: string) => new Date(`${day}T00:00:00+08:00`).toISOString()
const nextDayStart = (day: string) => new Date(Date.parse(`${day}T00:00:00+08:00`) + 86_400_000).toISOString()

const SORT_KEY = {
  capture: "coalesce(t.capture_start, e.capture_start, '')",
  ingested: 'e.ingested_at',
} as const

interface Cursor {
  k: string
  id: string
}

function readCursor(s: string | undefined): Cursor | null {
  if (!s) return null
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Partial<Cursor>
    if (typeof c.k === 'string' && typeof c.id === 'string') return { k: c.k, id: c.id }
  } catch {
    /* falls through */
  }
  throw new AppError('VALIDATION', { fields: 'cursor' })
}

/** The filters' WHERE clause (visibility included), shared by the page and by the to-do counts. */
export function recordsWhere(
  deps: CoreDeps,
  actor: Actor,
  input: Omit<Input, 'limit' | 'cursor' | 'sort'>,
): { sql: string; args: unknown[] } | null {
  const visible = visibleWhere(deps, actor)
  const where = new Where().and('e.deleted_at IS NULL').and(visible.sql, ...visible.args)
  // Capture times keep the offset the file or device gave them ('…T20:30:00+08:00'): compared as instants, not
  // as text, or a Beijing evening after 16:00 would fall into the next day.
  if (input.from) where.and(`julianday(${SORT_KEY.capture}) >= julianday(?)`, dayStart(input.from))
  if (input.to) where.and(`julianday(${SORT_KEY.capture}) < julianday(?)`, nextDayStart(input.to))
  if (input.collectorId)
    where.and(
      '(e.collector_user_id = ? OR EXISTS (SELECT 1 FROM json_each(t.collectors) j WHERE j.value = ?))',
      input.collectorId,
      input.collectorId,
    )
  where.andIf(input.deviceId, 'e.device_id = ?')
  if (input.unfiled) where.and('t.case_id IS NULL')
  else where.andIf(input.caseId, 't.case_id = ?')
  where.andIf(input.mediaType, 'e.media_type = ?')
  for (const f of input.flags ?? []) {
    if (f === 'unsigned') where.and('NOT EXISTS (SELECT 1 FROM signatures s WHERE s.evidence_id = e.id)')
    else if (f === 'late_without_reason')
      where.and(
        "e.late_reason IS NULL AND EXISTS (SELECT 1 FROM json_each(e.flags) x WHERE x.value = 'late_reason_missing')",
      )
    else
      where.and(
        'EXISTS (SELECT 1 FROM json_each(e.flags) x WHERE x.value = ?)',
        f === 'late' ? 'late_ingest' : f,
      )
  }
  if (input.query) {
    const plan = searchPlan(input.query)
    if (!plan) return null
    const found = planRowids('record', plan)
    where.and(`e.id IN (SELECT evidence_id FROM record_fts_map WHERE rowid IN (${found.sql}))`, ...found.args)
  }
  return { sql: where.sql, args: where.args }
}

const FROM = `evidence e LEFT JOIN record_tags t ON t.evidence_id = e.id LEFT JOIN cases c ON c.id = t.case_id`

export function countRecords(
  deps: CoreDeps,
  actor: Actor,
  filters: Omit<Input, 'limit' | 'cursor' | 'sort'>,
): number {
  const w = recordsWhere(deps, actor, filters)
  if (!w) return 0
  return (deps.db.prepare(`SELECT count(*) AS n FROM ${FROM} WHERE ${w.sql}`).get(...w.args) as { n: number })
    .n
}

interface Row {
  id: string
  original_name: string
  media_type: 'video' | 'audio' | 'photo'
  duration_ms: number | null
  ingested_at: string
  capture_start: string | null
  case_id: string | null
  case_no: string | null
  place: string | null
  fact: string | null
  collectors: string | null
  collector_user_id: string | null
  device_label: string
  flags: string
  late_reason: string | null
  signed: number
  k: string
}

export function listRecords(deps: CoreDeps, input: Input, ctx: CallContext): MethodOutput<'records.list'> {
  const actor = actorOf(ctx)
  const db = deps.db
  const w = recordsWhere(deps, actor, input)
  if (!w) throw new AppError('VALIDATION', { fields: 'query' })
  const key = SORT_KEY[input.sort]
  const cursor = readCursor(input.cursor)
  // Keyset: newest first, ties broken by id, so a page never repeats or skips a row while others are added.
  const after = cursor ? ` AND (${key} < ? OR (${key} = ? AND e.id < ?))` : ''
  const rows = db
    .prepare(
      `SELECT e.id, e.original_name, e.media_type, e.duration_ms, e.ingested_at,
              coalesce(t.capture_start, e.capture_start) AS capture_start, t.case_id, c.case_no,
              -- Not tagged yet: the place and fact given at import (a tag row, once there, has the last word).
              CASE WHEN t.evidence_id IS NULL THEN e.place ELSE t.place END AS place,
              CASE WHEN t.evidence_id IS NULL THEN e.fact ELSE t.fact END AS fact,
              t.collectors, e.collector_user_id, d.label AS device_label, e.flags, e.late_reason,
              EXISTS (SELECT 1 FROM signatures s WHERE s.evidence_id = e.id) AS signed, ${key} AS k
       FROM ${FROM} JOIN devices d ON d.id = e.device_id
       WHERE ${w.sql}${after} ORDER BY k DESC, e.id DESC LIMIT ?`,
    )
    .all(...w.args, ...(cursor ? [cursor.k, cursor.k, cursor.id] : []), input.limit + 1) as Row[]
  const more = rows.length > input.limit
  const page = rows.slice(0, input.limit)
  // The rule of record has the last word: a row the SQL let through and the gate refuses is not shown.
  const shown = page.filter((r) => basisForRecord(deps, actor, r.id, 'meta'))
  const nameOf = db.prepare('SELECT display_name FROM users WHERE id = ?')
  const names = new Map<string, string>()
  const name = (id: string) => {
    if (!names.has(id))
      names.set(id, (nameOf.get(id) as { display_name: string } | undefined)?.display_name ?? '')
    return names.get(id)!
  }
  const last = page[page.length - 1]
  return {
    items: shown.map((r) => {
      const collectors = r.collectors ? (JSON.parse(r.collectors) as string[]) : []
      const ids = collectors.length ? collectors : r.collector_user_id ? [r.collector_user_id] : []
      return {
        evidenceId: r.id,
        originalName: r.original_name,
        mediaType: r.media_type,
        durationMs: r.duration_ms,
        ingestedAt: r.ingested_at,
        captureStart: r.capture_start,
        caseId: r.case_id,
        caseNo: r.case_no,
        place: r.place,
        fact: r.fact,
        collectors: ids.map(name).filter(Boolean),
        device: r.device_label,
        flags: JSON.parse(r.flags) as MethodOutput<'records.list'>['items'][number]['flags'],
        lateReason: r.late_reason,
        signed: r.signed === 1,
      }
    }),
    nextCursor:
      more && last ? Buffer.from(JSON.stringify({ k: last.k, id: last.id })).toString('base64url') : null,
    total: input.cursor ? null : countRecords(deps, actor, input),
    seesEvery: isCustodian(accessPolicy(deps.db), actor),
  }
}
