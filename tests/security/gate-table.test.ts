import fs from 'node:fs'
import path from 'node:path'
import type { z } from 'zod'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { contract, type MethodName } from '../../shared/contract.ts'
import { REVIEW_CHECKS } from '../../shared/review.ts'
import type { AppErrorValue } from '../../shared/errors.ts'
import { testCore } from '../helpers/core.ts'
import { tempDir } from '../helpers/bridge.ts'
import { agency, ingest, newCase, unknownId, type Person } from '../helpers/agency.ts'
import { inputKeysOf as keysOf, type Walkable } from '../helpers/contract-keys.ts'

/*
 * The gate table (issue 17): every contract method whose input names a record, document, case, grant, request,
 * review, disc, disclosure or case change — found from the contract's own schemas, not listed by hand — has an
 * entry here, and each entry proves the method asks the gate: called by a signed-in user who holds the method's
 * roles but has no basis on a real 国家秘密 case made by the real writers, it answers exactly what it answers
 * for an unknown id (FORBIDDEN, no params; a list answers with the same, filtered, output). A new method taking
 * such an id and missing from the table fails the first test; so does a new id-like key nobody classified.
 */

/** Input keys that name one of the objects the gate protects. */
const GATED_KEYS = new Set([
  'evidenceId',
  'evidenceIds',
  'recordIds',
  'batchId',
  'batchIds',
  'supports',
  'textRecordId',
  'textRecordIds',
  'previousId',
  'caseId',
  'caseNo',
  'grantId',
  'requestId',
  'reviewId',
  'discId',
  'discNo',
  'disclosureId',
  'changeId',
])
/** Keys that look like ids but name people, devices, jobs or document numbers: no record behind them. */
const NOT_RECORD_KEYS: Record<string, string> = {
  userId: 'a user (administration, or a filter of the access log by person)',
  reviewerId: 'the legal reviewer to assign',
  handlerId: 'a filter of the case list by handler (the list itself is filtered by the gate)',
  handlerIds: 'officers to name as handlers',
  collectorIds: 'officers who recorded a recording',
  collectorId: 'a filter of the recordings list by officer (the list itself is filtered by the gate)',
  collectorUserId: 'the officer who recorded what is being ingested',
  officerUserId: 'the officer a device belongs to',
  deviceId: 'a registered camera',
  jobId: 'a long-running job the caller started',
  uploadId: 'a document upload the caller started (files.upload refuses anyone else’s)',
  badgeNo: 'an enforcement certificate number',
  idNo: 'the party’s ID number being entered',
  docNo: 'a document number being entered',
  decisionNo: 'a decision number being entered',
}

const leaf = (k: string) => k.split('.').pop()!

function gatedMethods(): MethodName[] {
  return (Object.keys(contract) as MethodName[])
    .filter((m) => keysOf(contract[m].input as unknown as Walkable).some((k) => GATED_KEYS.has(leaf(k))))
    .sort()
}

/* ---- The fixture: a 国家秘密 case with everything hanging off it, made through the real dispatch ---- */

const t = testCore()
afterAll(() => t.core.close())

type Who =
  | 'jilu'
  | 'jilu2'
  | 'lijing'
  | 'zhangwei'
  | 'wangwu'
  | 'holder'
  | 'fazhi'
  | 'fazhi3'
  | 'boss'
  | 'fuze'
  | 'shenji'
let admin = ''
let p: Record<Who, Person>
/** The real ids, and the same names for ids nobody ever issued. */
interface Ids {
  case: string
  caseNo: string
  decidedCase: string
  record: string
  batch: string
  doc: string
  review: string
  request: string
  grant: string
  disc: string
  discNo: string
  disclosure: string
  deletion: string
  change: string
}
let real: Ids
let unknown: Ids
let ownCase = ''
let ownRecord = ''
let file = ''
let image = ''

const DAY = 86_400_000

async function signInAgain() {
  admin = (await t.call('auth.signIn', { username: 'admin', password: 'Admin2026ok' })).session
  for (const name of Object.keys(p) as Who[])
    p[name].session = (await t.call('auth.signIn', { username: name, password: 'Zhengshi2026y' })).session
}

