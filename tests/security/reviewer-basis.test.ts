import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { REVIEW_CHECKS } from '../../shared/review.ts'
import { testCore } from '../helpers/core.ts'
import { tempDir } from '../helpers/bridge.ts'
import { agency, audit, ingest, newCase, unknownId, type Person } from '../helpers/agency.ts'

/*
 * Issue 17, item 13: the assigned legal reviewer saw only names and hashes of what she was to sign, and was told
 * to apply for access. Assignment to an open review is now a basis for the review's materials while it is open
 * (logged as `reviewer` with the review id); an approver deciding a pending access request views that request's
 * records read-only (`deciding`); and documents open in the app through the same gate (textRecords.open),
 * logged like media.
 */

const t = testCore()
afterAll(() => t.core.close())

const hour = 3_600_000
const iso = (ms: number) => new Date(t.clock.now().getTime() + ms).toISOString()

let admin = ''
let p: Record<'jilu' | 'lijing' | 'zhangwei' | 'fazhi' | 'fazhi2' | 'fuze' | 'fuze2' | 'wangwu', Person>
let caseId = ''
let rec = ''
let doc = ''
const pdf = Buffer.from('%PDF-1.4\n% 现场检查笔录\n%%EOF\n')

beforeAll(async () => {
  ;({ admin, p } = await agency(t, {
    jilu: ['records_officer'],
    lijing: ['enforcement_officer'],
    zhangwei: ['enforcement_officer'],
    fazhi: ['legal_reviewer'],
    fazhi2: ['legal_reviewer'],
    fuze: ['approver'],
    fuze2: ['approver'],
    wangwu: ['enforcement_officer'],
  }))
  await t.call('ca.init', { passphrase: 'RootPass2026' }, admin)
  await t.call('ca.issue', { userId: p.fazhi.id, rootPassphrase: 'RootPass2026', pin: '135790' }, admin)
  caseId = await newCase(t, p.jilu, [p.lijing, p.zhangwei], { major: true })
  ;[rec] = (await ingest(t, p.lijing, 1)) as [string]
  await t.call(
    'records.tag',
    { evidenceIds: [rec], tags: { caseId, stage: 'investigation' } },
    p.lijing.session,
  )
  const file = path.join(tempDir(), '现场检查笔录.pdf')
  fs.writeFileSync(file, pdf)
  doc = (
    await t.call(
      'textRecords.add',
      { caseId, docType: 'onsite_record', filePath: file, docDate: '2026-11-20' },
      p.lijing.session,
    )
  ).textRecord.id
})

describe('the assigned reviewer examines what she signs', () => {
  test('while assigned to the open review she opens its recordings and documents; others do not', async () => {
    const { review } = await t.call(
      'review.submit',
      { caseId, basis: ['large_amount'], proposal: '追回医保基金并处罚款' },
      p.lijing.session,
    )
    // Submitted, not yet assigned: the legal office sees what the case is, nothing of its content.
    expect(await t.fail('media.open', { evidenceId: rec }, p.fazhi.session)).toEqual({ code: 'FORBIDDEN' })
    await t.call('review.assign', { reviewId: review.id, reviewerId: p.fazhi.id }, p.fazhi2.session)

    const view = await t.call('cases.get', { caseId }, p.fazhi.session)
    expect(view.records.map((r) => r.evidenceId)).toEqual([rec])
    expect(view.textRecords.map((d) => d.id)).toEqual([doc])
    await t.call('media.open', { evidenceId: rec }, p.fazhi.session)
    expect((await audit(t, admin, 'media.open'))[0]).toMatchObject({
      actorId: p.fazhi.id,
      details: { basis: 'reviewer', reviewId: review.id },
    })
    const opened = await t.call('textRecords.open', { textRecordId: doc }, p.fazhi.session)
    expect(Buffer.from(opened.dataBase64, 'base64').equals(pdf)).toBe(true)
    expect(opened.mime).toBe('application/pdf')
    expect((await audit(t, admin, 'textRecords.open'))[0]).toMatchObject({
      actorId: p.fazhi.id,
      targetId: doc,
      details: { basis: 'reviewer', reviewId: review.id, use: 'view' },
    })
    // The other legal reviewer, not assigned, does not.
    expect(await t.fail('media.open', { evidenceId: rec }, p.fazhi2.session)).toEqual({ code: 'FORBIDDEN' })
    expect(await t.fail('textRecords.open', { textRecordId: doc }, p.fazhi2.session)).toEqual({
      code: 'FORBIDDEN',
    })

    // Once her opinion is given the review is no longer open, and neither is her basis.
    await t.call(
      'review.opinion',
      {
        reviewId: review.id,
        checklist: REVIEW_CHECKS.map((item) => ({ item, result: 'ok' as const })),
        opinion: 'agree',
        text: '事实清楚，证据确凿，同意。',
        pin: '135790',
      },
      p.fazhi.session,
    )
    expect(await t.fail('media.open', { evidenceId: rec }, p.fazhi.session)).toEqual({ code: 'FORBIDDEN' })
    expect(await t.fail('textRecords.open', { textRecordId: doc }, p.fazhi.session)).toEqual({
      code: 'FORBIDDEN',
    })
  })

  test('an approver deciding a request views its records read-only while it is pending', async () => {
    // The approvers see a 一般 case's summary only.
    expect(await t.fail('media.open', { evidenceId: rec }, p.fuze.session)).toEqual({ code: 'FORBIDDEN' })
    const { request } = await t.call(
      'access.request',
      {
        caseId,
        purpose: 'supervision',
        kind: 'export',
        startsAt: iso(0),
        endsAt: iso(hour),
        recordIds: [rec],
      },
      p.wangwu.session,
    )
    await t.call('media.open', { evidenceId: rec }, p.fuze.session)
    expect((await audit(t, admin, 'media.open'))[0]).toMatchObject({
      actorId: p.fuze.id,
      details: { basis: 'deciding', requestId: request.id },
    })
    // Read-only: deciding a request is no export of it, and the request's own asker is not the decider.
    expect(
      (await t.fail('access.export', { caseId, outDir: path.join(tempDir(), 'x') }, p.fuze.session)).code,
    ).toBe('FORBIDDEN')
    expect(await t.fail('media.open', { evidenceId: rec }, p.wangwu.session)).toEqual({ code: 'FORBIDDEN' })
    await t.call('access.reject', { requestId: request.id, reason: '目的不明确' }, p.fuze2.session)
    expect(await t.fail('media.open', { evidenceId: rec }, p.fuze.session)).toEqual({ code: 'FORBIDDEN' })
  })

  test('textRecords.open goes through the gate: a stranger and an unknown id are answered alike', async () => {
    const a = await t.fail('textRecords.open', { textRecordId: doc }, p.wangwu.session)
    const b = await t.fail('textRecords.open', { textRecordId: unknownId() }, p.wangwu.session)
    expect(a).toEqual({ code: 'FORBIDDEN' })
    expect(b).toEqual(a)
    const denied = (await audit(t, admin, 'access.denied')).slice(0, 2)
    expect(denied.map((e) => e.details.refused)).toEqual(['textRecords.open', 'textRecords.open'])
    // The handler opens it; the log line names the basis.
    await t.call('textRecords.open', { textRecordId: doc }, p.lijing.session)
    expect((await audit(t, admin, 'textRecords.open'))[0]?.details).toMatchObject({
      basis: 'handler',
      caseId,
    })
  })
})
