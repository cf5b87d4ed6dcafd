import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import Database from 'better-sqlite3'
import { dataLayout } from '../../electron/core/paths.ts'
import { REPO, tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { randomFile } from '../helpers/media.ts'
import { runLiuhen } from '../helpers/cli.ts'
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

describe('two ingests at once on one data folder', () => {
  test('both finish; every file has exactly one row; vault objects equal rows; verify passes', async () => {
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
    const results = await Promise.all(runs.map((r) => r.done))
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
  }, 180_000)
})
