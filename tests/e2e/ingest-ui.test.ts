import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { callOk, readyAdmin, startBridgeProcess, tempDir, type RunningBridge } from '../helpers/bridge.ts'
import {
  keepFailureScreen,
  launchChromium,
  screenshotPath,
  signInAs,
  watchedPage,
} from '../helpers/browser.ts'
import { makeClip, randomFile, SAMPLES, sha256sum } from '../helpers/media.ts'

/* A records officer imports a folder device through the 采集 page and sees progress and the result. */

let bridge: RunningBridge
let browser: Browser
let page: Page
let device: string
let camera: string
let lsblkFile = ''
let lsblkPlugged = ''
const problems: string[] = []
const call = (method: string, input: unknown, session?: string) => callOk(bridge, method, input, session)

beforeAll(async () => {
  device = tempDir('liuhen-uidev-')
  makeClip(path.join(device, 'DCIM', 'ZD_20261120083015_0001.MP4'), {
    seconds: 3,
    creationTime: '2026-11-20T08:30:15Z',
  })
  makeClip(path.join(device, 'DCIM', 'ZD_20261120084500_0002.MP4'), {
    seconds: 2,
    creationTime: '2026-11-20T08:45:00Z',
  })
  for (const f of ['GoPro.jpg', 'Kodak.jpg'])
    fs.copyFileSync(path.join(SAMPLES, 'cameras', f), path.join(device, 'DCIM', f))
  randomFile(path.join(device, 'DCIM', 'ZD_20261120090000_0003.MP4'), 160 * 1024 * 1024)
  fs.writeFileSync(path.join(device, 'DCIM', 'empty.mp4'), '')
  fs.writeFileSync(path.join(device, 'readme.txt'), '执法记录仪说明')

  // The one fake: lsblk reporting a USB body camera mounted at a folder of ours.
  camera = tempDir('liuhen-camera-')
  makeClip(path.join(camera, 'DCIM', 'ZD_20261121101500_0001.MP4'), {
    seconds: 2,
    creationTime: '2026-11-21T10:15:00Z',
  })
  fs.writeFileSync(
    path.join(camera, 'DeviceInfo.txt'),
    '产品序号=DSJ-H8-2026-0001\n警号=350101\n姓名=李静\n单位=福州市医疗保障局\n',
  )
  const fakeLsblk = path.join(tempDir('liuhen-fake-'), 'lsblk')
  const lsblkJson = {
    blockdevices: [
      {
        name: 'sdb',
        path: '/dev/sdb',
        rm: true,
        hotplug: true,
        tran: 'usb',
        serial: 'DSJH82026000001',
        vendor: 'DSJ',
        model: 'H8 Body Camera',
        mountpoints: [null],
        children: [
          {
            name: 'sdb1',
            path: '/dev/sdb1',
            rm: true,
            uuid: '5E2A-11C0',
            label: 'ZFJLY',
            mountpoints: [camera],
            size: 64e9,
          },
        ],
      },
    ],
  }
  // The script reads its answer from a file, so a test can pull the camera out and plug it back in.
  lsblkFile = path.join(path.dirname(fakeLsblk), 'lsblk.json')
  lsblkPlugged = JSON.stringify(lsblkJson)
  fs.writeFileSync(lsblkFile, lsblkPlugged)
  fs.writeFileSync(fakeLsblk, `#!/bin/sh\ncat '${lsblkFile}'\n`, { mode: 0o755 })
  bridge = await startBridgeProcess(undefined, { LIUHEN_LSBLK: fakeLsblk })
  const admin = await readyAdmin(bridge)
  const created = await call(
    'users.create',
    { username: 'jilu', displayName: '王记录', roles: ['records_officer'], initialPassword: 'Linshi2026c' },
    admin,
  )
  // The agency root and the records officer's certificate: every import below is signed with PIN 246810.
  await call('ca.init', { passphrase: 'RootPass2026' }, admin)
  await call(
    'ca.issue',
    { userId: (created.user as { id: string }).id, rootPassphrase: 'RootPass2026', pin: '246810' },
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

describe('采集 page', () => {
  test('a plugged-in body camera appears with its GA/T 947 identity and is imported as itself', async () => {
    await page.getByRole('navigation').getByText('采集', { exact: true }).click()
    const card = page.locator('.device-card', { hasText: 'ZFJLY' })
    await card.waitFor()
    await expect(card.textContent()).resolves.toContain('DSJ-H8-2026-0001')
    await expect(card.textContent()).resolves.toContain('未登记')
    await page.screenshot({ path: screenshotPath('09-ingest-device') })
    await card.getByRole('button', { name: '查看文件' }).click()
    await page.getByTestId('scan').waitFor()
    await expect(card.textContent()).resolves.toContain('已登记')
    await page.fill('input[name=pin]', '246810')
    await page.getByRole('button', { name: '开始导入' }).click()
    const banner = page.getByTestId('results').getByRole('status')
    await banner.filter({ hasText: '新入库 1' }).waitFor({ timeout: 60_000 })
    await expect(page.getByTestId('results').textContent()).resolves.toContain('2026-11-21 10:15:00')
  })

  test('a folder device is scanned, imported with progress, and every file accounted for', async () => {
    await page.getByRole('navigation').getByText('采集', { exact: true }).click()
    await page.getByRole('heading', { name: '采集' }).waitFor()
    await page.fill('input[name=folder]', device)
    await page.getByRole('button', { name: '查看文件' }).last().click()
    await page.getByTestId('scan').waitFor()
    await expect(page.getByTestId('scan').textContent()).resolves.toContain('6 个待导入')
    await page.fill('input[name=place]', '福州市鼓楼区某定点药店')
    await page.fill('input[name=pin]', '246810')
    await page.screenshot({ path: screenshotPath('10-ingest-scan'), fullPage: true })
    await page.getByRole('button', { name: '开始导入' }).click()
    await page.getByTestId('job').filter({ hasText: device }).waitFor()
    await page.screenshot({ path: screenshotPath('11-ingest-progress') })
    const banner = page.getByTestId('results').getByRole('status')
    // Wait for this job's own summary: the previous job's banner is on screen until the new results replace it.
    await banner.filter({ hasText: '新入库 6' }).waitFor({ timeout: 90_000 })
    await expect(banner.textContent()).resolves.toContain('导入完成')
    // Thumbnails arrive after the copy.
    await page.getByTestId('results').locator('img.thumb').first().waitFor({ timeout: 30_000 })
    await page.screenshot({ path: screenshotPath('12-ingest-result'), fullPage: true })
    const text = (await page.getByTestId('results').textContent()) ?? ''
    expect(text).toContain('不是音视频或照片文件')
    expect(text).toContain('空文件')
    expect(text).toContain(sha256sum(path.join(device, 'DCIM', 'GoPro.jpg')).slice(0, 12))
    // No metadata in a damaged clip: the time in its file name is used.
    expect(text).toContain('2026-11-20 09:00:00')
    expect(problems).toEqual([])
  })

  test('a record is verified in place: content, signature, signer, chain, time-stamp and revocation', async () => {
    const results = page.getByTestId('results')
    const row = results.locator('tr', { hasText: 'GoPro.jpg' })
    await row.getByRole('button', { name: '验证签名' }).click()
    const report = results.getByTestId('verify-report')
    await report.waitFor()
    const text = (await report.textContent()) ?? ''
    expect(text).toContain('验证通过')
    expect(text).toContain('与入库时的哈希一致')
    expect(text).toContain('CN=王记录')
    expect(text).toContain('由本单位信任的根证书签发')
    expect(text).toContain('证书未被吊销')
    await report.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('13-verify-record'), fullPage: true })
    expect(problems).toEqual([])
  })

  test('pulling the camera out and plugging it back in is announced on any page', async () => {
    await page.getByRole('navigation').getByText('案件', { exact: true }).click()
    fs.writeFileSync(lsblkFile, JSON.stringify({ blockdevices: [] }))
    const toast = page.getByTestId('device-toast')
    await toast.getByText('设备已拔出：ZFJLY').waitFor({ timeout: 20_000 })
    fs.writeFileSync(lsblkFile, lsblkPlugged)
    await toast.getByText('检测到设备：ZFJLY').waitFor({ timeout: 20_000 })
    await page.screenshot({ path: screenshotPath('48-device-toast') })
    await toast.getByRole('link', { name: '前往采集' }).click()
    await page.locator('.device-card', { hasText: 'ZFJLY' }).waitFor()
    expect(problems).toEqual([])
  })

  test('a screen left open reads the core at its own pace, not in a loop that feeds itself', async () => {
    // Seen once: every read set off a re-read of every query, for ever, and the bridge drowned. An idle 采集 page
    // asks for its devices every 3 s; a loop asks hundreds of times in the same wait. Load only lowers the count.
    for (const where of ['采集', '案件', '调阅', '统计']) {
      await page.getByRole('navigation').getByText(where, { exact: true }).click()
      await page.waitForLoadState('networkidle').catch(() => undefined)
      let calls = 0
      const count = (r: { url(): string }) => void (r.url().endsWith('/rpc') && calls++)
      page.on('request', count)
      await page.waitForTimeout(4000)
      page.off('request', count)
      expect(calls, `${where}: /rpc requests in 4 s while idle`).toBeLessThan(30)
    }
    expect(problems).toEqual([])
  })
})
