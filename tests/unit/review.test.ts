import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import Database from 'better-sqlite3'
import path from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { REVIEW_CHECKS, type ReviewCheck } from '../../shared/review.ts'
import { maskName, maskResidentId, scrubText } from '../../electron/core/disclosure/redact.ts'
import { objectPath } from '../../electron/core/vault.ts'
import { dataLayout } from '../../electron/core/paths.ts'
import { tempDir } from '../helpers/bridge.ts'
import { cliAgency, lastJson, ok, runLiuhen } from '../helpers/cli.ts'
import { testCore } from '../helpers/core.ts'
import { cmsVerify, openssl } from '../helpers/openssl.ts'

/*
 * Legal review and disclosure through the core: the decision gate, a reviewer who handled the case refused, the
 * ten-point checklist, 变更 → resubmission → 同意, an extension, a disputed opinion settled by collective discussion,
 * signed review records checked by OpenSSL and carried into the archive package, and disclosures whose exports hold
 * no full ID number. The Spring Festival deadline is compared with a date worked out by hand.
 */

const PERSON_ID = '11010519491231002X'
const MOBILE = '13912345678'

const checklist = (problems: ReviewCheck[] = []) =>
  REVIEW_CHECKS.map((item) => ({
    item,
    result: problems.includes(item) ? ('problem' as const) : ('ok' as const),
  }))

