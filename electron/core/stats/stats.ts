import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import type { CoreDeps } from '../context.ts'
import { addCalendarDays, chinaDate, loadCalendar } from '../cases/calendar.ts'
import { disclosureDue } from '../disclosure/deadline.ts'
import type { EvidenceFlag } from '../../../shared/ingest.ts'

/*
 * Enforcement statistics for a year or a quarter (China dates): cases by type, source and result; audio/video
 * coverage of the actions the rules require to be recorded in full; the 24-hour storage rule; archiving within
 * 30 days of execution; access requests and their outcomes; disc inspections. Every figure is a plain count
 * over the rows of the period (and legal review opinions and the publication of decisions), so an outside reader can recompute it from the database.
 */

const inc = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1
}

export function periodOf(year: number, quarter?: number): { from: string; to: string } {
  if (!quarter) return { from: `${year}-01-01`, to: `${year + 1}-01-01` }
  const m = (quarter - 1) * 3 + 1
  const end = quarter === 4 ? `${year + 1}-01-01` : `${year}-${String(m + 3).padStart(2, '0')}-01`
  return { from: `${year}-${String(m).padStart(2, '0')}-01`, to: end }
}

export function statistics(deps: CoreDeps, i: ParsedInput<'stats.get'>): MethodOutput<'stats.get'> {
  const db = deps.db
  const { from, to } = periodOf(i.year, i.quarter)
  const inPeriod = (d: string | null) => !!d && d >= from && d < to
  const dateOf = (iso: string) => chinaDate(new Date(iso))

  // Cases filed in the period (the filing date, else the day the case was created).
  const cases = db
    .prepare('SELECT id, type, source, stage, filed_on, created_at, decided_on FROM cases')
    .all() as {
    id: string
    type: string
    source: string
    stage: string
    filed_on: string | null
    created_at: string
    decided_on: string | null
  }[]
  const filed = cases.filter((c) => inPeriod(c.filed_on ?? dateOf(c.created_at)))
  const byType: Record<string, number> = {}
  const bySource: Record<string, number> = {}
  const byStage: Record<string, number> = {}
  for (const c of filed) {
    inc(byType, c.type)
    inc(bySource, c.source)
    inc(byStage, c.stage)
  }

  // Actions that must be recorded in full, taken in the period, and whether a full recording of them is filed.
  const actions = db
    .prepare(
      `SELECT a.case_id, a.action_type, a.occurred_on,
         EXISTS (SELECT 1 FROM record_tags t WHERE t.case_id = a.case_id AND t.action_type = a.action_type
                 AND t.full_recording = 1) AS covered
       FROM case_actions a JOIN action_types t ON t.code = a.action_type WHERE t.full_av = 1`,
    )
    .all() as { action_type: string; occurred_on: string; covered: number }[]
  const required = actions.filter((a) => inPeriod(a.occurred_on))
  const coveredByAction: Record<string, { required: number; covered: number }> = {}
  for (const a of required) {
    const e = (coveredByAction[a.action_type] ??= { required: 0, covered: 0 })
    e.required++
    if (a.covered) e.covered++
  }
  const covered = required.filter((a) => a.covered).length

  // Recordings brought in during the period, and how many were stored more than 24 hours after they ended.
  const evidence = db.prepare('SELECT ingested_at, flags FROM evidence').all() as {
    ingested_at: string
    flags: string
  }[]
  const ingested = evidence.filter((e) => inPeriod(dateOf(e.ingested_at)))
  // The flag ingest writes (typed, so a renamed flag cannot leave this figure counting nothing).
  const lateFlag: EvidenceFlag = 'late_ingest'
  const late = ingested.filter((e) => (JSON.parse(e.flags) as EvidenceFlag[]).includes(lateFlag)).length

  // Cases executed in the period: archived (first good disc) within 30 days, late, or not yet.
  const cal = loadCalendar(db)
  const executed = db
    .prepare(
      `SELECT c.id, c.executed_on, (SELECT MIN(d.written_at) FROM archive_volumes v JOIN discs d ON d.volume_id = v.id
                                   WHERE v.case_id = c.id AND d.status = 'good') AS archived_at
       FROM cases c WHERE c.executed_on IS NOT NULL`,
    )
    .all() as { executed_on: string; archived_at: string | null }[]
  const archiving = { executed: 0, onTime: 0, late: 0, notYet: 0 }
  for (const c of executed.filter((x) => inPeriod(x.executed_on))) {
    archiving.executed++
    const due = addCalendarDays(cal, c.executed_on, 30).due
    if (!c.archived_at) archiving.notYet++
    else if (dateOf(c.archived_at) <= due) archiving.onTime++
    else archiving.late++
  }

  // Access requests made in the period, by outcome; disc inspections done in the period.
  const requests = db.prepare('SELECT status, created_at FROM access_requests').all() as {
    status: string
    created_at: string
  }[]
  const access: Record<string, number> = {}
  for (const r of requests.filter((x) => inPeriod(dateOf(x.created_at)))) inc(access, r.status)
  const checks = db.prepare(`SELECT ok, checked_at FROM disc_checks WHERE kind = 'inspection'`).all() as {
    ok: number
    checked_at: string
  }[]
  const inspected = checks.filter((c) => inPeriod(dateOf(c.checked_at)))

  // Legal review rounds submitted in the period, and the opinions given in it, on time or after the deadline.
  const rounds = db.prepare('SELECT submitted_at, opinion, opinion_at, due_on FROM reviews').all() as {
    submitted_at: string
    opinion: string | null
    opinion_at: string | null
    due_on: string
  }[]
  const review = { submitted: 0, opinions: {} as Record<string, number>, onTime: 0, late: 0 }
  for (const r of rounds) {
    if (inPeriod(dateOf(r.submitted_at))) review.submitted++
    if (!r.opinion || !r.opinion_at || !inPeriod(dateOf(r.opinion_at))) continue
    inc(review.opinions, r.opinion)
    if (dateOf(r.opinion_at) <= r.due_on) review.onTime++
    else review.late++
  }

  // Decisions made in the period and their publication: first publication within the limit, after it, not yet.
  const published = db
    .prepare(
      `SELECT c.type, c.decided_on, (SELECT MIN(published_at) FROM disclosures d WHERE d.case_id = c.id) AS published_at
       FROM cases c WHERE c.decided_on IS NOT NULL`,
    )
    .all() as { type: string; decided_on: string; published_at: string | null }[]
  const disclosure = { decided: 0, onTime: 0, late: 0, notYet: 0, withdrawn: 0 }
  for (const c of published.filter((x) => inPeriod(x.decided_on))) {
    disclosure.decided++
    const due = disclosureDue(cal, c.type, c.decided_on).due
    if (!c.published_at) disclosure.notYet++
    else if (dateOf(c.published_at) <= due) disclosure.onTime++
    else disclosure.late++
  }
  disclosure.withdrawn = (
    db.prepare('SELECT withdrawn_at FROM disclosures WHERE withdrawn_at IS NOT NULL').all() as {
      withdrawn_at: string
    }[]
  ).filter((d) => inPeriod(dateOf(d.withdrawn_at))).length

  const rate = (n: number, d: number) => (d ? Math.round((n / d) * 10000) / 100 : null)
  return {
    period: { year: i.year, quarter: i.quarter ?? null, from, to },
    cases: {
      filed: filed.length,
      byType,
      bySource,
      byStage,
      decided: cases.filter((c) => inPeriod(c.decided_on)).length,
    },
    av: {
      required: required.length,
      covered,
      ratePercent: rate(covered, required.length),
      byAction: coveredByAction,
    },
    storage: {
      ingested: ingested.length,
      within24h: ingested.length - late,
      late,
      ratePercent: rate(ingested.length - late, ingested.length),
    },
    archiving,
    access,
    inspections: { done: inspected.length, failed: inspected.filter((c) => !c.ok).length },
    review,
    disclosure,
  }
}
