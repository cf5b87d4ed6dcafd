import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { AppError } from '../../shared/errors.ts'
import { m0170 } from '../../electron/core/db/migrations/0170_post_commit.ts'
import { openDatabase } from '../../electron/core/db/index.ts'
import { dataLayout } from '../../electron/core/paths.ts'
import type { CoreDeps } from '../../electron/core/context.ts'
import {
  CLAIM_ONE,
  FAILED_AFTER,
  OVERDUE_MS,
  backoffMs,
  enqueue,
  register,
  runJobs,
} from '../../electron/core/post-commit.ts'
import { queueProblems } from '../../electron/core/post-commit-check.ts'
import { REPO, tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { randomFile, sha256sum } from '../helpers/media.ts'

/*
 * The post-commit queue (electron/core/post-commit.ts): a job written with its change is done once, whatever
 * fails, crashes or runs beside it.
 */

async function queueDeps() {
  const t = testCore()
  await t.adminSession()
  const db = openDatabase(dataLayout(t.dataDir).db, { create: false })
  const deps: CoreDeps = { db, layout: dataLayout(t.dataDir), now: t.clock.now, emit: () => undefined }
  const add = (kind: string, subject: string) =>
    db.transaction(() => enqueue(db, kind, subject, { now: t.clock.now() })).immediate()
  const job = (subject: string) =>
    db.prepare('SELECT * FROM post_commit_jobs WHERE subject = ? ORDER BY id DESC').get(subject) as {
      attempts: number
      last_error: string | null
      done_at: string | null
      owner: string | null
      not_before: string | null
    }
  return { t, db, deps, add, job }
}

test('a job that throws is kept with its typed reason, retried after a growing delay, and reported', async () => {
  const { t, db, deps, add, job } = await queueDeps()
  let calls = 0
  let healthy = false
  register('test_flaky', {
    run: () => {
      calls++
      if (!healthy) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' })
    },
  })
  add('test_flaky', 'a')
  expect(await runJobs(deps, { kinds: ['test_flaky'] })).toMatchObject({ done: 0, failed: 1, open: 1 })
  expect(job('a')).toMatchObject({ attempts: 1, done_at: null, owner: null })
  // Never English text on record: the error's code and parameters, translated where shown.
  expect(JSON.parse(job('a').last_error!)).toEqual({ code: 'IO_ERROR', params: { detail: 'EIO' } })
  // Within its backoff it is not tried again.
  await runJobs(deps, { kinds: ['test_flaky'] })
  expect(calls).toBe(1)
  for (let i = 2; i <= FAILED_AFTER; i++) {
    t.clock.advance(backoffMs(i - 1))
    await runJobs(deps, { kinds: ['test_flaky'] })
    expect(calls).toBe(i)
  }
  expect(backoffMs(1)).toBeLessThan(backoffMs(2))
  expect(queueProblems(db, t.clock.now())).toEqual([
    expect.objectContaining({ check: 'queue', kind: 'job_failed', detail: job('a').last_error }),
  ])
  // Still retried, and once it works the report is clean.
  healthy = true
  t.clock.advance(backoffMs(FAILED_AFTER))
  expect(await runJobs(deps, { kinds: ['test_flaky'] })).toMatchObject({ done: 1, failed: 0, open: 0 })
  expect(queueProblems(db, t.clock.now())).toEqual([])
  db.close()
  t.core.close()
})

test('a job waiting too long is reported overdue; an open job is queued once; a dead claim is taken over', async () => {
  const { t, db, deps, add, job } = await queueDeps()
  const done: string[] = []
  register('test_touch', { run: (_d, j) => void done.push(j.subject) })
  register('test_keyed', { needsKey: true, run: () => undefined })
  add('test_touch', 'x')
  add('test_touch', 'x')
  expect(db.prepare("SELECT count(*) FROM post_commit_jobs WHERE kind = 'test_touch'").pluck().get()).toBe(1)
  // Claimed by a process that died before finishing (pid 1 never has this start time): taken over.
  db.prepare("UPDATE post_commit_jobs SET owner = '1_1' WHERE subject = 'x'").run()
  await runJobs(deps, { kinds: ['test_touch'] })
  expect(done).toEqual(['x'])
  expect(job('x').done_at).not.toBeNull()
  // A job that needs a key is not tried without one, and is overdue after a day.
  db.transaction(() => enqueue(db, 'test_keyed', 'k', { now: t.clock.now(), userId: null })).immediate()
  expect(await runJobs(deps, { kinds: ['test_keyed'] })).toMatchObject({ done: 0, failed: 0, open: 1 })
  expect(queueProblems(db, t.clock.now())).toEqual([])
  t.clock.advance(OVERDUE_MS + 1)
  expect(queueProblems(db, t.clock.now())).toEqual([
    expect.objectContaining({ check: 'queue', kind: 'job_overdue', detail: null }),
  ])
  // Queued outside a transaction is refused: a job lands with its change or not at all.
  expect(() => enqueue(db, 'test_touch', 'y', { now: t.clock.now() })).toThrow(/outside a transaction/)
  expect(() => {
    throw new AppError('IO_ERROR')
  }).toThrow()
  db.close()
  t.core.close()
})

test('two processes draining one queue at once do each job exactly once', async () => {
  const { t, db, add } = await queueDeps()
  const jobs = 60
  for (let i = 0; i < jobs; i++) add('test_log', `job-${i}`)
  db.close()
  t.core.close()
  const log = path.join(tempDir('liuhen-queue-log-'), 'done.log')
  const script = path.join(tempDir('liuhen-queue-run-'), 'drain.mts')
  // Each run appends the subject it did to one log (O_APPEND: whole lines) and dawdles a little, so the two
  // processes' claims interleave.
  fs.writeFileSync(
    script,
    `import fs from 'node:fs'
import { openDatabase } from ${JSON.stringify(path.join(REPO, 'electron/core/db/index.ts'))}
import { dataLayout } from ${JSON.stringify(path.join(REPO, 'electron/core/paths.ts'))}
import { register, runJobs } from ${JSON.stringify(path.join(REPO, 'electron/core/post-commit.ts'))}
const layout = dataLayout(process.argv[2])
const db = openDatabase(layout.db, { create: false })
register('test_log', {
  run: async (_d, j) => {
    fs.appendFileSync(process.argv[3], j.subject + ' ' + process.pid + '\\n')
    await new Promise((r) => setTimeout(r, 5))
  },
})
const r = await runJobs({ db, layout, now: () => new Date(), emit: () => undefined })
process.stdout.write(JSON.stringify(r))
db.close()
`,
  )
  const run = () =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', script, t.dataDir, log], { cwd: REPO })
      let out = ''
      let err = ''
      c.stdout.on('data', (d: Buffer) => (out += d.toString()))
      c.stderr.on('data', (d: Buffer) => (err += d.toString()))
      c.on('exit', (code) => resolve({ code, out, err }))
    })
  const results = await Promise.all([run(), run()])
  for (const r of results) expect(r.code, r.err).toBe(0)
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n')
  const subjects = lines.map((l) => l.split(' ')[0])
  expect(subjects).toHaveLength(jobs)
  expect(new Set(subjects).size).toBe(jobs)
  const done = results.map((r) => (JSON.parse(r.out) as { done: number }).done)
  expect(done[0]! + done[1]!).toBe(jobs)
  const check = openDatabase(dataLayout(t.dataDir).db, { create: false })
  expect(
    check
      .prepare("SELECT count(*) FROM post_commit_jobs WHERE kind = 'test_log' AND done_at IS NULL")
      .pluck()
      .get(),
  ).toBe(0)
  check.close()
})

