import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { testCore } from '../helpers/core.ts'
import { tempDir } from '../helpers/bridge.ts'
import { cliAgency, lastJson, ok, runLiuhen } from '../helpers/cli.ts'
import { agency, audit, ingest, newCase, type Person } from '../helpers/agency.ts'

/*
 * Issue 17, item 4: through cases.update a handler moved a closed case back to investigation, replaced the
 * handlers (adding a colleague, who could then stream the media), or lowered 国家秘密 to 一般 — alone. Now a
 * stage never goes back, the handlers never change and the level never drops (or moves sideways) without a
 * request by one person and a decision by a different approver (named for the level, above 一般); every step is
 * an audit event and the change lands in the approval's own transaction.
 */

const t = testCore()
afterAll(() => t.core.close())

let admin = ''
let p: Record<'jilu' | 'lijing' | 'zhangwei' | 'wangwu' | 'fuze' | 'fuze2' | 'boss', Person>

beforeAll(async () => {
  ;({ admin, p } = await agency(t, {
    jilu: ['records_officer'],
    lijing: ['enforcement_officer'],
    // A handler who also holds the approver role: still not the second person for his own request.
    zhangwei: ['enforcement_officer', 'approver'],
    wangwu: ['enforcement_officer'],
    fuze: ['approver'],
    fuze2: ['approver'],
    boss: ['approver'],
  }))
  await t.call('access.policy', { named: { state_secret: [p.boss.id] } }, admin)
})

async function closedCase(): Promise<string> {
  const c = await newCase(t, p.jilu, [p.lijing, p.zhangwei], { type: 'inspection' })
  await t.call(
    'cases.archiveException',
    { caseId: c, reason: '检查未发现问题，无需补充文书' },
    p.fuze.session,
  )
  await t.call('cases.update', { caseId: c, stage: 'closed' }, p.lijing.session)
  return c
}

