import type { Db } from '../db/index.ts'

/*
 * Chinese full-text search on SQLite FTS5. Text is indexed as overlapping character bigrams (福州 州市 市鼓 …),
 * the usual way to search CJK without a dictionary: a query of two or more characters becomes a phrase of its
 * bigrams, so "药店" or "鼓楼区" match anywhere, which FTS5's trigram tokenizer cannot do below three characters.
 * Latin letters and digits are indexed as lower-case words.
 */

const HAN = /\p{Script=Han}/u
const WORD = /[\p{L}\p{N}]/u

/** Tokens of a text: bigrams of each run of Han characters (a lone character stands alone), and words. */
export function tokens(text: string): string[] {
  const out: string[] = []
  let han = ''
  let word = ''
  const flushHan = () => {
    if (han.length === 1) out.push(han)
    for (let i = 0; i + 1 < han.length; i++) out.push(han.slice(i, i + 2))
    han = ''
  }
  const flushWord = () => {
    if (word) out.push(word.toLowerCase())
    word = ''
  }
  for (const ch of text) {
    if (HAN.test(ch)) {
      flushWord()
      han += ch
    } else if (WORD.test(ch)) {
      flushHan()
      word += ch
    } else {
      flushHan()
      flushWord()
    }
  }
  flushHan()
  flushWord()
  return out
}

export function indexBody(parts: (string | null | undefined)[]): string {
  return tokens(parts.filter(Boolean).join(' ')).join(' ')
}

/** An FTS5 MATCH expression for what a user typed; null when nothing searchable is left. */
export function matchExpression(query: string): string | null {
  const terms = query
    .split(/\s+/)
    .map((t) => tokens(t))
    .filter((t) => t.length > 0)
  if (!terms.length) return null
  return terms
    .map((t) => (t.length === 1 && [...t[0]!].length === 1 ? `"${t[0]}"*` : `"${t.join(' ')}"`))
    .join(' AND ')
}

function upsert(db: Db, table: 'case_fts' | 'record_fts', key: string, body: string): void {
  const map = table === 'case_fts' ? 'case_fts_map' : 'record_fts_map'
  const col = table === 'case_fts' ? 'case_id' : 'evidence_id'
  const existing = db.prepare(`SELECT rowid FROM ${map} WHERE ${col} = ?`).get(key) as
    { rowid: number } | undefined
  if (existing) {
    db.prepare(`UPDATE ${table} SET body = ? WHERE rowid = ?`).run(body, existing.rowid)
    return
  }
  const { lastInsertRowid } = db.prepare(`INSERT INTO ${table} (body) VALUES (?)`).run(body)
  db.prepare(`INSERT INTO ${map} (rowid, ${col}) VALUES (?, ?)`).run(lastInsertRowid, key)
}

/** Re-index one case from its row, handlers and party (called inside the transaction that changed it). */
export function indexCase(db: Db, caseId: string): void {
  const c = db
    .prepare('SELECT case_no, cause, party_name, party_id_no FROM cases WHERE id = ?')
    .get(caseId) as
    { case_no: string; cause: string; party_name: string; party_id_no: string | null } | undefined
  if (!c) return
  const handlers = db
    .prepare(
      'SELECT u.display_name, u.badge_no FROM case_handlers h JOIN users u ON u.id = h.user_id WHERE h.case_id = ?',
    )
    .all(caseId) as { display_name: string; badge_no: string | null }[]
  upsert(
    db,
    'case_fts',
    caseId,
    indexBody([
      c.case_no,
      c.cause,
      c.party_name,
      c.party_id_no,
      ...handlers.flatMap((h) => [h.display_name, h.badge_no]),
    ]),
  )
}

/** Re-index one audio/video record from its current tags. */
export function indexRecord(db: Db, evidenceId: string): void {
  const r = db
    .prepare(
      `SELECT e.original_name, t.place, t.fact, t.collectors, c.case_no, a.name AS action
       FROM evidence e LEFT JOIN record_tags t ON t.evidence_id = e.id LEFT JOIN cases c ON c.id = t.case_id
       LEFT JOIN action_types a ON a.code = t.action_type WHERE e.id = ?`,
    )
    .get(evidenceId) as
    | {
        original_name: string
        place: string | null
        fact: string | null
        collectors: string | null
        case_no: string | null
        action: string | null
      }
    | undefined
  if (!r) return
  const collectors = JSON.parse(r.collectors ?? '[]') as string[]
  const names = collectors.length
    ? (
        db
          .prepare(`SELECT display_name FROM users WHERE id IN (${collectors.map(() => '?').join(',')})`)
          .all(...collectors) as { display_name: string }[]
      ).map((u) => u.display_name)
    : []
  upsert(
    db,
    'record_fts',
    evidenceId,
    indexBody([r.case_no, r.place, r.fact, r.action, r.original_name, ...names]),
  )
}
