import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { contract, type MethodName } from '../../shared/contract.ts'
import zhCN from '../../shared/i18n/zh-CN.ts'
import en from '../../shared/i18n/en.ts'
import { REVIEW_CHECKS } from '../../shared/review.ts'
import { FROZEN_METHODS, NOT_CASE_CONTENT } from '../../electron/core/cases/archived.ts'
import { testCore } from '../helpers/core.ts'
import { tempDir } from '../helpers/bridge.ts'
import { agency, ingest, newCase, type Person } from '../helpers/agency.ts'
import { inputKeysOf as keysOf, type Walkable } from '../helpers/contract-keys.ts'

/*
 * Archived cases are frozen (issue 18, item 9). Every changing contract method whose input names a case, record,
 * document, review, disclosure or case change — found from the contract's schemas, as in gate-table.test.ts — is
 * either in the frozen table (electron/core/cases/archived.ts), and then proven refused with CASE_ARCHIVED on a
 * real archived case (a disc written by xorriso and registered good), or listed as not changing the case file,
 * with the reason. Afterwards the archived cases show no change since their discs.
 */

const CASE_KEYS = new Set([
  'evidenceId',
  'evidenceIds',
  'recordIds',
  'batchId',
  'supports',
  'textRecordId',
  'textRecordIds',
  'previousId',
  'caseId',
  'caseNo',
  'grantId',
  'requestId',
  'reviewId',
  'disclosureId',
  'changeId',
  'discId',
  'discNo',
])

/** Changing methods (not readOnly) whose input names something that belongs to a case. */
function changingCaseMethods(): MethodName[] {
  return (Object.keys(contract) as MethodName[])
    .filter((m) => !(contract[m] as { readOnly?: true }).readOnly)
    .filter((m) =>
      keysOf(contract[m].input as unknown as Walkable).some((k) => CASE_KEYS.has(k.split('.').pop()!)),
    )
    .sort()
}

const t = testCore()
afterAll(() => t.core.close())
type Who = 'jilu' | 'lijing' | 'zhangwei' | 'wangwu' | 'boss' | 'fuze' | 'fazhi'
let p: Record<Who, Person>
const ids = {
  caseA: '',
  caseB: '',
  recA: '',
  batchA: '',
  docA: '',
  disclosure: '',
  review: '',
  change: '',
  free: '',
  open: '',
}
let file = ''

async function archive(caseId: string) {
  const out = tempDir('liuhen-frozen-img-')
  const img = await t.call('archive.image', { caseId, media: 'cd', outDir: out }, p.jilu.session)
  const burned = await t.call(
    'discs.burn',
    { target: path.join(tempDir(), 'A.iso'), image: img.volumes[0]!.image, copy: 'A', retention: '30y' },
    p.jilu.session,
  )
  expect(burned.disc.status).toBe('good')
}

