import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { FileResult, MethodInput } from '../../shared/contract.ts'
import { testCore } from '../helpers/core.ts'
import { tempDir } from '../helpers/bridge.ts'
import { makeClip } from '../helpers/media.ts'
import { agency, audit, ingest, newCase, unknownId, type Person } from '../helpers/agency.ts'

/*
 * Issue 19, items 3 and 4: filed at import, and late recordings' reasons before and after import. The case
 * chosen at import files each recording through the tagging gate and the frozen-case check; a recording that
 * cannot be filed is stored and reported 待归案 with the reason, never lost. A late file is announced by
 * ingest.scan before anything is copied, takes its reason at ingest (one for all, or per file), and can be given
 * or corrected afterwards; the 待说明超时原因 flag clears when a reason exists.
 */

const t = testCore()
afterAll(() => t.core.close())

let admin = ''
let p: Record<'jilu' | 'lijing' | 'zhangwei' | 'wangwu' | 'boss', Person>
let openCase = ''
let frozenCase = ''
let n = 0

/** A folder of distinct clips captured on 2026-11-20 (three days before the test day: late). */
function clips(count: number, day = '20'): string {
  const dir = tempDir('liuhen-filing-')
  for (let i = 0; i < count; i++, n++) {
    const mm = String(n % 60).padStart(2, '0')
    makeClip(path.join(dir, `ZD_202611${day}09${mm}00_${String(n).padStart(4, '0')}.MP4`), {
      creationTime: `2026-11-${day}T01:${mm}:00Z`,
    })
  }
  return dir
}

async function run(by: Person, input: MethodInput<'ingest.start'>): Promise<FileResult[]> {
  const { jobId } = await t.call('ingest.start', input, by.session)
  await t.core.waitForJob(jobId)
  const job = (await t.call('ingest.jobs', {}, by.session)).jobs.find((j) => j.progress.jobId === jobId)!
  expect(job.progress.state).toBe('done')
  return job.results
}

const inCase = async (caseId: string, who = p.lijing) =>
  (await t.call('cases.get', { caseId }, who.session)).records.map((r) => r.evidenceId)

beforeAll(async () => {
  ;({ admin, p } = await agency(t, {
    jilu: ['records_officer'],
    lijing: ['enforcement_officer'],
    zhangwei: ['enforcement_officer'],
    wangwu: ['enforcement_officer'],
    boss: ['approver'],
  }))
  openCase = await newCase(t, p.jilu, [p.lijing, p.zhangwei])
  // An archived case: decided, excepted from the document check, a good disc.
  frozenCase = await newCase(t, p.jilu, [p.lijing, p.zhangwei], { type: 'inspection' })
  const [r] = await ingest(t, p.lijing, 1)
  await t.call('records.tag', { evidenceIds: [r!], tags: { caseId: frozenCase } }, p.lijing.session)
  await t.call('cases.update', { caseId: frozenCase, decidedOn: '2026-11-22' }, p.lijing.session)
  await t.call('cases.archiveException', { caseId: frozenCase, reason: '检查未发现问题' }, p.boss.session)
  const img = await t.call(
    'archive.image',
    { caseId: frozenCase, media: 'cd', outDir: tempDir('liuhen-filing-img-') },
    p.jilu.session,
  )
  const burned = await t.call(
    'discs.burn',
    { target: path.join(tempDir(), 'A.iso'), image: img.volumes[0]!.image, copy: 'A', retention: '30y' },
    p.jilu.session,
  )
  expect(burned.disc.status).toBe('good')
})

