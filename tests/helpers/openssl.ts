import { spawnSync } from 'node:child_process'

/** Run OpenSSL as an outside verifier would; exit code and all it printed. */
export function openssl(args: string[], cwd?: string): { code: number; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', ...(cwd ? { cwd } : {}) })
  // A missing openssl says so, instead of an empty output beside exit code -1.
  return { code: r.status ?? -1, out: r.error ? String(r.error) : `${r.stdout}${r.stderr}` }
}

/** Exactly the check the signing issue names: a detached signature over a file, against a root certificate. */
export function cmsVerify(sig: string, content: string, caFile: string): { code: number; out: string } {
  return openssl([
    'cms',
    '-verify',
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
