import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import { afterEach } from 'vitest'
import { REPO } from './bridge.ts'
import { testClock } from './clock.ts'

export const SCREENSHOTS = path.join(REPO, 'tests', 'e2e', 'screenshots')

/** Debian's Chromium, with the flags this closed network needs (no background connections). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--lang=zh-CN',
    ],
  })
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(SCREENSHOTS, { recursive: true })
  return path.join(SCREENSHOTS, `${name}.png`)
}

/** Sign in through the app's own form as a user readyUser made (password Zhengshi2026x). */
export async function signInAs(
  page: Page,
  launchUrl: string,
  username: string,
  name: string,
  password = 'Zhengshi2026x',
): Promise<void> {
  await page.goto(launchUrl)
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', password)
  await page.click('button[type=submit]')
  await page.getByRole('heading', { name: `${name}，您好` }).waitFor()
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: '退出登录' }).click()
  await page.locator('input[name=username]').waitFor()
}

/** A Chinese page whose clock is the test's, whatever the machine's date. */
export async function testPage(browser: Browser, viewport = { width: 1400, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport, locale: 'zh-CN' })
  await page.clock.install({ time: testClock.now() })
  return page
}

/**
 * A page (see testPage) whose console errors and uncaught exceptions are collected in `problems` (the tests
 * expect none).
 */
export async function watchedPage(
  browser: Browser,
  problems: string[],
  viewport = { width: 1400, height: 900 },
): Promise<Page> {
  const page = await testPage(browser, viewport)
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  return page
}

/** Wait until the page's <video> plays: enough data decoded and its clock moving (a function: the CSP forbids eval). */
export async function videoPlaying(page: Page): Promise<void> {
  type Video = { readyState: number; currentTime: number }
  await page.waitForFunction(
    () => {
      const v = (
        globalThis as unknown as { document: { querySelector(s: string): Video | null } }
      ).document.querySelector('video')
      return !!v && v.readyState >= 2 && v.currentTime > 0.3
    },
    undefined,
    { timeout: 30_000 },
  )
}

/** Move the test's clock forward for the core (every child process) and for the page at once. */
export async function advanceClock(page: Page, ms: number): Promise<void> {
  testClock.advance(ms)
  await page.clock.fastForward(ms)
}

/** The 统计 page as read off the screen: section title → row label → the figure shown. */
export async function statsOnScreen(page: Page): Promise<Record<string, Record<string, string>>> {
  const panels = page.getByTestId('stats').locator('.stats-grid > .panel')
  await panels.first().waitFor()
  const out: Record<string, Record<string, string>> = {}
  for (const panel of await panels.all()) {
    const title = (await panel.locator('h3').textContent())!.trim()
    const rows: Record<string, string> = {}
    for (const tr of await panel.locator('tr').all())
      rows[(await tr.locator('td').first().textContent())!.trim()] = (await tr
        .locator('td.num')
        .textContent())!.trim()
    for (const line of await panel.locator('p.stats-line').allTextContents()) {
      const [k, v] = line.split('：')
      rows[k!.trim()] = v!.trim()
    }
    out[title] = rows
  }
  return out
}

/** Types a day into one of our date controls and commits it with Enter, as a person would. */
export async function fillDay(scope: Locator, name: string, day: string): Promise<void> {
  const input = scope.locator(`input[name="${name}"]`)
  await input.fill(day)
  await input.press('Enter')
}

/** Types a Beijing wall time (`YYYY-MM-DDTHH:MM:SS`) into a date-and-time control: the day, then the time. */
export async function fillMoment(scope: Locator, name: string, wall: string): Promise<void> {
  await fillDay(scope, name, wall.slice(0, 10))
  const time = scope.locator(`input[name="${name}Time"]`)
  await time.fill(wall.slice(11, 19))
  await time.press('Tab')
}

/** The Beijing wall time some milliseconds from the test clock's now, for a date-and-time control. */
export function beijingWallIn(ms: number): string {
  return new Date(testClock.now().getTime() + ms + 8 * 3600_000).toISOString().slice(0, 19)
}

/**
 * Answers the confirmation an irreversible step opens: checks that it says what will happen, then clicks its
 * confirm button (or cancels). Returns the consequence as shown.
 */
export async function answerConfirm(page: Page, confirm: string, yes = true): Promise<string> {
  const dialog = page.getByRole('alertdialog')
  await dialog.waitFor()
  const consequence = (await dialog.locator('#confirm-consequence').textContent()) ?? ''
  await dialog.getByRole('button', { name: yes ? confirm : '取消', exact: true }).click()
  await dialog.waitFor({ state: 'detached' })
  return consequence
}

/**
 * When a browser test fails, what the page showed then: a screenshot `zz-<test>.png` (not kept in git) and the
 * page's error and status texts in the failure's log. A wait that timed out otherwise says only what it awaited.
 */
export function keepFailureScreen(page: () => Page | undefined): void {
  afterEach(async ({ task }) => {
    const p = page()
    if (task.result?.state !== 'fail' || !p || p.isClosed()) return
    const name = `zz-${task.name.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 60)}`
    await p.screenshot({ path: screenshotPath(name), fullPage: true }).catch(() => undefined)
    const said = await p
      .locator('.error, .bad-text, [role=alert], [role=status]')
      .allInnerTexts()
      .catch(() => [])
    process.stderr.write(`failed on screen (${name}.png): ${said.join(' | ') || 'no error or status text'}\n`)
  })
}
