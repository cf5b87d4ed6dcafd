import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  callOk,
  readyUser,
  readyAdmin,
  startBridgeProcess,
  tempDir,
  type RunningBridge,
  ingestThroughBridge,
} from '../helpers/bridge.ts'
import {
  keepFailureScreen,
  answerConfirm,
  launchChromium,
  screenshotPath,
  signInAs,
  signOut,
  watchedPage,
  videoPlaying,
} from '../helpers/browser.ts'
import { makeClip } from '../helpers/media.ts'

/* A records officer opens a case, tags an ingested video into it and plays it, in the real UI over the real core. */

let bridge: RunningBridge
let browser: Browser
let page: Page
const problems: string[] = []
const call = (method: string, input: unknown, session?: string) => callOk(bridge, method, input, session)
const user = (admin: string, username: string, displayName: string, roles: string[], badgeNo?: string) =>
  readyUser(bridge, admin, { username, displayName, roles, ...(badgeNo ? { badgeNo } : {}) })

beforeAll(async () => {
  const device = tempDir('liuhen-casesui-')
  makeClip(path.join(device, 'DCIM', 'ZD_20261122100000_0001.MP4'), {
    seconds: 4,
    creationTime: '2026-11-22T10:00:00Z',
  })
  bridge = await startBridgeProcess()
  const admin = await readyAdmin(bridge)
  await call('cases.numbering', { abbr: '榕医保' }, admin)
  await user(admin, 'lijing', '李静', ['enforcement_officer'], '35010023')
  await user(admin, 'zhangwei', '张伟', ['enforcement_officer'], '35010024')
  const jilu = (await user(admin, 'jilu', '王记录', ['records_officer'])).session
  await user(admin, 'fuze', '赵负责', ['approver'])
  await ingestThroughBridge(bridge, jilu, { sourceRoot: device, lateReason: '外出执法返回后导入' })

  browser = await launchChromium()
  page = await watchedPage(browser, problems, { width: 1400, height: 900 })
  await signInAs(page, bridge.launchUrl, 'jilu', '王记录')
})

keepFailureScreen(() => page)
afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

describe('案件 page', () => {
  test('a case is opened; a wrong credit code is caught while typing', async () => {
    await page.getByRole('navigation').getByText('案件', { exact: true }).click()
    await page.getByRole('link', { name: '新建案件' }).click()
    const form = page.getByRole('form', { name: '新建案件' })
    await form.locator('select[name=type]').selectOption('penalty')
    await form.locator('select[name=source]').selectOption('complaint')
    await form.locator('input[name=cause]').fill('定点药店串换药品违规结算医保基金')
    await form.locator('input[name=partyName]').fill('福州市鼓楼区某大药房有限公司')
    await form.locator('input[name=partyId]').fill('91350100M000100Y44')
    await form.getByRole('alert').filter({ hasText: '统一社会信用代码校验位不正确' }).waitFor()
    await form.locator('input[name=partyId]').fill('91350100M000100Y43')
    await form.getByLabel('李静').check()
    await form.getByLabel('张伟').check()
    await page.screenshot({ path: screenshotPath('15-case-new'), fullPage: true })
    await form.getByRole('button', { name: '立案' }).click()
    await page.getByTestId('case-page').waitFor()
    await expect(page.getByRole('heading', { level: 2 }).textContent()).resolves.toContain(
      '榕医保罚〔2026〕1号',
    )
    // A penalty case at its start: the filing approval form is already missing.
    await expect(page.getByTestId('case-check').textContent()).resolves.toContain('缺少文书：立案审批表')
  })

  test('an ingested video is tagged into the case and plays', async () => {
    const form = page.getByRole('form', { name: '标注音像记录到本案' })
    await form.getByLabel('ZD_20261122100000_0001.MP4').check()
    await form.locator('select[name=tagStage]').selectOption('investigation')
    await form.locator('select[name=actionType]').selectOption('sealing')
    await form.locator('input[name=tagPlace]').fill('福州市鼓楼区某大药房仓库')
    await form.locator('input[name=tagFact]').fill('查封涉案药品 12 箱')
    await form.getByLabel('李静').check()
    await form.getByRole('button', { name: '标注选中的 1 条记录' }).click()
    const records = page.getByTestId('case-records')
    await records.getByText('ZD_20261122100000_0001.MP4').waitFor()
    // Said once done, and still said when nothing is left to tag (the form itself is gone then).
    const notice = page.getByTestId('done-notice')
    await notice.getByText('已将 1 条音像记录标注到本案：调查取证 · 查封扣押。').waitFor()
    expect(await form.count()).toBe(0)
    // Sealing needs full recording, and this one was not marked so.
    await expect(page.getByTestId('case-check').textContent()).resolves.toContain(
      '查封扣押的音像记录未标明为全程记录',
    )
    await records.getByRole('button', { name: '播放' }).click()
    const video = page.getByTestId('video')
    await video.waitFor()
    // Playing, not just loaded.
    await videoPlaying(page)
    await page.getByTestId('player').scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('16-case-play'), fullPage: true })
    expect(problems).toEqual([])
  })

  test('moving on a stage asks first, says there is no way back, and cancelling changes nothing', async () => {
    const current = page.locator('ol.timeline li.current')
    await expect(current.textContent()).resolves.toBe('程序启动')
    const advance = page.getByRole('button', { name: '进入下一阶段：调查取证' })
    await advance.click()
    await page.screenshot({ path: screenshotPath('16b-case-advance-confirm') })
    expect(await answerConfirm(page, '确认进入下一阶段', false)).toContain('变更申请')
    await expect(current.textContent()).resolves.toBe('程序启动')
    await advance.click()
    expect(await answerConfirm(page, '确认进入下一阶段')).toContain('不能直接退回')
    await page.locator('ol.timeline li.current', { hasText: '调查取证' }).waitFor()
    expect(problems).toEqual([])
  })

  test('an approver records an archive exception only after a confirmation that shows the reason', async () => {
    const caseUrl = page.url()
    await signOut(page)
    await signInAs(page, bridge.launchUrl, 'fuze', '赵负责')
    await page.goto(caseUrl)
    const reason = '立案审批表原件在火灾中灭失，已附情况说明'
    await page.locator('input[name=exceptionReason]').fill(reason)
    await page.getByRole('button', { name: '登记例外' }).click()
    expect(await answerConfirm(page, '确认登记例外', false)).toContain('不能撤回')
    await expect(page.getByText('已登记归档例外').count()).resolves.toBe(0)
    await page.getByRole('button', { name: '登记例外' }).click()
    await expect(page.getByRole('alertdialog').textContent()).resolves.toContain(reason)
    await answerConfirm(page, '确认登记例外')
    await page.getByText(`已登记归档例外：${reason}`).waitFor()
    await signOut(page)
    await signInAs(page, bridge.launchUrl, 'jilu', '王记录')
    expect(problems).toEqual([])
  })

  test('the case list finds the case by a two-character word of its party', async () => {
    await page.goto(`${bridge.origin}/#/cases`)
    await page.fill('input[name=query]', '药房')
    await page.getByRole('button', { name: '查找' }).click()
    await page.getByTestId('case-list').getByText('榕医保罚〔2026〕1号').waitFor()
    await page.screenshot({ path: screenshotPath('17-case-list'), fullPage: true })
  })
})
