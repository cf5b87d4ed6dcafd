import { execFileSync, spawnSync } from 'node:child_process'
import { testClock } from './clock.ts'

/** Run OpenSSL as an outside verifier would; exit code and all it printed. */
export function openssl(args: string[], cwd?: string): { code: number; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', ...(cwd ? { cwd } : {}) })
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` }
}

/**
 * `-attime` for certificates the core issued: OpenSSL judges their validity at the test's instant (the core's
 * certificates start on the test clock), not at the machine's date, which may be years later under faketime —
 * as an archivist verifies a 30-year-old signature at its signing time.
 */
export function atTestTime(): string[] {
  return ['-attime', String(Math.floor(testClock.now().getTime() / 1000))]
}

/** Exactly the check the signing issue names: a detached signature over a file, against a root certificate. */
export function cmsVerify(sig: string, content: string, caFile: string): { code: number; out: string } {
  return openssl([
    'cms',
    '-verify',
    ...atTestTime(),
    '-binary',
    '-inform',
    'DER',
    '-in',
    sig,
    '-content',
    content,
    '-CAfile',
    caFile,
    '-purpose',
    'any',
    '-out',
    '/dev/null',
  ])
}

/**
 * OpenSSL as another agency's own tools would run it on the day of the test: certificates it makes start at the
 * test's instant, not the machine's date (under faketime years later, the core would find them not yet valid).
 */
export function opensslOnTestDay(args: string[], cwd?: string): Buffer {
  const at = testClock.now().toISOString().slice(0, 19).replace('T', ' ')
  return execFileSync('faketime', ['-f', `@${at}`, 'openssl', ...args], {
    stdio: 'pipe',
    ...(cwd ? { cwd } : {}),
  })
}
