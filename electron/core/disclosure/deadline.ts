import { addWorkingDays, type Calendar } from '../cases/calendar.ts'

/** 000 §3(3)1: publish within 20 working days of the decision; penalty decisions within 7. */
export const PENALTY_DAYS = 7
export const OTHER_DAYS = 20

/** The calendar is loaded once by the caller: lists and statistics ask for many cases at a time. */
export function disclosureDue(cal: Calendar, caseType: string, decidedOn: string) {
  return addWorkingDays(cal, decidedOn, caseType === 'penalty' ? PENALTY_DAYS : OTHER_DAYS)
}
