import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, test } from 'vitest'
import { REPO, tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { testClock } from '../helpers/clock.ts'
import { runLiuhen } from '../helpers/cli.ts'
import { anchorLogPath } from '../../electron/core/audit-anchor.ts'
import type { AnchorTimers } from '../../electron/core/audit-anchor.ts'

/*
 * The audit head anchored outside the database: whoever deletes the newest events with an outside SQLite client
 * (or loses the -wal file) leaves a trail whose hash chain is intact but ends early. The station-signed anchor log
 * shows where it ended before, and `liuhen verify` names how many events are gone after which sequence number.
 */

const ADMIN_PW = 'Admin2026ok'

/** Timers the test fires by hand: what the anchor scheduled, and when it asked. */
function manualTimers() {
  const pending = new Map<number, () => void>()
  let next = 1
  let scheduled = 0
  const timers: AnchorTimers = {
    set(fn) {
      scheduled++
      pending.set(next, fn)
      return next++
    },
    clear(h) {
      pending.delete(h as number)
    },
  }
  return {
    timers,
    scheduled: () => scheduled,
    fire() {
      const fns = [...pending.values()]
      pending.clear()
      for (const f of fns) f()
    },
  }
}

const logLines = (data: string): string[] =>
  fs
    .readFileSync(anchorLogPath(data), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)

const headSeq = (data: string): number => {
  const db = new Database(path.join(data, 'liuhen.db'), { readonly: true })
  try {
    return (db.prepare('SELECT max(seq) AS s FROM audit_events').get() as { s: number }).s
  } finally {
    db.close()
  }
}

interface VerifyJson {
  ok: boolean
  problems: { check: string; kind: string; id: string; count?: number }[]
}

function verify(data: string, lang = 'zh-CN') {
  const r = runLiuhen(['verify', '--data', data, '--json', '--lang', lang])
  return { status: r.status, report: JSON.parse(r.stdout.trim().split('\n').pop()!) as VerifyJson, r }
}

/** An agency with 70 events of several kinds (users, sign-ins, trail checks: the access log's kind). */
let base = ''
beforeAll(async () => {
  const t = testCore()
  const admin = await t.adminSession()
  await t.userSession(admin, 'jilu', ['records_officer'])
  for (let i = 0; i < 60; i++) await t.call('audit.verify', {}, admin)
  t.core.close()
  base = t.dataDir
})

function copyOf(src: string): string {
  const dir = tempDir('liuhen-anchor-')
  fs.cpSync(src, dir, { recursive: true })
  return dir
}

describe('the audit head anchored outside the database', () => {
  test('a clean folder verifies; the log holds signed lines up to the head', () => {
    const data = copyOf(base)
    const lines = logLines(data)
    expect(lines.length).toBeGreaterThanOrEqual(1)
    const last = JSON.parse(lines[lines.length - 1]!) as { seq: number; n: number }
    expect(last.seq).toBe(headSeq(data))
    expect(last.n).toBe(lines.length)
    const v = verify(data)
    expect(v.status, v.r.stdout + v.r.stderr).toBe(0)
    expect(v.report.ok).toBe(true)
  })

  for (const cut of [1, 5, 50])
    test(`deleting the last ${cut} event(s) with an outside SQLite client: verify exits 1 and says how many after which`, () => {
      const data = copyOf(base)
      const head = headSeq(data)
      const db = new Database(path.join(data, 'liuhen.db'))
      db.prepare('DELETE FROM audit_events WHERE seq > ?').run(head - cut)
      db.close()
      const v = verify(data)
      expect(v.status, v.r.stdout + v.r.stderr).toBe(1)
      expect(v.report.problems).toContainEqual(
        expect.objectContaining({
          check: 'audit',
          kind: 'anchor_truncated',
          id: String(head - cut),
          count: cut,
        }),
      )
      const zh = runLiuhen(['verify', '--data', data, '--lang', 'zh-CN'])
      expect(zh.stdout).toContain(`末尾缺少 ${cut} 条事件（#${head - cut} 之后）`)
      const en = runLiuhen(['audit', 'verify', '--data', data, '--lang', 'en'])
      expect(en.status).toBe(1)
      expect(en.stdout).toContain(`${cut} event(s) missing after #${head - cut}`)
    })

  test('an edited or removed log line, or a deleted log, is reported', () => {
    const data = copyOf(base)
    const file = anchorLogPath(data)
    const lines = logLines(data)
    const edited = JSON.parse(lines[0]!) as { seq: number }
    edited.seq += 1
    fs.chmodSync(file, 0o600)
    fs.writeFileSync(file, [JSON.stringify(edited), ...lines.slice(1), ''].join('\n'))
    const v = verify(data)
    expect(v.status).toBe(1)
    expect(v.report.problems).toContainEqual(expect.objectContaining({ kind: 'anchor_invalid' }))
    fs.rmSync(file)
    const gone = verify(data)
    expect(gone.status).toBe(1)
    expect(gone.report.problems).toContainEqual(expect.objectContaining({ kind: 'anchor_missing' }))
  })

  test('batching: 40 changes schedule one write and add one line, not one per event', async () => {
    const manual = manualTimers()
    const t = testCore(copyOf(base), { anchor: { timers: manual.timers } })
    const before = logLines(t.dataDir).length
    const s = await t.call('auth.signIn', { username: 'admin', password: ADMIN_PW })
    for (let i = 0; i < 40; i++) await t.call('audit.verify', {}, s.session)
    expect(manual.scheduled()).toBe(1)
    expect(logLines(t.dataDir).length).toBe(before)
    manual.fire()
    expect(logLines(t.dataDir).length).toBe(before + 1)
    // Nothing new: no line. One more change: one more timer.
    manual.fire()
    expect(logLines(t.dataDir).length).toBe(before + 1)
    await t.call('audit.verify', {}, s.session)
    expect(manual.scheduled()).toBe(2)
    t.core.close()
    expect(logLines(t.dataDir).length).toBe(before + 2)
    expect(JSON.parse(logLines(t.dataDir).pop()!).seq).toBe(headSeq(t.dataDir))
  })

  test('a folder from before the station key gets one at its first start, and is anchored from then on', async () => {
    const data = copyOf(base)
    const db = new Database(path.join(data, 'liuhen.db'))
    db.prepare("DELETE FROM meta WHERE key = 'station_key'").run()
    db.close()
    fs.rmSync(path.join(data, 'anchor'), { recursive: true })
    const t = testCore(data)
    t.core.close()
    const events = new Database(path.join(data, 'liuhen.db'), { readonly: true })
    expect(
      events.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'audit.stationKey'").get(),
    ).toEqual({ n: 1 })
    events.close()
    expect(JSON.parse(logLines(data).pop()!).seq).toBe(headSeq(data))
    expect(verify(data).status).toBe(0)
  })

  test('-wal removed after kill -9 of a process holding committed, anchored rows: verify exits 1', async () => {
    const data = copyOf(base)
    const before = headSeq(data)
    const child = spawn(
      process.execPath,
      [...testClock.args, path.join(REPO, 'tests', 'fixtures', 'anchor-wal-child.ts'), data, ADMIN_PW, '6'],
      { cwd: REPO, env: { ...process.env, ...testClock.env }, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const exited = new Promise((r) => child.on('exit', r))
    const lines = readline.createInterface({ input: child.stdout })
    for await (const l of lines) if (l === 'anchored') break
    child.kill('SIGKILL')
    await exited
    const wal = path.join(data, 'liuhen.db-wal')
    expect(fs.statSync(wal).size).toBeGreaterThan(0)
    const anchored = (JSON.parse(logLines(data).pop()!) as { seq: number }).seq
    // sign-in + 6 checks, committed only in -wal
    expect(anchored).toBe(before + 7)
    fs.rmSync(wal)
    fs.rmSync(path.join(data, 'liuhen.db-shm'), { force: true })
    expect(headSeq(data)).toBe(before)
    const v = verify(data)
    expect(v.status, v.r.stdout + v.r.stderr).toBe(1)
    expect(v.report.problems).toContainEqual(
      expect.objectContaining({ kind: 'anchor_truncated', id: String(before), count: 7 }),
    )
  })
})
