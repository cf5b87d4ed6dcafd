import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { callOk, readyAdmin, startBridgeProcess, tempDir, type RunningBridge } from '../helpers/bridge.ts'
import {
  keepFailureScreen,
  fillMoment,
  launchChromium,
  screenshotPath,
  signInAs,
  watchedPage,
} from '../helpers/browser.ts'
import { makeClip } from '../helpers/media.ts'

/*
 * Issue 19, capture time: the 采集 page shows a time conflict's two readings and the clock mode a file suggests,
 * and a records officer corrects a recording's time with a reason, seeing the original reading kept as version 1.
 */

let bridge: RunningBridge
let browser: Browser
let page: Page
let device: string
const problems: string[] = []
const call = (method: string, input: unknown, session?: string) => callOk(bridge, method, input, session)

beforeAll(async () => {
  device = tempDir('liuhen-timeui-')
  // True UTC, as its name shows: 08:30:15 in Beijing.
  makeClip(path.join(device, 'DCIM', '20261120_083015_0001.MP4'), { creationTime: '2026-11-20T00:30:15Z' })
  // Name and container 2 h 10 min apart: a conflict.
  makeClip(path.join(device, 'DCIM', '20261120_090000_0004.MP4'), { creationTime: '2026-11-20T03:10:00Z' })
  bridge = await startBridgeProcess()
  const admin = await readyAdmin(bridge)
  await call(
    'users.create',
    { username: 'jilu', displayName: '王记录', roles: ['records_officer'], initialPassword: 'Linshi2026c' },
    admin,
  )
  const s = (await call('auth.signIn', { username: 'jilu', password: 'Linshi2026c' })).session as string
  await call('auth.changePassword', { currentPassword: 'Linshi2026c', newPassword: 'Jilu2026ok' }, s)
  browser = await launchChromium()
  page = await watchedPage(browser, problems, { width: 1400, height: 900 })
  await signInAs(page, bridge.launchUrl, 'jilu', '王记录', 'Jilu2026ok')
})

keepFailureScreen(() => page)
afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

describe('capture time on the 采集 page', () => {
  test('the results show both readings of a conflict and the clock mode to register', async () => {
    await page.getByRole('navigation').getByText('采集', { exact: true }).click()
    await page.getByRole('heading', { name: '采集' }).waitFor()
    await page.fill('input[name=folder]', device)
    await page.getByRole('button', { name: '查看文件' }).last().click()
    await page.getByTestId('scan').waitFor()
    await page.getByRole('button', { name: '开始导入' }).click()
    await page
      .getByTestId('results')
      .getByRole('status')
      .filter({ hasText: '新入库 2' })
      .waitFor({ timeout: 60_000 })
    const results = page.getByTestId('results')
    const utc = results.locator('tr', { hasText: '20261120_083015_0001.MP4' })
    await expect(utc.textContent()).resolves.toContain('2026-11-20 08:30:15')
    await expect(utc.getByTestId('clock-suggestion').textContent()).resolves.toContain('UTC')
    const conflict = results.locator('tr', { hasText: '20261120_090000_0004.MP4' })
    const note = (await conflict.getByTestId('time-conflict').textContent()) ?? ''
    expect(note).toContain('文件容器：2026-11-20 03:10:00 (UTC+00:00)')
    expect(note).toContain('文件名：2026-11-20 09:00:00')
    await expect(conflict.textContent()).resolves.toContain('拍摄时间来源不一致')
    await results.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('70-capture-time-conflict'), fullPage: true })
  })

  test('a records officer corrects the time with a reason; the original reading stays as version 1', async () => {
    const recent = page.getByTestId('recent-records')
    await recent.waitFor()
    const row = recent.locator('tr', { hasText: '20261120_090000_0004.MP4' })
    await row.getByTestId('capture-time-fix').click()
    const form = row.getByTestId('capture-time-form')
    await fillMoment(form, 'captureStart', '2026-11-20T09:00:00')
    await form.locator('input[name=reason]').fill('记录仪时钟未校准，以文件名和执法记录为准')
    await form.getByRole('button', { name: '保存更正' }).click()
    const versions = form.getByTestId('capture-time-versions')
    await versions.locator('tr', { hasText: '第 2 版' }).waitFor()
    const text = (await versions.textContent()) ?? ''
    expect(text).toContain('原读数')
    expect(text).toContain('2026-11-20 03:10:00 (UTC+00:00)')
    expect(text).toContain('人工更正')
    expect(text).toContain('记录仪时钟未校准')
    // Typed as Beijing time, stored and shown as Beijing time (not 09:00 in the UTC the container stamp was read in).
    await expect(row.textContent()).resolves.toContain('2026-11-20 09:00:00人工更正')
    await expect(row.textContent()).resolves.not.toContain('拍摄时间来源不一致')
    await row.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('71-capture-time-corrected'), fullPage: true })
    expect(problems).toEqual([])
  })
})
