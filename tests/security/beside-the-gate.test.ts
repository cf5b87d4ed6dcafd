import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { testCore } from '../helpers/core.ts'
import { agency, audit, ingest, newCase, unknownId, type Person } from '../helpers/agency.ts'

/*
 * Issue 17, item 8: methods beside the gate. evidence.setLateReason, records.tagHistory, signatures.verify,
 * media.progress (forged playback positions in the access log) and archive.catalogue (the place and fact of
 * records the caller cannot see) never asked it. Each now does; a forbidden id and an unknown one answer the
 * same — the same code, no params — and take the same path: one refusal written to the audit trail each, no
 * other event (so neither answers faster for lack of a write).
 */

const t = testCore()
afterAll(() => t.core.close())

let admin = ''
let p: Record<'jilu' | 'lijing' | 'zhangwei' | 'wangwu' | 'shenji', Person>
let rec = ''
let caseId = ''

beforeAll(async () => {
  ;({ admin, p } = await agency(t, {
    jilu: ['records_officer'],
    lijing: ['enforcement_officer'],
    zhangwei: ['enforcement_officer'],
    wangwu: ['enforcement_officer'],
    shenji: ['auditor'],
  }))
  caseId = await newCase(t, p.jilu, [p.lijing, p.zhangwei])
  ;[rec] = (await ingest(t, p.lijing, 1)) as [string]
  await t.call(
    'records.tag',
    { evidenceIds: [rec], tags: { caseId, place: '鼓楼区五四路某大药房', fact: '现场检查时药品串换的情况' } },
    p.lijing.session,
  )
})

/** The call with the real id and with an unknown one: identical refusals, one refusal event each, nothing else. */
async function refusedAlike(method: string, input: (id: string) => unknown, who: Person, real: string) {
  const answers = []
  for (const id of [real, unknownId()]) {
    const before = (await audit(t, admin))[0]!.seq
    answers.push(await t.fail(method, input(id), who.session))
    const written = (await audit(t, admin)).filter((e) => e.seq > before && e.action !== 'audit.list')
    expect(written.map((e) => e.action)).toEqual(['access.denied'])
    expect(written[0]).toMatchObject({ actorId: who.id, targetId: id, details: { refused: method } })
  }
  expect(answers[0]).toEqual({ code: 'FORBIDDEN' })
  expect(answers[1]).toEqual(answers[0])
}

describe('methods beside the gate now ask it', () => {
  test('evidence.setLateReason: an officer with no basis cannot rewrite why a recording came in late', async () => {
    await refusedAlike(
      'evidence.setLateReason',
      (id) => ({ evidenceId: id, reason: '伪造的理由' }),
      p.wangwu,
      rec,
    )
    // The handler of the open case may (the same basis as filing it).
    await t.call('evidence.setLateReason', { evidenceId: rec, reason: '连续执勤后返回' }, p.lijing.session)
  })

  test('records.tagHistory: the place and fact of a recording are its metadata', async () => {
    await refusedAlike('records.tagHistory', (id) => ({ evidenceId: id }), p.wangwu, rec)
    // An auditor supervises through the log, not by reading records without a grant.
    await refusedAlike('records.tagHistory', (id) => ({ evidenceId: id }), p.shenji, rec)
    expect((await t.call('records.tagHistory', { evidenceId: rec }, p.jilu.session)).versions.length).toBe(2)
  })

  test('signatures.verify: who signed it and when is not for someone who cannot see it', async () => {
    await refusedAlike('signatures.verify', (id) => ({ evidenceId: id }), p.wangwu, rec)
    await refusedAlike('signatures.verify', (id) => ({ evidenceId: id }), p.shenji, rec)
    await t.call('signatures.verify', { evidenceId: rec }, p.jilu.session)
  })

  test('media.progress: no forged playback positions in the access log', async () => {
    await refusedAlike('media.progress', (id) => ({ evidenceId: id, ranges: [[0, 3600]] }), p.wangwu, rec)
    expect((await audit(t, admin, 'media.progress')).filter((e) => e.actorId === p.wangwu.id)).toEqual([])
    // The handler's positions are logged with the basis his viewing rests on.
    await t.call('media.progress', { evidenceId: rec, ranges: [[0, 1.5]] }, p.lijing.session)
    expect((await audit(t, admin, 'media.progress'))[0]).toMatchObject({
      actorId: p.lijing.id,
      details: { basis: 'handler', caseId, ranges: [[0, 1.5]] },
    })
  })

  test('archive.catalogue: the 卷内目录 lists every record’s place and fact, so it needs all of them', async () => {
    await refusedAlike('archive.catalogue', (id) => ({ caseId: id }), p.shenji, caseId)
    const { pdfBase64 } = await t.call('archive.catalogue', { caseId }, p.jilu.session)
    expect(pdfBase64.length).toBeGreaterThan(1000)
  })
})
