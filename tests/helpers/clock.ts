import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

/*
 * The preload as plain JavaScript, compiled once per content into the temp folder: the children then need no tsx,
 * which matters for the CLI — tsx would re-transform the whole built CLI bundle on every command (~2 s instead of
 * ~0.7 s). Not from bridge.ts, which imports this module: the clock is made at load time and must not wait on a cycle.
 */
const PRELOAD = await compiledPreload(path.join(import.meta.dirname, 'clock-preload.ts'))

/** A test-only TypeScript preload as a plain-JavaScript file URL for `--import`, so the child needs no tsx. */
export async function compiledPreload(file: string): Promise<string> {
  const source = fs.readFileSync(file, 'utf8')
  const digest = crypto.createHash('sha256').update(source).digest('hex').slice(0, 16)
  const out = path.join(os.tmpdir(), `liuhen-clock-preload-${digest}.mjs`)
  if (!fs.existsSync(out)) {
    const ts = (await import('typescript')).default
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText
    // Test files load this at once: each writes its own temp name and renames, so none reads half a file.
    const tmp = `${out}.${process.pid}.${crypto.randomUUID()}`
    fs.writeFileSync(tmp, js)
    fs.renameSync(tmp, out)
  }
  return pathToFileURL(out).href
}

/**
 * The instant every test lives at (the same as testCore's), whatever the machine's date: the fixtures name
 * late-2026 dates, and a test must not start failing because the calendar moved on.
 */
export const TEST_NOW = '2026-11-23T08:00:00.000Z'

/**
 * One clock for the processes a test file starts (see clock-preload.ts): `env` goes to each child, `args`
 * before its script, `advance` moves every child's clock forward at once, `now` reads it in the test.
 */
export function childClock(at = TEST_NOW) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'liuhen-clock-')), 'advance-ms')
  fs.writeFileSync(file, '0')
  const origin = Date.now()
  let advancedMs = 0
  return {
    env: {
      LIUHEN_TEST_NOW: at,
      LIUHEN_TEST_CLOCK_ORIGIN: String(origin),
      LIUHEN_TEST_CLOCK_FILE: file,
    } as Record<string, string>,
    /** Node options for a child: the clock preload (a TypeScript child also needs `--import tsx` before it). */
    args: ['--import', PRELOAD],
    now: () => new Date(Date.parse(at) + (Date.now() - origin) + advancedMs),
    advance(ms: number) {
      advancedMs += ms
      // Written whole to a temp name and renamed, so a child never reads a half-written number.
      fs.writeFileSync(`${file}.tmp`, String(advancedMs))
      fs.renameSync(`${file}.tmp`, file)
    },
  }
}

/** The clock the helpers give every child of this test file (vitest loads helpers once per file). */
export const testClock = childClock()
