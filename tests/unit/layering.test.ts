import fs from 'node:fs'
import path from 'node:path'
import { builtinModules } from 'node:module'
import ts from 'typescript'
import { ESLint } from 'eslint'
import { describe, expect, test } from 'vitest'
import { REPO, tempDir } from '../helpers/bridge.ts'

/*
 * Belt and braces beside the ESLint rule (eslint/layering.js): the layering of docs/architecture.md stated
 * here on its own, applied to every import of every source file after resolving it to a path — a core file
 * importing '../bridge/server.ts' names no "electron/bridge/" in its text, so matching the specifier as
 * written cannot see it. The last test lints a probe for every edge of the table, so the lint rule is held to
 * the same table.
 */

type Layer =
  'shared' | 'core' | 'main' | 'preload' | 'bridge' | 'cli' | 'launch' | 'renderer' | 'tests' | 'bench'

/** Where each layer lives (repo-relative, `/`), and one real file in it to aim probes at. */
const LAYERS: Record<Layer, { prefix: string; sample: string }> = {
  shared: { prefix: 'shared/', sample: 'shared/errors.ts' },
  core: { prefix: 'electron/core/', sample: 'electron/core/paths.ts' },
  main: { prefix: 'electron/main/', sample: 'electron/main/index.ts' },
  preload: { prefix: 'electron/preload/', sample: 'electron/preload/index.ts' },
  bridge: { prefix: 'electron/bridge/', sample: 'electron/bridge/server.ts' },
  cli: { prefix: 'electron/cli/', sample: 'electron/cli/main.ts' },
  launch: { prefix: 'electron/launch.ts', sample: 'electron/launch.ts' },
  renderer: { prefix: 'renderer/', sample: 'renderer/src/api.ts' },
  tests: { prefix: 'tests/', sample: 'tests/helpers/core.ts' },
  bench: { prefix: 'bench/', sample: 'bench/run.ts' },
}
const ALL = Object.keys(LAYERS) as Layer[]

/** Each layer may import only these of ours; tests and bench may import anything but the renderer. */
const MAY_IMPORT: Record<Layer, Layer[]> = {
  shared: ['shared'],
  core: ['core', 'shared'],
  main: ['main', 'core', 'shared'],
  preload: ['preload', 'shared'],
  bridge: ['bridge', 'core', 'shared'],
  cli: ['cli', 'core', 'shared'],
  launch: ['cli', 'core', 'shared'],
  renderer: ['renderer', 'shared'],
  tests: ALL.filter((l) => l !== 'renderer'),
  bench: ALL.filter((l) => l !== 'renderer'),
}
/** Only these may import `electron`; these two run where Node does not. */
const ELECTRON: Layer[] = ['main', 'preload']
const NO_NODE: Layer[] = ['shared', 'renderer']
/** The one file outside every layer that some may read: the version number in package.json. */
const MANIFEST_READERS: Layer[] = ['core', 'main', 'bridge', 'cli', 'launch', 'tests', 'bench']

function layerOf(rel: string): Layer | null {
  return ALL.find((l) => rel === LAYERS[l].prefix || rel.startsWith(LAYERS[l].prefix)) ?? null
}

const posix = (p: string) => p.split(path.sep).join('/')

/** What is wrong with `spec` imported from `file` (repo-relative), or null. */
function violation(file: string, spec: string): string | null {
  const from = layerOf(file)
  if (!from) return null
  if (spec === 'electron' || spec.startsWith('electron/'))
    return ELECTRON.includes(from) ? null : `${from} imports electron`
  if (spec.startsWith('.') || path.isAbsolute(spec)) {
    const target = posix(
      path.relative(REPO, path.resolve(REPO, path.dirname(file), spec.replace(/[?#].*$/, ''))),
    )
    if (target === 'package.json')
      return MANIFEST_READERS.includes(from) ? null : `${from} imports package.json`
    const to = target.startsWith('../') ? null : layerOf(target)
    return to && MAY_IMPORT[from].includes(to) ? null : `${from} imports ${target} (${to ?? 'no layer'})`
  }
  const bare = spec.startsWith('node:') ? spec.slice(5) : spec.split('/')[0]!
  if (NO_NODE.includes(from) && (spec.startsWith('node:') || builtinModules.includes(bare)))
    return `${from} imports the Node module ${spec}`
  return null
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory())
      return ['node_modules', 'out', '.git', 'test-results', 'dist', 'release'].includes(e.name)
        ? []
        : sources(p)
    return /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(e.name) ? [p] : []
  })
}

/** Every import of a file as TypeScript reads it: static, `export from`, `import()`, `require()`, import types. */
function importsOf(file: string): string[] {
  return ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName)
}