beforeAll(async () => {
  ;({ admin, p } = await agency(t, {
    jilu: ['records_officer'],
    jilu2: ['records_officer'],
    lijing: ['enforcement_officer'],
    zhangwei: ['enforcement_officer'],
    wangwu: ['enforcement_officer'],
    holder: ['enforcement_officer'],
    fazhi: ['legal_reviewer'],
    fazhi3: ['legal_reviewer'],
    boss: ['approver'],
    fuze: ['approver'],
    shenji: ['auditor'],
  }))
  // The agency names 钱局长 (approver) and one records officer for 国家秘密; nobody else is.
  await t.call('access.policy', { named: { state_secret: [p.boss.id, p.jilu.id] } }, admin)
  const secret = { confidentiality: 'state_secret' as const }

  // A decided, archived 国家秘密 case: its disclosure draft, its disc, and later a deletion request.
  const decidedCase = await newCase(t, p.jilu, [p.lijing, p.zhangwei], { ...secret, type: 'inspection' })
  const [archived] = await ingest(t, p.lijing, 1)
  await t.call('records.tag', { evidenceIds: [archived!], tags: { caseId: decidedCase } }, p.lijing.session)
  await t.call('cases.update', { caseId: decidedCase, decidedOn: '2026-11-22' }, p.lijing.session)
  const disclosure = (
    await t.call('disclosure.draft', { caseId: decidedCase, conclusion: '责令限期整改。' }, p.lijing.session)
  ).disclosure.id
  await t.call(
    'cases.archiveException',
    { caseId: decidedCase, reason: '检查未发现问题，无需补充文书' },
    p.boss.session,
  )
  const out = tempDir('liuhen-gate-img-')
  const img = await t.call('archive.image', { caseId: decidedCase, media: 'cd', outDir: out }, p.jilu.session)
  image = img.volumes[0]!.image
  const burned = await t.call(
    'discs.burn',
    { target: path.join(tempDir(), 'A.iso'), image, copy: 'A', retention: '10y' },
    p.jilu.session,
  )
  // Eleven years on, the record's retention has run out and a deletion is asked for.
  t.clock.advance(11 * 366 * DAY)
  await signInAgain()
  const deletion = (
    await t.call('vault.requestDeletion', { evidenceId: archived!, reason: '保管期限届满' }, p.jilu.session)
  ).request.id

  // The open 国家秘密 case: a recording, a document, an open review, a grant, a pending request, a change.
  const c = await newCase(t, p.jilu, [p.lijing, p.zhangwei], { ...secret, major: true })
  const caseNo = (await t.call('cases.get', { caseId: c }, p.lijing.session)).case.caseNo
  const recs = await ingest(t, p.lijing, 1)
  const batch = (await t.call('evidence.list', { limit: 5 }, p.lijing.session)).items.find(
    (e) => e.id === recs[0],
  )!.batchId
  await t.call('records.tag', { evidenceIds: recs, tags: { caseId: c } }, p.lijing.session)
  file = path.join(tempDir(), '现场笔录.pdf')
  fs.writeFileSync(file, '%PDF-1.4\n% 现场笔录\n%%EOF\n')
  const doc = (
    await t.call('textRecords.add', { caseId: c, docType: 'onsite_record', filePath: file }, p.lijing.session)
  ).textRecord.id
  const review = (
    await t.call(
      'review.submit',
      { caseId: c, basis: ['large_amount'], proposal: '追回基金并处罚款' },
      p.lijing.session,
    )
  ).review.id
  await t.call('review.assign', { reviewId: review, reviewerId: p.fazhi.id }, p.boss.session)
  const when = (ms: number) => new Date(t.clock.now().getTime() + ms).toISOString()
  const asked = (
    await t.call(
      'access.request',
      { caseId: c, purpose: 'litigation', kind: 'view', startsAt: when(0), endsAt: when(DAY) },
      p.holder.session,
    )
  ).request.id
  const grant = (await t.call('access.approve', { requestId: asked }, p.boss.session)).grant.id
  const request = (
    await t.call(
      'access.request',
      { caseId: c, purpose: 'supervision', kind: 'export', startsAt: when(0), endsAt: when(DAY) },
      p.holder.session,
    )
  ).request.id
  const change = (
    await t.call(
      'cases.requestChange',
      { caseId: c, kind: 'handlers', handlerIds: [p.lijing.id, p.holder.id], reason: '人员调整' },
      p.lijing.session,
    )
  ).change.id
  real = {
    case: c,
    caseNo,
    decidedCase,
    record: recs[0]!,
    batch,
    doc,
    review,
    request,
    grant,
    disc: burned.disc.id,
    discNo: burned.disc.discNo,
    disclosure,
    deletion,
    change,
  }
  unknown = Object.fromEntries(Object.keys(real).map((k) => [k, unknownId()])) as unknown as Ids
  // The probing officer's own case and recording, for the forms that file into one's own case.
  ownCase = await newCase(t, p.wangwu, [p.wangwu, p.holder])
  ;[ownRecord] = (await ingest(t, p.wangwu, 1)) as [string]
}, 300_000)

