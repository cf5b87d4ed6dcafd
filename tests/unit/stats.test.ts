import { createRequire } from 'node:module'
import path from 'node:path'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/bridge.ts'
import { CLI_ADMIN, lastJson, ok, runLiuhen } from '../helpers/cli.ts'
import { testCore } from '../helpers/core.ts'
import { makeClip } from '../helpers/media.ts'

/*
 * `liuhen stats` on a synthetic data set (rows written straight into a fresh database) against the same figures
 * computed here, in plain code over the generated data, not through SQL. Rows are hand-written here only because
 * the writers cannot reach these states: 80 cases filed, decided, executed and archived over 14 months of the
 * past, with review rounds and publications on either side of their deadlines. What a writer can produce is
 * tested on the writer's own rows: the 24-hour storage figure on real ingests (the last describe), since a
 * hand-written flag once hid that statistics counted a flag ingest never writes.
 */

const data = path.join(tempDir(), 'agency')
let rnd = 20260123
const random = () => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
const pick = <T>(a: readonly T[]) => a[Math.floor(random() * a.length)]!
const day = (from: string, span: number) => {
  const d = new Date(`${from}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + Math.floor(random() * span))
  return d.toISOString().slice(0, 10)
}
/*
 * The official calendar straight from the chinese-days data (not through the app's calendar module): a day is a
 * working day when it is a swapped working weekend, or a weekday that is no holiday.
 */
const official = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as {
  holidays: Record<string, string>
  workdays: Record<string, string>
}
const addDays = (d: string, n: number) => {
  const x = new Date(`${d}T00:00:00Z`)
  x.setUTCDate(x.getUTCDate() + n)
  return x.toISOString().slice(0, 10)
}
const working = (d: string) =>
  official.workdays[d] !== undefined ||
  (official.holidays[d] === undefined && ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()))
const workingDaysAfter = (d: string, n: number) => {
  let x = d
  for (let k = 0; k < n;) if (working((x = addDays(x, 1)))) k++
  return x
}
const calendarDaysAfter = (d: string, n: number) => {
  let x = addDays(d, n)
  while (!working(x)) x = addDays(x, 1)
  return x
}
const chinaDate = (iso: string) =>
  new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 10)

interface Gen {
  cases: {
    id: string
    type: string
    source: string
    stage: string
    filed: string
    decided: string | null
    executed: string | null
    archivedAt: string | null
  }[]
  actions: { caseId: string; type: string; on: string }[]
  tags: { caseId: string; action: string; full: boolean }[]
  evidence: { at: string }[]
  requests: { status: string; at: string }[]
  inspections: { ok: boolean; at: string }[]
  reviews: { submittedAt: string; opinion: string | null; opinionAt: string | null; due: string }[]
  disclosures: { caseId: string; publishedAt: string | null; withdrawnAt: string | null }[]
}
const gen: Gen = {
  cases: [],
  actions: [],
  tags: [],
  evidence: [],
  requests: [],
  inspections: [],
  reviews: [],
  disclosures: [],
}

beforeAll(() => {
  ok(
    runLiuhen(
      ['init', '--data', data, '--agency', '福州市医疗保障局', '--agency-code', 'FZYBJ', '--admin', 'admin'],
      CLI_ADMIN,
    ),
  )
  const db = new Database(path.join(data, 'liuhen.db'))
  db.pragma('foreign_keys = OFF')
  const admin = (db.prepare("SELECT id FROM users WHERE username = 'admin'").get() as { id: string }).id
  const now = '2027-02-01T00:00:00.000Z'
  db.prepare(
    "INSERT INTO devices (id, kind, identity, label, created_at) VALUES ('d1', 'folder', 'x', 'x', ?)",
  ).run(now)
  db.prepare(
    "INSERT INTO ingest_batches (id, device_id, source_root, user_id, started_at, status) VALUES ('b1', 'd1', '/x', ?, ?, 'done')",
  ).run(admin, now)
  for (let i = 0; i < 80; i++) {
    const filed = day('2025-12-01', 420)
    const stage = pick(['start', 'investigation', 'decision', 'execution', 'closed'])
    const decided =
      stage === 'decision' || stage === 'execution' || stage === 'closed' ? day(filed, 40) : null
    const executed = stage === 'execution' || stage === 'closed' ? day(decided!, 20) : null
    const archivedAt =
      executed && random() < 0.7 ? `${day(executed, 45)}T${pick(['02', '15', '23'])}:30:00.000Z` : null
    const c = {
      id: `c${i}`,
      type: pick(['penalty', 'compulsory', 'inspection']),
      source: pick(['ex_officio', 'application', 'complaint']),
      stage,
      filed,
      decided,
      executed,
      archivedAt,
    }
    gen.cases.push(c)
    db.prepare(
      `INSERT INTO cases (id, case_no, year, seq, cause, source, type, party_kind, party_name, stage, filed_on, decided_on,
         executed_on, created_at, created_by, updated_at) VALUES (?, ?, 2026, ?, '检查', ?, ?, 'organisation', '某单位', ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      c.id,
      `测〔2026〕${i}号`,
      i,
      c.source,
      c.type,
      c.stage,
      c.filed,
      c.decided,
      c.executed,
      now,
      admin,
      now,
    )
    if (archivedAt) {
      db.prepare(
        `INSERT INTO archive_volumes (id, case_id, set_id, idx, count, media, capacity, volid, image_path, image_size,
           session_md5, tagmanifest_sha256, manifest, payload_files, payload_bytes, signed, created_at, created_by)
         VALUES (?, ?, ?, 1, 1, 'dvd', 1, ?, '/x', 1, 'm', 't', '', 1, 1, 0, ?, ?)`,
      ).run(`v${i}`, c.id, `s${i}`, `V${i}`, archivedAt, admin)
      // A bad disc written earlier does not count as archiving.
      db.prepare(
        `INSERT INTO discs (id, disc_no, volume_id, copy, media, target, label, written_at, written_by, status, retention,
           last_checked_at, last_check_ok) VALUES (?, ?, ?, 'B', 'dvd', '/x', 'l', ?, ?, 'bad', '30y', ?, 0)`,
      ).run(`bad${i}`, `D${i}B`, `v${i}`, `${c.executed}T00:00:00.000Z`, admin, now)
      db.prepare(
        `INSERT INTO discs (id, disc_no, volume_id, copy, media, target, label, written_at, written_by, status, retention,
           last_checked_at, last_check_ok) VALUES (?, ?, ?, 'A', 'dvd', '/x', 'l', ?, ?, 'good', '30y', ?, 1)`,
      ).run(`good${i}`, `D${i}A`, `v${i}`, archivedAt, admin, now)
      for (let k = 0; k < 2; k++) {
        const ins = {
          ok: random() < 0.8,
          at: `${day('2026-01-01', 400)}T${pick(['01', '12', '20'])}:00:00.000Z`,
        }
        gen.inspections.push(ins)
        db.prepare(
          `INSERT INTO disc_checks (id, disc_id, kind, checked_at, checked_by, ok, result) VALUES (?, ?, 'inspection', ?, ?, ?, '{}')`,
        ).run(`k${i}_${k}`, `good${i}`, ins.at, admin, ins.ok ? 1 : 0)
      }
    }
    for (let k = 0; k < 3; k++) {
      const a = {
        caseId: c.id,
        type: pick(['sealing', 'hearing', 'inquiry', 'sampling']),
        on: day(filed, 60),
      }
      gen.actions.push(a)
      db.prepare(
        `INSERT INTO case_actions (id, case_id, action_type, occurred_on, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(`a${i}_${k}`, c.id, a.type, a.on, now, admin)
    }
    for (let k = 0; k < 3; k++) {
      const ev = { at: `${day('2025-12-20', 420)}T${pick(['00', '10', '16', '23'])}:15:00.000Z` }
      gen.evidence.push(ev)
      const id = `e${i}_${k}`
      db.prepare(
        `INSERT INTO evidence (id, sha256, size, media_type, original_name, ingested_at, ingested_by, batch_id, device_id,
           capture_source, capture_precision, flags) VALUES (?, ?, 1, 'video', 'x.mp4', ?, ?, 'b1', 'd1', 'none', 'none', ?)`,
      ).run(id, `${i}_${k}`.padEnd(64, '0'), ev.at, admin, '[]')
      if (random() < 0.8) {
        const t = {
          caseId: c.id,
          action: pick(['sealing', 'hearing', 'inquiry', 'sampling']),
          full: random() < 0.6,
        }
        gen.tags.push(t)
        db.prepare(
          `INSERT INTO record_tags (evidence_id, case_id, action_type, full_recording, version, updated_at, updated_by)
           VALUES (?, ?, ?, ?, 1, ?, ?)`,
        ).run(id, c.id, t.action, t.full ? 1 : 0, now, admin)
      }
    }
    // Legal review rounds: some still open, opinions on either side of their deadline.
    for (let k = 0; random() < 0.45 && k < 3; k++) {
      const submitted = day(filed, 50)
      const opinion = random() < 0.8 ? pick(['agree', 'investigate', 'change', 'correct', 'other']) : null
      const r = {
        submittedAt: `${submitted}T${pick(['01', '09', '17'])}:00:00.000Z`,
        opinion,
        opinionAt: opinion ? `${day(submitted, 25)}T${pick(['03', '18'])}:00:00.000Z` : null,
        due: workingDaysAfter(submitted, 10),
      }
      gen.reviews.push(r)
      db.prepare(
        `INSERT INTO reviews (id, case_id, round, status, basis, proposal, materials, submitted_at, submitted_by,
           received_on, due_on, opinion, opinion_at) VALUES (?, ?, ?, ?, '[]', '罚款', '[]', ?, ?, ?, ?, ?, ?)`,
      ).run(
        `rv${i}_${k}`,
        c.id,
        k + 1,
        opinion ? 'passed' : 'in_review',
        r.submittedAt,
        admin,
        submitted,
        r.due,
        opinion,
        r.opinionAt,
      )
    }
    // Publication of the decision: on time, late, not at all, sometimes withdrawn later.
    if (decided && random() < 0.75) {
      const d = {
        caseId: c.id,
        publishedAt: random() < 0.85 ? `${day(decided, 16)}T${pick(['02', '15', '23'])}:00:00.000Z` : null,
        withdrawnAt: random() < 0.15 ? `${day(decided, 90)}T10:00:00.000Z` : null,
      }
      gen.disclosures.push(d)
      db.prepare(
        `INSERT INTO disclosures (id, case_id, status, kind, agency, subject, category, conclusion, decided_on, due_on,
           drafted_by, drafted_at, published_at, withdrawn_at)
         VALUES (?, ?, ?, 'other', '机关', '某单位', '类别', '结论', ?, '2099-01-01', ?, ?, ?, ?)`,
      ).run(
        `ds${i}`,
        c.id,
        d.withdrawnAt ? 'withdrawn' : d.publishedAt ? 'approved' : 'draft',
        decided,
        admin,
        now,
        d.publishedAt,
        d.withdrawnAt,
      )
    }
    if (random() < 0.5) {
      const r = {
        status: pick(['pending', 'approved', 'rejected', 'withdrawn']),
        at: `${day('2026-01-01', 365)}T22:00:00.000Z`,
      }
      gen.requests.push(r)
      db.prepare(
        `INSERT INTO access_requests (id, requester_id, case_id, purpose, kind, starts_at, ends_at, status, created_at)
         VALUES (?, ?, ?, 'other', 'view', ?, ?, ?, ?)`,
      ).run(`r${i}`, admin, c.id, now, now, r.status, r.at)
    }
  }
  db.close()
})

/** The same figures, computed over the generated data. */
function expected(from: string, to: string) {
  const inP = (d: string | null) => !!d && d >= from && d < to
  const count = (xs: string[]) =>
    xs.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {})
  const filed = gen.cases.filter((c) => inP(c.filed))
  const fullAv = new Set(['sealing', 'hearing', 'sampling'])
  const required = gen.actions.filter((a) => fullAv.has(a.type) && inP(a.on))
  const covered = required.filter((a) =>
    gen.tags.some((t) => t.caseId === a.caseId && t.action === a.type && t.full),
  )
  const ingested = gen.evidence.filter((e) => inP(chinaDate(e.at)))
  const executed = gen.cases.filter((c) => inP(c.executed))
  const opinions = gen.reviews.filter((r) => r.opinionAt && inP(chinaDate(r.opinionAt)))
  const decidedIn = gen.cases.filter((c) => inP(c.decided))
  const published = (c: (typeof gen.cases)[number]) => gen.disclosures.find((d) => d.caseId === c.id)
  const disclosureDue = (c: (typeof gen.cases)[number]) =>
    workingDaysAfter(c.decided!, c.type === 'penalty' ? 7 : 20)
  return {
    filed: filed.length,
    byType: count(filed.map((c) => c.type)),
    bySource: count(filed.map((c) => c.source)),
    byStage: count(filed.map((c) => c.stage)),
    decided: gen.cases.filter((c) => inP(c.decided)).length,
    av: { required: required.length, covered: covered.length },
    storage: { ingested: ingested.length },
    executed: executed.length,
    notYet: executed.filter((c) => !c.archivedAt).length,
    archivedOnTime: executed.filter(
      (c) => c.archivedAt && chinaDate(c.archivedAt) <= calendarDaysAfter(c.executed!, 30),
    ).length,
    access: count(gen.requests.filter((r) => inP(chinaDate(r.at))).map((r) => r.status)),
    inspections: {
      done: gen.inspections.filter((i) => inP(chinaDate(i.at))).length,
      failed: gen.inspections.filter((i) => inP(chinaDate(i.at)) && !i.ok).length,
    },
    review: {
      submitted: gen.reviews.filter((r) => inP(chinaDate(r.submittedAt))).length,
      opinions: count(opinions.map((r) => r.opinion!)),
      onTime: opinions.filter((r) => chinaDate(r.opinionAt!) <= r.due).length,
      late: opinions.filter((r) => chinaDate(r.opinionAt!) > r.due).length,
    },
    disclosure: {
      decided: decidedIn.length,
      onTime: decidedIn.filter((c) => {
        const p = published(c)?.publishedAt
        return p && chinaDate(p) <= disclosureDue(c)
      }).length,
      late: decidedIn.filter((c) => {
        const p = published(c)?.publishedAt
        return p && chinaDate(p) > disclosureDue(c)
      }).length,
      notYet: decidedIn.filter((c) => !published(c)?.publishedAt).length,
      withdrawn: gen.disclosures.filter((d) => d.withdrawnAt && inP(chinaDate(d.withdrawnAt))).length,
    },
  }
}

type Stats = {
  cases: {
    filed: number
    byType: Record<string, number>
    bySource: Record<string, number>
    byStage: Record<string, number>
    decided: number
  }
  av: { required: number; covered: number }
  storage: { ingested: number }
  archiving: { executed: number; onTime: number; late: number; notYet: number }
  access: Record<string, number>
  inspections: { done: number; failed: number }
  review: unknown
  disclosure: unknown
}

describe('liuhen stats', () => {
  for (const [args, from, to] of [
    [['--year', '2026'], '2026-01-01', '2027-01-01'],
    [['--year', '2026', '--quarter', '2'], '2026-04-01', '2026-07-01'],
    [['--year', '2026', '--quarter', '4'], '2026-10-01', '2027-01-01'],
  ] as const)
    test(`${args.join(' ')} equals the figures computed independently`, () => {
      const s = lastJson<Stats>(ok(runLiuhen(['stats', ...args, '--data', data, '--json'], CLI_ADMIN)))
      const e = expected(from, to)
      expect(s.cases).toEqual({
        filed: e.filed,
        byType: e.byType,
        bySource: e.bySource,
        byStage: e.byStage,
        decided: e.decided,
      })
      expect(s.av).toMatchObject(e.av)
      expect(s.storage).toMatchObject(e.storage)
      expect(s.archiving.executed).toBe(e.executed)
      expect(s.archiving.notYet).toBe(e.notYet)
      // On time: 30 days with the end moved off weekends and holidays, by the official calendar.
      expect(s.archiving.onTime).toBe(e.archivedOnTime)
      expect(s.archiving.late).toBe(e.executed - e.notYet - e.archivedOnTime)
      expect(s.access).toEqual(e.access)
      expect(s.inspections).toEqual(e.inspections)
      expect(s.review).toEqual(e.review)
      expect(s.disclosure).toEqual(e.disclosure)
      expect(e.filed).toBeGreaterThan(0)
      expect(e.review.submitted + e.disclosure.decided).toBeGreaterThan(0)
    })
})

describe('the 24-hour storage figure', () => {
  test('counts what ingest itself flagged, and equals a count from capture end and ingest time', async () => {
    const t = testCore()
    const admin = await t.adminSession()
    await t.userSession(admin, 'jilu', ['records_officer'])
    // Signed in anew for each ingest: two days idle lock any session.
    const signIn = async () =>
      (await t.call('auth.signIn', { username: 'jilu', password: 'Zhengshi2026y' })).session
    // Camera-named clips (Beijing time in the name; lengths differ so no two are the same file) on both sides of
    // 24 hours before each ingest.
    const first = tempDir('liuhen-stats-cam1-')
    makeClip(path.join(first, 'ZD_20261123100000_0001.MP4'), { seconds: 2 }) // 6 h before the clock (08:00Z = 16:00 Beijing)
    makeClip(path.join(first, 'ZD_20261122170000_0002.MP4'), { seconds: 3 }) // 23 h before
    makeClip(path.join(first, 'ZD_20261122150000_0003.MP4'), { seconds: 4 }) // 25 h before: late
    makeClip(path.join(first, 'ZD_20261120090000_0004.MP4'), { seconds: 5 }) // three days: late
    const second = tempDir('liuhen-stats-cam2-')
    makeClip(path.join(second, 'ZD_20261125150000_0005.MP4'), { seconds: 6 }) // 1 h before the second ingest
    makeClip(path.join(second, 'ZD_20261123100000_0006.MP4'), { seconds: 7 }) // two days before it: late
    const ingest = async (sourceRoot: string) => {
      const session = await signIn()
      const { jobId } = await t.call(
        'ingest.start',
        { sourceRoot, lateReason: '外出执法，次日返回' },
        session,
      )
      await t.core.waitForJob(jobId)
    }
    await ingest(first)
    t.clock.advance(2 * 24 * 3_600_000)
    await ingest(second)

    const db = new Database(path.join(t.dataDir, 'liuhen.db'), { readonly: true })
    const rows = db.prepare('SELECT capture_end, ingested_at FROM evidence').all() as {
      capture_end: string | null
      ingested_at: string
    }[]
    db.close()
    expect(rows.length).toBe(6)
    const late = rows.filter((r) => Date.parse(r.ingested_at) - Date.parse(r.capture_end!) > 24 * 3_600_000)
    expect(late.length).toBe(3)
    const s = await t.call('stats.get', { year: 2026 }, await signIn())
    expect(s.storage).toMatchObject({ ingested: 6, late: late.length, within24h: 6 - late.length })
  })
})
