import type { CoreEnv, Handlers } from '../handlers.ts'
import * as cases from './service.ts'
import * as caseQueries from './queries.ts'
import * as caseChanges from './changes.ts'

/** cases.*, catalogue.*, calendar.* (shared/contract/cases.ts). */
export function casesHandlers({ deps }: CoreEnv) {
  return {
    'cases.catalogue': () => caseQueries.catalogue(deps),
    'cases.numbering': (i, ctx) => cases.setNumbering(deps, i, ctx),
    'cases.officers': () => cases.officers(deps),
    'cases.create': (i, ctx) => cases.createCase(deps, i, ctx),
    'cases.find': (i) => ({ caseId: cases.caseIdByNo(deps.db, i.caseNo) }),
    'cases.get': (i, ctx) => caseQueries.getCase(deps, i, ctx),
    'cases.list': (i, ctx) => cases.listCases(deps, i, ctx),
    'cases.update': (i, ctx) => cases.updateCase(deps, i, ctx),
    'cases.requestChange': (i, ctx) => caseChanges.requestChange(deps, i, ctx),
    'cases.decideChange': (i, ctx) => caseChanges.decideChange(deps, i, ctx),
    'cases.changes': (i, ctx) => caseChanges.listChanges(deps, i, ctx),
    'cases.addAction': (i, ctx) => cases.addAction(deps, i, ctx),
    'cases.check': (i, ctx) => caseQueries.caseCheck(deps, i, ctx),
    'cases.archiveException': (i, ctx) => cases.archiveException(deps, i, ctx),
    'cases.deadlines': (_i, ctx) => cases.deadlines(deps, ctx),
    'catalogue.setDocType': (i, ctx) => cases.setDocType(deps, i, ctx),
    'catalogue.setActionType': (i, ctx) => cases.setActionType(deps, i, ctx),
    'calendar.set': (i, ctx) => cases.setCalendar(deps, i, ctx),
  } satisfies Partial<Handlers>
}