/* ---- The table ---- */

interface Probe {
  /** Holds the method's roles, has no basis on the fixture for this call. */
  as: Who
  input: (ids: Ids) => unknown
  /** Records officers' custodianship switched off for the probe: the only way a records officer has no basis. */
  custodiansOff?: true
  /** A list: the same output for a real and an unknown id (the gate filters it). */
  output?: true
  /** The refusal both answer with, when not FORBIDDEN (a validation both fail alike). */
  code?: string
}
interface Exempt {
  exempt: string
  check?: () => Promise<void>
}
type Entry = Probe | Exempt | (Probe | Exempt)[]

const pin = '135790'
/** An opinion of 同意 with every point in order, as the reviewer would sign it (or preview it, without the PIN). */
const agreeing = (reviewId: string) => ({
  reviewId,
  checklist: REVIEW_CHECKS.map((item) => ({ item, result: 'ok' as const })),
  opinion: 'agree' as const,
  text: '同意。',
})
/** A collective discussion that lets the decision proceed, as the head would sign it (or preview it). */
const discussing = (reviewId: string) => ({
  reviewId,
  heldOn: '2026-11-24',
  participants: ['甲', '乙', '丙'],
  conclusion: '按承办机构意见作出决定',
  outcome: 'proceed' as const,
})
const abs = () => path.join(tempDir(), 'out')

