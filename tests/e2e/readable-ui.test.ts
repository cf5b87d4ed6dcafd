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
  testPage,
} from '../helpers/browser.ts'
import { rawCodesOnScreen, sidewaysOnScreen } from '../helpers/readable.ts'

/*
 * Issue 20, "readable everywhere": every page each role can open in the demo agency shows times as Beijing
 * `2026-12-02 06:28`, never an ISO timestamp, a UUID or a snake_case code; and at 1366×768 (the office laptop) and
 * 1920×1080 nothing on it needs scrolling sideways.
 */

let bridge: RunningBridge
let browser: Browser
let page: Page

beforeAll(async () => {
  const dir = path.join(tempDir('liuhen-readable-ui-'), 'agency')
  await createDemo(dir, undefined, testClock.now)
  bridge = await startBridgeProcess(dir)
  browser = await launchChromium()
  page = await testPage(browser, { width: 1366, height: 768 })
})

keepFailureScreen(() => page)
afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

const people = [
  { user: 'admin', name: '陈建国' },
  { user: 'jilu', name: '王记录' },
  { user: 'fazhi', name: '孙法制' },
  { user: 'fuze', name: '赵负责' },
  { user: 'shenji', name: '周审计' },
]
const viewports = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
]

describe('rendered text is for people', () => {
  test('the sideways check finds a wide page and a box that overflows (its control)', async () => {
    const probe = await testPage(browser, { width: 800, height: 600 })
    await probe.setContent(
      '<main><div class="wrap" style="overflow-x:auto;width:200px"><div style="width:500px">宽表格</div></div></main>',
    )
    expect(await sidewaysOnScreen(probe)).toEqual([expect.stringMatching(/^div\.wrap 500 > 200 \(宽表格\)/)])
    await probe.setContent('<main><div style="width:1200px">宽页面</div></main>')
    expect(await sidewaysOnScreen(probe)).toEqual([expect.stringMatching(/^page \d+ > 800/)])
    await probe.setContent('<main><div style="overflow-x:auto;width:200px">窄</div></main>')
    expect(await sidewaysOnScreen(probe)).toEqual([])
    await probe.close()
  })

  test('the raw-code check finds each kind of code, and passes Chinese text with file names (its control)', async () => {
    const probe = await testPage(browser, { width: 800, height: 600 })
    const codes = async (html: string) => {
      await probe.setContent(`<body>${html}</body>`)
      return rawCodesOnScreen(probe)
    }
    expect(await codes('<p>时间：2026-12-01T22:05:55.777Z</p>')).toEqual([expect.stringMatching(/^ISO:/)])
    expect(await codes('<p>案件 a25699a0-1b2c-4d5e-8f90-123456789abc</p>')).toEqual([
      expect.stringMatching(/^UUID:/),
    ])
    expect(await codes('<p>类型：legal_review_record</p>')).toEqual([expect.stringMatching(/^code:/)])
    expect(await codes('<p>缺少标注：collector,fact</p>')).toEqual([expect.stringMatching(/^codes:/)])
    expect(await codes('<p>ZD_20261120_0001.MP4 缺少标注：采集人、证明事项</p>')).toEqual([])
    await probe.close()
  })

  test('no page shows an ISO timestamp, a UUID or a snake_case code, or scrolls sideways', async () => {
    const problems: string[] = []
    let visited = 0
    for (const viewport of viewports)
      for (const who of people) {
        await page.setViewportSize(viewport)
        const at = viewport.width === 1366 ? '' : `-${viewport.width}`
        await signInAs(page, bridge.launchUrl, who.user, who.name, DEMO_PASSWORD)
        const nav = page.getByRole('navigation')
        // The menu's labels (a to-do badge beside one is not part of its name).
        const entries = await nav.locator('.nav-label').allInnerTexts()
        const visit = async (label: string) => {
          await page.waitForLoadState('networkidle').catch(() => undefined)
          await page.waitForTimeout(400)
          await page.screenshot({
            path: screenshotPath(`readable-${who.user}-${label}${at}`),
            fullPage: true,
          })
          for (const p of await rawCodesOnScreen(page)) problems.push(`${who.user} ${label}: ${p}`)
          for (const p of await sidewaysOnScreen(page))
            problems.push(`${who.user} ${label} at ${viewport.width}: ${p}`)
          visited += 1
        }
        await visit('home')
        for (const entry of entries.map((e) => e.trim()).filter((e) => e && e !== '退出登录')) {
          await nav
            .locator('.nav-label', { hasText: new RegExp(`^${entry}$`) })
            .first()
            .click()
          await visit(entry)
          if (entry === '案件') {
            // Every case's own page: recordings, documents, review, deadlines.
            const links = await page.locator('main a').evaluateAll((as) => as.map((a) => a.textContent ?? ''))
            for (const caseNo of links.filter((l) => /〔\d{4}〕\d+号/.test(l)).slice(0, 5)) {
              await page.getByRole('link', { name: caseNo }).first().click()
              await page.getByTestId('case-page').waitFor()
              await visit(`案件-${caseNo}`)
              await nav.getByText('案件', { exact: true }).first().click()
            }
          }
        }
        await signOut(page)
      }
    // Every role saw its pages at both sizes (a menu that failed to load would otherwise pass with nothing checked).
    expect(visited).toBeGreaterThanOrEqual(people.length * viewports.length * 3)
    expect(problems).toEqual([])
  })
})