beforeAll(async () => {
  ;({ p } = await agency(t, {
    jilu: ['records_officer'],
    lijing: ['enforcement_officer'],
    zhangwei: ['enforcement_officer'],
    wangwu: ['enforcement_officer'],
    boss: ['approver'],
    fuze: ['approver'],
    fazhi: ['legal_reviewer'],
  }))
  // Case A: decided, a disclosure drafted, two recordings and a document, a handler change pending; archived.
  ids.caseA = await newCase(t, p.jilu, [p.lijing, p.zhangwei])
  const recs = await ingest(t, p.lijing, 2)
  ids.recA = recs[0]!
  ids.batchA = (await t.call('evidence.list', { limit: 10 }, p.lijing.session)).items.find(
    (e) => e.id === recs[0],
  )!.batchId
  await t.call('records.tag', { evidenceIds: recs, tags: { caseId: ids.caseA } }, p.lijing.session)
  file = path.join(tempDir(), '现场笔录.pdf')
  fs.writeFileSync(file, '%PDF-1.4\n% 现场笔录\n%%EOF\n')
  ids.docA = (
    await t.call(
      'textRecords.add',
      { caseId: ids.caseA, docType: 'onsite_record', filePath: file },
      p.lijing.session,
    )
  ).textRecord.id
  await t.call('cases.update', { caseId: ids.caseA, decidedOn: '2026-11-22' }, p.lijing.session)
  ids.disclosure = (
    await t.call('disclosure.draft', { caseId: ids.caseA, conclusion: '责令限期整改。' }, p.lijing.session)
  ).disclosure.id
  ids.change = (
    await t.call(
      'cases.requestChange',
      { caseId: ids.caseA, kind: 'handlers', handlerIds: [p.lijing.id, p.wangwu.id], reason: '人员调整' },
      p.lijing.session,
    )
  ).change.id
  await t.call('cases.archiveException', { caseId: ids.caseA, reason: '检查未发现问题' }, p.boss.session)
  await archive(ids.caseA)
  // Case B: a major case with a legal review under way; archived by exception.
  ids.caseB = await newCase(t, p.jilu, [p.lijing, p.zhangwei], { major: true })
  const [recB] = await ingest(t, p.lijing, 1)
  await t.call('records.tag', { evidenceIds: [recB!], tags: { caseId: ids.caseB } }, p.lijing.session)
  ids.review = (
    await t.call(
      'review.submit',
      { caseId: ids.caseB, basis: ['large_amount'], proposal: '追回基金并处罚款' },
      p.lijing.session,
    )
  ).review.id
  await t.call('review.assign', { reviewId: ids.review, reviewerId: p.fazhi.id }, p.boss.session)
  await t.call('cases.archiveException', { caseId: ids.caseB, reason: '案件移送，先行归档' }, p.boss.session)
  await archive(ids.caseB)
  // An inspection case with the same serial as case A (serials run per type and year): its disc's volume id must
  // not collide with A's (it once did: archive.image failed with INTERNAL on the UNIQUE volume id).
  const caseC = await newCase(t, p.jilu, [p.lijing, p.zhangwei], { type: 'inspection' })
  const [recC] = await ingest(t, p.lijing, 1)
  await t.call('records.tag', { evidenceIds: [recC!], tags: { caseId: caseC } }, p.lijing.session)
  await t.call('cases.archiveException', { caseId: caseC, reason: '检查未发现问题' }, p.boss.session)
  await archive(caseC)
  // An open case of 李静's and a recording filed nowhere.
  ids.open = await newCase(t, p.jilu, [p.lijing, p.zhangwei])
  ;[ids.free] = (await ingest(t, p.lijing, 1)) as [string]
}, 300_000)

interface Probe {
  as: Who
  input: () => unknown
}
const pin = '135790'
const PROBES: Record<string, Probe[]> = {
  'records.tag': [
    // The attack of the issue: a recording moved out of the archived case.
    { as: 'lijing', input: () => ({ evidenceIds: [ids.recA], tags: { caseId: ids.open } }) },
    { as: 'lijing', input: () => ({ evidenceIds: [ids.recA], tags: { caseId: null } }) },
    { as: 'jilu', input: () => ({ batchId: ids.batchA, tags: { fact: '改写的证明事项' } }) },
    { as: 'lijing', input: () => ({ evidenceIds: [ids.free], tags: { caseId: ids.caseA } }) },
  ],
  'evidence.setLateReason': [{ as: 'lijing', input: () => ({ evidenceId: ids.recA, reason: '补写理由' }) }],
  'evidence.setCaptureTime': [
    {
      as: 'lijing',
      input: () => ({
        evidenceId: ids.recA,
        captureStart: '2026-11-20T08:30:15+08:00',
        reason: '按文件名更正',
      }),
    },
  ],
  'textRecords.add': [
    { as: 'lijing', input: () => ({ caseId: ids.caseA, docType: 'onsite_record', filePath: file }) },
    { as: 'lijing', input: () => ({ previousId: ids.docA, correctionReason: '更正笔误', filePath: file }) },
  ],
  'cases.update': [
    { as: 'lijing', input: () => ({ caseId: ids.caseA, stage: 'execution' }) },
    { as: 'jilu', input: () => ({ caseId: ids.caseA, executedOn: '2026-11-23' }) },
  ],
  'cases.addAction': [
    { as: 'lijing', input: () => ({ caseId: ids.caseA, actionType: 'inquiry', occurredOn: '2026-11-20' }) },
  ],
  'cases.archiveException': [{ as: 'fuze', input: () => ({ caseId: ids.caseA, reason: '再次例外归档' }) }],
  'cases.requestChange': [
    {
      as: 'lijing',
      input: () => ({
        caseId: ids.caseA,
        kind: 'confidentiality',
        confidentiality: 'general',
        reason: '调整密级为一般',
      }),
    },
    {
      as: 'lijing',
      input: () => ({ caseId: ids.caseA, kind: 'reopen', stage: 'start', reason: '重新调查' }),
    },
  ],
  'cases.decideChange': [{ as: 'fuze', input: () => ({ changeId: ids.change, approve: true }) }],
  'review.submit': [
    { as: 'lijing', input: () => ({ caseId: ids.caseB, basis: ['large_amount'], proposal: '罚款' }) },
  ],
  'review.assign': [{ as: 'boss', input: () => ({ reviewId: ids.review, reviewerId: p.fazhi.id }) }],
  'review.opinion': [
    {
      as: 'fazhi',
      input: () => ({
        reviewId: ids.review,
        checklist: REVIEW_CHECKS.map((item) => ({ item, result: 'ok' })),
        opinion: 'agree',
        text: '同意。',
        pin,
      }),
    },
  ],
  'review.extend': [{ as: 'fazhi', input: () => ({ reviewId: ids.review, reason: '案情复杂需要延期' }) }],
  'review.decideExtension': [{ as: 'boss', input: () => ({ reviewId: ids.review, approve: true }) }],
  'review.dispute': [{ as: 'lijing', input: () => ({ reviewId: ids.review, reason: '不同意审核意见' }) }],
  'review.discuss': [
    {
      as: 'boss',
      input: () => ({
        reviewId: ids.review,
        heldOn: '2026-11-24',
        participants: ['甲', '乙', '丙'],
        conclusion: '按承办机构意见作出决定',
        outcome: 'proceed',
        pin,
      }),
    },
  ],
  'disclosure.draft': [{ as: 'lijing', input: () => ({ caseId: ids.caseA, conclusion: '另拟公示。' }) }],
  'disclosure.approve': [{ as: 'fuze', input: () => ({ disclosureId: ids.disclosure }) }],
  'disclosure.withdraw': [
    {
      as: 'fuze',
      input: () => ({ disclosureId: ids.disclosure, ground: 'revoked', reason: '决定已被撤销' }),
    },
  ],
}

