import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { REPO } from '../helpers/bridge.ts'

/*
 * The README is the door, docs/ the house (issue 21): the README stays short enough to read, and no link in
 * either points at a file that is not there — a moved or renamed doc breaks this test, not a reader's click.
 */

const README_LIMIT = 12_000

const docs = [
  'README.md',
  ...fs
    .readdirSync(path.join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
]

/** Inline links and images, `[text](target)` and `![alt](target)`, outside fenced code and code spans. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '')
  return [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!)
}

/** A target to check: relative to the file; not a web or mail address, not an anchor in the same page. */
function relative(target: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#')
}

/** GitHub's anchor for a heading: lower case, punctuation dropped (letters of any script kept), spaces → "-". */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

/** The anchors a Markdown file offers: one per heading (outside fenced code). */
function anchors(markdown: string): Set<string> {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '')
  return new Set([...prose.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)))
}

describe('docs', () => {
  test(`README.md is under ${README_LIMIT} bytes`, () => {
    const size = fs.statSync(path.join(REPO, 'README.md')).size
    expect(size, `README.md is ${size} bytes; move detail into docs/`).toBeLessThan(README_LIMIT)
  })

  test('the link parser finds links, and skips code and web addresses', () => {
    const sample = [
      'See [install](docs/install.md) and ![shot](a/b.png "title"), [web](https://example.org), [top](#x).',
      '`[not](code.md)`',
      '```',
      '[not](fenced.md)',
      '```',
    ].join('\n')
    expect(links(sample)).toEqual(['docs/install.md', 'a/b.png', 'https://example.org', '#x'])
    expect(links(sample).filter(relative)).toEqual(['docs/install.md', 'a/b.png'])
    expect(slug('The `liuhen` CLI / 命令行')).toBe('the-liuhen-cli--命令行')
    expect(slug('… a method')).toBe('-a-method')
  })

  test('every relative link in README.md and docs/*.md names a file (and heading) that exists', () => {
    const broken: string[] = []
    let checked = 0
    for (const doc of docs) {
      const text = fs.readFileSync(path.join(REPO, doc), 'utf8')
      for (const target of links(text).filter(relative)) {
        checked++
        const [file, anchor] = decodeURI(target).split('#') as [string, string | undefined]
        const abs = path.resolve(REPO, path.dirname(doc), file)
        if (!fs.existsSync(abs)) broken.push(`${doc} → ${target}`)
        else if (anchor && abs.endsWith('.md') && !anchors(fs.readFileSync(abs, 'utf8')).has(anchor))
          broken.push(`${doc} → ${target} (no such heading)`)
      }
    }
    expect(broken).toEqual([])
    // The README links every doc at least, so a parser that finds nothing cannot pass.
    expect(checked).toBeGreaterThanOrEqual(docs.length - 1)
  })

  test('every file under docs/ is on the README’s map', () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8')
    const mapped = new Set(links(readme).map((t) => t.replace(/#.*$/, '')))
    expect(docs.filter((d) => d !== 'README.md' && !mapped.has(d))).toEqual([])
  })

  test('every Markdown file a source comment or lint message names exists', () => {
    // Comments once sent readers to an ARCHITECTURE.md and a DOMAIN.md the repository never had.
    const roots = ['electron', 'shared', 'eslint', 'tests', 'renderer', 'bench', 'bin']
    const files = [
      'eslint.config.js',
      'vitest.config.ts',
      'electron.vite.config.ts',
      ...roots.flatMap((r) =>
        fs
          .readdirSync(path.join(REPO, r), { recursive: true, encoding: 'utf8' })
          .filter((f) => /\.(ts|tsx|js|mjs)$/.test(f))
          .map((f) => `${r}/${f.split(path.sep).join('/')}`),
      ),
    ]
    const named: string[] = []
    // This file names no doc but its own probes. `forge.md.sha256` is code, not a file: no word may follow.
    for (const file of files.filter((f) => f !== 'tests/unit/docs-links.test.ts')) {
      const text = fs.readFileSync(path.join(REPO, file), 'utf8')
      for (const m of text.matchAll(/(?<![\w./-])((?:[\w-]+\/)*[\w-]+\.md)(?!\.?\w)/g))
        named.push(`${file} → ${m[1]}`)
    }
    const missing = named.filter((n) => !fs.existsSync(path.join(REPO, n.split(' → ')[1]!)))
    expect(missing).toEqual([])
    expect(named.length).toBeGreaterThanOrEqual(5)
  })
})
