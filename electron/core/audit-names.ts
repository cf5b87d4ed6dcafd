import type { AuditEvent } from '../../shared/contract.ts'
import type { Db } from './db/index.ts'
import { reviewScope } from './review/scope.ts'

/*
 * The audit trail stores ids and codes (caseId, collectorIds, docType: legal_review_record) because they never
 * change; an auditor reads names. This resolves what a page of events refers to, from the tables that own the
 * names, into one map the 审计 page looks values up in: an id → its name ("示医保罚〔2026〕3号", "王记录"), and
 * `key:code` → the agency's own name for a catalogue code ("docType:legal_review_record" → "法制审核意见书").
 * The stored details are not touched (the hash chain covers them).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function collect(v: unknown, key: string, ids: Set<string>, codes: Set<string>): void {
  if (typeof v === 'string') {
    if (UUID.test(v)) ids.add(v)
    else codes.add(`${key}:${v}`)
  } else if (Array.isArray(v)) for (const x of v) collect(x, key, ids, codes)
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) collect(x, k, ids, codes)
}

/** Tables whose rows an audit detail may name by id, and how each row is called. */
const ID_NAMES: string[] = [
  'SELECT id, case_no AS name FROM cases WHERE id IN (SELECT value FROM json_each(?))',
  'SELECT id, display_name AS name FROM users WHERE id IN (SELECT value FROM json_each(?))',
  'SELECT id, original_name AS name FROM evidence WHERE id IN (SELECT value FROM json_each(?))',
  `SELECT t.id, coalesce(d.name, t.doc_type) || coalesce('（' || t.doc_no || '）', '') AS name
     FROM text_records t LEFT JOIN doc_types d ON d.code = t.doc_type
    WHERE t.id IN (SELECT value FROM json_each(?))`,
  `SELECT a.id, coalesce(t.name, a.action_type) || ' ' || a.occurred_on AS name
     FROM case_actions a LEFT JOIN action_types t ON t.code = a.action_type
    WHERE a.id IN (SELECT value FROM json_each(?))`,
  `SELECT c.id, coalesce(u.display_name || '的签名证书', '本单位根证书') || '（序列号 ' || c.serial || '）' AS name
     FROM certificates c LEFT JOIN users u ON u.id = c.user_id
    WHERE c.id IN (SELECT value FROM json_each(?))`,
  'SELECT id, name FROM devices WHERE id IN (SELECT value FROM json_each(?))',
]

export function auditNames(db: Db, events: readonly AuditEvent[]): Record<string, string> {
  const ids = new Set<string>()
  const codes = new Set<string>()
  for (const e of events) collect(e.details, '', ids, codes)
  const names: Record<string, string> = {}
  if (ids.size) {
    const list = JSON.stringify([...ids])
    for (const sql of ID_NAMES) {
      let rows: { id: string; name: string | null }[]
      try {
        rows = db.prepare(sql).all(list) as { id: string; name: string | null }[]
      } catch {
        continue // a table a station may not have (older schema in a test): its ids stay unnamed
      }
      for (const r of rows) if (r.name) names[r.id] = r.name
    }
  }
  const code = (prefix: string, rows: { code: string; name: string }[]) => {
    for (const r of rows) if (codes.has(`${prefix}:${r.code}`)) names[`${prefix}:${r.code}`] = r.name
  }
  code('docType', db.prepare('SELECT code, name FROM doc_types').all() as { code: string; name: string }[])
  code(
    'actionType',
    db.prepare('SELECT code, name FROM action_types').all() as { code: string; name: string }[],
  )
  code('type', db.prepare('SELECT code, name FROM case_types').all() as { code: string; name: string }[])
  code('basis', reviewScope(db).items)
  return names
}
