import { spawnSync } from 'node:child_process'
import { expect } from 'vitest'
import path from 'node:path'
import { REPO } from './bridge.ts'
import { testClock } from './clock.ts'
import fs from 'node:fs'
import { ownerAddress } from '../../electron/core/owner-lock.ts'
import { dataLayout } from '../../electron/core/paths.ts'

/**
 * Run the real CLI as a user would, on this test file's clock; the variables it reads start empty unless the
 * test sets them.
 */
export function runLiuhen(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [...testClock.args, path.join(REPO, 'bin', 'liuhen.mjs'), ...args], {
    cwd: REPO,
    env: {
      ...process.env,
      ...testClock.env,
      LIUHEN_PASSWORD: '',
      LIUHEN_NEW_PASSWORD: '',
      LIUHEN_PIN: '',
      LIUHEN_CA_PASSPHRASE: '',
      LIUHEN_LANG: '',
      ...env,
    },
    encoding: 'utf8',
  })
}

export type CliResult = { status: number | null; stdout: string; stderr: string }

/** The command must have succeeded; its output is shown when it did not. */
export function ok(r: CliResult): CliResult {
  expect(r.status, r.stdout + r.stderr).toBe(0)
  return r
}

/** The result object a --json command prints last. */
export const lastJson = <T>(r: { stdout: string }) => JSON.parse(r.stdout.trim().split('\n').pop()!) as T

/** Evidence ids of the files an `ingest --json` run stored anew (not duplicates or failures). */
export function storedIds(r: { stdout: string }): string[] {
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { evidenceId?: string; status?: string })
    .filter((l) => l.status === 'stored')
    .map((l) => l.evidenceId!)
}

export const CLI_ADMIN = { LIUHEN_PASSWORD: 'Admin2026pw' }

/**
 * A fresh agency (福州市医疗保障局) in `data` with these users ([user, name, roles, badge, password]) and, when
 * `signer` is given, an RSA root that has issued that user a certificate under `pin`.
 */
export function cliAgency(
  data: string,
  users: readonly (readonly [string, string, string, string, string])[],
  signer?: { user: string; pin: string },
): void {
  ok(
    runLiuhen(
      ['init', '--data', data, '--agency', '福州市医疗保障局', '--agency-code', 'FZYBJ', '--admin', 'admin'],
      CLI_ADMIN,
    ),
  )
  for (const [u, name, roles, badge, pw] of users)
    ok(
      runLiuhen(
        [
          'user',
          'add',
          '--data',
          data,
          '--user',
          u,
          '--name',
          name,
          '--roles',
          roles,
          ...(badge ? ['--badge', badge] : []),
        ],
        { ...CLI_ADMIN, LIUHEN_NEW_PASSWORD: pw },
      ),
    )
  if (!signer) return
  ok(runLiuhen(['ca', 'init', '--data', data], { ...CLI_ADMIN, LIUHEN_CA_PASSPHRASE: 'RootPass2026' }))
  ok(
    runLiuhen(['ca', 'issue', '--data', data, '--user', signer.user], {
      ...CLI_ADMIN,
      LIUHEN_CA_PASSPHRASE: 'RootPass2026',
      LIUHEN_PIN: signer.pin,
    }),
  )
}

/** Connections to a folder's owner socket, from /proc/net/unix (Linux): the listener plus one per client. */
export function socketEnds(data: string): number {
  const address = ownerAddress(dataLayout(data))
  return fs
    .readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .filter((l) => l.endsWith(` ${address}`)).length
}