const TABLE: Record<string, Entry> = {
  'evidence.thumbnail': { as: 'jilu2', input: (i) => ({ evidenceId: i.record }) },
  'evidence.setLateReason': { as: 'wangwu', input: (i) => ({ evidenceId: i.record, reason: '伪造理由' }) },
  'evidence.setCaptureTime': {
    as: 'wangwu',
    input: (i) => ({ evidenceId: i.record, captureStart: '2026-11-20T08:30:15+08:00', reason: '伪造理由' }),
  },
  'evidence.captureTimeHistory': { as: 'shenji', input: (i) => ({ evidenceId: i.record }) },
  'evidence.list': { as: 'wangwu', input: (i) => ({ batchId: i.batch }), output: true },
  'ingest.suggestions': { as: 'wangwu', input: (i) => ({ batchIds: [i.batch] }), output: true },
  'signatures.verify': { as: 'shenji', input: (i) => ({ evidenceId: i.record }) },
  'media.open': { as: 'jilu2', input: (i) => ({ evidenceId: i.record }) },
  'media.progress': { as: 'jilu2', input: (i) => ({ evidenceId: i.record, ranges: [[0, 10]] }) },
  'records.tag': [
    { as: 'wangwu', input: (i) => ({ evidenceIds: [i.record], tags: { caseId: ownCase } }) },
    { as: 'wangwu', input: (i) => ({ batchId: i.batch, tags: { caseId: ownCase } }) },
    { as: 'wangwu', input: (i) => ({ evidenceIds: [ownRecord], tags: { caseId: i.case } }) },
    {
      as: 'wangwu',
      input: (i) => ({ evidenceIds: [ownRecord], tags: { caseId: ownCase, supports: [i.doc] } }),
      code: 'VALIDATION',
    },
  ],
  'records.tagHistory': { as: 'shenji', input: (i) => ({ evidenceId: i.record }) },
  'records.list': { as: 'wangwu', input: (i) => ({ caseId: i.case }), output: true },
  'vault.requestDeletion': {
    as: 'jilu2',
    input: (i) => ({ evidenceId: i.record, reason: '保管期限届满' }),
    custodiansOff: true,
  },
  'vault.decideDeletion': { as: 'fuze', input: (i) => ({ requestId: i.deletion, approve: true }) },
  'access.request': {
    exempt:
      'anyone may ask for access to a case (that is what 调阅 is): the request reveals nothing but what the asker ' +
      'typed; an unknown case, or records not in it, are refused exactly like forbidden ones',
    check: async () => {
      const input = {
        purpose: 'case_review' as const,
        kind: 'view' as const,
        startsAt: t.clock.now().toISOString(),
        endsAt: new Date(t.clock.now().getTime() + DAY).toISOString(),
      }
      await t.call('access.request', { ...input, caseId: real.case }, p.wangwu.session)
      const a = await t.fail('access.request', { ...input, caseId: unknown.case }, p.wangwu.session)
      const b = await t.fail(
        'access.request',
        { ...input, caseId: real.case, recordIds: [ownRecord] },
        p.wangwu.session,
      )
      const c = await t.fail(
        'access.request',
        { ...input, caseId: real.case, recordIds: [unknown.record] },
        p.wangwu.session,
      )
      expect(a).toEqual({ code: 'FORBIDDEN' })
      expect(b).toEqual(a)
      expect(c).toEqual(a)
    },
  },
  'access.approve': { as: 'fuze', input: (i) => ({ requestId: i.request }) },
  'access.reject': { as: 'fuze', input: (i) => ({ requestId: i.request, reason: '不予批准' }) },
  'access.revoke': { as: 'fuze', input: (i) => ({ grantId: i.grant, reason: '撤销授权' }) },
  'access.log': { as: 'shenji', input: (i) => ({ caseId: i.case }) },
  'access.register': { as: 'shenji', input: (i) => ({ caseId: i.case }) },
  'access.export': { as: 'jilu2', input: (i) => ({ caseId: i.case, outDir: abs() }) },
  'archive.build': { as: 'jilu2', input: (i) => ({ caseId: i.decidedCase, outDir: abs() }) },
  'archive.image': { as: 'jilu2', input: (i) => ({ caseId: i.decidedCase, media: 'cd', outDir: abs() }) },
  'archive.volumes': { as: 'fuze', input: (i) => ({ caseId: i.decidedCase }) },
  'archive.catalogue': { as: 'shenji', input: (i) => ({ caseId: i.case }) },
  'discs.list': { as: 'fuze', input: (i) => ({ caseId: i.decidedCase }) },
  'discs.update': { as: 'jilu2', input: (i) => ({ discId: i.disc, location: '别处' }), custodiansOff: true },
  'discs.label': { as: 'jilu2', input: (i) => ({ discId: i.disc }), custodiansOff: true },
  'discs.verify': {
    as: 'jilu2',
    input: (i) => ({ target: image, discNo: i.discNo }),
    custodiansOff: true,
  },
  'review.get': { as: 'wangwu', input: (i) => ({ caseId: i.case }) },
  'review.reviewers': { as: 'fuze', input: (i) => ({ caseId: i.case }) },
  'review.submit': [
    { as: 'wangwu', input: (i) => ({ caseId: i.case, basis: ['large_amount'], proposal: '罚款' }) },
    {
      as: 'wangwu',
      input: (i) => ({ caseId: ownCase, basis: ['large_amount'], proposal: '罚款', evidenceIds: [i.record] }),
      code: 'VALIDATION',
    },
    {
      as: 'wangwu',
      input: (i) => ({ caseId: ownCase, basis: ['large_amount'], proposal: '罚款', textRecordIds: [i.doc] }),
      code: 'VALIDATION',
    },
  ],
  'review.assign': { as: 'fuze', input: (i) => ({ reviewId: i.review, reviewerId: p.fazhi3.id }) },
  'review.opinion': { as: 'fazhi3', input: (i) => ({ ...agreeing(i.review), pin }) },
  'review.previewOpinion': { as: 'fazhi3', input: (i) => agreeing(i.review) },
  'review.extend': { as: 'fazhi3', input: (i) => ({ reviewId: i.review, reason: '案情复杂需要延期' }) },
  'review.decideExtension': { as: 'fuze', input: (i) => ({ reviewId: i.review, approve: true }) },
  'review.dispute': { as: 'wangwu', input: (i) => ({ reviewId: i.review, reason: '不同意审核意见' }) },
  'review.discuss': { as: 'fuze', input: (i) => ({ ...discussing(i.review), pin }) },
  'review.previewDiscussion': { as: 'fuze', input: (i) => discussing(i.review) },
  'disclosure.draft': {
    as: 'wangwu',
    input: (i) => ({ caseId: i.decidedCase, conclusion: '责令限期整改。' }),
  },
  'disclosure.approve': { as: 'fuze', input: (i) => ({ disclosureId: i.disclosure }) },
  'disclosure.withdraw': {
    as: 'fuze',
    input: (i) => ({ disclosureId: i.disclosure, ground: 'revoked', reason: '决定已被撤销' }),
  },
  'cases.get': { as: 'fuze', input: (i) => ({ caseId: i.case }) },
  'cases.update': { as: 'wangwu', input: (i) => ({ caseId: i.case, stage: 'investigation' }) },
  'cases.requestChange': {
    as: 'wangwu',
    input: (i) => ({ caseId: i.case, kind: 'reopen', stage: 'start', reason: '重新调查' }),
  },
  'cases.decideChange': { as: 'fuze', input: (i) => ({ changeId: i.change, approve: true }) },
  'cases.changes': { as: 'wangwu', input: (i) => ({ caseId: i.case }) },
  'cases.addAction': {
    as: 'wangwu',
    input: (i) => ({ caseId: i.case, actionType: 'inquiry', occurredOn: '2026-11-20' }),
  },
  'cases.archiveException': { as: 'fuze', input: (i) => ({ caseId: i.case, reason: '无需补充文书' }) },
  'cases.check': { as: 'wangwu', input: (i) => ({ caseId: i.case }) },
  'textRecords.add': [
    { as: 'wangwu', input: (i) => ({ caseId: i.case, docType: 'onsite_record', filePath: file }) },
    { as: 'wangwu', input: (i) => ({ previousId: i.doc, correctionReason: '更正笔误', filePath: file }) },
  ],
  'textRecords.open': { as: 'jilu2', input: (i) => ({ textRecordId: i.doc }) },
  'cases.find': {
    exempt:
      'a case number resolves to its id for anyone signed in (the CLI takes numbers): the number is what one ' +
      'asks access to (access.request), and the id opens nothing by itself — every method taking it asks the gate',
    check: async () => {
      const { caseId } = await t.call('cases.find', { caseNo: real.caseNo }, p.wangwu.session)
      expect(caseId).toBe(real.case)
      expect((await t.fail('cases.get', { caseId }, p.wangwu.session)).code).toBe('FORBIDDEN')
    },
  },
  'ingest.start': {
    exempt:
      'caseNo is a free-text label kept on the new recording; a caseId is applied per recording through ' +
      'records.tag (fileAtIngest): refused, the recording is stored and 待归案 with the same FORBIDDEN an unknown ' +
      'case gives, and nothing of the named case is read or returned',
    check: async () => {
      const [r] = await ingest(t, p.wangwu, 1, { caseNo: real.caseNo, caseId: real.case })
      const inCase = (await t.call('cases.get', { caseId: real.case }, p.lijing.session)).records.map(
        (x) => x.evidenceId,
      )
      expect(inCase).not.toContain(r)
      expect((await t.fail('cases.get', { caseId: real.case }, p.wangwu.session)).code).toBe('FORBIDDEN')
    },
  },
}

