import path from 'node:path'
import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'

/*
 * The layering rule (docs/architecture.md, "The layering rule") as a small local ESLint rule.
 * `no-restricted-imports` matches the specifier as written, so `'../bridge/server.ts'` in a core file slips
 * past a `**\/electron/bridge/**` pattern; here every relative specifier is resolved against the importing
 * file first, and the rule is applied to the layer the resolved path lands in. tests/unit/layering.test.ts
 * states the same table on its own and lints a probe for every forbidden edge, so the two cannot drift apart
 * silently.
 */

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)))

/** Layers by path prefix (repo-relative, forward slashes); the first match wins. */
const LAYERS = [
  ['shared', 'shared/'],
  ['core', 'electron/core/'],
  ['main', 'electron/main/'],
  ['preload', 'electron/preload/'],
  ['bridge', 'electron/bridge/'],
  ['cli', 'electron/cli/'],
  ['launch', 'electron/launch.ts'],
  ['renderer', 'renderer/'],
  ['tests', 'tests/'],
  ['bench', 'bench/'],
  // The version number comes from here (electron/core/version.ts); it holds no code.
  ['package.json', 'package.json'],
]

/** Which of our layers each layer may import (null: any of ours but the renderer). */
const MAY_IMPORT = {
  shared: ['shared'],
  core: ['core', 'shared', 'package.json'],
  main: ['main', 'core', 'shared', 'package.json'],
  preload: ['preload', 'shared'],
  bridge: ['bridge', 'core', 'shared', 'package.json'],
  cli: ['cli', 'core', 'shared', 'package.json'],
  launch: ['cli', 'core', 'shared', 'package.json'],
  renderer: ['renderer', 'shared'],
  tests: null,
  bench: null,
}

/** Layers that run where Node is not: no Node built-in, with or without the `node:` prefix. */
const NO_NODE = new Set(['shared', 'renderer'])
/** The only layers that may import `electron`. */
const ELECTRON = new Set(['main', 'preload'])

const builtins = new Set(builtinModules)

/*
 * Released migrations never change, so they import nothing of the live code (docs/architecture.md, "How to add a
 * migration"): only `node:` modules, the types of better-sqlite3, ./types.ts and the frozen copies in ./frozen/.
 * The list in index.ts may import the migrations beside it.
 */
const MIGRATIONS = 'electron/core/db/migrations/'

export function migrationViolation(file, spec, typeOnly) {
  const rel = path.relative(REPO, path.resolve(REPO, file)).split(path.sep).join('/')
  if (!rel.startsWith(MIGRATIONS)) return null
  if (spec.startsWith('node:')) return null
  if (spec === 'better-sqlite3')
    return typeOnly ? null : 'a migration may import only the types of better-sqlite3 (`import type`).'
  if (!spec.startsWith('.'))
    return `a migration imports nothing but node: modules, ./types.ts and ./frozen/ ('${spec}').`
  const target = layerOf(
    path.resolve(path.dirname(path.resolve(REPO, file)), spec.replace(/[?#].*$/, '')),
  ).rel
  const inside = target.startsWith(MIGRATIONS) ? target.slice(MIGRATIONS.length) : null
  if (inside === null)
    return `a migration imports no live code ('${spec}' is ${target}): copy what it needs into migrations/frozen/.`
  if (rel === `${MIGRATIONS}index.ts` || inside === 'types.ts' || inside.startsWith('frozen/')) return null
  return `a migration imports only ./types.ts and ./frozen/ ('${spec}').`
}

/*
 * No page imports another page (issue 20): a page (renderer/src/features/<area>/<Name>Page.tsx) is reached through
 * the router only — renderer/src/app/ and App.tsx. What two areas share is a component beside a page, never the
 * page itself, so opening one area never drags another's state and effects in.
 */
const FEATURES = 'renderer/src/features/'
const ROUTER = ['renderer/src/app/', 'renderer/src/App.tsx']

export function pageViolation(file, spec) {
  if (!spec.startsWith('.')) return null
  const from = path.relative(REPO, path.resolve(REPO, file)).split(path.sep).join('/')
  if (!from.startsWith('renderer/') || ROUTER.some((r) => from.startsWith(r))) return null
  const to = layerOf(path.resolve(path.dirname(path.resolve(REPO, file)), spec.replace(/[?#].*$/, ''))).rel
  if (!to.startsWith(FEATURES) || !/Page\.tsx$/.test(to)) return null
  return `no page imports another page: ${to} is reached through the router (renderer/src/app/); share a component instead.`
}

function layerOf(abs) {
  const rel = path.relative(REPO, abs).split(path.sep).join('/')
  if (rel.startsWith('../')) return { rel, layer: null }
  const hit = LAYERS.find(([, prefix]) => rel === prefix || rel.startsWith(prefix))
  return { rel, layer: hit ? hit[0] : null }
}

/** Why `spec`, imported from `file`, breaks the layering — or null when it does not. */
export function layeringViolation(file, spec) {
  const from = layerOf(path.resolve(REPO, file)).layer
  if (!from) return null
  if (spec === 'electron' || spec.startsWith('electron/')) {
    return ELECTRON.has(from)
      ? null
      : `${from} may not import electron: only electron/main and electron/preload may.`
  }
  if (spec.startsWith('.') || path.isAbsolute(spec)) {
    // Vite's `?modulePath` and the like are not part of the path.
    const target = path.resolve(path.dirname(path.resolve(REPO, file)), spec.replace(/[?#].*$/, ''))
    const to = layerOf(target)
    const allowed = MAY_IMPORT[from]
    if (allowed === null)
      return to.layer === 'renderer' ? `${from}/ never reaches into the renderer (${to.rel}).` : null
    if (to.layer && allowed.includes(to.layer)) return null
    return `${from} may import only ${allowed.join(', ')}; '${spec}' resolves to ${to.rel} (${to.layer ?? 'outside every layer'}).`
  }
  if (NO_NODE.has(from) && (spec.startsWith('node:') || builtins.has(spec.split('/')[0]))) {
    return `${from} runs where there is no Node: no '${spec}'.`
  }
  return null
}

const layering = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Resolve every import, then apply the layering of docs/architecture.md ("The layering rule").',
    },
    schema: [],
    messages: { layer: '{{why}}' },
  },
  create(context) {
    const file = context.filename
    function check(node, source, typeOnly = false) {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return
      const why =
        layeringViolation(file, source.value) ??
        migrationViolation(file, source.value, typeOnly) ??
        pageViolation(file, source.value)
      if (why) context.report({ node: source, messageId: 'layer', data: { why } })
    }
    return {
      ImportDeclaration: (n) => check(n, n.source, n.importKind === 'type'),
      ExportNamedDeclaration: (n) => check(n, n.source, n.exportKind === 'type'),
      ExportAllDeclaration: (n) => check(n, n.source, n.exportKind === 'type'),
      ImportExpression: (n) => check(n, n.source),
      TSImportEqualsDeclaration: (n) => check(n, n.moduleReference?.expression),
      TSImportType: (n) => check(n, n.argument?.literal ?? n.argument),
      CallExpression: (n) => {
        if (n.callee.type === 'Identifier' && n.callee.name === 'require') check(n, n.arguments[0])
      },
    }
  },
}

export default { rules: { layering } }
