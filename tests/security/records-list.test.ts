import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { makeClip } from '../helpers/media.ts'
import { basisForRecord } from '../../electron/core/access/gate.ts'
import type { MethodInput } from '../../shared/contract.ts'

/*
 * The recordings page (records.list) and the to-do counts (todo.counts) over real ingests and real tagging:
 * an enforcement officer never gets (nor counts) a recording of a case they do not handle; filters and keyset
 * paging agree with the rows; search finds a partial case number, a place and a file name.
 */

const t = testCore()
afterAll(() => t.core.close())

let admin = ''
let jilu = ''
let wangwu = ''
let lijing = ''
let fuze = ''
let wangwuId = ''
let caseA = ''
let caseB = ''
let caseNoA = ''
const ids: Record<string, string> = {}

async function ingest(session: string, files: [string, string][], extra: { lateReason?: string } = {}) {
  // Each import a minute after the last: sorting by import time must not fall back on the ids' random order.
  t.clock.advance(60_000)
  const dir = tempDir('liuhen-listdev-')
  for (const [name, at] of files) makeClip(path.join(dir, name), { creationTime: at })
  const { jobId } = await t.call('ingest.start', { sourceRoot: dir, ...extra }, session)
  await t.core.waitForJob(jobId)
  const { jobs } = await t.call('ingest.jobs', {}, session)
  const job = jobs.find((j) => j.progress.jobId === jobId)!
  for (const r of job.results) if (r.evidenceId) ids[path.basename(r.relPath)] = r.evidenceId
}

beforeAll(async () => {
  admin = await t.adminSession()
  jilu = (await t.userSession(admin, 'jilu', ['records_officer'])).session
  fuze = (await t.userSession(admin, 'fuze', ['approver'])).session
  const a = await t.userSession(admin, 'lijing', ['enforcement_officer'])
  const b = await t.userSession(admin, 'zhangwei', ['enforcement_officer'])
  const w = await t.userSession(admin, 'wangwu', ['enforcement_officer'])
  const z = await t.userSession(admin, 'zhaoliu', ['enforcement_officer'])
  lijing = a.session
  wangwu = w.session
  wangwuId = w.user.id
  await ingest(
    jilu,
    [
      ['ZD_20261120090000_0001.MP4', '2026-11-20T01:00:00Z'],
      ['ZD_20261121093000_0002.MP4', '2026-11-21T01:30:00Z'],
      ['ZD_20261122100000_0003.MP4', '2026-11-22T02:00:00Z'],
    ],
    { lateReason: '连续执勤后返回' },
  )
  // wangwu brings in his own recording, late, without a reason: his to file, nobody else's (but the custodian's).
  await ingest(wangwu, [['REC_20261101080000_0009.MP4', '2026-11-01T00:00:00Z']])
  const mk = async (handlers: string[], party: string) =>
    (
      await t.call(
        'cases.create',
        {
          type: 'penalty',
          cause: '串换药品违规结算',
          source: 'complaint',
          party: { kind: 'organisation', name: party },
          handlerIds: handlers,
        },
        jilu,
      )
    ).case
  const A = await mk([a.user.id, b.user.id], '某某人民医院')
  const B = await mk([w.user.id, z.user.id], '某大药房')
  caseA = A.id
  caseB = B.id
  caseNoA = A.caseNo
  await t.call(
    'records.tag',
    {
      evidenceIds: [ids['ZD_20261120090000_0001.MP4']!, ids['ZD_20261121093000_0002.MP4']!],
      tags: { caseId: caseA, stage: 'investigation', place: '门诊药房', fact: '检查处方及病历' },
    },
    jilu,
  )
  await t.call(
    'records.tag',
    { evidenceIds: [ids['ZD_20261122100000_0003.MP4']!], tags: { caseId: caseB, place: '收银台' } },
    jilu,
  )
})

const list = (input: MethodInput<'records.list'>, session: string) => t.call('records.list', input, session)

/** Every row of a filtered list, walked a page of `limit` at a time. */
async function all(input: MethodInput<'records.list'>, session: string, limit = 1) {
  const out: string[] = []
  let cursor: string | undefined
  for (let i = 0; i < 50; i++) {
    const page = await list({ ...input, limit, ...(cursor ? { cursor } : {}) }, session)
    out.push(...page.items.map((r) => r.evidenceId))
    if (!page.nextCursor) return out
    cursor = page.nextCursor
  }
  throw new Error('paging never ended')
}

