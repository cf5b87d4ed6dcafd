import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { testClock } from './clock.ts'
import { clockStartingAt } from './faketime.ts'

/** Run OpenSSL as an outside verifier would; exit code and all it printed. */
export function openssl(args: string[], cwd?: string): { code: number; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', ...(cwd ? { cwd } : {}) })
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` }
}

/**
 * `-attime` for certificates the core issued: OpenSSL judges their validity at the test's instant (the core's
 * certificates start on the test clock), not at the machine's date, which may be years later under faketime —
 * as an archivist verifies a 30-year-old signature at its signing time.
 */
export function atTestTime(): string[] {
  return ['-attime', String(Math.floor(testClock.now().getTime() / 1000))]
}

/**
 * Exactly the check the signing issue names: a detached signature over a file, against a root certificate.
 * When it fails, `out` says what OpenSSL printed and, for each input, whether OpenSSL can read it on its own
 * (exit code 2 means one of them could not be read), so a failure in a long run explains itself.
 */
export function cmsVerify(sig: string, content: string, caFile: string): { code: number; out: string } {
  const r = openssl([
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
  if (r.code === 0) return r
  return {
    code: r.code,
    out: `openssl cms -verify exited ${r.code}:\n${r.out}\n${diagnose(sig, content, caFile)}`,
  }
}

function describeFile(file: string): string {
  try {
    return `${fs.statSync(file).size} bytes`
  } catch (e) {
    return `unreadable (${(e as NodeJS.ErrnoException).code})`
  }
}

function diagnose(sig: string, content: string, caFile: string): string {
  const last = (out: string) => out.trim().split('\n').slice(-3).join(' | ')
  const cms = openssl(['cms', '-cmsout', '-inform', 'DER', '-in', sig, '-noout'])
  const ca = openssl(['x509', '-noout', '-subject', '-serial', '-in', caFile])
  return [
    `-in ${sig}: ${describeFile(sig)}; parses as CMS: ${cms.code === 0 ? 'yes' : `no (${last(cms.out)})`}`,
    `-content ${content}: ${describeFile(content)}`,
    `-CAfile ${caFile}: ${describeFile(caFile)}; first certificate: ${
      ca.code === 0 ? ca.out.trim().replace(/\n/g, ', ') : `unreadable (${last(ca.out)})`
    }`,
  ].join('\n')
}

/**
 * OpenSSL as another agency's own tools would run it on the day of the test: certificates it makes start at the
 * test's instant, not the machine's date (under faketime years later, the core would find them not yet valid).
 */
export function opensslOnTestDay(args: string[], cwd?: string): Buffer {
  return execFileSync('openssl', args, {
    stdio: 'pipe',
    env: { ...process.env, ...clockStartingAt(testClock.now()) },
    ...(cwd ? { cwd } : {}),
  })
}
