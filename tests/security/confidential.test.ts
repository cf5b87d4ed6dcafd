import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { testCore } from '../helpers/core.ts'
import { tempDir } from '../helpers/bridge.ts'
import { CLI_ADMIN, cliAgency, lastJson, ok, runLiuhen } from '../helpers/cli.ts'
import { agency, audit, ingest, newCase, type Person } from '../helpers/agency.ts'

/*
 * Issue 17, item 6: records officers (custodian basis) opened 国家秘密, 商业秘密 and 个人隐私 cases' media without
 * any approval, and with the default policy (no senior approvers) any approver granted access to a 国家秘密 case.
 * The rule now (003 art. 24 "严格按照保密工作的有关规定和权限进行管理", 000 §4(3)2):
 *  - above 一般, custodianship is filing, not viewing: a records officer sees the records' metadata and files
 *    them, and opens nothing without a grant;
 *  - a level nobody is named for is closed: none of its records opens (for handlers and grant holders either) and
 *    no grant on it is approved;
 *  - the people named for a level see it without a grant, and only they (as approvers) decide grants on it;
 *  - the handlers of an open confidential case keep their basis: they are the named 知悉范围 of that case, and the
 *    set of handlers cannot change without a second person's approval (case-staffing.test.ts).
 */

const t = testCore()
afterAll(() => t.core.close())

const hour = 3_600_000
const iso = (ms: number) => new Date(t.clock.now().getTime() + ms).toISOString()

let admin = ''
let p: Record<'jilu' | 'lijing' | 'zhangwei' | 'wangwu' | 'fuze' | 'boss', Person>
const cases: Record<string, string> = {}
const recs: Record<string, string> = {}

beforeAll(async () => {
  ;({ admin, p } = await agency(t, {
    jilu: ['records_officer'],
    lijing: ['enforcement_officer'],
    zhangwei: ['enforcement_officer'],
    wangwu: ['enforcement_officer'],
    fuze: ['approver'],
    boss: ['approver'],
  }))
  for (const level of ['general', 'privacy', 'trade_secret', 'state_secret'] as const) {
    cases[level] = await newCase(t, p.jilu, [p.lijing, p.zhangwei], { confidentiality: level })
    const [r] = await ingest(t, p.jilu, 1)
    recs[level] = r!
    await t.call('records.tag', { evidenceIds: [r!], tags: { caseId: cases[level] } }, p.jilu.session)
  }
})

