import { spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { dataLayout } from '../../electron/core/paths.ts'
import type { IntegrityReport } from '../../shared/integrity.ts'
import { REPO, tempDir } from '../helpers/bridge.ts'
import { compiledPreload, testClock } from '../helpers/clock.ts'
import { CLI_ADMIN, cliAgency, lastJson, ok, runLiuhen } from '../helpers/cli.ts'
import { randomFile } from '../helpers/media.ts'
import { startTsa, type RunningTsa } from '../helpers/tsa.ts'

/*
 * kill -9 between a commit and the work that must follow it (issue 18): the real CLI killed right after a
 * signature file is in place and before its row (so the record is registered and unsigned, earlier signatures
 * wait for their time-stamps), and again right after a time-stamp token is written and before it is registered.
 * The queue finishes the stamping on the next run, the owed signature is made at the officer's next PIN, and
 * verify exits 0. Which signature the kill follows is seeded (LIUHEN_CRASH_SEED replays a run).
 */

const JILU = { LIUHEN_PASSWORD: 'Jilu2026pw' }
const PIN = '246810'
const KILL_PRELOAD = await compiledPreload(path.join(REPO, 'tests', 'helpers', 'kill-preload.ts'))
const FILES = 6

/** The CLI, killed by the kernel right after the nth file matching `after` is put in place. */
function killedLiuhen(args: string[], env: Record<string, string>, after: string, nth: number) {
  return spawnSync(
    process.execPath,
    [...testClock.args, '--import', KILL_PRELOAD, path.join(REPO, 'bin', 'liuhen.mjs'), ...args],
    {
      cwd: REPO,
      env: {
        ...process.env,
        ...testClock.env,
        LIUHEN_PASSWORD: '',
        LIUHEN_PIN: '',
        LIUHEN_LANG: '',
        ...env,
        LIUHEN_TEST_KILL_AFTER: after,
        LIUHEN_TEST_KILL_NTH: String(nth),
      },
      encoding: 'utf8',
    },
  )
}

function rows<T>(data: string, sql: string): T[] {
  const db = new Database(dataLayout(data).db, { readonly: true })
  try {
    return db.prepare(sql).all() as T[]
  } finally {
    db.close()
  }
}

let tsa: RunningTsa
beforeAll(async () => {
  tsa = await startTsa()
})
afterAll(async () => {
  await tsa?.stop()
})

test('killed between commit and signature, and between token and its row: the queue finishes, verify exits 0', () => {
  const seed = Number(process.env.LIUHEN_CRASH_SEED) || crypto.randomInt(1, 2 ** 31)
  try {
    // At least one signature is registered before the kill (so a time-stamp is owed), at most all of them.
    const nth = 2 + (seed % (FILES - 1))
    const data = tempDir('liuhen-pc-crash-')
    cliAgency(data, [['jilu', '王记录', 'records_officer', '', 'Jilu2026pw']], { user: 'jilu', pin: PIN })
    ok(runLiuhen(['timestamp', 'config', '--data', data, '--url', tsa.url, '--ca', tsa.caPem], CLI_ADMIN))
    const device = tempDir('liuhen-pc-crash-dev-')
    for (let i = 0; i < FILES; i++) randomFile(path.join(device, `rec${i}.wav`), 30_000 + i)

    const killed = killedLiuhen(
      ['ingest', device, '--data', data, '--user', 'jilu', '--json'],
      { ...JILU, LIUHEN_PIN: PIN },
      '\\.p7s$',
      nth,
    )
    expect(killed.signal, killed.stderr).toBe('SIGKILL')
    // Records are signed several at a time, so when the nth signature file is in place, up to n records may be
    // registered with their file but not yet their row: every such record is unsigned with its sign job on record,
    // and the signatures registered before the kill wait for their time-stamps.
    const open = () =>
      rows<{ kind: string; subject: string }>(
        data,
        'SELECT kind, subject FROM post_commit_jobs WHERE done_at IS NULL ORDER BY id',
      )
    const signedBefore = rows<{ id: string }>(data, 'SELECT id FROM signatures').length
    expect(signedBefore).toBeLessThanOrEqual(nth - 1)
    expect(open().filter((j) => j.kind === 'stamp_signature')).toHaveLength(signedBefore)
    const owed = open().filter((j) => j.kind === 'sign_record')
    const registered = rows<{ id: string }>(data, 'SELECT id FROM evidence').length
    expect(owed.length).toBeGreaterThanOrEqual(1)
    expect(owed).toHaveLength(registered - signedBefore)

    const bad = runLiuhen(['verify', '--data', data, '--json'])
    expect(bad.status, bad.stdout + bad.stderr).toBe(1)
    expect(lastJson<IntegrityReport>(bad).problems).toEqual(
      expect.arrayContaining(
        owed.map((o) => expect.objectContaining({ check: 'signatures', kind: 'unsigned', id: o.subject })),
      ),
    )
    expect(lastJson<IntegrityReport>(bad).problems).toHaveLength(owed.length)

    // Killed again right after the first time-stamp token is written, before its row: a token on disk that
    // the record does not name yet (when a signature was registered before the first kill; the seed decides).
    if (signedBefore > 0) {
      const killedStamp = killedLiuhen(
        ['timestamp', 'retry', '--data', data, '--json'],
        CLI_ADMIN,
        '\\.tsr$',
        1,
      )
      expect(killedStamp.signal, killedStamp.stderr).toBe('SIGKILL')
      expect(open().filter((j) => j.kind === 'stamp_signature')).toHaveLength(signedBefore)
    }

    // The next run finishes the stamping (no PIN needed); the token left behind is replaced, not doubled.
    const retry = ok(runLiuhen(['timestamp', 'retry', '--data', data, '--json'], CLI_ADMIN))
    expect(lastJson<{ granted: number; pending: number }>(retry)).toMatchObject({
      granted: signedBefore,
      pending: 0,
    })
    expect(open().map((j) => j.kind)).toEqual(Array(owed.length).fill('sign_record'))

    // Without the PIN nothing can sign: refused, and still owed.
    const noPin = runLiuhen(['sign', 'owed', '--data', data, '--user', 'jilu', '--json'], JILU)
    expect(noPin.status).not.toBe(0)
    expect(open().map((j) => j.kind)).toEqual(Array(owed.length).fill('sign_record'))
    // The officer's next PIN signs it, and its time-stamp follows.
    const signed = ok(
      runLiuhen(['sign', 'owed', '--data', data, '--user', 'jilu', '--json'], { ...JILU, LIUHEN_PIN: PIN }),
    )
    expect(lastJson<Record<string, number>>(signed)).toMatchObject({
      signed: owed.length,
      failed: 0,
      remaining: 0,
      timestampsPending: 0,
    })
    expect(open()).toEqual([])
    // Run again, the queue has nothing to do and changes nothing.
    const twice = ok(
      runLiuhen(['sign', 'owed', '--data', data, '--user', 'jilu', '--json'], { ...JILU, LIUHEN_PIN: PIN }),
    )
    expect(lastJson<Record<string, number>>(twice)).toMatchObject({ signed: 0, remaining: 0 })

    // The rest of the source comes in signed; every record has exactly one signature, every one stamped.
    ok(
      runLiuhen(['ingest', device, '--data', data, '--user', 'jilu', '--json'], { ...JILU, LIUHEN_PIN: PIN }),
    )
    const sigs = rows<{ evidence_id: string; ts_status: string }>(
      data,
      'SELECT evidence_id, ts_status FROM signatures',
    )
    expect(sigs).toHaveLength(FILES)
    expect(new Set(sigs.map((s) => s.evidence_id)).size).toBe(FILES)
    expect(sigs.every((s) => s.ts_status === 'granted')).toBe(true)
    expect(open()).toEqual([])
    const good = runLiuhen(['verify', '--data', data, '--json'])
    expect(good.status, good.stdout + good.stderr).toBe(0)
    expect(lastJson<IntegrityReport>(good).checked.signatures).toBe(FILES)
  } catch (e) {
    if (e instanceof Error) e.message = `[LIUHEN_CRASH_SEED=${seed}] ${e.message}`
    throw e
  }
}, 400_000)