describe('filed at import', () => {
  test('a recording imported with a case chosen is in that case, filed by one audited tag version', async () => {
    const results = await run(p.lijing, { sourceRoot: clips(2), caseId: openCase, lateReason: '外出执法' })
    expect(results).toHaveLength(2)
    for (const r of results) expect(r.filing).toMatchObject({ caseId: openCase, filed: true, error: null })
    const ids = results.map((r) => r.evidenceId!)
    expect((await inCase(openCase)).sort()).toEqual(expect.arrayContaining(ids))
    const history = await t.call('records.tagHistory', { evidenceId: ids[0]! }, p.lijing.session)
    expect(history.versions.map((v) => v.version)).toEqual([0, 1])
    expect(history.versions[1]!.tags).toMatchObject({ caseId: openCase })
    const tagged = (await audit(t, admin, 'records.tag')).filter((e) => ids.includes(e.targetId!))
    expect(tagged).toHaveLength(2)
  })

  test('the case picker lists the cases the caller may file into, by partial number or cause', async () => {
    const mine = (await t.call('ingest.cases', {}, p.lijing.session)).cases.map((c) => c.id)
    expect(mine).toContain(openCase)
    // Archived: not offered.
    expect(mine).not.toContain(frozenCase)
    // Not a handler: nothing to file into.
    expect((await t.call('ingest.cases', {}, p.wangwu.session)).cases).toEqual([])
    const no = (await t.call('cases.get', { caseId: openCase }, p.lijing.session)).case.caseNo
    const byNo = await t.call('ingest.cases', { query: no.slice(-3) }, p.lijing.session)
    expect(byNo.cases.map((c) => c.id)).toContain(openCase)
    const byCause = await t.call('ingest.cases', { query: '串换药品' }, p.lijing.session)
    expect(byCause.cases.map((c) => c.id)).toContain(openCase)
    expect((await t.call('ingest.cases', { query: '没有这个案由' }, p.lijing.session)).cases).toEqual([])
  })

  test('attack: an officer with no basis on the case cannot file into it via ingest; stored, 待归案', async () => {
    const before = await inCase(openCase)
    const real = await run(p.wangwu, { sourceRoot: clips(1), caseId: openCase, lateReason: '外出执法' })
    const fake = await run(p.wangwu, { sourceRoot: clips(1), caseId: unknownId(), lateReason: '外出执法' })
    expect(real[0]!.status).toBe('stored')
    expect(real[0]!.filing).toEqual({
      caseId: openCase,
      caseNo: null,
      filed: false,
      error: { code: 'FORBIDDEN' },
    })
    // A real case answers as an unknown one does: whether it exists is not told.
    expect(fake[0]!.filing!.error).toEqual(real[0]!.filing!.error)
    expect(await inCase(openCase)).toEqual(before)
    const denied = (await audit(t, admin, 'access.denied')).filter(
      (e) => e.actorId === p.wangwu.id && (e.details as { refused?: string }).refused === 'records.tag',
    )
    expect(denied.map((e) => e.targetId)).toContain(openCase)
    // The recording is safe and its own officer still sees it, unfiled.
    const mine = (await t.call('evidence.list', {}, p.wangwu.session)).items.map((e) => e.id)
    expect(mine).toContain(real[0]!.evidenceId)
  })

  test('a frozen (archived) case: the recording is stored and 待归案 with CASE_ARCHIVED; the case is unchanged', async () => {
    const before = await inCase(frozenCase)
    const stateBefore = await t.call('cases.get', { caseId: frozenCase }, p.lijing.session)
    const results = await run(p.lijing, { sourceRoot: clips(1), caseId: frozenCase, lateReason: '外出执法' })
    expect(results[0]!.status).toBe('stored')
    expect(results[0]!.filing).toEqual({
      caseId: frozenCase,
      caseNo: null,
      filed: false,
      error: { code: 'CASE_ARCHIVED' },
    })
    expect(await inCase(frozenCase)).toEqual(before)
    const state = await t.call('cases.get', { caseId: frozenCase }, p.lijing.session)
    const unfiled = (await audit(t, admin, 'ingest.unfiled')).find(
      (e) => (e.details as { evidenceId?: string }).evidenceId === results[0]!.evidenceId,
    )
    expect(unfiled?.details).toMatchObject({ fileInto: frozenCase, code: 'CASE_ARCHIVED' })
    expect(state.archive.frozen).toBe(true)
    expect(state.archive.changes).toEqual(stateBefore.archive.changes)
  })

  test('a recording already in another case is not moved by an import into this one', async () => {
    const dir = clips(1)
    const [first] = await run(p.lijing, { sourceRoot: dir, caseId: openCase, lateReason: '外出执法' })
    const other = await newCase(t, p.jilu, [p.lijing, p.zhangwei])
    const [again] = await run(p.lijing, { sourceRoot: dir, caseId: other })
    expect(again!.status).toBe('already')
    expect(again!.filing).toEqual({
      caseId: other,
      caseNo: null,
      filed: false,
      error: { code: 'ALREADY_IN_CASE' },
    })
    expect(await inCase(openCase)).toContain(first!.evidenceId)
    expect(await inCase(other)).not.toContain(first!.evidenceId)
  })
})