describe('legal review and disclosure', () => {
  const t = testCore()
  const s: Record<string, string> = {}
  const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-', '-'], { input: pdf, encoding: 'utf8' })
  const ids: Record<string, string> = {}
  const docs = tempDir('liuhen-review-docs-')

  beforeAll(async () => {
    s.admin = await t.adminSession()
    for (const [name, roles] of [
      ['lijing', ['enforcement_officer']],
      ['zhangwei', ['enforcement_officer', 'legal_reviewer']],
      ['jilu', ['records_officer']],
      ['fazhi', ['legal_reviewer']],
      ['fuze', ['approver']],
    ] as const) {
      const u = await t.userSession(s.admin, name, [...roles])
      s[name] = u.session
      ids[name] = u.user.id
    }
    await t.call('ca.init', { passphrase: 'RootPass2026' }, s.admin)
    for (const u of ['fazhi', 'fuze'])
      await t.call('ca.issue', { userId: ids[u]!, rootPassphrase: 'RootPass2026', pin: '135790' }, s.admin)
  })

  async function newCase(major = true, kind: 'person' | 'organisation' = 'person') {
    const c = await t.call(
      'cases.create',
      {
        type: 'penalty',
        cause: '虚构医疗服务骗取医保基金',
        source: 'complaint',
        party:
          kind === 'person'
            ? { kind, name: '张三丰', idNo: PERSON_ID }
            : { kind, name: '某大药房有限公司', idNo: '91350100M000100Y43' },
        handlerIds: [ids.lijing!, ids.zhangwei!],
        major,
      },
      s.jilu,
    )
    return c.case.id
  }

  test('a major case cannot be decided before its review passes; 变更 → resubmission → extension → 同意', async () => {
    const caseId = await newCase()
    expect((await t.fail('cases.update', { caseId, decidedOn: '2026-11-23' }, s.jilu)).code).toBe(
      'REVIEW_REQUIRED',
    )
    fs.writeFileSync(path.join(docs, '处罚决定书.pdf'), '%PDF-1.4\n% decision\n%%EOF\n')
    expect(
      (
        await t.fail(
          'textRecords.add',
          { caseId, docType: 'decision_document', filePath: path.join(docs, '处罚决定书.pdf') },
          s.jilu,
        )
      ).code,
    ).toBe('REVIEW_REQUIRED')

    // The basis must come from the agency's catalogue.
    expect(
      (await t.fail('review.submit', { caseId, basis: ['nonsense'], proposal: '罚款 5 万元' }, s.jilu)).code,
    ).toBe('VALIDATION')
    const first = (
      await t.call(
        'review.submit',
        { caseId, basis: ['large_amount'], proposal: '责令退回医保基金 12.6 万元，并处罚款 25.2 万元' },
        s.lijing,
      )
    ).review
    expect(first).toMatchObject({
      round: 1,
      status: 'submitted',
      receivedOn: '2026-11-23',
      dueOn: '2026-12-07',
    })

    // A reviewer who handled the case is refused, and so is someone who is no legal reviewer.
    const refused = await t.fail('review.assign', { reviewId: first.id, reviewerId: ids.zhangwei }, s.fazhi)
    expect(refused.code).toBe('REVIEWER_INVOLVED')
    expect(refused.params).toEqual({ name: 'zhangwei' })
    expect((await t.fail('review.assign', { reviewId: first.id, reviewerId: ids.fuze }, s.fazhi)).code).toBe(
      'NOT_A_REVIEWER',
    )
    const candidates = (await t.call('review.reviewers', { caseId }, s.fazhi)).reviewers
    expect(candidates.find((r) => r.id === ids.zhangwei)?.involved).toBe(true)
    expect(candidates.find((r) => r.id === ids.fazhi)?.involved).toBe(false)
    await t.call('review.assign', { reviewId: first.id, reviewerId: ids.fazhi! }, s.fuze)

    // Only the assigned reviewer gives the opinion, consistent with the checklist, with a right PIN.
    const changeInput = {
      reviewId: first.id,
      checklist: checklist(['handling']),
      opinion: 'change' as const,
      text: '罚款数额超出本机关裁量基准，建议变更为 20 万元。',
      pin: '135790',
    }
    expect((await t.fail('review.opinion', { ...changeInput, opinion: 'agree' }, s.fazhi)).code).toBe(
      'REVIEW_INCONSISTENT',
    )
    expect((await t.fail('review.opinion', { ...changeInput, pin: '000000' }, s.fazhi)).code).toBe('BAD_PIN')
    // Before signing, the reviewer reads the 法制审核意见书 it will make (issue 20): the same document, marked
    // 预览稿 on its face; nothing is signed, stored or changed, and only the assigned reviewer may ask for it.
    const { pin: _pin, ...draftInput } = changeInput
    const docsBefore = (await t.call('cases.get', { caseId }, s.jilu)).textRecords.length
    const preview = await t.call('review.previewOpinion', draftInput, s.fazhi)
    expect(preview).toMatchObject({ fileName: '法制审核意见书_第1次.pdf', mime: 'application/pdf' })
    const previewText = pdfText(Buffer.from(preview.dataBase64, 'base64'))
    expect(previewText).toContain('预览稿：尚未签署')
    expect(previewText).toContain('罚款数额超出本机关裁量基准')
    expect((await t.call('cases.get', { caseId }, s.jilu)).textRecords).toHaveLength(docsBefore)
    expect((await t.call('review.get', { caseId }, s.fazhi)).reviews.at(-1)?.status).toBe('in_review')
    expect((await t.fail('review.previewOpinion', draftInput, s.zhangwei)).code).toBe('NOT_REVIEWER')
    expect((await t.fail('review.previewOpinion', { ...draftInput, opinion: 'agree' }, s.fazhi)).code).toBe(
      'REVIEW_INCONSISTENT',
    )
    const returned = (await t.call('review.opinion', changeInput, s.fazhi)).review
    expect(returned.status).toBe('returned')
    expect((await t.fail('cases.update', { caseId, decidedOn: '2026-11-23' }, s.jilu)).code).toBe(
      'REVIEW_REQUIRED',
    )
    // Nor can the case be unmarked to walk around the gate.
    expect((await t.fail('cases.update', { caseId, major: false }, s.jilu)).code).toBe('MAJOR_LOCKED')

    // The opinion is a signed text record of the case; OpenSSL verifies its signature against the root.
    const got = await t.call('cases.get', { caseId }, s.jilu)
    const record = got.textRecords.find((r) => r.id === returned.recordId)!
    expect(record).toMatchObject({ docType: 'legal_review_record', signed: true, stage: 'decision' })
    const db = new Database(path.join(t.dataDir, 'liuhen.db'), { readonly: true })
    const sig = db.prepare('SELECT path FROM signatures WHERE text_record_id = ?').get(record.id) as {
      path: string
    }
    db.close()
    const root = path.join(tempDir(), 'root.pem')
    fs.writeFileSync(root, (await t.call('ca.exportRoot', {}, s.admin)).pem)
    const pdf = objectPath(dataLayout(t.dataDir), record.sha256)
    const verified = cmsVerify(path.join(t.dataDir, sig.path), pdf, root)
    expect(verified.code, verified.out).toBe(0)
    // What was signed is what was previewed, without the preview's mark.
    const signedText = pdfText(fs.readFileSync(pdf))
    expect(signedText).not.toContain('预览稿')
    expect(signedText.replace(/\s+/g, '')).toContain('罚款数额超出本机关裁量基准')
    expect(openssl(['version']).code).toBe(0)

    // Resubmission needs what was changed; the round restarts the 10 working days.
    expect(
      (await t.fail('review.submit', { caseId, basis: ['large_amount'], proposal: '罚款 20 万元' }, s.lijing))
        .code,
    ).toBe('VALIDATION')
    const second = (
      await t.call(
        'review.submit',
        {
          caseId,
          basis: ['large_amount'],
          proposal: '责令退回医保基金 12.6 万元，并处罚款 20 万元',
          changes: '按审核意见将罚款调整为 20 万元。',
        },
        s.lijing,
      )
    ).review
    expect(second).toMatchObject({ round: 2, receivedOn: '2026-11-23', dueOn: '2026-12-07' })
    expect(second.materials.some((m) => m.id === returned.recordId)).toBe(true)
    await t.call('review.assign', { reviewId: second.id, reviewerId: ids.fazhi! }, s.fazhi)

    // One extension of 10 working days, approved by someone other than the reviewer.
    await t.call('review.extend', { reviewId: second.id, reason: '需要补充调取结算数据' }, s.fazhi)
    expect(
      (await t.fail('review.decideExtension', { reviewId: second.id, approve: true }, s.fazhi)).code,
    ).toBe('SELF_DECISION')
    const extended = (await t.call('review.decideExtension', { reviewId: second.id, approve: true }, s.fuze))
      .review
    expect(extended.dueOn).toBe('2026-12-21')
    expect((await t.fail('review.extend', { reviewId: second.id, reason: '再次延长' }, s.fazhi)).code).toBe(
      'EXTENSION_USED',
    )
    const passed = (
      await t.call(
        'review.opinion',
        { reviewId: second.id, checklist: checklist(), opinion: 'agree', text: '同意。', pin: '135790' },
        s.fazhi,
      )
    ).review
    expect(passed.status).toBe('passed')
    const state = await t.call('review.get', { caseId }, s.jilu)
    expect(state).toMatchObject({ required: true, passed: true })
    expect(state.reviews.map((r) => r.opinion)).toEqual(['change', 'agree'])
    await t.call('cases.update', { caseId, decidedOn: '2026-11-23', stage: 'execution' }, s.jilu)

    // Disclosure: drafted by the records officer, redacted by the core, approved by the head.
    const draft = (
      await t.call(
        'disclosure.draft',
        {
          caseId,
          conclusion: `张三丰（身份证 ${PERSON_ID}，电话 ${MOBILE}）虚构医疗服务，责令退回医保基金 12.6 万元，并处罚款 20 万元。`,
          decisionNo: '京医保罚〔2026〕1号',
        },
        s.jilu,
      )
    ).disclosure
    expect(draft).toMatchObject({
      subject: '张某某',
      subjectCode: '110105********002X',
      category: '行政处罚',
      kind: 'penalty',
      decidedOn: '2026-11-23',
      dueOn: '2026-12-02',
    })
    expect(draft.conclusion).not.toContain(PERSON_ID)
    expect(draft.conclusion).not.toContain('张三丰')
    expect(draft.conclusion).toContain('139****5678')
    expect((await t.fail('disclosure.approve', { disclosureId: draft.id }, s.jilu)).code).toBe('FORBIDDEN')
    await t.call('disclosure.approve', { disclosureId: draft.id }, s.fuze)
    const exports = await Promise.all(
      (['json', 'csv', 'html'] as const).map((format) => t.call('disclosure.export', { format }, s.jilu)),
    )
    for (const e of exports) {
      expect(e.count).toBe(1)
      expect(e.content).not.toContain(PERSON_ID)
      expect(e.content).not.toMatch(/\d{17}[\dX]/)
      expect(e.content).toContain('110105********002X')
      expect(e.content).toContain('张某某')
    }
    const json = JSON.parse(exports[0]!.content) as { items: { status: string; publishedOn: string }[] }
    expect(json.items[0]).toMatchObject({ status: 'published', publishedOn: '2026-11-23' })
    expect(exports[1]!.content.startsWith('\uFEFF执法机关,执法对象')).toBe(true)
    expect(exports[2]!.content).toContain('<html lang="zh-CN">')

    // Withdrawal of a revoked decision: recorded; the portal's JSON says to take it down, the page drops it.
    const w = (
      await t.call(
        'disclosure.withdraw',
        { disclosureId: draft.id, ground: 'revoked', reason: '行政复议决定撤销原处罚决定' },
        s.fuze,
      )
    ).disclosure
    expect(w).toMatchObject({ status: 'withdrawn', withdrawGround: 'revoked' })
    const after = JSON.parse((await t.call('disclosure.export', { format: 'json' }, s.jilu)).content) as {
      items: { status: string }[]
    }
    expect(after.items.map((i) => i.status)).toEqual(['withdrawn'])
    expect((await t.call('disclosure.export', { format: 'csv' }, s.jilu)).count).toBe(0)
    // Revoked: nothing waits any more. Made again (a new decision date): it waits for a new disclosure.
    expect((await t.call('disclosure.list', {}, s.jilu)).pending.map((p) => p.caseId)).not.toContain(caseId)
    await t.call('cases.update', { caseId, decidedOn: '2026-11-24' }, s.jilu)
    const again = await t.call('disclosure.list', {}, s.jilu)
    expect(again.pending.find((p) => p.caseId === caseId)).toMatchObject({ decidedOn: '2026-11-24' })
    expect(
      (await t.call('cases.deadlines', {}, s.jilu)).items.some(
        (i) => i.caseId === caseId && i.kind === 'disclosure',
      ),
    ).toBe(true)

    // The review records, the rounds and the disclosure travel in the case's archive package.
    await t.call('cases.archiveException', { caseId, reason: '测试：材料齐全前先行归档' }, s.fuze)
    const out = path.join(tempDir(), 'bag')
    const bag = await t.call('archive.build', { caseId, outDir: out }, s.jilu)
    const manifest = fs.readFileSync(path.join(bag.dir, 'manifest-sha256.txt'), 'utf8')
    expect(manifest).toContain(`${record.sha256}  data/3-`)
    expect(manifest).toMatch(/法制审核记录_v1_法制审核意见书_第1次\.pdf/)
    const meta = JSON.parse(fs.readFileSync(path.join(bag.dir, 'data/metadata/case.json'), 'utf8')) as {
      reviews: { opinion: string }[]
      disclosures: { status: string }[]
    }
    expect(meta.reviews.map((r) => r.opinion)).toEqual(['change', 'agree'])
    expect(meta.disclosures.map((d) => d.status)).toEqual(['withdrawn'])
  })

  test('a disputed opinion goes to a signed collective discussion that lets the decision proceed', async () => {
    const caseId = await newCase(true, 'organisation')
    const r = (
      await t.call('review.submit', { caseId, basis: ['complex'], proposal: '解除医保服务协议' }, s.jilu)
    ).review
    await t.call('review.assign', { reviewId: r.id, reviewerId: ids.fazhi! }, s.fazhi)
    await t.call(
      'review.opinion',
      {
        reviewId: r.id,
        checklist: checklist(['procedure']),
        opinion: 'correct',
        text: '未告知听证权利。',
        pin: '135790',
      },
      s.fazhi,
    )
    expect((await t.fail('review.discuss', { reviewId: r.id } as never, s.fuze)).code).toBe('VALIDATION')
    await t.call(
      'review.dispute',
      { reviewId: r.id, reason: '已于询问时当场告知并记录在询问笔录中。' },
      s.lijing,
    )
    const discussion = {
      reviewId: r.id,
      heldOn: '2026-11-24',
      participants: ['赵负责', '钱副局长', '孙科长'],
      conclusion: '经核查询问笔录，已履行告知义务，按承办机构意见作出决定。',
      outcome: 'proceed' as const,
      pin: '135790',
    }
    expect((await t.fail('review.discuss', discussion, s.jilu)).code).toBe('FORBIDDEN')
    // The head reads the 集体讨论记录 before signing it: marked 预览稿, nothing kept, the case still disputed.
    const { pin: _pin, ...discussionDraft } = discussion
    const preview = await t.call('review.previewDiscussion', discussionDraft, s.fuze)
    expect(preview.fileName).toBe('集体讨论记录_第1次审核.pdf')
    const previewText = pdfText(Buffer.from(preview.dataBase64, 'base64'))
    expect(previewText).toContain('预览稿：尚未签署')
    expect(previewText).toContain('已履行告知义务')
    expect((await t.call('cases.get', { caseId }, s.jilu)).textRecords).toHaveLength(1)
    expect((await t.fail('review.previewDiscussion', discussionDraft, s.jilu)).code).toBe('FORBIDDEN')
    const settled = (await t.call('review.discuss', discussion, s.fuze)).review
    expect(settled.status).toBe('passed')
    expect(settled.discussion?.recordId).toBeTruthy()
    const docsOfCase = (await t.call('cases.get', { caseId }, s.jilu)).textRecords
    expect(docsOfCase.map((d) => d.docType).sort()).toEqual(['collective_discussion', 'legal_review_record'])
    expect(docsOfCase.every((d) => d.signed)).toBe(true)
    await t.call('cases.update', { caseId, decidedOn: '2026-11-24' }, s.jilu)
    // An organisation's credit code is public register data and is published in full.
    const d = (await t.call('disclosure.draft', { caseId, conclusion: '解除医保服务协议。' }, s.fuze))
      .disclosure
    expect(d.subject).toBe('某大药房有限公司')
    expect((await t.fail('disclosure.approve', { disclosureId: d.id }, s.fuze)).code).toBe('SELF_DECISION')
  })

  test('the review catalogue is the agency’s; Hebei’s rule puts every penalty case in scope', async () => {
    const caseId = await newCase(false)
    await t.call('cases.update', { caseId, stage: 'investigation' }, s.jilu)
    const scope = await t.call('review.scope', {}, s.jilu)
    expect(scope.items.map((i) => i.code)).toEqual([
      'large_amount',
      'hearing_termination',
      'complex',
      'public_interest',
      'statutory',
    ])
    await t.call('review.setScope', { ...scope, allPenalties: true }, s.admin)
    expect((await t.fail('cases.update', { caseId, decidedOn: '2026-11-23' }, s.jilu)).code).toBe(
      'REVIEW_REQUIRED',
    )
    // Under the rule a penalty needs no catalogue criterion to be submitted.
    await t.call('review.submit', { caseId, basis: [], proposal: '警告' }, s.jilu)
    await t.call('review.setScope', { ...scope, allPenalties: false }, s.admin)
  })
})

