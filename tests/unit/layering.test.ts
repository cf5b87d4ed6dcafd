import fs from 'node:fs'
import path from 'node:path'
import { builtinModules } from 'node:module'
import ts from 'typescript'
import { ESLint } from 'eslint'
import { describe, expect, test } from 'vitest'
import { REPO } from '../helpers/bridge.ts'

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