describe('late recordings', () => {
  test('ingest.scan lists files older than 24 hours before anything is copied', async () => {
    const dir = clips(2)
    const fresh = path.join(dir, 'ZD_20261123073000_9999.MP4')
    makeClip(fresh, { creationTime: '2026-11-22T23:30:00Z' })
    const vaultBefore = (await t.call('evidence.list', { limit: 500 }, p.jilu.session)).items.length
    const scan = await t.call('ingest.scan', { sourceRoot: dir }, p.lijing.session)
    expect(scan.entries).toHaveLength(3)
    expect(scan.totals.late).toBe(2)
    const byName = Object.fromEntries(scan.entries.map((e) => [path.basename(e.relPath), e]))
    expect(byName['ZD_20261123073000_9999.MP4']).toMatchObject({ late: false })
    for (const e of scan.entries.filter((x) => x.late)) expect(e.captureStart).toMatch(/^2026-11-20T/)
    expect((await t.call('evidence.list', { limit: 500 }, p.jilu.session)).items.length).toBe(vaultBefore)
    expect(fs.readdirSync(dir)).toHaveLength(3)
  })

  test('a reason per file (winning over the one for all) is kept; a late file without one is flagged', async () => {
    const dir = clips(3)
    const names = fs.readdirSync(dir).sort()
    const results = await run(p.lijing, {
      sourceRoot: dir,
      lateReason: '连续外勤三天',
      lateReasons: { [names[0]!]: '记录仪遗留在执法车上' },
    })
    const ev = (await t.call('evidence.list', { limit: 500 }, p.lijing.session)).items
    const reasonOf = (name: string) => {
      const id = results.find((r) => r.relPath === name)!.evidenceId
      return ev.find((e) => e.id === id)!
    }
    expect(reasonOf(names[0]!).lateReason).toBe('记录仪遗留在执法车上')
    expect(reasonOf(names[1]!).lateReason).toBe('连续外勤三天')
    for (const r of results) expect(r.flags).toContain('late_ingest')
    for (const r of results) expect(r.flags).not.toContain('late_reason_missing')
    const [bare] = await run(p.lijing, { sourceRoot: clips(1) })
    expect(bare!.flags).toEqual(expect.arrayContaining(['late_ingest', 'late_reason_missing']))
  })

  test('after import the reason is given and corrected on the recording, audited; the flag clears', async () => {
    const [r] = await run(p.lijing, { sourceRoot: clips(1) })
    const id = r!.evidenceId!
    const set = await t.call(
      'evidence.setLateReason',
      { evidenceId: id, reason: '设备故障送修' },
      p.lijing.session,
    )
    expect(set.evidence.lateReason).toBe('设备故障送修')
    expect(set.evidence.flags).not.toContain('late_reason_missing')
    expect(set.evidence.flags).toContain('late_ingest')
    const fixed = await t.call(
      'evidence.setLateReason',
      { evidenceId: id, reason: '设备故障送修（更正：送修三天）' },
      p.lijing.session,
    )
    expect(fixed.evidence.lateReason).toBe('设备故障送修（更正：送修三天）')
    const events = (await audit(t, admin, 'evidence.setLateReason')).filter((e) => e.targetId === id)
    expect(events).toHaveLength(2)
    expect(events[0]!.details).toMatchObject({
      reason: { from: '设备故障送修', to: '设备故障送修（更正：送修三天）' },
    })
    expect(events[1]!.details).toMatchObject({ reason: { from: null, to: '设备故障送修' } })
  })
})

test('the case number typed beside the chosen case does not turn the filing into a no-op', async () => {
  const no = (await t.call('cases.get', { caseId: openCase }, p.lijing.session)).case.caseNo
  const [r] = await run(p.lijing, {
    sourceRoot: clips(1),
    caseId: openCase,
    caseNo: no,
    lateReason: '外出执法',
  })
  expect(r!.filing).toMatchObject({ caseId: openCase, filed: true, error: null })
  expect(await inCase(openCase)).toContain(r!.evidenceId)
  const history = await t.call('records.tagHistory', { evidenceId: r!.evidenceId! }, p.lijing.session)
  expect(history.versions.map((v) => v.version)).toEqual([0, 1])
})
