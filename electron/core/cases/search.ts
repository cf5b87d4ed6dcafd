import type { Db } from '../db/index.ts'
import { placeholders } from '../db/where.ts'

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

/**
 * The raw text for the substring index (FTS5's trigram tokenizer, migration 0230): any run of three or more
 * characters of it is found, across scripts and punctuation — `罚〔2026〕4` in `FZYBJ罚〔2026〕47号`, `门诊药房`,
 * `ZD_20261120`. Fields are kept apart by a newline so no query joins two of them.
 */
export function substringBody(parts: (string | null | undefined)[]): string {
  return parts.filter(Boolean).join('\n')
}

/**
 * How to find what a user typed: its terms (split at spaces, all must match). With a term of three or more
 * characters, the trigram index finds the candidates, newest first, and any shorter terms filter them as plain
 * substrings of the same text (a bounded set: the scan stops at the page's limit). With short terms only (a
 * two-character place such as 药房, one character, a number), the bigram index answers, where a lone word or
 * character matches as a prefix. Null when nothing searchable is left.
 */
export interface SearchPlan {
  substring: string | null
  within: string[]
  bigram: string | null
}

export function searchPlan(query: string): SearchPlan | null {
  const long: string[] = []
  const short: string[] = []
  const within: string[] = []
  for (const term of query.split(/\s+/).filter(Boolean)) {
    if ([...term].length >= 3) {
      long.push(`"${term.replaceAll('"', '""')}"`)
      continue
    }
    const t = tokens(term)
    if (!t.length) continue
    within.push(term.toLowerCase())
    // One token of at most two characters: a prefix ("4" finds 47, "药"* finds 药房); else the phrase.
    short.push(t.length === 1 ? `"${t[0]}"*` : `"${t.join(' ')}"`)
  }
  if (long.length) return { substring: long.join(' AND '), within, bigram: null }
  return short.length ? { substring: null, within: [], bigram: short.join(' AND ') } : null
}

/** SQL for the rowids matching a plan (a FROM source or `rowid IN (…)`) and its arguments. */
export function planRowids(base: 'case' | 'record', plan: SearchPlan): { sql: string; args: string[] } {
  if (plan.substring) {
    const tri = `${base}_trigram`
    // instr, not LIKE: FTS5 would take a short LIKE pattern as a constraint of its own and scan every row.
    const filters = plan.within.map(() => ' AND instr(lower(body), ?) > 0').join('')
    return {
      sql: `SELECT rowid FROM ${tri} WHERE ${tri} MATCH ?${filters}`,
      args: [plan.substring, ...plan.within],
    }
  }
  const bi = `${base}_fts`
  return { sql: `SELECT rowid FROM ${bi} WHERE ${bi} MATCH ?`, args: [plan.bigram!] }
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

function upsert(db: Db, base: 'case' | 'record', key: string, parts: (string | null | undefined)[]): void {
  const table = `${base}_fts`
  const tri = `${base}_trigram`
  const map = `${base}_fts_map`
  const col = base === 'case' ? 'case_id' : 'evidence_id'
  const body = indexBody(parts)
  const raw = substringBody(parts)
  const existing = db.prepare(`SELECT rowid FROM ${map} WHERE ${col} = ?`).get(key) as
    { rowid: number } | undefined
  if (existing) {
    db.prepare(`UPDATE ${table} SET body = ? WHERE rowid = ?`).run(body, existing.rowid)
    db.prepare(`INSERT OR REPLACE INTO ${tri} (rowid, body) VALUES (?, ?)`).run(existing.rowid, raw)
    return
  }
  const { lastInsertRowid } = db.prepare(`INSERT INTO ${table} (body) VALUES (?)`).run(body)
  db.prepare(`INSERT INTO ${map} (rowid, ${col}) VALUES (?, ?)`).run(lastInsertRowid, key)
  db.prepare(`INSERT INTO ${tri} (rowid, body) VALUES (?, ?)`).run(lastInsertRowid, raw)
}

/** What a case is found by: its number, cause, party, handlers, and where its enforcement actions took place. */
export function caseSearchParts(db: Db, caseId: string): (string | null)[] | null {
  const c = db
    .prepare('SELECT case_no, cause, party_name, party_id_no FROM cases WHERE id = ?')
    .get(caseId) as
    { case_no: string; cause: string; party_name: string; party_id_no: string | null } | undefined
  if (!c) return null
  const handlers = db
    .prepare(
      'SELECT u.display_name, u.badge_no FROM case_handlers h JOIN users u ON u.id = h.user_id WHERE h.case_id = ?',
    )
    .all(caseId) as { display_name: string; badge_no: string | null }[]
  // Action places are part of the case's summary (cases.get shows them to whoever sees the case); the places in
  // its recordings' tags are not, so they are found through the recordings (音像记录), never through the case.
  const places = db
    .prepare('SELECT DISTINCT place FROM case_actions WHERE case_id = ? AND place IS NOT NULL')
    .all(caseId) as { place: string }[]
  return [
    c.case_no,
    c.cause,
    c.party_name,
    c.party_id_no,
    ...handlers.flatMap((h) => [h.display_name, h.badge_no]),
    ...places.map((p) => p.place),
  ]
}

/** Re-index one case from its row, handlers and party (called inside the transaction that changed it). */
export function indexCase(db: Db, caseId: string): void {
  const parts = caseSearchParts(db, caseId)
  if (parts) upsert(db, 'case', caseId, parts)
}

/** Re-index one audio/video record from its current tags (or, not tagged yet, what ingest read with it). */
export function indexRecord(db: Db, evidenceId: string): void {
  const r = db
    .prepare(
      `SELECT e.original_name, coalesce(t.place, e.place) AS place, coalesce(t.fact, e.fact) AS fact, t.collectors,
              coalesce(c.case_no, e.case_no) AS case_no, a.name AS action
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
          .prepare(`SELECT display_name FROM users WHERE id IN (${placeholders(collectors.length)})`)
          .all(...collectors) as { display_name: string }[]
      ).map((u) => u.display_name)
    : []
  upsert(db, 'record', evidenceId, [r.case_no, r.place, r.fact, r.action, r.original_name, ...names])
}
