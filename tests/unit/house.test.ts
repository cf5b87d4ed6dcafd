import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'

/*
 * A file a newcomer can read in one sitting (issue 21): no source file over 600 lines unless its first line says
 * why it is better whole — `// Over 600 lines: <the reason>` — so a long file is a decision someone wrote down,
 * not an accident nobody noticed.
 */

const REPO = path.resolve(import.meta.dirname, '../..')
const LIMIT = 600
const REASON = /^\/\/ Over 600 lines: .{20,}/

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory())
      return ['node_modules', 'out', 'fixtures', 'screenshots'].includes(e.name) ? [] : sources(p)
    return /\.(ts|tsx|js|mjs|cjs)$/.test(e.name) ? [p] : []
  })
}

/** Files over the limit whose first line gives no reason. */
function unexplained(files: string[]): string[] {
  return files.flatMap((f) => {
    const lines = fs.readFileSync(f, 'utf8').split('\n')
    const count = lines.length - (lines.at(-1) === '' ? 1 : 0)
    return count > LIMIT && !REASON.test(lines[0]!) ? [`${path.relative(REPO, f)}: ${count} lines`] : []
  })
}

describe('file length', () => {
  test('the check names a long file without a reason, and accepts one with a reason', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liuhen-house-'))
    try {
      const body = Array.from({ length: LIMIT }, (_, i) => `export const v${i} = ${i}`).join('\n')
      fs.writeFileSync(path.join(dir, 'long.ts'), `// one more line\n${body}\n`)
      fs.writeFileSync(
        path.join(dir, 'why.ts'),
        `// Over 600 lines: a table of ${LIMIT} constants read as one\n${body}\n`,
      )
      fs.writeFileSync(path.join(dir, 'short.ts'), `${body}\n`)
      expect(unexplained(sources(dir)).map((f) => path.basename(f))).toEqual([`long.ts: ${LIMIT + 1} lines`])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test(`no source file is over ${LIMIT} lines without a reason at its top`, () => {
    const files = ['electron', 'shared', 'renderer', 'bench', 'tests', 'eslint'].flatMap((d) =>
      sources(path.join(REPO, d)),
    )
    expect(files.length).toBeGreaterThan(300)
    expect(unexplained(files)).toEqual([])
  })
})
