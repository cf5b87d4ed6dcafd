import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { Where, placeholders } from '../../electron/core/db/where.ts'

/*
 * The one WHERE builder of the lists (cases, recordings, access log, audit trail): each condition carries its own
 * values, a filter not given adds nothing, and a condition whose placeholders and values disagree is refused before
 * it can shift every later value onto the wrong column.
 */

const db = new Database(':memory:')
db.exec("CREATE TABLE t (a TEXT, b INTEGER); INSERT INTO t VALUES ('x', 1), ('y', 2), ('z', 3)")
const rows = (w: Where) =>
  (db.prepare(`SELECT a FROM t ${w.clause} ORDER BY a`).all(...w.args) as { a: string }[]).map((r) => r.a)

describe('Where', () => {
  test('filters given are ANDed with their own values; those not given add nothing', () => {
    expect(rows(new Where())).toEqual(['x', 'y', 'z'])
    expect(new Where().clause).toBe('')
    expect(new Where().sql).toBe('1')
    const w = new Where().andIf(undefined, 'a = ?').andIf('', 'a = ?').andIf(null, 'a = ?').andIf(2, 'b >= ?')
    expect(rows(w)).toEqual(['y', 'z'])
    // 0 is a value (a sequence number, a count), not "not given".
    expect(rows(new Where().andIf(0, 'b > ?'))).toEqual(['x', 'y', 'z'])
    expect(rows(new Where().and(`a IN (${placeholders(2)})`, 'x', 'z').and('b < ?', 3))).toEqual(['x'])
  })

  test('OR: any ground admits, each kept whole; no ground admits nothing', () => {
    const any = new Where('OR').and('a = ? AND b = ?', 'x', 1).and('b = ?', 3)
    expect(rows(any)).toEqual(['x', 'z'])
    // Inside an AND the grounds stay together: (x or z) and b >= 2.
    expect(rows(new Where().and(any.sql, ...any.args).and('b >= ?', 2))).toEqual(['z'])
    expect(rows(new Where('OR'))).toEqual([])
  })

  test('an empty IN list matches nothing', () => {
    expect(rows(new Where().and(`a IN (${placeholders(0)})`))).toEqual([])
  })

  test('a condition whose placeholders and values disagree is refused', () => {
    expect(() => new Where().and('a = ? OR a = ?', 'x')).toThrow(/2 placeholder\(s\), 1 value\(s\)/)
    expect(() => new Where().and('a = ?')).toThrow(/1 placeholder\(s\), 0 value\(s\)/)
    expect(() => new Where().and('b > 1', 5)).toThrow(/0 placeholder\(s\), 1 value\(s\)/)
  })
})