describe('review deadlines on the official calendar', () => {
  test('a review received just before Spring Festival 2026 is due on the hand-computed day', async () => {
    const t = testCore()
    const admin = await t.adminSession()
    const officers = await Promise.all(
      ['a1', 'a2'].map((u) => t.userSession(admin, u, ['enforcement_officer'])),
    )
    const jilu = await t.userSession(admin, 'jilu', ['records_officer'])
    const fazhi = await t.userSession(admin, 'fazhi', ['legal_reviewer'])
    const fuze = await t.userSession(admin, 'fuze', ['approver'])
    // Tuesday 10 February 2026, 10:00 in Beijing.
    t.clock.advance(Date.parse('2026-02-10T02:00:00Z') - t.clock.now().getTime())
    const c = await t.call(
      'cases.create',
      {
        type: 'penalty',
        cause: '串换药品',
        source: 'ex_officio',
        party: { kind: 'organisation', name: '某药店' },
        handlerIds: officers.map((o) => o.user.id),
        major: true,
      },
      jilu.session,
    )
    const r = (
      await t.call(
        'review.submit',
        { caseId: c.case.id, basis: ['large_amount'], proposal: '罚款 10 万元' },
        jilu.session,
      )
    ).review
    /*
     * By hand, from the State Council's 2026 notice (Spring Festival off 15–23 February, working Saturdays 14 and
     * 28 February): day 1 Wed 11, 2 Thu 12, 3 Fri 13, 4 Sat 14 (working), holiday 15–23, 5 Tue 24, 6 Wed 25,
     * 7 Thu 26, 8 Fri 27, 9 Sat 28 (working), 10 Mon 2 March. Plain weekdays would give Tue 24 February.
     */
    expect(r).toMatchObject({ receivedOn: '2026-02-10', dueOn: '2026-03-02', dueUncertain: false })
    await t.call('review.assign', { reviewId: r.id, reviewerId: fazhi.user.id }, fuze.session)
    await t.call('review.extend', { reviewId: r.id, reason: '春节假期后补充材料' }, fazhi.session)
    // Extended by 10 working days from 2 March: 3, 4, 5, 6, 9, 10, 11, 12, 13, 16 March.
    const e = (await t.call('review.decideExtension', { reviewId: r.id, approve: true }, fuze.session)).review
    expect(e.dueOn).toBe('2026-03-16')
    const due = (await t.call('cases.deadlines', {}, jilu.session)).items.find((i) => i.kind === 'review')
    expect(due).toMatchObject({ caseNo: c.case.caseNo, due: '2026-03-16' })
  })
})

