import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDemo, DEMO_PASSWORD } from '../../electron/cli/demo.ts'
import { startBridgeProcess, tempDir, type RunningBridge } from '../helpers/bridge.ts'
import { testClock } from '../helpers/clock.ts'
import {
  keepFailureScreen,
  launchChromium,
  screenshotPath,
  signInAs,
  signOut,
  statsOnScreen,
  watchedPage,
} from '../helpers/browser.ts'

/*
 * `liuhen demo`: a newcomer opens the demo agency and every page of the app has something real on it — the person
 * who works there signs in, the page shows the demo's own records, and a screenshot is kept.
 */

let bridge: RunningBridge
let browser: Browser
let page: Page
const problems: string[] = []

beforeAll(async () => {
  const dir = path.join(tempDir('liuhen-demo-ui-'), 'agency')
  await createDemo(dir, undefined, testClock.now)
  bridge = await startBridgeProcess(dir)
  browser = await launchChromium()
  page = await watchedPage(browser, problems)
})

keepFailureScreen(() => page)
afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

const visits: { user: string; name: string; pages: [nav: string, shows: string, shot: string][] }[] = [
  {
    user: 'jilu',
    name: '王记录',
    pages: [
      ['采集', '执法记录仪 ZD-01', '38-demo-ingest'],
      ['案件', '示医保罚〔2026〕2号', '39-demo-cases'],
      ['归档', '档案室 A 柜 1 层', '40-demo-archive'],
      ['公示', '张某某', '41-demo-disclosure'],
    ],
  },
  { user: 'fazhi', name: '孙法制', pages: [['法制审核', '示医保罚〔2026〕2号', '42-demo-review']] },
  {
    user: 'fuze',
    name: '赵负责',
    pages: [
      ['调阅', '案卷评查需要查看现场检查录像', '43-demo-access'],
      ['统计', '立案数', '44-demo-stats'],
    ],
  },
  { user: 'shenji', name: '周审计', pages: [['审计', '写入并登记光盘', '45-demo-audit']] },
  { user: 'admin', name: '陈建国', pages: [['设置', '孙法制', '46-demo-settings']] },
]

describe('the demo agency', () => {
  test('every page shows the demo’s own content', async () => {
    for (const v of visits) {
      await signInAs(page, bridge.launchUrl, v.user, v.name, DEMO_PASSWORD)
      for (const [nav, shows, shot] of v.pages) {
        await page.getByRole('navigation').getByText(nav, { exact: true }).click()
        await page.locator('main').getByText(shows).first().waitFor({ timeout: 30_000 })
        if (nav === '统计') {
          // The demo's own figures, not only their labels: five cases filed, six clips and a recording stored.
          const shown = await statsOnScreen(page)
          expect(shown['案件']?.['立案数']).toBe('5')
          expect(shown['24 小时内存储']?.['入库的音像记录']).toBe('7')
        }
        await page.screenshot({ path: screenshotPath(shot), fullPage: true })
      }
      await signOut(page)
    }
    // A case in the middle of its life: recordings with thumbnails, tags and signed documents.
    await signInAs(page, bridge.launchUrl, 'jilu', '王记录', DEMO_PASSWORD)
    await page.getByRole('navigation').getByText('案件', { exact: true }).click()
    await page.getByRole('link', { name: '示医保检〔2026〕1号' }).click()
    const casePage = page.getByTestId('case-page')
    await casePage.getByText('现场检查药品进销存与医保结算记录').first().waitFor()
    await casePage.getByText('已签名').first().waitFor()
    await expect
      .poll(() =>
        casePage
          .locator('img.thumb')
          .evaluateAll(
            (els) => els.filter((e) => (e as unknown as { naturalWidth: number }).naturalWidth > 0).length,
          ),
      )
      .toBeGreaterThanOrEqual(2)
    await page.screenshot({ path: screenshotPath('47-demo-case'), fullPage: true })
    expect(problems).toEqual([])
  })
})