describe('layering', () => {
  const files = sources(REPO).map((f) => posix(path.relative(REPO, f)))
  const edges = files.flatMap((file) => importsOf(path.join(REPO, file)).map((spec) => ({ file, spec })))

  test('the scan sees every layer and resolves their relative imports', () => {
    // Without this a scan that found nothing would pass every rule below.
    for (const l of ALL) expect(files.filter((f) => layerOf(f) === l).length, l).toBeGreaterThan(0)
    const coreRelative = edges.filter((e) => layerOf(e.file) === 'core' && e.spec.startsWith('.'))
    expect(coreRelative.length).toBeGreaterThan(100)
    // The checker itself fires on the import the issue names, and on its absolute-path twin.
    expect(violation('electron/core/zz.ts', '../bridge/server.ts')).toMatch(/bridge/)
    expect(violation('electron/core/ingest/zz.ts', '../../bridge/server.ts')).toMatch(/bridge/)
    expect(violation('electron/core/zz.ts', '../core/paths.ts')).toBeNull()
  })

  test('no file outside electron/main and electron/preload imports electron', () => {
    const offenders = edges
      .filter((e) => e.spec === 'electron' || e.spec.startsWith('electron/'))
      .filter((e) => !ELECTRON.includes(layerOf(e.file)!))
    expect(offenders).toEqual([])
  })

  test.each(ALL)('%s imports only what its layer may, each import resolved to a path', (layer) => {
    const mine = edges.filter((e) => layerOf(e.file) === layer)
    expect(mine.length).toBeGreaterThan(0)
    const offenders = mine.flatMap((e) => {
      const why = violation(e.file, e.spec)
      return why ? [`${e.file}: '${e.spec}' — ${why}`] : []
    })
    expect(offenders).toEqual([])
  })

  test('ESLint refuses every forbidden edge of the table and allows every permitted one', async () => {
    const eslint = new ESLint({ cwd: REPO })
    const probeFile = (l: Layer) =>
      l === 'launch'
        ? LAYERS.launch.sample
        : `${LAYERS[l].prefix}${l === 'renderer' ? 'src/' : ''}zz-probe.ts`
    const probes = ALL.flatMap((from) => {
      const file = probeFile(from)
      const rel = (target: string) => {
        const r = posix(path.relative(path.dirname(file), target))
        return r.startsWith('.') ? r : `./${r}`
      }
      return [
        ...ALL.map((to) => ({ file, spec: rel(LAYERS[to].sample) })),
        { file, spec: rel('package.json') },
        { file, spec: 'electron' },
        { file, spec: 'node:fs' },
        { file, spec: 'fs' },
      ]
    })
    // 10 layers × (10 targets + package.json + electron + node:fs + fs)
    expect(probes.length).toBe(140)
    const disagreements: string[] = []
    let refused = 0
    for (const p of probes) {
      const [result] = await eslint.lintText(`import '${p.spec}'\n`, { filePath: path.join(REPO, p.file) })
      const linted = result!.messages.some((m) => m.ruleId === 'local/layering')
      const expected = violation(p.file, p.spec) !== null
      if (linted) refused++
      if (linted !== expected) disagreements.push(`${p.file}: '${p.spec}' lint ${linted}, table ${expected}`)
    }
    expect(disagreements).toEqual([])
    expect(refused).toBeGreaterThan(50)
  })
})