describe('redaction', () => {
  test('ID numbers keep only region and the last four; names follow the rule; text is scrubbed', () => {
    expect(maskResidentId(PERSON_ID)).toBe('110105********002X')
    expect(maskResidentId('110105491231002')).toBe('110105******002')
    expect(maskName('张三丰', 'surname')).toBe('张某某')
    expect(maskName('李四', 'surname')).toBe('李某')
    expect(maskName('李四', 'full')).toBe('李四')
    expect(maskName('李四', 'hidden')).not.toContain('李')
    const text = scrubText(
      `当事人李四，身份证号${PERSON_ID.toLowerCase()}，联系电话${MOBILE}。`,
      ['李四'],
      'surname',
    )
    expect(text).toBe('当事人李某，身份证号110105********002x，联系电话139****5678。')
    // A credit code (letters inside) is not an ID number and is left alone.
    expect(scrubText('统一社会信用代码91350100M000100Y43', [], 'surname')).toContain('91350100M000100Y43')
  })
})

describe('review and disclosure through the CLI', () => {
  const data = path.join(tempDir(), 'agency')
  const as = (user: string, pw: string, extra: Record<string, string> = {}) => ({
    LIUHEN_PASSWORD: pw,
    LIUHEN_USER: user,
    ...extra,
  })
  const JILU = as('jilu', 'Jilu2026pw')
  const LIJING = as('lijing', 'Officer2026pw')
  const FAZHI = as('fazhi', 'Fazhi2026pw', { LIUHEN_PIN: '246810' })
  const FUZE = as('fuze', 'Fuze2026pw')

  test('submit, a refused reviewer, 变更, resubmission, extension, 同意, decision, disclosure export without ID numbers', () => {
    cliAgency(
      data,
      [
        ['lijing', '李静', 'enforcement_officer', '35010023', 'Officer2026pw'],
        ['zhangwei', '张伟', 'enforcement_officer,legal_reviewer', '35010024', 'Officer2026pw'],
        ['jilu', '王记录', 'records_officer', '', 'Jilu2026pw'],
        ['fazhi', '孙法制', 'legal_reviewer', '', 'Fazhi2026pw'],
        ['fuze', '赵负责', 'approver', '', 'Fuze2026pw'],
      ],
      { user: 'fazhi', pin: '246810' },
    )
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
            '虚构医疗服务',
            '--party-kind',
            'person',
            '--party',
            '张三丰',
            '--party-id',
            PERSON_ID,
            '--handlers',
            'lijing,zhangwei',
            '--major',
            '--json',
          ],
          JILU,
        ),
      ),
    )
    const no = created.case.caseNo
    const review = (args: string[], env: Record<string, string>) =>
      runLiuhen(['review', ...args, '--data', data, '--case', no], env)
    ok(review(['submit', '--basis', 'large_amount', '--proposal', '罚款 25 万元'], LIJING))
    const refused = review(['assign', '--reviewer', 'zhangwei'], FUZE)
    expect(refused.status).toBe(1)
    expect(refused.stderr).toContain('张伟 参与过本案的执法，不能对本案进行法制审核')
    ok(review(['assign', '--reviewer', 'fazhi'], FUZE))
    const changed = ok(
      review(
        ['opinion', '--opinion', 'change', '--problems', 'handling', '--text', '罚款超出裁量基准'],
        FAZHI,
      ),
    )
    expect(changed.stdout).toContain('已退回')
    const early = runLiuhen(['case', 'update', no, '--data', data, '--decided-on', '2026-11-23'], JILU)
    expect(early.status).toBe(1)
    expect(early.stderr).toContain('法制审核通过前不能作出决定')
    ok(
      review(
        ['submit', '--basis', 'large_amount', '--proposal', '罚款 20 万元', '--changes', '已调整为 20 万元'],
        LIJING,
      ),
    )
    ok(review(['assign', '--reviewer', 'fazhi'], FUZE))
    ok(review(['extend', '--reason', '需补充结算数据'], FAZHI))
    expect(ok(review(['extend', '--approve'], FUZE)).stdout).toContain('已批准延期')
    ok(review(['opinion', '--opinion', 'agree', '--text', '同意', '--na', 'crime'], FAZHI))
    const shown = lastJson<{
      passed: boolean
      reviews: { opinion: string; checklist: { result: string }[] }[]
    }>(ok(review(['show', '--json'], JILU)))
    expect(shown.passed).toBe(true)
    expect(shown.reviews.map((r) => r.opinion)).toEqual(['change', 'agree'])
    expect(shown.reviews[1]!.checklist.filter((c) => c.result === 'na')).toHaveLength(1)
    ok(runLiuhen(['case', 'update', no, '--data', data, '--decided-on', '2026-11-23'], JILU))

    const disclosure = (args: string[], env: Record<string, string>) =>
      runLiuhen(['disclosure', ...args, '--data', data], env)
    ok(
      disclosure(
        [
          'draft',
          '--case',
          no,
          '--conclusion',
          `张三丰（${PERSON_ID}）虚构医疗服务，罚款 20 万元`,
          '--decision-no',
          '罚〔2026〕1号',
        ],
        JILU,
      ),
    )
    ok(disclosure(['approve', '--case', no], FUZE))
    const dir = tempDir('liuhen-portal-')
    for (const format of ['json', 'csv', 'html']) {
      const file = path.join(dir, `out.${format}`)
      ok(disclosure(['export', '--format', format, '--out', file], JILU))
      const text = fs.readFileSync(file, 'utf8')
      expect(text).not.toContain(PERSON_ID)
      expect(text).toContain('110105********002X')
    }
    const pdf = path.join(dir, 'stats.pdf')
    const stats = lastJson<{ review: { opinions: Record<string, number> }; disclosure: { onTime: number } }>(
      ok(runLiuhen(['stats', '--data', data, '--year', '2026', '--pdf', pdf, '--json'], FUZE)),
    )
    expect(stats.review.opinions).toEqual({ change: 1, agree: 1 })
    expect(stats.disclosure.onTime).toBe(1)
    const pdfText = spawnSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).stdout
    expect(pdfText).toContain('执法统计')
    expect(pdfText).toContain('法制审核')
  })
})
