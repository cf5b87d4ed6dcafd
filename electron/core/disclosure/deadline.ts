import type { Db } from '../db/index.ts'
import { addWorkingDays, loadCalendar } from '../cases/calendar.ts'

/** 000 §3(3)1: publish within 20 working days of the decision; penalty decisions within 7. */
export const PENALTY_DAYS = 7
export const OTHER_DAYS = 20

export function disclosureDue(db: Db, caseType: string, decidedOn: string) {
  return addWorkingDays(loadCalendar(db), decidedOn, caseType === 'penalty' ? PENALTY_DAYS : OTHER_DAYS)
}