/*
 * Released migrations must never change: they import nothing of the live code (today's catalogue or seal code
 * would otherwise rewrite what a released migration does to a fresh database). A migration may import only Node
 * built-ins, the better-sqlite3 types, ./types.ts and the frozen copies in ./frozen/; the list in index.ts may
 * import the migrations beside it.
 */
const MIGRATIONS_DIR = 'electron/core/db/migrations/'

function migrationViolation(file: string, spec: string, typeOnly: boolean): string | null {
  if (!file.startsWith(MIGRATIONS_DIR)) return null
  if (spec.startsWith('node:')) return null
  if (spec === 'better-sqlite3')
    return typeOnly ? null : 'a migration may import only the types of better-sqlite3'
  if (!spec.startsWith('.')) return `a migration imports ${spec}`
  const target = posix(path.relative(REPO, path.resolve(REPO, path.dirname(file), spec)))
  if (!target.startsWith(MIGRATIONS_DIR)) return `a migration imports live code: ${target}`
  const inside = target.slice(MIGRATIONS_DIR.length)
  if (file === `${MIGRATIONS_DIR}index.ts`) return null
  return inside === 'types.ts' || inside.startsWith('frozen/') ? null : `a migration imports ${inside}`
}

/** No page imports another page: a features/<area>/<Name>Page.tsx is imported from renderer/src/app/ or App.tsx only. */
function pageViolation(file: string, spec: string): string | null {
  if (!spec.startsWith('.') || !file.startsWith('renderer/')) return null
  if (file.startsWith('renderer/src/app/') || file === 'renderer/src/App.tsx') return null
  const target = posix(path.relative(REPO, path.resolve(REPO, path.dirname(file), spec)))
  return target.startsWith('renderer/src/features/') && target.endsWith('Page.tsx')
    ? `${file} imports ${target}`
    : null
}

/** Imports with whether they are type-only (`import type …`), as the ESLint rule sees them. */
function typedImportsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const out: { spec: string; typeOnly: boolean }[] = []
  for (const s of src.statements) {
    if (
      (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) &&
      s.moduleSpecifier &&
      ts.isStringLiteral(s.moduleSpecifier)
    ) {
      const typeOnly = ts.isImportDeclaration(s) ? !!s.importClause?.isTypeOnly : s.isTypeOnly
      out.push({ spec: s.moduleSpecifier.text, typeOnly })
    }
  }
  // Dynamic imports and require() are never type-only.
  const statics = new Set(out.map((o) => o.spec))
  for (const spec of importsOf(file)) if (!statics.has(spec)) out.push({ spec, typeOnly: false })
  return out
}

