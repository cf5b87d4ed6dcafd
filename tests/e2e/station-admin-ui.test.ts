import fs from 'node:fs'
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
  signOut,
  watchedPage,
} from '../helpers/browser.ts'
import { makeWav } from '../helpers/media.ts'

/*
 * Issue 19 at 1366×768: an administrator opens 采集 for its 设备 screen (and nothing to import), turns on
 * auto-import in 设置; then a registered camera "plugged in" — a folder appearing under the watched mount root —
 * imports itself, and its officer sees it on 采集 as a job of their own.
 */

let bridge: RunningBridge
let browser: Browser
let page: Page
let mounts = ''
const problems: string[] = []

beforeAll(async () => {
  mounts = tempDir('liuhen-mounts-')
  bridge = await startBridgeProcess(undefined, { LIUHEN_MOUNT_ROOT: mounts })
  const admin = await readyAdmin(bridge)
  const wang = await readyUser(bridge, admin, {
    username: 'wangfang',
    displayName: '王芳',
    roles: ['enforcement_officer'],
    badgeNo: '35010031',
  })
  await callOk(
    bridge,
    'devices.register',
    { kind: 'usb', identity: 'serial:DSJ-A-0031', label: '王芳的记录仪', officerUserId: wang.id },
    admin,
  )
  browser = await launchChromium()
  page = await watchedPage(browser, problems, { width: 1366, height: 768 })
})

keepFailureScreen(() => page)
afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

describe('administrators and auto-import', () => {
  test('an administrator reaches 采集 → 设备, with no import screen', async () => {
    await signInAs(page, bridge.launchUrl, 'admin', '陈建国', 'Admin2026ok')
    await page.getByRole('navigation').getByText('采集', { exact: true }).click()
    await page.getByTestId('devices').waitFor()
    await page.getByTestId('device-row').filter({ hasText: '王芳的记录仪' }).waitFor()
    await expect(page.getByRole('link', { name: '导入', exact: true }).count()).resolves.toBe(0)
    await expect(page.getByRole('button', { name: '开始导入' }).count()).resolves.toBe(0)
    await expect(page.getByRole('button', { name: '编辑' }).count()).resolves.toBeGreaterThan(0)
    await page.screenshot({ path: screenshotPath('86-devices-admin') })
    expect(problems).toEqual([])
  })

  test('设置 turns auto-import on', async () => {
    await page.getByRole('navigation').getByText('设置', { exact: true }).click()
    const box = page.locator('input[name=autoImport]')
    await expect(box.isChecked()).resolves.toBe(false)
    await box.check()
    await page.getByRole('button', { name: '保存', exact: true }).first().click()
    await page.getByText('已保存').first().waitFor()
    await box.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('87-settings-auto-import') })
    expect(problems).toEqual([])
  })

  test('the registered camera plugged in imports itself; its officer sees the job on 采集', async () => {
    await signOut(page)
    await signInAs(page, bridge.launchUrl, 'wangfang', '王芳')
    await page.getByRole('navigation').getByText('采集', { exact: true }).click()
    // Plugged in: the camera's volume appears under the watched root.
    const mount = path.join(mounts, 'ZFJLY31')
    makeWav(path.join(mount, 'RECORD', 'REC_0001.WAV'), 1)
    fs.writeFileSync(path.join(mount, 'DeviceInfo.txt'), '产品序号=DSJ-A-0031\n警号=35010031\n姓名=王芳\n')
    const job = page.getByTestId('job').filter({ hasText: '王芳的记录仪' })
    await job.waitFor()
    await job.getByTestId('job-state').filter({ hasText: '已完成' }).waitFor()
    await page.screenshot({ path: screenshotPath('88-auto-import-job') })
    expect(problems).toEqual([])
  })
})
