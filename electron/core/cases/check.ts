import type { MethodOutput } from '../../../shared/contract.ts'
import type { CaseCheck, CaseProblem, RequiredTag } from '../../../shared/cases.ts'
import type { Db } from '../db/index.ts'
import { addCalendarDays, chinaDate, loadCalendar } from './calendar.ts'
import { caseRow, textRecordsOf } from './repo.ts'
import { tagsOf } from './tags.ts'

/*
 * Is the case file complete? Read from the rules the agency keeps as data: each document its case type needs
 * up to the stage it has reached (all of them once execution ended), full audio/video recording of every action
 * that requires it (declared, or attested by a document such as a hearing record), the five facts every
 * recording must carry, the 24-hour storage rule, and the 30-day archiving deadline.
 */

const ORDER = ['start', 'investigation', 'decision', 'execution', 'closed'] as const

/** `closing`: judge the file as if the case were being archived now, every stage's documents due. */
export function checkCase(db: Db, caseId: string, now: Date, opts: { closing?: boolean } = {}): CaseCheck {
  const c = caseRow(db, caseId)
  const problems: CaseProblem[] = []
  const reached = ORDER.indexOf(opts.closing || c.executed_on ? 'closed' : c.stage)
  const docs = textRecordsOf(db, caseId).filter((d) => d.current)

  const handlers = (
    db.prepare('SELECT count(*) AS n FROM case_handlers WHERE case_id = ?').get(caseId) as { n: number }
  ).n
  if (handlers < 2)
    problems.push({
      kind: 'too_few_handlers',
      stage: null,
      subject: null,
      subjectName: null,
      detail: String(handlers),
    })

  const docTypes = db
    .prepare('SELECT code, name, stage, required_for, action FROM doc_types ORDER BY sort')
    .all() as {
    code: string
    name: string
    stage: (typeof ORDER)[number]
    required_for: string
    action: string | null
  }[]
  for (const dt of docTypes) {
    const required = (JSON.parse(dt.required_for) as string[]).includes(c.type)
    if (!required || ORDER.indexOf(dt.stage) > reached) continue
    if (!docs.some((d) => d.docType === dt.code))
      problems.push({
        kind: 'doc_missing',
        stage: dt.stage as CaseProblem['stage'],
        subject: dt.code,
        subjectName: dt.name,
        detail: null,
      })
  }

  // Actions that took place: declared ones, and those a document attests.
  const actionTypes = new Map(
    (
      db.prepare('SELECT code, name, stage, full_av FROM action_types').all() as {
        code: string
        name: string
        stage: CaseProblem['stage']
        full_av: number
      }[]
    ).map((a) => [a.code, a]),
  )
  const happened = new Set(
    (
      db.prepare('SELECT action_type FROM case_actions WHERE case_id = ?').all(caseId) as {
        action_type: string
      }[]
    ).map((r) => r.action_type),
  )
  for (const d of docs) {
    const a = docTypes.find((t) => t.code === d.docType)?.action
    if (a) happened.add(a)
  }
  const recordIds = (
    db.prepare('SELECT evidence_id FROM record_tags WHERE case_id = ?').all(caseId) as {
      evidence_id: string
    }[]
  ).map((r) => r.evidence_id)
  const records = recordIds.map((id) => ({ id, tags: tagsOf(db, id) }))
  for (const r of records) if (r.tags.actionType) happened.add(r.tags.actionType)
  for (const code of happened) {
    const a = actionTypes.get(code)
    if (!a?.full_av) continue
    const av = records.filter((r) => r.tags.actionType === code)
    if (!av.length)
      problems.push({ kind: 'av_missing', stage: a.stage, subject: code, subjectName: a.name, detail: null })
    else if (!av.some((r) => r.tags.fullRecording))
      problems.push({ kind: 'av_not_full', stage: a.stage, subject: code, subjectName: a.name, detail: null })
  }

  for (const r of records) {
    const t = r.tags
    // Named for the reader by caseProblemText (shared/cases.ts).
    const missing = (
      [
        !t.captureStart && 'captureStart',
        !t.place && 'place',
        !t.collectorIds.length && 'collector',
        !t.fact && 'fact',
      ] as const
    ).filter((x): x is RequiredTag => Boolean(x))
    const name = (
      db.prepare('SELECT original_name FROM evidence WHERE id = ?').get(r.id) as { original_name: string }
    ).original_name
    if (missing.length)
      problems.push({
        kind: 'tag_incomplete',
        stage: t.stage,
        subject: r.id,
        subjectName: name,
        detail: missing.join(','),
      })
    const e = db.prepare('SELECT flags, late_reason FROM evidence WHERE id = ?').get(r.id) as {
      flags: string
      late_reason: string | null
    }
    if ((JSON.parse(e.flags) as string[]).includes('late_ingest') && !e.late_reason)
      problems.push({
        kind: 'late_ingest_unexplained',
        stage: t.stage,
        subject: r.id,
        subjectName: name,
        detail: null,
      })
  }

  const deadlines: CaseCheck['deadlines'] = []
  const today = chinaDate(now)
  if (c.executed_on) {
    const d = addCalendarDays(loadCalendar(db), c.executed_on, 30)
    const done = c.stage === 'closed'
    const overdue = !done && today > d.due
    deadlines.push({ kind: 'archive', from: c.executed_on, ...d, overdue, done })
    if (overdue)
      problems.push({
        kind: 'archive_overdue',
        stage: 'execution',
        subject: null,
        subjectName: null,
        detail: d.due,
      })
  }
  return {
    caseId,
    caseNo: c.case_no,
    complete: problems.length === 0,
    problems,
    deadlines,
    checkedAt: now.toISOString(),
  }
}

export type CaseCheckOutput = MethodOutput<'cases.check'>