describe('migrations import nothing live', () => {
  const dir = path.join(REPO, MIGRATIONS_DIR)
  const files = sources(dir).map((f) => posix(path.relative(REPO, f)))

  test('no migration imports anything but node:, better-sqlite3 types, ./types.ts and ./frozen/', () => {
    expect(files.length).toBeGreaterThan(10)
    expect(files).toContain(`${MIGRATIONS_DIR}frozen/seal-v1.ts`)
    const offenders = files.flatMap((file) =>
      typedImportsOf(path.join(REPO, file)).flatMap(({ spec, typeOnly }) => {
        const why = migrationViolation(file, spec, typeOnly)
        return why ? [`${file}: '${spec}' — ${why}`] : []
      }),
    )
    expect(offenders).toEqual([])
  })

  test('ESLint refuses a migration that imports live code and allows what a migration may import', async () => {
    const eslint = new ESLint({ cwd: REPO })
    const mig = `${MIGRATIONS_DIR}0990_zz_probe.ts`
    const frozen = `${MIGRATIONS_DIR}frozen/zz-probe.ts`
    const probes: { file: string; code: string; refused: boolean }[] = [
      // The imports the issue names: today's catalogue and today's seal code.
      { file: mig, code: "import { CASE_TYPES } from '../../cases/catalogue.ts'", refused: true },
      { file: mig, code: "import { sealAll } from '../../integrity/seals.ts'", refused: true },
      { file: mig, code: "import type { Db } from '../index.ts'", refused: true },
      { file: mig, code: "import { z } from 'zod'", refused: true },
      { file: mig, code: "import Database from 'better-sqlite3'", refused: true },
      { file: mig, code: "import { m0010 } from './0010_initial.ts'", refused: true },
      { file: mig, code: "const m = await import('../../audit.ts')", refused: true },
      { file: frozen, code: "import { appendAudit } from '../../../audit.ts'", refused: true },
      { file: mig, code: "import crypto from 'node:crypto'", refused: false },
      { file: mig, code: "import type Database from 'better-sqlite3'", refused: false },
      { file: mig, code: "import type { Migration } from './types.ts'", refused: false },
      { file: mig, code: "import { sealAllV1 } from './frozen/seal-v1.ts'", refused: false },
      { file: frozen, code: "import crypto from 'node:crypto'", refused: false },
      {
        file: `${MIGRATIONS_DIR}index.ts`,
        code: "import { m0010 } from './0010_initial.ts'",
        refused: false,
      },
    ]
    const disagreements: string[] = []
    for (const p of probes) {
      const [result] = await eslint.lintText(`${p.code}\nexport {}\n`, { filePath: path.join(REPO, p.file) })
      const linted = result!.messages.some((m) => m.ruleId === 'local/layering')
      if (linted !== p.refused)
        disagreements.push(`${p.file}: ${p.code} — lint ${linted}, expected ${p.refused}`)
      // The test's own table agrees with what each probe expects.
      const spec = /['"]([^'"]+)['"]/.exec(p.code)![1]!
      const table = migrationViolation(p.file, spec, /^import type /.test(p.code)) !== null
      if (table !== p.refused) disagreements.push(`${p.file}: ${p.code} — table ${table}`)
    }
    expect(disagreements).toEqual([])
  })
})

/*
 * No import cycles in electron/, shared/ and renderer/ (type-only imports included: a cycle of types today is a cycle of
 * code after the next refactor). A cycle lets module initialisation order decide whether a binding exists yet,
 * and it makes two modules one in all but name. Each strongly connected component of the import graph is named.
 */
