import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { HOST_OPS } from '../../electron/core/owner-serve.ts'

/*
 * The CLI reaches the core only through the contract (issue 21): a DataFolder's `dispatch`, which passes
 * `authorize` like every other adapter's call, or one of the offline operations named in
 * electron/core/offline.ts. Every import of a core module by electron/cli/ must be in this table, each name it
 * imports listed, with the reason it cannot reach past the access check; a new one fails here until someone
 * says why it is safe (or, better, makes it a contract method).
 */

const ROOT = path.resolve(import.meta.dirname, '../..')
const ALLOWED: Record<string, { names: string[]; why: string }> = {
  'electron/core/folder.ts': {
    names: ['openDataFolder', 'DataFolder'],
    why: 'the data folder: its calls go to dispatch, in this process or over the owner socket',
  },
  'electron/core/offline.ts': {
    names: ['verifyFolder', 'verifyAuditTrail', 'verifySignatureOf', 'revocationList', 'restoreFolder'],
    why: 'the offline operations, each read-only or refused on an owned folder, named in one place',
  },
  'electron/core/core.ts': {
    names: ['withMessage', 'toErrorValue', 'createCore', 'Core'],
    why: 'translating error values; the demo makes a new folder and fills it through dispatch only',
  },
  'electron/core/paths.ts': { names: ['defaultDataDir'], why: 'where the default data folder is' },
  'electron/core/durable.ts': {
    names: ['OUT_FILE', 'writeAtomicSync'],
    why: 'writing what a command outputs (a PDF, a CRL): temp name, fsync, rename',
  },
  'electron/core/version.ts': { names: ['APP_VERSION'], why: '--version' },
  'electron/core/accounts/passwords.ts': {
    names: ['generateTemporaryPassword'],
    why: 'random text for an initial password, given to users.create like a typed one',
  },
  'electron/core/ingest/capture-time.ts': { names: ['parseOffset'], why: 'parsing an option value' },
  'electron/core/cases/calendar.ts': { names: ['chinaDate'], why: 'date arithmetic for the demo' },
  'electron/core/ingest/thumbnails.ts': { names: ['ffmpegBin'], why: 'the demo makes its sample videos' },
  'electron/core/pdf.ts': { names: ['cjkDocument'], why: 'the demo makes its sample documents' },
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? files(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

/** Every `import … from '…'` of a core module in the CLI: the module (repository path) and the names. */
function coreImports(
  sources = files(path.join(ROOT, 'electron/cli')).map((file) => ({
    file,
    text: fs.readFileSync(file, 'utf8'),
  })),
): { file: string; module: string; names: string[] }[] {
  const out: { file: string; module: string; names: string[] }[] = []
  for (const { file, text } of sources) {
    for (const m of text.matchAll(/import\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)'/g)) {
      const resolved = path
        .relative(ROOT, path.resolve(path.dirname(file), m[3]!))
        .split(path.sep)
        .join('/')
      if (!resolved.startsWith('electron/core/')) continue
      const names = (m[2]!.match(/\{([^}]*)\}/)?.[1] ?? m[2]!)
        .split(',')
        .map((n) => n.replace(/^\s*type\s+/, '').trim())
        .filter(Boolean)
      out.push({ file: path.relative(ROOT, file), module: resolved, names })
    }
  }
  return out
}

describe('the CLI reaches the core only through the contract', () => {
  test('every core module the CLI imports, and every name, is one of the allowed with its reason', () => {
    const found = coreImports()
    expect(found.length).toBeGreaterThan(10)
    const outside = found.flatMap(({ file, module, names }) =>
      names.filter((n) => !ALLOWED[module]?.names.includes(n)).map((n) => `${file}: ${n} from ${module}`),
    )
    expect(outside).toEqual([])
    // No dynamic import or require slips past the table either.
    for (const file of files(path.join(ROOT, 'electron/cli')))
      expect(fs.readFileSync(file, 'utf8'), file).not.toMatch(/\b(import|require)\(\s*['"][^'"]*core\//)
  })

  test('the probe fires: an import of a core internal is named', () => {
    const probe = {
      file: path.join(ROOT, 'electron/cli/commands/probe.ts'),
      text: "import { findByUsername, type UserRow } from '../../core/accounts/users.ts'\n",
    }
    const found = coreImports([probe])
    expect(found).toEqual([
      {
        file: 'electron/cli/commands/probe.ts',
        module: 'electron/core/accounts/users.ts',
        names: ['findByUsername', 'UserRow'],
      },
    ])
    expect(found.every((i) => ALLOWED[i.module])).toBe(false)
  })

  test('the owner socket offers no look-up beside the contract: only waiting', () => {
    expect([...HOST_OPS].sort()).toEqual(['thumbnailsIdle', 'timestampsIdle', 'waitForJob'])
  })
})
