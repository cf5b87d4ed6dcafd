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
import { verifyTrailOffline } from '../../electron/core/signing/checkpoints.ts'

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
  const manual = manualTimers()
  const t = testCore(undefined, { anchor: { timers: manual.timers } })
  const admin = await t.adminSession()
  manual.fire()
  await t.userSession(admin, 'jilu', ['records_officer'])
  manual.fire()
  for (let i = 0; i < 60; i++) await t.call('audit.verify', {}, admin)
  manual.fire()
  await t.call('audit.verify', {}, admin)
  t.core.close()
  base = t.dataDir
})

const trail = (data: string) => verifyTrailOffline(data, path.join(data, 'liuhen.db'))

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

  /** A copy of the folder with its newest `cut` events deleted by an outside SQLite client. */
  function cutTail(cut: number): { data: string; after: number } {
    const data = copyOf(base)
    const after = headSeq(data) - cut
    const db = new Database(path.join(data, 'liuhen.db'))
    db.prepare('DELETE FROM audit_events WHERE seq > ?').run(after)
    db.close()
    return { data, after }
  }

  // One real CLI run per case (each costs seconds): --json for the finding, the human text in zh-CN and en.
  test('deleting the last event with an outside SQLite client: verify exits 1 and names 1 missing after which', () => {
    const { data, after } = cutTail(1)
    const v = verify(data)
    expect(v.status, v.r.stdout + v.r.stderr).toBe(1)
    expect(v.report.problems).toContainEqual(
      expect.objectContaining({ check: 'audit', kind: 'anchor_truncated', id: String(after), count: 1 }),
    )
  })

  test('deleting the last 5 events: `liuhen verify` says so in Chinese and exits 1', () => {
    const { data, after } = cutTail(5)
    const zh = runLiuhen(['verify', '--data', data, '--lang', 'zh-CN'])
    expect(zh.status, zh.stdout + zh.stderr).toBe(1)
    expect(zh.stdout).toContain(`末尾缺少 5 条事件（#${after} 之后）`)
  })

  test('deleting the last 50 events: `liuhen audit verify` says so in English and exits 1', () => {
    const { data, after } = cutTail(50)
    const en = runLiuhen(['audit', 'verify', '--data', data, '--lang', 'en'])
    expect(en.status, en.stdout + en.stderr).toBe(1)
    expect(en.stdout).toContain(`50 event(s) missing after #${after}`)
  })

  test('an edited or removed log line, or a deleted log, is reported', () => {
    const data = copyOf(base)
    const file = anchorLogPath(data)
    const lines = logLines(data)
    const edited = JSON.parse(lines[0]!) as { seq: number }
    edited.seq += 1
    fs.chmodSync(file, 0o600)
    fs.writeFileSync(file, [JSON.stringify(edited), ...lines.slice(1), ''].join('\n'))
    expect(trail(data).problems).toContainEqual(
      expect.objectContaining({ reason: 'anchor_invalid', id: 'anchor/audit-anchors.log:1' }),
    )
    // A middle line taken out: the next line's number and link no longer fit.
    expect(lines.length).toBeGreaterThanOrEqual(3)
    fs.writeFileSync(file, [lines[0], ...lines.slice(2), ''].join('\n'))
    expect(trail(data).problems).toContainEqual(
      expect.objectContaining({ reason: 'anchor_invalid', id: 'anchor/audit-anchors.log:2' }),
    )
    // A torn last line (a write cut by a crash or a full disk) is no finding, and the next append drops it.
    fs.writeFileSync(file, [...lines, '{"v":1,"n":'].join('\n'))
    expect(trail(data)).toMatchObject({ ok: true })
    fs.rmSync(file)
    expect(trail(data).problems).toContainEqual(expect.objectContaining({ reason: 'anchor_missing' }))
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
    expect(trail(data)).toMatchObject({ ok: true })
  })

  test('backups carry the log; a log cut after a backup is refused by the next and reported by verify', async () => {
    const t = testCore(copyOf(base))
    const s = await t.call('auth.signIn', { username: 'admin', password: ADMIN_PW })
    const target = tempDir('liuhen-anchor-backup-')
    await t.call('backup.run', { target }, s.session)
    t.core.close()
    const copy = fs.readFileSync(anchorLogPath(target))
    expect(copy.length).toBeGreaterThan(0)
    expect(fs.readFileSync(anchorLogPath(t.dataDir)).subarray(0, copy.length).equals(copy)).toBe(true)
    expect(trail(target)).toMatchObject({ ok: true })
    expect(trail(t.dataDir)).toMatchObject({ ok: true })

    // The log alone cut back to before the backup: verify compares it with the backups the trail names.
    const data = t.dataDir
    const lines = logLines(data)
    const kept = lines.slice(0, -3)
    fs.writeFileSync(anchorLogPath(data), kept.map((l) => `${l}\n`).join(''))
    expect(trail(data).problems).toEqual([{ seq: 0, id: target, reason: 'anchor_rewritten' }])
    // Log and trail both cut (the backup's own event with them): nothing inside the folder shows it any more…
    const keptSeq = (JSON.parse(kept[kept.length - 1]!) as { seq: number }).seq
    const db = new Database(path.join(data, 'liuhen.db'))
    db.prepare('DELETE FROM audit_events WHERE seq > ?').run(keptSeq)
    db.close()
    expect(trail(data)).toMatchObject({ ok: true })
    // …but the next backup refuses, and the backup's copy (the proof) stays as it was.
    const again = testCore(data)
    const s2 = await again.call('auth.signIn', { username: 'admin', password: ADMIN_PW })
    const e = await again.fail('backup.run', { target }, s2.session)
    expect(e).toMatchObject({ code: 'ANCHOR_LOG_REWRITTEN', params: { path: target } })
    again.core.close()
    expect(fs.readFileSync(anchorLogPath(target)).equals(copy)).toBe(true)
  })

  test('-wal removed after kill -9 of a process holding committed, anchored rows: verify exits 1', async () => {
    const data = copyOf(base)
    const before = headSeq(data)
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        ...testClock.args,
        path.join(REPO, 'tests', 'fixtures', 'anchor-wal-child.ts'),
        data,
        ADMIN_PW,
        '6',
      ],
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
