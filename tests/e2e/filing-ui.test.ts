import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import {
  callOk,
  readyAdmin,
  readyUser,
  startBridgeProcess,
  tempDir,
  type RunningBridge,
} from '../helpers/bridge.ts'
import {
  keepFailureScreen,
  launchChromium,
  screenshotPath,
  signInAs,
  watchedPage,
} from '../helpers/browser.ts'
import { makeClip } from '../helpers/media.ts'

/*
 * Issue 19, items 3 and 4 on the 采集 page at 1366×768: the case is picked from a searchable list and the
 * recordings land in it; late files are listed before import with one reason for all or one per file; a late
 * recording's reason is added after import on the recent list, and its flag clears.
 */

let bridge: RunningBridge
let browser: Browser
let page: Page
let device = ''
let later = ''
let caseId = ''
let caseNo = ''
let jilu = { id: '', session: '' }
const problems: string[] = []
const call = (method: string, input: unknown, session?: string) => callOk(bridge, method, input, session)

beforeAll(async () => {
  device = tempDir('liuhen-filing-ui-')
  makeClip(path.join(device, 'ZD_20261120083015_0001.MP4'), {
    seconds: 2,
    creationTime: '2026-11-20T08:30:15Z',
  })
  makeClip(path.join(device, 'ZD_20261120084500_0002.MP4'), {
    seconds: 2,
    creationTime: '2026-11-20T08:45:00Z',
  })
  makeClip(path.join(device, 'ZD_20261123071000_0003.MP4'), {
    seconds: 2,
    creationTime: '2026-11-23T07:10:00Z',
  })
  later = tempDir('liuhen-filing-ui-later-')
  makeClip(path.join(later, 'ZD_20261119100000_0004.MP4'), {
    seconds: 2,
    creationTime: '2026-11-19T10:00:00Z',
  })
  bridge = await startBridgeProcess()
  const admin = await readyAdmin(bridge)
  const a = await readyUser(bridge, admin, {
    username: 'lijing',
    displayName: '李静',
    roles: ['enforcement_officer'],
    badgeNo: '35010023',
  })
  const b = await readyUser(bridge, admin, {
    username: 'zhangwei',
    displayName: '张伟',
    roles: ['enforcement_officer'],
    badgeNo: '35010024',
  })
  jilu = await readyUser(bridge, admin, {
    username: 'jilu',
    displayName: '王记录',
    roles: ['records_officer'],
  })
  for (const cause of ['定点药店串换药品违规结算', '定点医疗机构日常监督检查']) {
    const created = (await call(
      'cases.create',
      {
        type: 'penalty',
        cause,
        source: 'complaint',
        party: { kind: 'organisation', name: '福州市鼓楼区某大药房' },
        handlerIds: [a.id, b.id],
      },
      jilu.session,
    )) as { case: { id: string; caseNo: string } }
    if (cause.startsWith('定点药店')) ({ id: caseId, caseNo } = created.case)
  }
  browser = await launchChromium()
  page = await watchedPage(browser, problems, { width: 1366, height: 768 })
  await signInAs(page, bridge.launchUrl, 'jilu', '王记录')
})

keepFailureScreen(() => page)
afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