describe('archived cases are frozen', () => {
  test('every changing method that names a case or its content is frozen, or says why it need not be', () => {
    const methods = changingCaseMethods()
    expect(methods.length).toBeGreaterThan(30)
    const unclassified = methods.filter((m) => !(m in FROZEN_METHODS) && !(m in NOT_CASE_CONTENT))
    expect(unclassified).toEqual([])
    for (const m of Object.keys(FROZEN_METHODS)) expect(m in NOT_CASE_CONTENT, m).toBe(false)
    for (const [m, why] of Object.entries(NOT_CASE_CONTENT)) expect(why!.length, m).toBeGreaterThan(20)
  })

  test('each frozen method is refused with CASE_ARCHIVED on a case whose disc is registered good', async () => {
    const frozen = Object.keys(FROZEN_METHODS).sort()
    expect(Object.keys(PROBES).sort()).toEqual(frozen)
    let probed = 0
    for (const [method, probes] of Object.entries(PROBES))
      for (const probe of probes) {
        const err = await t.fail(method, probe.input(), p[probe.as].session)
        expect(err.code, `${method} ${JSON.stringify(probe.input())}`).toBe('CASE_ARCHIVED')
        probed++
      }
    expect(probed).toBeGreaterThanOrEqual(frozen.length)
    // Nothing of it happened: the recordings are where they were, and no change is owed to any disc.
    const a = await t.call('cases.get', { caseId: ids.caseA }, p.lijing.session)
    expect(a.records.map((r) => r.evidenceId)).toContain(ids.recA)
    expect(a.records).toHaveLength(2)
    expect(a.textRecords).toHaveLength(1)
    expect(a.archive).toMatchObject({ archived: true, frozen: true, reopened: false, supplementDue: false })
    expect(a.archive.changes).toEqual([])
    const b = await t.call('cases.get', { caseId: ids.caseB }, p.lijing.session)
    expect(b.archive).toMatchObject({ frozen: true, supplementDue: false })
  })

  test('the refusal reads in Chinese first', () => {
    expect(zhCN.errors.CASE_ARCHIVED).toBe('案件已归档，需经批准重新开启后才能修改。')
    expect(en.errors.CASE_ARCHIVED).toMatch(/archived/)
  })

  test('someone who may not see the archived case is answered as for an unknown one, not told it is archived', async () => {
    const err = await t.fail('cases.update', { caseId: ids.caseA, stage: 'execution' }, p.wangwu.session)
    expect(err).toEqual({ code: 'FORBIDDEN' })
    const unknown = await t.fail(
      'cases.update',
      { caseId: 'no-such-case', stage: 'execution' },
      p.wangwu.session,
    )
    expect(unknown.code).toBe(err.code)
  })

  test('the open case next to it still changes', async () => {
    await t.call('records.tag', { evidenceIds: [ids.free], tags: { caseId: ids.open } }, p.lijing.session)
    const o = await t.call('cases.get', { caseId: ids.open }, p.lijing.session)
    expect(o.records.map((r) => r.evidenceId)).toEqual([ids.free])
    expect(o.archive).toMatchObject({ archived: false, frozen: false })
  })
})