describe('records.list', () => {
  test('an enforcement officer never gets, nor counts, a recording of a case they do not handle', async () => {
    const mine = await list({}, wangwu)
    const got = mine.items.map((r) => r.evidenceId).sort()
    expect(got).toEqual([ids['ZD_20261122100000_0003.MP4']!, ids['REC_20261101080000_0009.MP4']!].sort())
    expect(mine.total).toBe(2)
    // Asking for the other case by id, by text, by a filter: nothing, and a count of nothing.
    expect(await list({ caseId: caseA }, wangwu)).toMatchObject({ items: [], total: 0 })
    expect(await list({ query: '门诊药房' }, wangwu)).toMatchObject({ items: [], total: 0 })
    expect(await list({ query: caseNoA }, wangwu)).toMatchObject({ items: [], total: 0 })
    expect((await t.call('records.search', { query: '门诊药房' }, wangwu)).records).toEqual([])
    // lijing handles case A and did not bring in wangwu's unfiled recording.
    const hers = await all({}, lijing)
    expect(hers.sort()).toEqual(
      [ids['ZD_20261120090000_0001.MP4']!, ids['ZD_20261121093000_0002.MP4']!].sort(),
    )
    // The to-do counts are over the same rows.
    const todo = Object.fromEntries(
      (await t.call('todo.counts', {}, lijing)).items.map((i) => [i.key, i.count]),
    )
    expect(todo.recordsUnfiled).toBe(0)
    expect(todo.recordsLate).toBe(0)
  })

  test('the list says whether the caller sees every recording, as the gate decides it (the empty screen reads it)', async () => {
    expect((await list({}, jilu)).seesEvery).toBe(true)
    expect((await list({}, wangwu)).seesEvery).toBe(false)
    expect((await list({}, fuze)).seesEvery).toBe(false)
    // With the records office's custody turned off a records officer sees only their own: an empty list is then
    // "nothing of yours", not "nothing imported".
    await t.call('access.policy', { custodians: false }, admin)
    try {
      const own = await list({}, jilu)
      expect(own.seesEvery).toBe(false)
      expect(own.total).toBeLessThan(Object.keys(ids).length)
    } finally {
      await t.call('access.policy', { custodians: true }, admin)
    }
    expect((await list({}, jilu)).seesEvery).toBe(true)
  })

  test('the SQL of the list and the gate agree for every user and every recording', async () => {
    const everything = Object.values(ids)
    const db = new Database(path.join(t.dataDir, 'liuhen.db'), { readonly: true })
    const deps = { db, now: t.clock.now } as never
    for (const [name, s, roles] of [
      ['jilu', jilu, ['records_officer']],
      ['lijing', lijing, ['enforcement_officer']],
      ['wangwu', wangwu, ['enforcement_officer']],
      ['fuze', fuze, ['approver']],
    ] as const) {
      const actor = {
        userId: (db.prepare('SELECT id FROM users WHERE username = ?').get(name) as { id: string }).id,
        username: name,
        displayName: name,
        roles: [...roles],
      }
      const expected = everything.filter((id) => basisForRecord(deps, actor as never, id, 'meta')).sort()
      expect((await all({}, s)).sort(), name).toEqual(expected)
    }
    db.close()
    // An approver deciding a pending request on case A sees its recordings' metadata, and only while it pends.
    const start = t.clock.now().toISOString()
    const end = new Date(t.clock.now().getTime() + 86_400_000).toISOString()
    expect((await list({}, fuze)).items).toEqual([])
    const { request } = await t.call(
      'access.request',
      { caseId: caseA, purpose: 'supervision', kind: 'view', startsAt: start, endsAt: end },
      wangwu,
    )
    expect((await list({}, fuze)).total).toBe(2)
    await t.call('access.reject', { requestId: request.id, reason: '请说明用途后再申请' }, fuze)
    expect((await list({}, fuze)).total).toBe(0)
  })

  test('filters and keyset paging over the real rows', async () => {
    const everyone = await all({}, jilu)
    expect(everyone).toHaveLength(4)
    expect(new Set(everyone).size).toBe(4)
    // Newest capture first.
    expect(everyone).toEqual([
      ids['ZD_20261122100000_0003.MP4'],
      ids['ZD_20261121093000_0002.MP4'],
      ids['ZD_20261120090000_0001.MP4'],
      ids['REC_20261101080000_0009.MP4'],
    ])
    expect(await all({}, jilu, 3)).toEqual(everyone)
    expect(await all({ unfiled: true }, jilu)).toEqual([ids['REC_20261101080000_0009.MP4']])
    expect(await all({ caseId: caseA }, jilu)).toHaveLength(2)
    expect(await all({ collectorId: wangwuId }, jilu)).toEqual([ids['REC_20261101080000_0009.MP4']])
    // Beijing days: 2026-11-21 01:30Z is the 21st, 09:30 in Beijing.
    expect(await all({ from: '2026-11-21', to: '2026-11-21' }, jilu)).toEqual([
      ids['ZD_20261121093000_0002.MP4'],
    ])
    expect(await all({ flags: ['late_without_reason'] }, jilu)).toEqual([ids['REC_20261101080000_0009.MP4']])
    const byImport = await all({ sort: 'ingested' }, jilu)
    expect(byImport[0]).toBe(ids['REC_20261101080000_0009.MP4'])
    const page = await list({ caseId: caseA }, jilu)
    expect(page.items[0]).toMatchObject({ caseNo: caseNoA, place: '门诊药房', collectors: [] })
    expect(page.total).toBe(2)
    // A forged cursor is a validation error, not a crash or a leak.
    expect((await t.fail('records.list', { cursor: 'bm9wZQ' }, jilu)).code).toBe('VALIDATION')
  })

  test('search finds a partial case number, a place and a file name (records and cases)', async () => {
    // caseNoA looks like FZYBJ罚〔2026〕1号: its middle, as an officer half remembers it.
    const partial = caseNoA.slice(caseNoA.indexOf('罚'), caseNoA.indexOf('〕') + 2)
    expect(partial).toMatch(/^罚〔2026〕\d$/)
    expect((await list({ query: partial }, jilu)).total).toBe(2)
    expect((await list({ query: '门诊药房' }, jilu)).total).toBe(2)
    expect((await list({ query: 'ZD_20261122' }, jilu)).items.map((r) => r.evidenceId)).toEqual([
      ids['ZD_20261122100000_0003.MP4'],
    ])
    // Untagged recordings are found by file name too.
    expect((await list({ query: 'REC_2026' }, jilu)).total).toBe(1)
    expect((await t.call('records.search', { query: '门诊药房' }, jilu)).records).toHaveLength(2)
    expect((await t.call('records.search', { query: partial }, jilu)).records).toHaveLength(2)
    // Short terms: two characters through the bigram index, and a short term narrowing a long one.
    expect((await list({ query: '药房' }, jilu)).total).toBe(2)
    expect((await list({ query: '门诊药房 病历' }, jilu)).total).toBe(2)
    expect((await list({ query: '门诊药房 收银' }, jilu)).total).toBe(0)
    // The cases list's search box: a partial number, and a place where one of its actions took place.
    const cases = await t.call('cases.list', { query: partial }, jilu)
    expect(cases.cases.map((c) => c.id)).toContain(caseA)
    await t.call(
      'cases.addAction',
      { caseId: caseB, actionType: 'onsite_inspection', occurredOn: '2026-11-22', place: '中药饮片库房' },
      jilu,
    )
    expect((await t.call('cases.list', { query: '饮片库' }, jilu)).cases.map((c) => c.id)).toEqual([caseB])
  })

  test('to-do counts equal what the lists they lead to show', async () => {
    for (const s of [jilu, wangwu, lijing]) {
      const todo = Object.fromEntries((await t.call('todo.counts', {}, s)).items.map((i) => [i.key, i.count]))
      expect(todo.recordsUnfiled).toBe((await list({ unfiled: true }, s)).total)
      expect(todo.recordsLate).toBe((await list({ flags: ['late_without_reason'] }, s)).total)
      const d = await t.call('cases.deadlines', {}, s)
      expect(todo.deadlinesOverdue).toBe(d.items.filter((i) => i.overdue).length)
      expect(todo.accessToDecide).toBeUndefined()
    }
    const mine = Object.fromEntries(
      (await t.call('todo.counts', {}, wangwu)).items.map((i) => [i.key, i.count]),
    )
    expect(mine.recordsUnfiled).toBe(1)
    const approver = (await t.call('todo.counts', {}, fuze)).items.map((i) => i.key)
    expect(approver).toContain('accessToDecide')
    expect(approver).not.toContain('recordsUnfiled')
    const inbox = (await t.call('access.list', {}, fuze)).inbox
    expect((await t.call('todo.counts', {}, fuze)).items.find((i) => i.key === 'accessToDecide')?.count).toBe(
      inbox,
    )
  })

  test('a Beijing day holds its evening, whatever offset the capture time was written with', async () => {
    const id = ids['ZD_20261122100000_0003.MP4']!
    for (const captureStart of ['2026-11-22T20:30:00+08:00', '2026-11-22T13:00:00Z']) {
      await t.call('records.tag', { evidenceIds: [id], tags: { captureStart } }, jilu)
      expect(await all({ from: '2026-11-22', to: '2026-11-22' }, jilu), captureStart).toEqual([id])
      expect(await all({ from: '2026-11-23', to: '2026-11-23' }, jilu), captureStart).toEqual([])
    }
  })
})
