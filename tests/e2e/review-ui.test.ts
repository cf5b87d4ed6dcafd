import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { REVIEW_CHECKS } from '../../shared/review.ts'
import {
  callOk,
  readyAdmin,
  readyUser,
  rpc,
  startBridgeProcess,
  tempDir,
  type RunningBridge,
} from '../helpers/bridge.ts'
import {
  keepFailureScreen,
  fillDay,
  launchChromium,
  screenshotPath,
  answerConfirm,
  signInAs,
  signOut,
  statsOnScreen,
  testPage,
  watchedPage,
} from '../helpers/browser.ts'

/*
 * 法制审核 and 公示 in the app: the records officer sends a major penalty case for review; the legal reviewer cannot
 * pick a colleague who handled the case (and the core refuses him), opines 变更 with the ten points; the case is
 * resubmitted and approved; the decision is recorded, the disclosure drafted (the core redacts the ID number and
 * the name), approved by the head and exported for the portal without a full ID number.
 */

const PERSON_ID = '11010519491231002X'
let bridge: RunningBridge
let browser: Browser
let page: Page
let caseId = ''
let caseNo = ''
let zhangweiId = ''
let sessions: Record<'jilu' | 'lijing' | 'fazhi' | 'lijingId', string>
const problems: string[] = []
const call = (method: string, input: unknown, session?: string) => callOk(bridge, method, input, session)
const signIn = (username: string, name: string) => signInAs(page, bridge.launchUrl, username, name)

beforeAll(async () => {
  bridge = await startBridgeProcess()
  const admin = await readyAdmin(bridge)
  const user = (username: string, displayName: string, roles: string[], badgeNo?: string) =>
    readyUser(bridge, admin, { username, displayName, roles, ...(badgeNo ? { badgeNo } : {}) })
  const lijing = await user('lijing', '李静', ['enforcement_officer'], '35010023')
  const zhangwei = await user('zhangwei', '张伟', ['enforcement_officer', 'legal_reviewer'], '35010024')
  zhangweiId = zhangwei.id
  const jilu = await user('jilu', '王记录', ['records_officer'])
  const fazhi = await user('fazhi', '孙法制', ['legal_reviewer'])
  const fuze = await user('fuze', '赵负责', ['approver'])
  await call('ca.init', { passphrase: 'RootPass2026' }, admin)
  await call('ca.issue', { userId: fazhi.id, rootPassphrase: 'RootPass2026', pin: '135790' }, admin)
  await call('ca.issue', { userId: fuze.id, rootPassphrase: 'RootPass2026', pin: '135790' }, admin)
  sessions = { jilu: jilu.session, lijing: lijing.session, fazhi: fazhi.session, lijingId: lijing.id }
  const created = (await call(
    'cases.create',
    {
      type: 'penalty',
      cause: '虚构医疗服务骗取医保基金',
      source: 'complaint',
      party: { kind: 'person', name: '张三丰', idNo: PERSON_ID },
      handlerIds: [lijing.id, zhangwei.id],
      major: true,
    },
    jilu.session,
  )) as { case: { id: string; caseNo: string } }
  caseId = created.case.id
  caseNo = created.case.caseNo
  const docs = tempDir('liuhen-reviewui-docs-')
  for (const [name, docType] of [
    ['询问笔录.pdf', 'inquiry_record'],
    ['事先告知书.pdf', 'rights_notice'],
  ] as const) {
    fs.writeFileSync(path.join(docs, name), `%PDF-1.4\n% ${name}\n%%EOF\n`)
    await call('textRecords.add', { caseId, docType, filePath: path.join(docs, name) }, jilu.session)
  }
  browser = await launchChromium()
  page = await watchedPage(browser, problems)
})

keepFailureScreen(() => page)
afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

async function giveOpinion(opinion: string, text: string, problem?: [string, string]) {
  const work = page.getByTestId('review-work')
  if (problem) {
    await work.locator(`input[name=check-${problem[0]}][value=problem]`).check()
    await work.locator(`input[name=note-${problem[0]}]`).fill(problem[1])
  }
  await work.locator('select[name=opinion]').selectOption({ label: opinion })
  await work.locator('textarea[name=opinionText]').fill(text)
  await work.locator('input[name=reviewPin]').fill('135790')
}

