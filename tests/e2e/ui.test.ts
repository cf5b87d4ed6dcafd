import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import path from 'node:path'
import { startBridgeProcess, tempDir, type RunningBridge } from '../helpers/bridge.ts'
import { keepFailureScreen, launchChromium, screenshotPath, testPage } from '../helpers/browser.ts'

/*
 * The real renderer (built by electron-vite) in Debian's Chromium, against the real core through the
 * loopback bridge. The steps build on each other like a records officer's first morning with Liuhen.
 */

let bridge: RunningBridge
let browser: Browser
let page: Page
const consoleProblems: string[] = []

const ADMIN = { username: 'admin', initial: 'Chushi2026a', changed: 'Xinmima2026b' }
const OFFICER = {
  username: 'lijing',
  name: '李静',
  badge: '35010023',
  initial: 'Linshi2026c',
  changed: 'Zhifa2026d',
}

async function signIn(username: string, password: string) {
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', password)
  await page.click('button[type=submit]')
}

async function changePassword(current: string, next: string) {
  await page.fill('input[name=currentPassword]', current)
  await page.fill('input[name=newPassword]', next)
  await page.fill('input[name=repeatPassword]', next)
  await page.click('button[type=submit]')
}

beforeAll(async () => {
  bridge = await startBridgeProcess()
  browser = await launchChromium()
  page = await testPage(browser, { width: 1280, height: 800 })
  // A CSP violation or an uncaught error in the renderer is a bug even when the screen looks right.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) consoleProblems.push(m.text())
  })
  page.on('pageerror', (e) => consoleProblems.push(e.message))
  await page.goto(bridge.launchUrl)
})

keepFailureScreen(() => page)
afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