describe('confidential cases are stricter', () => {
  test('with the default policy every level above 一般 is closed: nobody opens it, no grant is approved', async () => {
    for (const level of ['privacy', 'trade_secret', 'state_secret']) {
      for (const who of [p.jilu, p.lijing])
        expect(await t.fail('media.open', { evidenceId: recs[level]! }, who.session)).toEqual({
          code: 'FORBIDDEN',
        })
      const { request } = await t.call(
        'access.request',
        { caseId: cases[level]!, purpose: 'case_review', kind: 'view', startsAt: iso(0), endsAt: iso(hour) },
        p.wangwu.session,
      )
      expect(await t.fail('access.approve', { requestId: request.id }, p.fuze.session)).toEqual({
        code: 'FORBIDDEN',
      })
    }
    // 一般 is as before: the records officer files and views, the handler views.
    await t.call('media.open', { evidenceId: recs.general! }, p.jilu.session)
    await t.call('media.open', { evidenceId: recs.general! }, p.lijing.session)
    const line = (await audit(t, admin, 'access.denied')).find((e) => e.targetId === recs.state_secret)!
    expect(line.details).toMatchObject({ use: 'view', refused: 'media.open', caseId: cases.state_secret })
  })

  test('once the agency names people for a level, only they approve; records officers still need a grant', async () => {
    await t.call(
      'access.policy',
      { named: { privacy: [p.boss.id], trade_secret: [p.boss.id], state_secret: [p.boss.id] } },
      admin,
    )
    for (const level of ['privacy', 'trade_secret', 'state_secret']) {
      // Custodianship is no permission to view confidential material: media, thumbnails and documents refused.
      expect(await t.fail('media.open', { evidenceId: recs[level]! }, p.jilu.session)).toEqual({
        code: 'FORBIDDEN',
      })
      expect((await t.fail('evidence.thumbnail', { evidenceId: recs[level]! }, p.jilu.session)).code).toBe(
        'FORBIDDEN',
      )
      // … but filing goes on: the records officer sees what is in the case and tags it.
      const view = await t.call('cases.get', { caseId: cases[level]! }, p.jilu.session)
      expect(view.records.map((r) => r.evidenceId)).toEqual([recs[level]])
      await t.call(
        'records.tag',
        { evidenceIds: [recs[level]!], tags: { place: '鼓楼区某药房' } },
        p.jilu.session,
      )
      // The handlers of the open case are its 知悉范围.
      await t.call('media.open', { evidenceId: recs[level]! }, p.lijing.session)
      // The named person sees it without a grant, on the basis the log names.
      await t.call('media.open', { evidenceId: recs[level]! }, p.boss.session)
      expect((await audit(t, admin, 'media.open'))[0]).toMatchObject({
        actorName: 'boss',
        details: { basis: 'named' },
      })
    }
    // The records officer asks like anyone; an approver not named cannot decide it, the named one can.
    const { request } = await t.call(
      'access.request',
      {
        caseId: cases.state_secret!,
        purpose: 'case_review',
        kind: 'view',
        startsAt: iso(0),
        endsAt: iso(hour),
      },
      p.jilu.session,
    )
    expect(await t.fail('access.approve', { requestId: request.id }, p.fuze.session)).toEqual({
      code: 'FORBIDDEN',
    })
    const { grant } = await t.call('access.approve', { requestId: request.id }, p.boss.session)
    await t.call('media.open', { evidenceId: recs.state_secret! }, p.jilu.session)
    expect((await audit(t, admin, 'media.open'))[0]).toMatchObject({
      actorName: 'jilu',
      details: { basis: 'grant', grantId: grant.id },
    })
  })

  test('a handler of a closed confidential case needs a grant like anyone', async () => {
    const c = await newCase(t, p.jilu, [p.lijing, p.zhangwei], {
      confidentiality: 'privacy',
      type: 'inspection',
    })
    const [r] = await ingest(t, p.lijing, 1)
    await t.call('records.tag', { evidenceIds: [r!], tags: { caseId: c } }, p.lijing.session)
    await t.call('media.open', { evidenceId: r! }, p.lijing.session)
    await t.call(
      'cases.archiveException',
      { caseId: c, reason: '检查未发现问题，无需补充文书' },
      p.boss.session,
    )
    await t.call('cases.update', { caseId: c, stage: 'closed' }, p.lijing.session)
    expect(await t.fail('media.open', { evidenceId: r! }, p.lijing.session)).toEqual({ code: 'FORBIDDEN' })
    // An approver not named for 个人隐私 cannot even record the archiving exception on such a case.
    const other = await newCase(t, p.jilu, [p.lijing, p.zhangwei], { confidentiality: 'privacy' })
    expect(
      await t.fail('cases.archiveException', { caseId: other, reason: '不需要补充' }, p.fuze.session),
    ).toEqual({
      code: 'FORBIDDEN',
    })
  })

  test('an archive package of a confidential case is made only by a records officer named for its level', async () => {
    const out = path.join(tempDir(), 'bag')
    expect(
      await t.fail('archive.build', { caseId: cases.trade_secret!, outDir: out }, p.jilu.session),
    ).toEqual({ code: 'FORBIDDEN' })
    expect((await audit(t, admin, 'access.denied'))[0]).toMatchObject({
      actorName: 'jilu',
      targetId: cases.trade_secret,
      details: { for: 'archive.build' },
    })
  })

  test('the CLI shows and sets who is named for each level (设置 has the same screen)', () => {
    const data = path.join(tempDir(), 'agency')
    cliAgency(data, [['boss', '钱局长', 'approver', '', 'Boss2026pw']])
    const before = lastJson<{ named: Record<string, string[]> }>(
      ok(runLiuhen(['access', 'policy', '--data', data, '--json'], CLI_ADMIN)),
    )
    expect(before.named).toEqual({ privacy: [], trade_secret: [], state_secret: [] })
    const human = ok(runLiuhen(['access', 'policy', '--data', data], CLI_ADMIN))
    expect(human.stdout).toContain('该密级的记录一律不能打开')
    const after = lastJson<{ named: Record<string, string[]> }>(
      ok(
        runLiuhen(
          ['access', 'policy', '--data', data, '--level', 'state_secret', '--named', 'boss', '--json'],
          CLI_ADMIN,
        ),
      ),
    )
    expect(after.named.state_secret).toHaveLength(1)
    expect(after.named.privacy).toEqual([])
  })
})