test('0170 turns what an older Liuhen owed into jobs: unsigned records of signed batches, pending time-stamps', async () => {
  // Made by the real writers: a signed ingest whose one signature cannot be written (its folder's name taken by
  // a file, as when the disk fills), with a TSA that is down (nothing listens on port 9), so stamps stay pending.
  const t = testCore()
  const admin = await t.adminSession()
  const officer = await t.userSession(admin, 'lijing', ['enforcement_officer'])
  await t.call('ca.init', { passphrase: 'RootPass2026' }, admin)
  await t.call('ca.issue', { userId: officer.user.id, rootPassphrase: 'RootPass2026', pin: '246810' }, admin)
  await t.call('signing.setSettings', { tsaUrl: 'http://127.0.0.1:9/tsa' }, admin)
  const dir = tempDir('liuhen-pc-mig-')
  for (const i of [1, 2, 3]) randomFile(path.join(dir, `rec${i}.wav`), 30_000 + i)
  const victim = sha256sum(path.join(dir, 'rec2.wav'))
  const blocker = path.join(dataLayout(t.dataDir).signatures, victim.slice(0, 2), victim)
  fs.mkdirSync(path.dirname(blocker), { recursive: true })
  fs.writeFileSync(blocker, 'in the way')
  const { jobId } = await t.call('ingest.start', { sourceRoot: dir, signingPin: '246810' }, officer.session)
  await t.core.waitForJob(jobId)
  await t.core.timestampsIdle()
  t.core.close()
  const file = dataLayout(t.dataDir).db
  // The database as a Liuhen before migration 170 left it (the same rows, no queue), then 0170 run on it — by
  // itself: the later migrations have run already and must not run twice.
  const db = openDatabase(file, { create: false })
  db.exec('DROP TABLE post_commit_jobs')
  db.transaction(() => m0170.up(db))()
  const jobs = db
    .prepare(
      'SELECT kind, subject, user_id FROM post_commit_jobs WHERE done_at IS NULL ORDER BY kind, subject',
    )
    .all() as { kind: string; subject: string; user_id: string | null }[]
  const unsigned = db.prepare('SELECT id FROM evidence WHERE sha256 = ?').pluck().get(victim)
  const pending = db
    .prepare("SELECT id FROM signatures WHERE ts_status = 'pending' ORDER BY id")
    .pluck()
    .all()
  expect(pending).toHaveLength(2)
  expect(jobs).toEqual([
    { kind: 'sign_record', subject: unsigned, user_id: officer.user.id },
    ...pending.map((id) => ({ kind: 'stamp_signature', subject: id, user_id: null })),
  ])
  // The claim of the job a commit has just queued uses the open-jobs index, not a scan.
  const plan = db
    .prepare(`EXPLAIN QUERY PLAN ${CLAIM_ONE}`)
    .all('sign_record', unsigned)
    .map((r) => (r as { detail: string }).detail)
    .join('\n')
  expect(plan).toContain('USING INDEX post_commit_open')
  db.close()
})