describe('first morning with Liuhen', () => {
  test('first run asks for the agency and an administrator, in Chinese', async () => {
    await page.getByRole('heading', { name: '首次使用：创建机关和管理员' }).waitFor()
    expect(page.url()).not.toContain('token=')
    await page.fill('input[name=agencyName]', '福州市医疗保障局')
    await page.fill('input[name=agencyCode]', 'FZYBJ')
    await page.fill('input[name=adminDisplayName]', '陈建国')
    await page.fill('input[name=adminPassword]', ADMIN.initial)
    await page.screenshot({ path: screenshotPath('01-setup') })
    await page.click('button[type=submit]')
    await page.getByText('已创建。请使用管理员账号登录。').waitFor()
  })

  test('a wrong password is refused with a translated message', async () => {
    await signIn(ADMIN.username, 'Wrong2026x')
    await page.getByRole('alert').filter({ hasText: '用户名或密码错误。' }).waitFor()
    await page.screenshot({ path: screenshotPath('02-sign-in-error') })
  })

  test('the administrator must change the initial password at first sign-in', async () => {
    await signIn(ADMIN.username, ADMIN.initial)
    await page.getByText('这是您首次登录或密码已被重置').waitFor()
    // A weak password is refused by the core and the reason shown.
    await changePassword(ADMIN.initial, 'short')
    await page.getByRole('alert').filter({ hasText: '新密码不符合要求' }).waitFor()
    await page.screenshot({ path: screenshotPath('03-forced-password-change') })
    await changePassword(ADMIN.initial, ADMIN.changed)
    await page.getByRole('heading', { name: '陈建国，您好' }).waitFor()
    for (const label of ['案件', '调阅', '归档', '审计', '统计', '设置']) {
      await expect(page.getByRole('navigation').getByText(label, { exact: true }).count()).resolves.toBe(1)
    }
    // Separation of duties: the administrator does not import evidence. 采集 is in the menu for its 设备 tab only
    // (registering and retiring cameras is theirs); station-admin-ui.test.ts checks no import is offered there.
    await expect(page.getByRole('navigation').getByText('采集', { exact: true }).count()).resolves.toBe(1)
    await page.screenshot({ path: screenshotPath('04-home-admin') })
  })

  test('the administrator creates an enforcement officer', async () => {
    await page.getByRole('navigation').getByText('设置', { exact: true }).click()
    const form = page.getByRole('form', { name: '新增用户' })
    await form.locator('input[name=username]').fill(OFFICER.username)
    await form.locator('input[name=displayName]').fill(OFFICER.name)
    await form.locator('input[name=initialPassword]').fill(OFFICER.initial)
    await form.getByLabel('执法人员', { exact: true }).check()
    // Without the certificate number the core refuses, and says why.
    await form.locator('button[type=submit]').click()
    await page.getByRole('alert').filter({ hasText: '执法人员必须填写执法证号。' }).waitFor()
    await form.locator('input[name=badgeNo]').fill(OFFICER.badge)
    await form.locator('button[type=submit]').click()
    await page.getByText(`已创建用户 ${OFFICER.username}。`).waitFor()
    const row = page.getByTestId('users-table').locator('tr', { hasText: OFFICER.username })
    await expect(row.textContent()).resolves.toContain(OFFICER.badge)
    await expect(row.textContent()).resolves.toContain('待改密')
    await page.screenshot({ path: screenshotPath('05-user-created'), fullPage: true })
  })

  test('the administrator creates a 国密 root and issues the officer a signing certificate', async () => {
    const panel = page.getByTestId('certificates')
    await panel.getByText('尚未建立本单位根证书').waitFor()
    await panel.locator('select').first().selectOption('sm2')
    await panel.locator('input[name=rootPassphrase]').fill('RootPass2026')
    await panel.getByRole('button', { name: '创建根证书' }).click()
    const issue = page.getByRole('form', { name: '签发（或续期）签名证书' })
    await issue.waitFor()
    await issue
      .locator('select[name=holder]')
      .selectOption({ label: `${OFFICER.name}（${OFFICER.username}）` })
    await issue.locator('input[name=issueRootPassphrase]').fill('RootPass2026')
    await issue.locator('input[name=newPin]').fill('246810')
    await issue.getByRole('button', { name: '签发（或续期）签名证书' }).click()
    const row = panel.locator('tr', { hasText: OFFICER.name })
    await row.waitFor()
    await expect(row.textContent()).resolves.toContain('SM2 / SM3')
    await expect(row.textContent()).resolves.toContain('有效')
    await page.screenshot({ path: screenshotPath('14-certificates'), fullPage: true })
    // A backup to another folder, from the settings page.
    const backup = page.getByTestId('backup')
    await backup.locator('input[name=backupTarget]').fill(path.join(tempDir('liuhen-ui-backup-'), 'backup'))
    await backup.getByRole('button', { name: '开始备份' }).click()
    await backup.getByText('已备份到').waitFor()
    await page.screenshot({ path: screenshotPath('27-backup'), fullPage: true })
  })

  test('the audit trail shows what happened and its chain verifies', async () => {
    await page.getByRole('navigation').getByText('审计', { exact: true }).click()
    await page.getByText('新增用户', { exact: true }).first().waitFor()
    await page.getByRole('button', { name: '校验日志链' }).click()
    await page.getByTestId('verify-result').filter({ hasText: '日志链完整' }).waitFor()
    await page.screenshot({ path: screenshotPath('06-audit-verified') })
    // The integrity check over everything there is (no originals yet: rows, trail, signatures).
    await page.getByTestId('integrity').getByRole('button', { name: '全面校验' }).click()
    await page.getByTestId('integrity-result').filter({ hasText: '校验通过' }).waitFor()
    await page.screenshot({ path: screenshotPath('26-integrity-check'), fullPage: true })
  })

  test('an enforcement officer is denied the settings page', async () => {
    await page.getByRole('button', { name: '退出登录' }).click()
    await signIn(OFFICER.username, OFFICER.initial)
    await changePassword(OFFICER.initial, OFFICER.changed)
    await page.getByRole('heading', { name: `${OFFICER.name}，您好` }).waitFor()
    // The navigation does not offer what the role lacks...
    await expect(page.getByRole('navigation').getByText('设置', { exact: true }).count()).resolves.toBe(0)
    // 统计 follows stats.get, which the contract gives every role but this one (mayCall, not a list of its own).
    await expect(page.getByRole('navigation').getByText('统计', { exact: true }).count()).resolves.toBe(0)
    await expect(page.getByRole('navigation').getByText('案件', { exact: true }).count()).resolves.toBe(1)
    // ...and going there by address shows a clear refusal.
    await page.goto(`${bridge.origin}/#/settings`)
    await page.getByTestId('denied').waitFor()
    await expect(page.getByTestId('denied').textContent()).resolves.toContain('您的角色无权访问“设置”')
    await page.screenshot({ path: screenshotPath('07-denied-settings') })
  })

  test('the UI switches to English', async () => {
    await page.getByRole('combobox', { name: '语言' }).selectOption('en')
    await page.getByRole('heading', { name: 'Access denied' }).waitFor()
    await page.screenshot({ path: screenshotPath('08-english') })
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN')
  })

  test('the renderer ran without CSP violations or uncaught errors', () => {
    expect(consoleProblems).toEqual([])
  })
})
