import { spawn, spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import Database from 'better-sqlite3'
import { dataLayout } from '../../electron/core/paths.ts'
import { createCore } from '../../electron/core/core.ts'
import { ownedTempName, ownerAlive, ownerOfTempName, selfOwner } from '../../electron/core/owner.ts'
import { REPO, tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { randomFile } from '../helpers/media.ts'
import { runLiuhen, socketEnds } from '../helpers/cli.ts'
import { testClock } from '../helpers/clock.ts'

/*
 * Several processes on one data folder at once (the app, a CLI ingest, a scheduled check): each one's work is
 * its own, none waits forever, none loses or half-registers a file, and none wipes what another is doing.
 */

const OFFICER_PASSWORD = 'Zhengshi2026y'

interface Done {
  status: number | null
  stdout: string
  stderr: string
}

/** The real CLI in its own process, not waited for: several of them run at once. */
function cli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [...testClock.args, path.join(REPO, 'bin', 'liuhen.mjs'), ...args], {
    cwd: REPO,
    env: { ...process.env, ...testClock.env, LIUHEN_PASSWORD: OFFICER_PASSWORD, LIUHEN_LANG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const done = new Promise<Done>((resolve) =>
    child.once('close', (status) => resolve({ status, stdout, stderr })),
  )
  return { child, done, out: () => stdout }
}

async function agencyWithOfficer(): Promise<string> {
  const t = testCore()
  const admin = await t.adminSession()
  await t.userSession(admin, 'jilu', ['records_officer'])
  t.core.close()
  return t.dataDir
}

function vaultObjects(data: string): number {
  const dir = dataLayout(data).vault
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) =>
    /^[0-9a-f]{64}$/.test(path.basename(p)),
  ).length
}

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe('two ingests and a verify at once on one data folder', () => {
  test('all finish; every file has exactly one row; vault objects equal rows; verify passes', async () => {
    const data = await agencyWithOfficer()
    const devices = [tempDir('liuhen-conc-a-'), tempDir('liuhen-conc-b-')]
    // Many small files keep both processes registering (read-then-write transactions) at the same moments;
    // a few files are on both devices, so both try to register the same content.
    const shared = tempDir('liuhen-conc-shared-')
    for (let i = 0; i < 6; i++) randomFile(path.join(shared, `same${i}.wav`), 30_000 + i)
    devices.forEach((dev, d) => {
      for (let i = 0; i < 40; i++) randomFile(path.join(dev, 'RECORD', `d${d}rec${i}.wav`), 20_000 + i)
      for (const f of fs.readdirSync(shared)) fs.copyFileSync(path.join(shared, f), path.join(dev, f))
    })
    const runs = devices.map((dev) => cli(['ingest', dev, '--data', data, '--user', 'jilu', '--json']))
    let running = true
    const all = Promise.all(runs.map((r) => r.done)).finally(() => (running = false))
    // A check run meanwhile (a scheduled one, an auditor's) sees a consistent folder, never a half-done write.
    const checks: Done[] = []
    while (running) checks.push(await cli(['verify', '--data', data, '--json']).done)
    const results = await all
    expect(checks.length).toBeGreaterThan(0)
    console.log(
      'CHECKS',
      checks.length,
      checks.map((c) => c.status),
    )
    for (const c of checks) expect(c.status, c.stdout + c.stderr).toBe(0)
    for (const r of results) {
      expect(r.status, r.stdout + r.stderr).toBe(0)
      expect(r.stderr).not.toMatch(/SQLITE_BUSY|TypeError|INTERNAL/)
      const files = lines(r.stdout).filter((l) => !l.summary)
      expect(files).toHaveLength(46)
      for (const f of files) expect(['stored', 'duplicate']).toContain(f.status)
      expect(lines(r.stdout).at(-1)).toMatchObject({ summary: true, files: 46, failed: 0 })
    }

    const db = new Database(dataLayout(data).db, { readonly: true })
    const evidence = (db.prepare('SELECT count(*) AS n FROM evidence').get() as { n: number }).n
    // 80 distinct files plus the 6 both devices carry, each content once.
    expect(evidence).toBe(86)
    // Every file of every device has exactly one source row.
    const sources = db
      .prepare('SELECT device_id, rel_path, count(*) AS n FROM evidence_sources GROUP BY device_id, rel_path')
      .all() as { n: number }[]
    expect(sources).toHaveLength(92)
    expect(sources.every((s) => s.n === 1)).toBe(true)
    expect(
      db.prepare("SELECT count(*) AS n FROM ingest_batches WHERE status <> 'done'").get() as { n: number },
    ).toEqual({ n: 0 })
    db.close()
    expect(vaultObjects(data)).toBe(evidence)
    const v = runLiuhen(['verify', '--data', data])
    expect(v.status, v.stdout + v.stderr).toBe(0)
  })
})

describe("start-up recovery touches only a dead owner's work", () => {
  test('a process is recognised by pid and start time; a gone or reused pid is not the owner', () => {
    expect(ownerAlive(selfOwner())).toBe(true)
    const gone = spawnSync(process.execPath, ['-e', ''])
    expect(ownerAlive(`${gone.pid}_x`)).toBe(false)
    // Our own pid with another start time: a pid reused after a crash (where /proc says start times).
    if (fs.existsSync('/proc/self/stat')) expect(ownerAlive(`${process.pid}_1`)).toBe(false)
    // Work from a Liuhen that did not record its owner has no live owner.
    expect(ownerAlive(null)).toBe(false)
    expect(ownerAlive('not-a-token')).toBe(false)
    expect(ownerOfTempName(ownedTempName())).toBe(selfOwner())
    expect(ownerOfTempName(ownedTempName('archive-'))).toBe(selfOwner())
    expect(ownerOfTempName(`${crypto.randomUUID()}.part`)).toBeNull()
  })

  test("a core start keeps live processes' temp files and removes a dead one's", async () => {
    const data = await agencyWithOfficer()
    const tmp = dataLayout(data).tmp
    const gone = spawnSync(process.execPath, ['-e', ''])
    const live = ownedTempName()
    const liveStage = ownedTempName('archive-')
    const dead = `${gone.pid}_x.${crypto.randomUUID()}.part`
    const legacy = `${crypto.randomUUID()}.part`
    for (const n of [live, dead, legacy]) fs.writeFileSync(path.join(tmp, n), 'x')
    fs.mkdirSync(path.join(tmp, liveStage))
    createCore({ dataDir: data, create: false }).close()
    expect(
      fs
        .readdirSync(tmp)
        .filter((n) => n !== '.liuhen-data')
        .sort(),
    ).toEqual([live, liveStage].sort())
  })

  test('a long CLI ingest is not interrupted by other commands starting meanwhile', async () => {
    const data = await agencyWithOfficer()
    const device = tempDir('liuhen-long-')
    const N = 16
    for (let i = 0; i < N; i++)
      randomFile(path.join(device, 'DCIM', `ZD_202611200830${String(i).padStart(2, '0')}_${i}.MP4`), 8 << 20)
    const ingest = cli(['ingest', device, '--data', data, '--user', 'jilu', '--json'])
    let exited = false
    void ingest.done.then(() => (exited = true))
    // Other processes start again and again while it runs: each finds the ingest owning the folder and becomes
    // its client (no core start, no recovery of its own); the ingest, as owner, waits for them before it exits.
    // The first one is made to meet the running ingest whatever the machine's speed: once the ingest has stored
    // a file it is held still (SIGSTOP) until that command's connection is in its backlog (/proc/net/unix).
    await expect.poll(() => ingest.out().includes('"status":"stored"'), { timeout: 120_000 }).toBe(true)
    ingest.child.kill('SIGSTOP')
    const first = cli(['device', 'list', '--data', data], {
      LIUHEN_PASSWORD: 'Admin2026ok',
      LIUHEN_REPORT_ROLE: '1',
    })
    await expect.poll(() => socketEnds(data), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(2)
    ingest.child.kill('SIGCONT')
    const r1 = await first.done
    expect(r1.status, r1.stdout + r1.stderr).toBe(0)
    let during = r1.stderr.includes('LIUHEN_ROLE=client') ? 1 : 0
    while (!exited) {
      const other = cli(['device', 'list', '--data', data], {
        LIUHEN_PASSWORD: 'Admin2026ok',
        LIUHEN_REPORT_ROLE: '1',
      })
      const r = await other.done
      expect(r.status, r.stdout + r.stderr).toBe(0)
      if (r.stderr.includes('LIUHEN_ROLE=client')) during++
    }
    const r = await ingest.done
    // The test means something only if at least one start happened while the ingest was copying.
    expect(during).toBeGreaterThan(0)
    expect(r.status, r.stdout + r.stderr).toBe(0)
    const files = lines(r.stdout).filter((l) => !l.summary)
    expect(files.map((f) => f.status)).toEqual(Array(N).fill('stored'))
    const db = new Database(dataLayout(data).db, { readonly: true })
    expect(db.prepare('SELECT status FROM ingest_batches').all()).toEqual([{ status: 'done' }])
    expect(
      db.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'ingest.interrupted'").get(),
    ).toEqual({ n: 0 })
    expect((db.prepare('SELECT count(*) AS n FROM evidence').get() as { n: number }).n).toBe(N)
    db.close()
    expect(vaultObjects(data)).toBe(N)
    expect(fs.readdirSync(dataLayout(data).tmp).filter((n) => n.endsWith('.part'))).toEqual([])
  })
})