async function ask(method: string, input: unknown, who: Who) {
  return t.core.dispatch({ method, input, session: p[who].session }, 'test')
}

describe('the gate table', () => {
  test('every method whose input names a protected object has an entry; every id-like key is classified', () => {
    expect(Object.keys(TABLE).sort()).toEqual(gatedMethods())
    const unclassified = (Object.keys(contract) as MethodName[]).flatMap((m) =>
      keysOf(contract[m].input as unknown as Walkable)
        .map(leaf)
        .filter((k) => /(Id|Ids|No)$/.test(k) && !GATED_KEYS.has(k) && !NOT_RECORD_KEYS[k])
        .map((k) => `${m}: ${k}`),
    )
    expect(unclassified).toEqual([])
  })

  test.each(Object.keys(TABLE))(
    '%s asks the gate: no basis answers as an unknown id does',
    async (method) => {
      for (const e of [TABLE[method]!].flat()) {
        if ('exempt' in e) {
          expect(e.exempt.length).toBeGreaterThan(40)
          await e.check?.()
          continue
        }
        // The probe must reach the method: a schema-valid input and a caller whose roles allow the method.
        for (const ids of [real, unknown])
          expect((contract[method as MethodName].input as z.ZodType).safeParse(e.input(ids)).success).toBe(
            true,
          )
        if (e.custodiansOff) await t.call('access.policy', { custodians: false }, admin)
        try {
          const a = await ask(method, e.input(real), e.as)
          const b = await ask(method, e.input(unknown), e.as)
          if (e.output) {
            expect(a.ok && b.ok, JSON.stringify([a, b])).toBe(true)
            expect((a as { value: unknown }).value).toEqual((b as { value: unknown }).value)
          } else {
            expect(a.ok, `${method} with a real id: ${JSON.stringify(a)}`).toBe(false)
            const ea = (a as { error: AppErrorValue }).error
            const eb = (b as { error: AppErrorValue }).error
            expect(ea.code, `${method} with a real id`).toBe(e.code ?? 'FORBIDDEN')
            // The gate's refusal carries nothing: no params that could tell one id from another.
            if (!e.code) expect(ea).toEqual({ code: 'FORBIDDEN' })
            expect(eb, `${method} with an unknown id`).toEqual(ea)
          }
        } finally {
          if (e.custodiansOff) await t.call('access.policy', { custodians: true }, admin)
        }
      }
    },
  )
})