describe('filed at import, late reasons before and after', () => {
  test('the case is picked by part of its cause, late files get their reasons, and the recordings are in the case', async () => {
    await page.getByRole('navigation').getByText('采集', { exact: true }).click()
    await page.fill('input[name=folder]', device)
    await page.getByRole('button', { name: '查看文件' }).last().click()
    const late = page.getByTestId('late-files')
    await late.waitFor()
    await expect(late.textContent()).resolves.toContain('2 个文件拍摄已超过 24 小时')
    expect(await late.locator('tbody tr').count()).toBe(2)
    await late.locator('input[name=lateReason]').fill('连续外勤三天后返回')
    await page.fill('input[name="lateReason:ZD_20261120084500_0002.MP4"]', '记录仪遗留在执法车上')
    const option = page
      .getByTestId('case-picker')
      .getByRole('option', { name: new RegExp(caseNo.replace(/[〔〕]/g, '.')) })
    // The answer to the typed search is held back: the list still on screen answers an older search, and a click
    // on it could land on a row that moves when the answer comes (most likely how a loaded round picked nothing).
    await option.waitFor()
    let release = () => {}
    const held = new Promise<void>((r) => (release = r))
    let asked = () => {}
    const wasAsked = new Promise<void>((r) => (asked = r))
    // In place before the search is typed, so its request cannot pass before the hold.
    await page.route('**/rpc', async (route) => {
      const body = route.request().postData() ?? ''
      if (body.includes('"ingest.cases"') && body.includes('串换')) {
        asked()
        await held
      }
      await route.continue()
    })
    await page.fill('input[name=caseSearch]', '串换')
    await wasAsked
    await expect(option.isDisabled()).resolves.toBe(true)
    await expect(
      page.getByTestId('case-picker').getByRole('listbox').getAttribute('aria-busy'),
    ).resolves.toBe('true')
    release()
    await expect.poll(() => option.isEnabled()).toBe(true)
    await page.unroute('**/rpc')
    // Searching by cause lists the matching case only.
    await expect.poll(() => page.getByTestId('case-picker').getByRole('option').count()).toBe(1)
    await page.screenshot({ path: screenshotPath('60-filing-picker') })
    await option.click()
    await page.getByTestId('case-picked').getByText(caseNo).waitFor()
    await page.screenshot({ path: screenshotPath('61-filing-late'), fullPage: true })
    await page.getByRole('button', { name: '开始导入' }).click()
    const results = page.getByTestId('results')
    await results.getByRole('status').filter({ hasText: '新入库 3' }).waitFor({ timeout: 60_000 })
    await expect(
      results
        .getByTestId('filing')
        .filter({ hasText: `已归入 ${caseNo}` })
        .count(),
    ).resolves.toBe(3)
    await results.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('62-filing-result'), fullPage: true })
    const got = (await call('cases.get', { caseId }, jilu.session)) as { records: { originalName: string }[] }
    expect(got.records.map((r) => r.originalName).sort()).toEqual([
      'ZD_20261120083015_0001.MP4',
      'ZD_20261120084500_0002.MP4',
      'ZD_20261123071000_0003.MP4',
    ])
    const items = (await call('evidence.list', { limit: 10 }, jilu.session)) as {
      items: { originalName: string; lateReason: string | null }[]
    }
    const reason = (n: string) => items.items.find((e) => e.originalName === n)?.lateReason
    expect(reason('ZD_20261120083015_0001.MP4')).toBe('连续外勤三天后返回')
    expect(reason('ZD_20261120084500_0002.MP4')).toBe('记录仪遗留在执法车上')
    expect(reason('ZD_20261123071000_0003.MP4')).toBeNull()
    expect(problems).toEqual([])
  })

  test('a late recording imported without a reason gets one afterwards on the recent list; the flag clears', async () => {
    await page.fill('input[name=folder]', later)
    await page.getByRole('button', { name: '查看文件' }).last().click()
    await page.getByTestId('late-files').waitFor()
    await page.getByRole('button', { name: '开始导入' }).click()
    await page
      .getByTestId('results')
      .getByRole('status')
      .filter({ hasText: '新入库 1' })
      .waitFor({ timeout: 60_000 })
    const row = page.getByTestId('recent-records').locator('tr', { hasText: 'ZD_20261119100000_0004.MP4' })
    await row.waitFor()
    await expect(row.textContent()).resolves.toContain('待说明超时原因')
    await row.getByRole('button', { name: '填写原因' }).click()
    await row.locator('input[name=lateReasonAfter]').fill('设备故障送修')
    await row.getByRole('button', { name: '保存原因' }).click()
    await row.getByText('超时原因：设备故障送修').waitFor()
    await expect(row.textContent()).resolves.not.toContain('待说明超时原因')
    await row.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('63-late-reason-after') })
    expect(problems).toEqual([])
  })
})