function importCycles(files: string[]): string[][] {
  const known = new Set(files)
  const graph = new Map<string, string[]>()
  for (const f of files) {
    const targets = importsOf(path.join(REPO, f))
      .filter((s) => s.startsWith('.'))
      .map((s) => posix(path.relative(REPO, path.resolve(REPO, path.dirname(f), s.replace(/[?#].*$/, '')))))
      .filter((t) => known.has(t))
    graph.set(f, targets)
  }
  // Tarjan's strongly connected components, recursive: import chains are a few dozen files deep at most.
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (v: string) => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1 || graph.get(v)!.includes(v)) cycles.push(scc.sort())
    }
  }
  for (const f of files) if (!index.has(f)) visit(f)
  return cycles
}

describe('import cycles', () => {
  test('the cycle finder names a cycle when there is one', () => {
    const dir = tempDir('liuhen-cycle-')
    const rel = posix(path.relative(REPO, dir))
    fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b.ts'\nexport const a = b\n")
    fs.writeFileSync(path.join(dir, 'b.ts'), "import type { C } from './c.ts'\nexport const b: C = 1\n")
    fs.writeFileSync(path.join(dir, 'c.ts'), "import { a } from './a.ts'\nexport type C = typeof a\n")
    fs.writeFileSync(path.join(dir, 'd.ts'), "import { a } from './a.ts'\nexport const d = a\n")
    const files = ['a.ts', 'b.ts', 'c.ts', 'd.ts'].map((f) => `${rel}/${f}`)
    expect(importCycles(files)).toEqual([[`${rel}/a.ts`, `${rel}/b.ts`, `${rel}/c.ts`]])
  })

  test('ESLint fails on one (import-x/no-cycle), so the editor and `npm run lint` say so before this test does', async () => {
    const eslint = new ESLint({ cwd: REPO })
    // core.ts imports vault.ts (through the vault's users); a vault that imported the core back closes a cycle.
    const [result] = await eslint.lintText(
      "import { createCore } from './core.ts'\nexport const c = createCore\n",
      {
        filePath: path.join(REPO, 'electron/core/vault.ts'),
      },
    )
    const cycle = result!.messages.filter((m) => m.ruleId === 'import-x/no-cycle')
    expect(cycle.map((m) => m.message)).toEqual(['Dependency cycle detected'])
    // The control: the file as it stands has no cycle.
    const [clean] = await eslint.lintFiles([path.join(REPO, 'electron/core/vault.ts')])
    expect(clean!.messages.filter((m) => m.ruleId === 'import-x/no-cycle')).toEqual([])
  })

  test('electron/, shared/ and renderer/ have none', () => {
    const files = [
      ...sources(path.join(REPO, 'electron')),
      ...sources(path.join(REPO, 'shared')),
      ...sources(path.join(REPO, 'renderer')),
    ].map((f) => posix(path.relative(REPO, f)))
    expect(files.length).toBeGreaterThan(100)
    expect(importCycles(files).map((c) => `import cycle among: ${c.join(', ')}`)).toEqual([])
  })

  test('no page imports another page: ESLint refuses it, allows the router and a shared component', async () => {
    const eslint = new ESLint({ cwd: REPO })
    const probes: { file: string; code: string; refused: boolean }[] = [
      // The edges the tree had before the feature folders: a case page reaching into the access page.
      {
        file: 'renderer/src/features/cases/CasesPage.tsx',
        code: "import { AccessPage } from '../access/AccessPage.tsx'",
        refused: true,
      },
      {
        file: 'renderer/src/features/cases/CaseReview.tsx',
        code: "import { ReviewPage } from '../review/ReviewPage.tsx'",
        refused: true,
      },
      {
        file: 'renderer/src/components/CasePicker.tsx',
        code: "import { CasesPage } from '../features/cases/CasesPage.tsx'",
        refused: true,
      },
      {
        file: 'renderer/src/features/cases/CasesPage.tsx',
        code: "import { RequestAccess } from '../access/RequestAccess.tsx'",
        refused: false,
      },
      {
        file: 'renderer/src/app/Shell.tsx',
        code: "import { CasesPage } from '../features/cases/CasesPage.tsx'",
        refused: false,
      },
      {
        file: 'renderer/src/App.tsx',
        code: "import { Lock } from './features/account/LockPage.tsx'",
        refused: false,
      },
    ]
    const disagreements: string[] = []
    for (const p of probes) {
      const [result] = await eslint.lintText(`${p.code}\nexport {}\n`, { filePath: path.join(REPO, p.file) })
      const linted = result!.messages.some((m) => m.ruleId === 'local/layering')
      if (linted !== p.refused)
        disagreements.push(`${p.file}: ${p.code} — lint ${linted}, expected ${p.refused}`)
      const spec = /'([^']+)'/.exec(p.code)![1]!
      if ((pageViolation(p.file, spec) !== null) !== p.refused)
        disagreements.push(`${p.file}: ${p.code} — table`)
    }
    expect(disagreements).toEqual([])
    // And the tree keeps it: every page file is imported by the router alone.
    const files = fs
      .readdirSync(path.join(REPO, 'renderer/src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.tsx?$/.test(f))
      .map((f) => `renderer/src/${posix(f)}`)
    expect(files.filter((f) => f.endsWith('Page.tsx')).length).toBeGreaterThanOrEqual(12)
    const offenders = files.flatMap((file) =>
      typedImportsOf(path.join(REPO, file)).flatMap(({ spec }) => pageViolation(file, spec) ?? []),
    )
    expect(offenders).toEqual([])
  })
})