describe('法制审核与公示', () => {
  test('变更 → resubmission → 同意 → decision → disclosure approved and exported; a reviewer who handled the case is refused', async () => {
    // The records officer sends the case for review.
    await signIn('jilu', '王记录')
    await page.goto(`${bridge.launchUrl.split('#')[0]}#/cases/${caseId}`)
    const panel = page.getByTestId('case-review')
    await panel.getByText('须经法制审核后才能作出决定').waitFor()
    expect(await panel.getByRole('button', { name: '记录决定日期' }).count()).toBe(0)
    await panel.locator('input[name=basis-large_amount]').check()
    await panel.locator('textarea[name=proposal]').fill('责令退回医保基金 12.6 万元，并处罚款 25.2 万元')
    await page.screenshot({ path: screenshotPath('29-review-submit'), fullPage: true })
    await panel.getByRole('button', { name: '送法制审核' }).click()
    await panel.getByText('待分配').waitFor()
    await signOut(page)

    // The legal reviewer: 张伟 handled the case — offered only as not selectable, and refused by the core.
    await signIn('fazhi', '孙法制')
    await page.getByRole('navigation').getByText('法制审核', { exact: true }).click()
    await page.getByTestId('review-queue').getByRole('button', { name: '办理' }).click()
    const work = page.getByTestId('review-work')
    const involved = work.locator('select[name=reviewer] option', { hasText: '张伟' })
    await expect.poll(() => involved.textContent()).toContain('参与过本案，不能审核')
    expect(await involved.isDisabled()).toBe(true)
    const reviewId = (
      (await call('review.get', { caseId }, await sessionOf('jilu'))) as { reviews: { id: string }[] }
    ).reviews[0]!.id
    const refused = (
      await rpc(bridge, {
        method: 'review.assign',
        input: { reviewId, reviewerId: zhangweiId },
        session: await sessionOf('fazhi'),
      })
    ).json as { ok: boolean; error: { code: string } }
    expect(refused).toMatchObject({ ok: false, error: { code: 'REVIEWER_INVOLVED' } })
    await work.locator('select[name=reviewer]').selectOption({ label: '孙法制' })
    await work.getByRole('button', { name: '分配审核人员' }).click()
    await work.getByRole('button', { name: '签署审核意见' }).waitFor()
    await giveOpinion('变更', '罚款数额超出本机关裁量基准，建议变更为 20 万元。', [
      'handling',
      '超出裁量基准',
    ])
    await page.screenshot({ path: screenshotPath('30-review-opinion-change'), fullPage: true })
    // Signing shows the 法制审核意见书 first, drawn page by page and marked 预览稿; cancelling signs nothing.
    await work.getByRole('button', { name: '签署审核意见' }).click()
    const preview = page.getByRole('alertdialog')
    await preview.getByRole('heading', { name: '签署前核对法制审核意见书' }).waitFor()
    await preview.locator('.viewer-page canvas[data-rendered=true]').first().waitFor()
    expect(await preview.getByTestId('viewer-pages').textContent()).toMatch(/共 \d+ 页/)
    await page.screenshot({ path: screenshotPath('30b-review-opinion-preview') })
    expect(await answerConfirm(page, '确认签署', false)).toContain('不能修改或撤回')
    expect(await page.getByTestId('review-queue').getByText('已退回').count()).toBe(0)
    await work.getByRole('button', { name: '签署审核意见' }).click()
    await answerConfirm(page, '确认签署')
    await page.getByTestId('review-queue').getByText('已退回').waitFor()
    await page.getByTestId('done-notice').getByText('已签署第 1 次送审的《法制审核意见书》').waitFor()
    await signOut(page)

    // Back to the records officer: the opinion is on the case, signed; resubmitted after the change.
    await signIn('jilu', '王记录')
    await page.goto(`${bridge.launchUrl.split('#')[0]}#/cases/${caseId}`)
    await panel.getByText('罚款数额超出本机关裁量基准').waitFor()
    await page.getByRole('cell', { name: '法制审核记录' }).waitFor()
    await panel.locator('input[name=basis-large_amount]').check()
    await panel.locator('textarea[name=proposal]').fill('责令退回医保基金 12.6 万元，并处罚款 20 万元')
    await panel.locator('textarea[name=changes]').fill('按审核意见将罚款调整为 20 万元。')
    await page.screenshot({ path: screenshotPath('31-review-resubmit'), fullPage: true })
    await panel.getByRole('button', { name: '处理后重新送审' }).click()
    await panel.getByText('第 2 次送审').waitFor()
    await signOut(page)

    // The reviewer agrees.
    await signIn('fazhi', '孙法制')
    await page.getByRole('navigation').getByText('法制审核', { exact: true }).click()
    await page.getByTestId('review-queue').getByRole('button', { name: '办理' }).click()
    await work.locator('select[name=reviewer]').selectOption({ label: '孙法制' })
    await work.getByRole('button', { name: '分配审核人员' }).click()
    await work.getByRole('button', { name: '签署审核意见' }).waitFor()
    await giveOpinion('同意', '事实清楚，证据确凿，适用法律正确，程序合法，同意。')
    await work.getByRole('button', { name: '签署审核意见' }).click()
    await answerConfirm(page, '确认签署')
    await page.getByTestId('review-queue').getByText('审核通过').waitFor()
    await page.getByTestId('review-queue').getByRole('button', { name: '办理' }).click()
    await work.getByText('事实清楚，证据确凿').waitFor()
    await page.screenshot({ path: screenshotPath('32-review-passed'), fullPage: true })
    await signOut(page)

    // The decision is recorded; the disclosure is drafted with the party's ID number in the text.
    await signIn('jilu', '王记录')
    await page.goto(`${bridge.launchUrl.split('#')[0]}#/cases/${caseId}`)
    await panel.getByText('法制审核已通过，可以作出决定').waitFor()
    await fillDay(panel, 'decidedOn', '2026年11月23日')
    await panel.getByRole('button', { name: '记录决定日期' }).click()
    await panel.getByRole('link', { name: /本案公示/ }).click()
    const disclosure = page.getByTestId('disclosure-page')
    await disclosure.getByRole('button', { name: '起草公示' }).click()
    await disclosure
      .locator('textarea[name=conclusion]')
      .fill(`张三丰（身份证号 ${PERSON_ID}）虚构医疗服务，责令退回医保基金 12.6 万元，并处罚款 20 万元。`)
    await disclosure.locator('input[name=decisionNo]').fill(caseNo)
    await disclosure.getByRole('button', { name: '起草公示' }).last().click()
    const card = disclosure.getByTestId('disclosure')
    await card.getByText('待审批').waitFor()
    await card.getByText('110105********002X').first().waitFor()
    expect(await card.textContent()).not.toContain(PERSON_ID)
    expect(await card.textContent()).not.toContain('张三丰')
    await page.screenshot({ path: screenshotPath('33-disclosure-draft'), fullPage: true })
    await signOut(page)

    // The head approves and exports the page for the portal.
    await signIn('fuze', '赵负责')
    await page.getByRole('navigation').getByText('公示', { exact: true }).click()
    await card.getByRole('button', { name: '批准公示' }).click()
    await card.getByText('已批准').waitFor()
    const download = page.waitForEvent('download')
    await disclosure.getByRole('button', { name: '导出公示文件' }).click()
    const file = path.join(tempDir('liuhen-reviewui-export-'), 'portal.html')
    await (await download).saveAs(file)
    const html = fs.readFileSync(file, 'utf8')
    expect(html).toContain('110105********002X')
    expect(html).not.toContain(PERSON_ID)
    expect(html).not.toMatch(/\d{17}[\dXx]/)
    await disclosure.getByText(/已导出 1 条/).waitFor()
    await page.screenshot({ path: screenshotPath('34-disclosure-approved'), fullPage: true })
    const exported = await testPage(browser, { width: 1200, height: 500 })
    await exported.goto(`file://${file}`)
    await exported.screenshot({ path: screenshotPath('35-disclosure-portal-page') })
    await exported.close()

    // This year's statistics count the review rounds and the publication; the head exports the PDF report.
    await page.getByRole('navigation').getByText('统计', { exact: true }).click()
    const stats = page.getByTestId('stats')
    // The figures themselves, not only their labels: two rounds (变更, then 同意) both on time, one decision
    // published on time.
    await expect
      .poll(async () => {
        const shown = await statsOnScreen(page)
        return { review: shown['法制审核'], disclosure: shown['执法决定公示'] }
      })
      .toEqual({
        review: { '送审（轮次）': '2', 变更: '1', 同意: '1', 期限内出具意见: '2', 超期出具意见: '0' },
        disclosure: { 作出的决定: '1', 按期公示: '1', 逾期公示: '0', 尚未公示: '0', 撤下的公示: '0' },
      })
    const pdf = page.waitForEvent('download')
    await stats.getByRole('button', { name: '导出报告（PDF）' }).click()
    expect((await pdf).suggestedFilename()).toMatch(/^执法统计\d{4}\.pdf$/)
    await page.screenshot({ path: screenshotPath('36-stats-review-disclosure'), fullPage: true })
    await signOut(page)

    // The administrator keeps the agency's review catalogue and the name rule.
    await signInAs(page, bridge.launchUrl, 'admin', '陈建国', 'Admin2026ok')
    await page.getByRole('navigation').getByText('设置', { exact: true }).click()
    const settings = page.getByTestId('review-settings')
    await settings.locator('input[name=allPenalties]').check()
    await settings.getByRole('button', { name: '保存设置' }).click()
    await settings.getByText('已保存。').waitFor()
    await settings.scrollIntoViewIfNeeded()
    await settings.screenshot({ path: screenshotPath('37-settings-review-catalogue') })
    expect(problems).toEqual([])
  })

  test('a disputed opinion: the head reads the 集体讨论记录 before signing it; cancelling signs nothing', async () => {
    // Set up through the bridge: a second major case, sent back with 纠正, the handlers disagree.
    const other = (await call(
      'cases.create',
      {
        type: 'penalty',
        cause: '串换药品违规结算医保基金',
        source: 'complaint',
        party: { kind: 'organisation', name: '某大药房有限公司', idNo: '91350100M000100Y43' },
        handlerIds: [sessions.lijingId, zhangweiId],
        major: true,
      },
      sessions.jilu,
    )) as { case: { id: string; caseNo: string } }
    const submitted = (await call(
      'review.submit',
      { caseId: other.case.id, basis: ['complex'], proposal: '解除医保服务协议' },
      sessions.jilu,
    )) as { review: { id: string } }
    const reviewId = submitted.review.id
    const fazhiId = ((await call('auth.me', {}, sessions.fazhi)) as { user: { id: string } }).user.id
    await call('review.assign', { reviewId, reviewerId: fazhiId }, sessions.fazhi)
    const checklist = REVIEW_CHECKS.map((item) => ({ item, result: item === 'procedure' ? 'problem' : 'ok' }))
    await call(
      'review.opinion',
      { reviewId, checklist, opinion: 'correct', text: '未告知听证权利。', pin: '135790' },
      sessions.fazhi,
    )
    await call(
      'review.dispute',
      { reviewId, reason: '已于询问时当场告知并记录在询问笔录中。' },
      sessions.lijing,
    )

    await signOut(page)
    await signIn('fuze', '赵负责')
    await page.getByRole('navigation').getByText('法制审核', { exact: true }).click()
    await page
      .getByTestId('review-queue')
      .getByRole('row', { name: new RegExp(other.case.caseNo.replace(/[〔〕]/g, '.')) })
      .getByRole('button', { name: '办理' })
      .click()
    const form = page.getByRole('form', { name: '集体讨论' })
    await fillDay(form, 'heldOn', '2026-11-24')
    await form.locator('input[name=participants]').fill('赵负责、钱副局长、孙科长')
    await form
      .locator('textarea[name=conclusion]')
      .fill('经核查询问笔录，已履行告知义务，按承办机构意见作出决定。')
    await form.locator('input[name=discussionPin]').fill('135790')
    await form.locator('button[type=submit]').click()
    const preview = page.getByRole('alertdialog')
    await preview.getByRole('heading', { name: '签署前核对集体讨论记录' }).waitFor()
    await preview.locator('.viewer-page canvas[data-rendered=true]').first().waitFor()
    await page.screenshot({ path: screenshotPath('32b-review-discussion-preview') })
    expect(await answerConfirm(page, '确认签署', false)).toContain('不能修改或撤回')
    const state = async () =>
      (
        (await call('review.get', { caseId: other.case.id }, sessions.fazhi)) as {
          reviews: { status: string }[]
        }
      ).reviews[0]!.status
    expect(await state()).toBe('disputed')
    await form.locator('button[type=submit]').click()
    await answerConfirm(page, '确认签署')
    // The page says it once the signed record is stored (signing takes a while on a loaded machine).
    await page.getByTestId('done-notice').getByText('已签署第 1 次审核的《集体讨论记录》').waitFor()
    expect(await state()).toBe('passed')
    expect(problems).toEqual([])
  })
})

/** A fresh API session for a user, beside the browser's own. */
async function sessionOf(username: string): Promise<string> {
  return (await call('auth.signIn', { username, password: 'Zhengshi2026x' })).session as string
}
