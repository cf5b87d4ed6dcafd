import { execFileSync, spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import Database from 'better-sqlite3'
import { objectPath } from '../../electron/core/vault.ts'
import { dataLayout } from '../../electron/core/paths.ts'
import { REPO, tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { randomFile, sha256sum } from '../helpers/media.ts'
import { runLiuhen } from '../helpers/cli.ts'

/*
 * Nothing lost, nothing half-done: the real CLI killed with SIGKILL at random moments, a disk that fills up,
 * and a file larger than 4 GiB copied in bounded memory.
 */

const OFFICER_PASSWORD = 'Zhengshi2026y'

function cli(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, [path.join(REPO, 'bin', 'liuhen.mjs'), ...args], {
    cwd: REPO,
    env: { ...process.env, LIUHEN_PASSWORD: OFFICER_PASSWORD, LIUHEN_LANG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

const cliSync = (args: string[], env: Record<string, string> = {}) =>
  runLiuhen(args, { LIUHEN_PASSWORD: OFFICER_PASSWORD, ...env })

async function agencyWithOfficer(dataDir?: string): Promise<string> {
  const t = testCore(dataDir)
  const admin = await t.adminSession()
  await t.userSession(admin, 'jilu', ['records_officer'])
  t.core.close()
  return t.dataDir
}

/** Every registered item has its vault file, and that file hashes to the recorded value. */
function checkRegistered(dataDir: string): number {
  const db = new Database(dataLayout(dataDir).db, { readonly: true })
  const rows = db.prepare('SELECT sha256 FROM evidence').all() as { sha256: string }[]
  db.close()
  for (const r of rows) expect(sha256sum(objectPath(dataLayout(dataDir), r.sha256))).toBe(r.sha256)
  return rows.length
}

describe('kill -9 at random moments', () => {
  let data: string
  let device: string
  beforeAll(async () => {
    data = await agencyWithOfficer()
    device = tempDir('liuhen-killdev-')
    for (let i = 0; i < 12; i++)
      randomFile(
        path.join(device, 'DCIM', `ZD_202611200830${String(i).padStart(2, '0')}_${i}.MP4`),
        (3 + (i % 5)) * 1024 * 1024,
      )
    for (let i = 0; i < 6; i++) randomFile(path.join(device, 'RECORD', `rec${i}.wav`), 20_000 + i)
  })

  test('twenty kills lose nothing and leave nothing half-registered; the next run finishes the rest', async () => {
    for (let trial = 0; trial < 20; trial++) {
      const child = cli(['ingest', device, '--data', data, '--user', 'jilu', '--json'])
      const exited = new Promise((r) => child.once('exit', r))
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1500))
      child.kill('SIGKILL')
      await exited
      checkRegistered(data)
    }
    const finish = cliSync(['ingest', device, '--data', data, '--user', 'jilu', '--json'])
    expect(finish.status, finish.stderr).toBe(0)
    const lines = finish.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const files = lines.filter((l) => !l.summary)
    expect(files).toHaveLength(18)
    for (const f of files) {
      expect(['stored', 'already', 'duplicate']).toContain(f.status)
      expect(f.sha256).toBe(sha256sum(path.join(device, String(f.relPath))))
    }
    expect(checkRegistered(data)).toBe(18)
    // The crash leftovers are gone and no batch is left "running".
    expect(fs.readdirSync(dataLayout(data).tmp).filter((n) => n.endsWith('.part'))).toEqual([])
    const db = new Database(dataLayout(data).db, { readonly: true })
    expect(db.prepare("SELECT count(*) AS n FROM ingest_batches WHERE status = 'running'").get()).toEqual({
      n: 0,
    })
    db.close()
    const again = cliSync(['ingest', device, '--data', data, '--user', 'jilu', '--json'])
    const summary = JSON.parse(again.stdout.trim().split('\n').pop()!) as Record<string, number>
    expect(summary).toMatchObject({ stored: 0, duplicate: 0, already: 18, failed: 0 })
    expect(
      execFileSync('node', [path.join(REPO, 'bin', 'liuhen.mjs'), 'audit', 'verify', '--data', data], {
        cwd: REPO,
        encoding: 'utf8',
      }),
    ).toContain('日志链完整')
  }, 240_000)
})

describe('a full disk', () => {
  const mnt = tempDir('liuhen-full-')
  let mounted = false
  beforeAll(() => {
    mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', mnt]).status === 0
  })
  afterAll(() => {
    if (mounted) spawnSync('umount', [mnt])
  })

  test('stops cleanly with a clear message; what was stored is complete', async (ctx) => {
    if (!mounted) ctx.skip()
    const data = await agencyWithOfficer(path.join(mnt, 'data'))
    const device = tempDir('liuhen-fulldev-')
    for (let i = 0; i < 5; i++) randomFile(path.join(device, `clip${i}.mp4`), 3 * 1024 * 1024)
    const r = cliSync(['ingest', device, '--data', data, '--user', 'jilu', '--json'])
    expect(r.status).toBe(1)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { status?: string; error?: { code: string; message?: string }; summary?: boolean },
      )
    const failed = lines.filter((l) => l.status === 'failed')
    expect(failed.length).toBeGreaterThan(0)
    for (const f of failed) expect(f.error?.code).toBe('DISK_FULL')
    expect(lines.filter((l) => l.status === 'stored').length).toBeGreaterThan(0)
    expect(fs.readdirSync(dataLayout(data).tmp).filter((n) => n.endsWith('.part'))).toEqual([])
    checkRegistered(data)
    const human = cliSync(['ingest', device, '--data', data, '--user', 'jilu'])
    expect(human.stdout).toContain('磁盘空间不足')
  }, 120_000)
})

describe('a file larger than 4 GiB', () => {
  test('is copied and verified with bounded memory', async () => {
    const data = await agencyWithOfficer()
    const device = tempDir('liuhen-bigdev-')
    const big = path.join(device, 'ZD_20261120083015_big.MP4')
    execFileSync('truncate', ['-s', '4500M', big])
    fs.appendFileSync(big, 'the end of a long recording')
    const r = cliSync(['ingest', device, '--data', data, '--user', 'jilu', '--json'], {
      LIUHEN_REPORT_MAXRSS: '1',
    })
    expect(r.status, r.stderr).toBe(0)
    const file = JSON.parse(r.stdout.trim().split('\n')[0]!) as {
      sha256: string
      size: number
      status: string
    }
    expect(file.status).toBe('stored')
    expect(file.size).toBe(4500 * 1024 * 1024 + 27)
    expect(file.sha256).toBe(sha256sum(big))
    const rss = Number(/LIUHEN_MAXRSS_MB=(\d+)/.exec(r.stderr)?.[1])
    expect(rss).toBeGreaterThan(0)
    expect(rss).toBeLessThan(200)
    fs.rmSync(data, { recursive: true, force: true })
    fs.rmSync(device, { recursive: true, force: true })
  }, 300_000)
})