describe('a handler does not reopen, re-staff or downgrade a case alone', () => {
  test('a closed case does not go back to investigation through cases.update', async () => {
    const c = await closedCase()
    const e = await t.fail('cases.update', { caseId: c, stage: 'investigation' }, p.lijing.session)
    expect(e).toEqual({ code: 'CHANGE_NEEDS_APPROVAL', params: { change: 'reopen' } })
    // Nor do its dates change while it is archived.
    expect(
      (await t.fail('cases.update', { caseId: c, executedOn: '2026-11-01' }, p.lijing.session)).code,
    ).toBe('CHANGE_NEEDS_APPROVAL')
    expect((await t.call('cases.get', { caseId: c }, p.lijing.session)).case.stage).toBe('closed')

    // Asked by one with a reason, decided by another: the reopening is recorded with both.
    const { change } = await t.call(
      'cases.requestChange',
      { caseId: c, kind: 'reopen', stage: 'investigation', reason: '当事人提出新证据，需补充调查' },
      p.lijing.session,
    )
    expect(change).toMatchObject({ status: 'pending', stage: 'investigation', requestedBy: 'lijing' })
    const decided = await t.call('cases.decideChange', { changeId: change.id, approve: true }, p.fuze.session)
    expect(decided.case.stage).toBe('investigation')
    const ev = (await audit(t, admin, 'cases.changeApproved'))[0]!
    expect(ev.actorName).toBe('fuze')
    expect(ev.details).toMatchObject({
      changeId: change.id,
      kind: 'reopen',
      reason: '当事人提出新证据，需补充调查',
      requestedBy: 'lijing',
      before: { stage: 'closed' },
      after: { stage: 'investigation' },
    })
    // Going back among open stages is reopening too.
    await t.call('cases.update', { caseId: c, stage: 'decision' }, p.lijing.session)
    expect((await t.fail('cases.update', { caseId: c, stage: 'investigation' }, p.lijing.session)).code).toBe(
      'CHANGE_NEEDS_APPROVAL',
    )
  })

  test('adding a colleague as handler needs another’s approval; until then he cannot stream the media', async () => {
    const c = await newCase(t, p.jilu, [p.lijing, p.zhangwei])
    const [rec] = await ingest(t, p.lijing, 1)
    await t.call('records.tag', { evidenceIds: [rec!], tags: { caseId: c } }, p.lijing.session)
    const e = await t.fail(
      'cases.update',
      { caseId: c, handlerIds: [p.lijing.id, p.zhangwei.id, p.wangwu.id] },
      p.lijing.session,
    )
    expect(e).toEqual({ code: 'CHANGE_NEEDS_APPROVAL', params: { change: 'handlers' } })
    expect((await t.fail('media.open', { evidenceId: rec! }, p.wangwu.session)).code).toBe('FORBIDDEN')

    const { change } = await t.call(
      'cases.requestChange',
      {
        caseId: c,
        kind: 'handlers',
        handlerIds: [p.lijing.id, p.zhangwei.id, p.wangwu.id],
        reason: '案情复杂，增派王五协助调查',
      },
      p.zhangwei.session,
    )
    // The requester holds the approver role, and is still not the second person.
    expect(
      await t.fail('cases.decideChange', { changeId: change.id, approve: true }, p.zhangwei.session),
    ).toEqual({
      code: 'SELF_APPROVAL',
    })
    // The approvers' inbox shows it; the handler whose request it is sees it too.
    expect((await t.call('cases.changes', {}, p.fuze.session)).changes.map((x) => x.id)).toContain(change.id)
    await t.call('cases.decideChange', { changeId: change.id, approve: true }, p.fuze.session)
    expect(
      (await t.call('cases.get', { caseId: c }, p.wangwu.session)).case.handlers.map((h) => h.name),
    ).toContain('wangwu')
    await t.call('media.open', { evidenceId: rec! }, p.wangwu.session)
    expect(
      (await t.fail('cases.decideChange', { changeId: change.id, approve: true }, p.fuze2.session)).code,
    ).toBe('REQUEST_DECIDED')
  })

  test('国家秘密 is not lowered to 一般 alone; only an approver named for 国家秘密 decides it', async () => {
    const c = await newCase(t, p.jilu, [p.lijing, p.zhangwei], { confidentiality: 'state_secret' })
    expect(await t.fail('cases.update', { caseId: c, confidentiality: 'general' }, p.lijing.session)).toEqual(
      {
        code: 'CHANGE_NEEDS_APPROVAL',
        params: { change: 'confidentiality' },
      },
    )
    // Sideways is lowering too: 个人隐私 and 商业秘密 each have their own named people.
    const priv = await newCase(t, p.jilu, [p.lijing, p.zhangwei], { confidentiality: 'privacy' })
    expect(
      (await t.fail('cases.update', { caseId: priv, confidentiality: 'trade_secret' }, p.lijing.session))
        .code,
    ).toBe('CHANGE_NEEDS_APPROVAL')
    // Raising needs nobody: it only narrows who may see.
    await t.call('cases.update', { caseId: priv, confidentiality: 'state_secret' }, p.lijing.session)

    const { change } = await t.call(
      'cases.requestChange',
      {
        caseId: c,
        kind: 'confidentiality',
        confidentiality: 'general',
        reason: '经定密责任人审核，不属于国家秘密',
      },
      p.lijing.session,
    )
    // An approver not named for 国家秘密 is answered as for an unknown change, and the refusal is logged.
    expect(
      await t.fail('cases.decideChange', { changeId: change.id, approve: true }, p.fuze.session),
    ).toEqual({
      code: 'FORBIDDEN',
    })
    expect((await audit(t, admin, 'access.denied'))[0]).toMatchObject({
      actorName: 'fuze',
      targetType: 'case_change',
      targetId: change.id,
    })
    expect((await t.call('cases.changes', {}, p.fuze.session)).changes.map((x) => x.id)).not.toContain(
      change.id,
    )
    const r = await t.call(
      'cases.decideChange',
      { changeId: change.id, approve: false, note: '请先履行解密程序' },
      p.boss.session,
    )
    expect(r).toMatchObject({
      change: { status: 'rejected', note: '请先履行解密程序' },
      case: { confidentiality: 'state_secret' },
    })
    expect((await audit(t, admin, 'cases.changeRejected'))[0]?.actorName).toBe('boss')
  })

  test('the CLI: case update refuses, case request-change and case decide-change do it with two people', () => {
    const data = path.join(tempDir(), 'agency')
    cliAgency(data, [
      ['lijing', '李静', '执法人员', '35010023', 'Officer2026pw'],
      ['zhangwei', '张伟', '执法人员', '35010024', 'Officer2026pw'],
      ['wangwu', '王五', '执法人员', '35010025', 'Officer2026pw'],
      ['fuze', '赵负责', 'approver', '', 'Fuze2026pw'],
    ])
    const LI = { LIUHEN_PASSWORD: 'Officer2026pw', LIUHEN_USER: 'lijing' }
    const created = lastJson<{ case: { caseNo: string } }>(
      ok(
        runLiuhen(
          [
            'case',
            'create',
            '--data',
            data,
            '--type',
            'penalty',
            '--cause',
            '违规结算',
            '--party',
            '某药店',
            '--handlers',
            'lijing,zhangwei',
            '--json',
          ],
          LI,
        ),
      ),
    )
    const no = created.case.caseNo
    ok(runLiuhen(['case', 'update', no, '--data', data, '--stage', 'investigation'], LI))
    const back = runLiuhen(['case', 'update', no, '--data', data, '--stage', 'start'], LI)
    expect(back.status).toBe(1)
    expect(back.stderr).toContain('由另一名负责人批准')
    const asked = lastJson<{ change: { id: string } }>(
      ok(
        runLiuhen(
          [
            'case',
            'request-change',
            no,
            '--data',
            data,
            '--handlers',
            'lijing,zhangwei,wangwu',
            '--reason',
            '增派王五协助',
            '--json',
          ],
          LI,
        ),
      ),
    )
    const decided = lastJson<{ case: { handlers: { name: string }[] } }>(
      ok(
        runLiuhen(['case', 'decide-change', asked.change.id, '--data', data, '--approve', '--json'], {
          LIUHEN_PASSWORD: 'Fuze2026pw',
          LIUHEN_USER: 'fuze',
        }),
      ),
    )
    expect(decided.case.handlers.map((h) => h.name).sort()).toEqual(['张伟', '李静', '王五'].sort())
  })
})
