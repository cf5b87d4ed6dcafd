import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { REPO } from './bridge.ts'

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

/** A page whose console errors and uncaught exceptions are collected in `problems` (the tests expect none). */
export async function watchedPage(browser: Browser, problems: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' })
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  return page
}
