import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { testCore } from '../helpers/core.ts'
import { agency, audit, ingest, newCase, unknownId, type Person } from '../helpers/agency.ts'

/*
 * Issue 17, item 3: an officer who handles no case opened one of his own, then filed (records.tag, or its batchId
 * form) a recording someone else had brought in into it, and played it. Filing now needs a basis on the
 * recording itself — the records officers who keep it, whoever brought it in or recorded it, the handlers of the
 * open case it is already in — and on the target case. Nobody can tag a record they could not already see.
 */

const t = testCore()
afterAll(() => t.core.close())

let admin = ''
let p: Record<'jilu' | 'lijing' | 'zhangwei' | 'wangwu' | 'zhaoliu' | 'fuze', Person>
let recs: string[] = []
let batchId = ''

beforeAll(async () => {
  ;({ admin, p } = await agency(t, {
    jilu: ['records_officer'],
    lijing: ['enforcement_officer'],
    zhangwei: ['enforcement_officer'],
    wangwu: ['enforcement_officer'],
    zhaoliu: ['enforcement_officer'],
    fuze: ['approver'],
  }))
  // 李静 brings in two recordings of her own; nobody has filed them yet.
  recs = await ingest(t, p.lijing, 2)
  batchId = (await t.call('evidence.list', { limit: 10 }, p.lijing.session)).items[0]!.batchId
})

describe('tagging needs a basis on the record', () => {
  test('an officer cannot pull someone else’s unfiled recording into a case he opened for himself', async () => {
    // 王五 handles nothing; he opens a case naming himself and 赵六.
    const own = await newCase(t, p.wangwu, [p.wangwu, p.zhaoliu])
    const viaIds = await t.fail(
      'records.tag',
      { evidenceIds: [recs[0]!], tags: { caseId: own } },
      p.wangwu.session,
    )
    expect(viaIds).toEqual({ code: 'FORBIDDEN' })
    const denied = (await audit(t, admin, 'access.denied'))[0]!
    expect(denied).toMatchObject({ actorName: 'wangwu', targetType: 'evidence', targetId: recs[0] })
    expect(denied.details).toMatchObject({ use: 'file', refused: 'records.tag' })
    // The batch form is the same question asked for every record of the batch.
    expect(await t.fail('records.tag', { batchId, tags: { caseId: own } }, p.wangwu.session)).toEqual({
      code: 'FORBIDDEN',
    })
    // Unknown ids and batches answer exactly the same.
    expect(
      await t.fail('records.tag', { evidenceIds: [unknownId()], tags: { caseId: own } }, p.wangwu.session),
    ).toEqual({ code: 'FORBIDDEN' })
    expect(
      await t.fail('records.tag', { batchId: unknownId(), tags: { caseId: own } }, p.wangwu.session),
    ).toEqual({ code: 'FORBIDDEN' })
    // Nothing was filed, and the recording still does not play for him.
    expect((await t.call('cases.get', { caseId: own }, p.wangwu.session)).records).toEqual([])
    expect((await t.fail('media.open', { evidenceId: recs[0]! }, p.wangwu.session)).code).toBe('FORBIDDEN')
  })

  test('the one who brought it in, and the records officer, may file it; then the case’s handlers see it', async () => {
    const c = await newCase(t, p.jilu, [p.lijing, p.zhangwei])
    await t.call('records.tag', { evidenceIds: [recs[0]!], tags: { caseId: c } }, p.lijing.session)
    await t.call('records.tag', { evidenceIds: [recs[1]!], tags: { caseId: c } }, p.jilu.session)
    const view = await t.call('cases.get', { caseId: c }, p.zhangwei.session)
    expect(view.records.map((r) => r.evidenceId).sort()).toEqual(recs)
    // Filed now: a handler of another case of his own still cannot move it out into that one.
    const other = await newCase(t, p.wangwu, [p.wangwu, p.zhaoliu])
    expect(
      await t.fail('records.tag', { evidenceIds: [recs[0]!], tags: { caseId: other } }, p.wangwu.session),
    ).toEqual({ code: 'FORBIDDEN' })
  })

  test('naming a colleague as collector does not hand him the recording', async () => {
    const [mine] = await ingest(t, p.zhaoliu, 1)
    await t.call(
      'records.tag',
      { evidenceIds: [mine!], tags: { collectorIds: [p.wangwu.id] } },
      p.zhaoliu.session,
    )
    expect((await t.fail('media.open', { evidenceId: mine! }, p.wangwu.session)).code).toBe('FORBIDDEN')
    const own = await newCase(t, p.wangwu, [p.wangwu, p.zhangwei])
    expect(
      await t.fail('records.tag', { evidenceIds: [mine!], tags: { caseId: own } }, p.wangwu.session),
    ).toEqual({ code: 'FORBIDDEN' })
  })

  test('a confidential case’s recording is not moved into a case more people may see', async () => {
    const secret = await newCase(t, p.jilu, [p.lijing, p.zhangwei], { confidentiality: 'state_secret' })
    const open = await newCase(t, p.jilu, [p.lijing, p.zhangwei])
    const [r] = await ingest(t, p.lijing, 1)
    await t.call('records.tag', { evidenceIds: [r!], tags: { caseId: secret } }, p.lijing.session)
    // Handler of both, and the records officer: neither lowers the record's level by re-filing it.
    for (const who of [p.lijing, p.jilu]) {
      expect(await t.fail('records.tag', { evidenceIds: [r!], tags: { caseId: open } }, who.session)).toEqual(
        {
          code: 'FORBIDDEN',
        },
      )
      expect(await t.fail('records.tag', { evidenceIds: [r!], tags: { caseId: null } }, who.session)).toEqual(
        {
          code: 'FORBIDDEN',
        },
      )
    }
    const denied = (await audit(t, admin, 'access.denied'))[0]!
    expect(denied.details).toMatchObject({ refused: 'records.tag', reason: 'lowers_confidentiality' })
    // Someone the agency named for 国家秘密 may (a records officer named for it, say).
    await t.call('access.policy', { named: { state_secret: [p.jilu.id] } }, admin)
    await t.call('records.tag', { evidenceIds: [r!], tags: { caseId: open } }, p.jilu.session)
  })
})
