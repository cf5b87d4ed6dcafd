import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { beforeAll, describe, expect, test } from 'vitest'
import { startCoreWorker, type CoreHost } from '../../electron/core/host.ts'
import { REPO, tempDir } from '../helpers/bridge.ts'

/*
 * What electron-vite builds for the shell must stand on its own: out/main and out/preload load nothing but
 * `electron`, Node's built-ins, their own chunks and the one native module (better-sqlite3, rebuilt for Electron's
 * ABI by electron-builder and unpacked from the asar). And the core's worker bundle — the code the packaged app
 * runs — works: run here under plain Node, it answers, writes its database and makes a PDF with the CJK font.
 */

const OUT = path.join(REPO, 'out')
const NATIVE = ['better-sqlite3']
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)])

function jsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(c|m)?js$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
}

/** Every module specifier a file loads: static imports and re-exports, import(), any require-like call. */
function specifiers(code: string): string[] {
  const found = new Set<string>()
  const patterns = [
    /^\s*import\s+(?:[^'"`;]*?\s+from\s+)?["']([^"']+)["']/gm,
    /^\s*export\s+[^'"`;]*?\s+from\s+["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\b[\w$]*require[\w$]*\(\s*["']([^"']+)["']\s*\)/g,
  ]
  for (const re of patterns) for (const m of code.matchAll(re)) found.add(m[1]!)
  return [...found]
}

// `npm test` builds before the tests run (and the e2e tests serve out/renderer meanwhile): build only when missing.
beforeAll(() => {
  if (fs.existsSync(path.join(OUT, 'main', 'index.js'))) return
  execFileSync(
    process.execPath,
    [path.join(REPO, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: REPO,
      stdio: 'ignore',
    },
  )
})

describe('the built shell', () => {
  test('out/main and out/preload load only electron, Node built-ins, their own chunks and the native module', () => {
    const files = [...jsFiles(path.join(OUT, 'main')), ...jsFiles(path.join(OUT, 'preload'))]
    expect(files.length).toBeGreaterThan(2)
    const outside: string[] = []
    for (const f of files) {
      for (const s of specifiers(fs.readFileSync(f, 'utf8'))) {
        if (s === 'electron' || builtins.has(s) || NATIVE.includes(s)) continue
        if ((s.startsWith('./') || s.startsWith('../')) && fs.existsSync(path.resolve(path.dirname(f), s)))
          continue
        outside.push(`${path.relative(OUT, f)}: ${s}`)
      }
    }
    expect(outside).toEqual([])
    // The sandboxed preload is one CommonJS file that needs nothing but electron.
    const preload = fs.readFileSync(path.join(OUT, 'preload', 'index.cjs'), 'utf8')
    expect(specifiers(preload)).toEqual(['electron'])
    // The native module is a real dependency (packed, rebuilt, unpacked by electron-builder.yml).
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>
    }
    for (const n of NATIVE) expect(pkg.dependencies[n]).toBeTruthy()
    expect(fs.readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8')).toContain(
      'node_modules/better-sqlite3',
    )
  })

  describe('the core worker bundle under plain Node', () => {
    let core: CoreHost
    const call = async (method: string, input: unknown, session?: string) => {
      const r = await core.dispatch({ method, input, session }, 'test')
      expect(r.ok, JSON.stringify(r)).toBe(true)
      return (r as { ok: true; value: Record<string, unknown> }).value
    }

    beforeAll(() => {
      const chunk = jsFiles(path.join(OUT, 'main', 'chunks')).find((f) => /worker-[\w-]+\.js$/.test(f))!
      const dataDir = tempDir('liuhen-bundle-')
      core = startCoreWorker((workerData) => new Worker(chunk, { workerData }), { dataDir, create: true })
    })

    test('initialises an agency, signs in and prints a Chinese PDF', async () => {
      expect(await call('system.info', {})).toMatchObject({ initialized: false })
      await call('system.initialize', {
        agencyName: '福州市医疗保障局',
        agencyCode: 'FZYBJ',
        adminUsername: 'admin',
        adminDisplayName: '陈建国',
        adminPassword: 'Chushi2026a',
      })
      const { session } = (await call('auth.signIn', { username: 'admin', password: 'Chushi2026a' })) as {
        session: string
      }
      await call(
        'auth.changePassword',
        { currentPassword: 'Chushi2026a', newPassword: 'Admin2026ok' },
        session,
      )
      const { pdfBase64 } = (await call('stats.pdf', { year: 2026 }, session)) as { pdfBase64: string }
      const pdf = Buffer.from(pdfBase64, 'base64')
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
      const file = path.join(tempDir(), 'stats.pdf')
      fs.writeFileSync(file, pdf)
      expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).toContain('执法统计')
      expect(execFileSync('pdffonts', [file], { encoding: 'utf8' })).toMatch(/NotoSans|WenQuanYi|CJK/)
      await core.close()
    })
  })
})
