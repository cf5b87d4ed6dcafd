import type { CoreEnv, Handlers } from '../handlers.ts'
import * as caseQueries from '../cases/queries.ts'
import { tagHistory, tagRecords } from '../cases/tags.ts'
import { addTextRecord, openTextRecord } from '../cases/text-records.ts'
import { listRecords } from './list.ts'
import { todoCounts } from './todo.ts'

/** records.*, todo.counts, textRecords.* (shared/contract/records.ts). */
export function recordsHandlers({ deps, uploads }: CoreEnv) {
  return {
    'records.tag': (i, ctx) => tagRecords(deps, i, ctx),
    'records.tagHistory': (i, ctx) => tagHistory(deps, i, ctx),
    'records.search': (i, ctx) => caseQueries.searchRecords(deps, i, ctx),
    'records.list': (i, ctx) => listRecords(deps, i, ctx),
    'todo.counts': (_i, ctx) => todoCounts(deps, ctx),
    'textRecords.add': (i, ctx) => addTextRecord(deps, i, ctx, uploads),
    'textRecords.open': (i, ctx) => openTextRecord(deps, i, ctx),
  } satisfies Partial<Handlers>
}
