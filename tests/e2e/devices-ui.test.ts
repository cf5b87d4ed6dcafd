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
import { makeClip, randomFile } from '../helpers/media.ts'

/*
 * Issue 19's station screens at 1366×768: the 采集 → 设备 screen (register an attached camera, bind it, check its
 * clock, clear a verified folder, retire), two device folders importing at once each with its own bar, and the
 * filing-suggestion list accepted in one click, with the recordings nothing fits listed as 待归案.
 */

let bridge: RunningBridge
let browser: Browser
let page: Page
let folderA = ''
let folderB = ''
let caseId = ''
let caseNo = ''
let jilu = { id: '', session: '' }
const problems: string[] = []
const call = (method: string, input: unknown, session?: string) => callOk(bridge, method, input, session)

beforeAll(async () => {
  // Two cameras' cards copied to folders: 李静's (bound to her) and an unbound one.
  folderA = tempDir('liuhen-station-a-')
  makeClip(path.join(folderA, 'DCIM', 'ZD_20261120083015_0001.MP4'), {
    seconds: 2,
    creationTime: '2026-11-20T08:30:15Z',
  })
  randomFile(path.join(folderA, 'DCIM', 'ZD_20261120090000_0002.MP4'), 300 * 1024 * 1024)
  folderB = tempDir('liuhen-station-b-')
  makeClip(path.join(folderB, 'DCIM', 'ZD_20261121101500_0001.MP4'), {
    seconds: 2,
    creationTime: '2026-11-21T10:15:00Z',
  })
  randomFile(path.join(folderB, 'DCIM', 'ZD_20261121103000_0002.MP4'), 300 * 1024 * 1024)

  // The one fake: lsblk reporting a USB body camera (GA/T 947 DeviceInfo with its clock) mounted at a folder.
  const camera = tempDir('liuhen-station-cam-')
  makeClip(path.join(camera, 'DCIM', 'ZD_20261122101500_0001.MP4'), { seconds: 1 })
  fs.writeFileSync(
    path.join(camera, 'DeviceInfo.txt'),
    '产品序号=DSJ-H8-2026-0007\n警号=35010023\n姓名=李静\n单位=福州市医疗保障局\n当前时间=2026-11-23 16:00:30\n',
  )
  const lsblk = path.join(tempDir('liuhen-station-fake-'), 'lsblk')
  const doc = {
    blockdevices: [
      {
        name: 'sdc',
        rm: true,
        tran: 'usb',
        serial: 'DSJH82026000007',
        vendor: 'DSJ',
        model: 'H8 Body Camera',
        children: [
          { name: 'sdc1', rm: true, uuid: '7A1C-22D0', label: 'ZFJLY7', mountpoints: [camera], size: 64e9 },
        ],
      },
    ],
  }
  fs.writeFileSync(lsblk, `#!/bin/sh\necho '${JSON.stringify(doc)}'\n`, { mode: 0o755 })
  bridge = await startBridgeProcess(undefined, { LIUHEN_LSBLK: lsblk })
  const admin = await readyAdmin(bridge)
  const li = await readyUser(bridge, admin, {
    username: 'lijing',
    displayName: '李静',
    roles: ['enforcement_officer'],
    badgeNo: '35010023',
  })
  const zhang = await readyUser(bridge, admin, {
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
  const created = (await call(
    'cases.create',
    {
      type: 'penalty',
      cause: '定点药店串换药品违规结算',
      source: 'complaint',
      party: { kind: 'organisation', name: '福州市鼓楼区某大药房' },
      handlerIds: [li.id, zhang.id],
    },
    jilu.session,
  )) as { case: { id: string; caseNo: string } }
  ;({ id: caseId, caseNo } = created.case)
  // The day 李静 inspected the pharmacy: her recordings of that day are offered for this case.
  await call(
    'cases.addAction',
    { caseId, actionType: 'onsite_inspection', occurredOn: '2026-11-20' },
    li.session,
  )
  // Folder A is 李静's camera's card.
  await call(
    'devices.register',
    {
      kind: 'folder',
      identity: `folder:${fs.realpathSync(folderA)}`,
      label: '李静的记录仪',
      officerUserId: li.id,
    },
    jilu.session,
  )
  browser = await launchChromium()
  page = await watchedPage(browser, problems, { width: 1366, height: 768 })
  await signInAs(page, bridge.launchUrl, 'jilu', '王记录')
})

keepFailureScreen(() => page)

afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

const devicesTab = async () => {
  await page.getByRole('navigation').getByText('采集', { exact: true }).click()
  await page.getByRole('link', { name: '设备', exact: true }).click()
  await page.getByTestId('devices').waitFor()
}
const deviceRow = (label: string) => page.getByTestId('device-row').filter({ hasText: label })

describe('采集 → 设备', () => {
  test('an attached camera is registered with the officer its DeviceInfo names, then bound to another', async () => {
    await devicesTab()
    const line = page.getByTestId('unregistered').locator('.device-line', { hasText: 'ZFJLY7' })
    await line.waitFor()
    await expect(line.textContent()).resolves.toContain('DSJ-H8-2026-0007')
    await line.getByRole('button', { name: '登记设备' }).click()
    const editor = page.getByTestId('device-editor')
    // 警号 35010023 in the camera's DeviceInfo is 李静's badge number.
    await expect(editor.locator('select[name=officer] option:checked').textContent()).resolves.toContain(
      '李静',
    )
    await page.screenshot({ path: screenshotPath('80-devices-register') })
    await editor.getByRole('button', { name: '登记设备' }).click()
    const row = deviceRow('ZFJLY7')
    await row.waitFor()
    await expect(row.textContent()).resolves.toContain('李静')
    await expect(row.textContent()).resolves.toContain('产品序号：DSJ-H8-2026-0007')

    await row.getByRole('button', { name: '编辑' }).click()
    await editor.locator('select[name=officer]').selectOption({ label: '张伟（35010024）' })
    await editor.locator('input[name=clockOffset]').fill('30')
    await editor.getByRole('button', { name: '保存' }).click()
    await row.filter({ hasText: '张伟' }).waitFor()
    await expect(row.textContent()).resolves.toContain('北京时间（本地时间）')
    await expect(row.textContent()).resolves.toContain('设备快 30 秒')
    expect(problems).toEqual([])
  })

  test('校时 reads the camera clock from its volume and shows it beside the station time', async () => {
    await deviceRow('ZFJLY7').getByRole('button', { name: '校时' }).click()
    const panel = page.getByTestId('clock-check')
    await panel.getByRole('button', { name: '读取设备时间' }).click()
    const status = panel.getByRole('status')
    await status.waitFor()
    // Its clock writes Beijing time: 16:00:30 on it is 16:00:30 here; the station's clock is the test's.
    await expect(status.textContent()).resolves.toContain('设备时间 2026-11-23 16:00:30')
    await expect(status.textContent()).resolves.toContain('本站时间 2026-11-23')
    await page.screenshot({ path: screenshotPath('81-devices-clock-check') })
    expect(problems).toEqual([])
  })
})

describe('several devices at once, and the suggestions', () => {
  test('two folders import at once, each with its own bar, speed and state', async () => {
    await page.getByRole('link', { name: '导入', exact: true }).click()
    for (const folder of [folderA, folderB]) {
      await page.fill('input[name=folder]', folder)
      await page.getByRole('button', { name: '查看文件' }).last().click()
      await page.getByTestId('late-files').waitFor()
      await page.locator('input[name=lateReason]').fill('交班集中采集')
      await page.getByRole('button', { name: '开始导入' }).click()
      await page.getByTestId('job').filter({ hasText: folder }).waitFor()
    }
    const jobs = page.getByTestId('jobs')
    await expect(jobs.getByRole('progressbar').count()).resolves.toBe(2)
    await jobs.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('82-two-devices-importing') })
    for (const label of ['李静的记录仪', path.basename(folderB)])
      await jobs
        .getByTestId('job')
        .filter({ hasText: label })
        .getByTestId('job-state')
        .filter({ hasText: '已完成' })
        .waitFor({ timeout: 120_000 })
    await expect(
      jobs.getByRole('progressbar', { name: '李静的记录仪' }).getAttribute('aria-valuenow'),
    ).resolves.toBe('100')
    expect(problems).toEqual([])
  })

  test('the suggestions are accepted in one click; what nothing fits is 待归案', async () => {
    const list = page.getByTestId('suggestions')
    await list.getByTestId('suggestion').nth(1).waitFor()
    await expect(list.getByTestId('suggestion').count()).resolves.toBe(2)
    const text = (await list.textContent()) ?? ''
    expect(text).toContain(caseNo)
    expect(text).toContain('调查取证')
    expect(text).toContain('李静')
    const unmatched = list.getByTestId('unmatched')
    await expect(unmatched.textContent()).resolves.toContain('ZD_20261121101500_0001.MP4')
    await expect(unmatched.textContent()).resolves.toContain('待归案')
    await list.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('83-filing-suggestions') })
    await list.getByRole('button', { name: '全部按建议归案（2 条）' }).click()
    await list.getByRole('status').filter({ hasText: '已按建议归案 2 条记录' }).waitFor()
    const got = (await call('cases.get', { caseId }, jilu.session)) as {
      records: { originalName: string; tags: { stage: string | null; actionType: string | null } }[]
    }
    expect(got.records.map((r) => [r.originalName, r.tags.stage, r.tags.actionType]).sort()).toEqual([
      ['ZD_20261120083015_0001.MP4', 'investigation', 'onsite_inspection'],
      ['ZD_20261120090000_0002.MP4', 'investigation', 'onsite_inspection'],
    ])
    expect(problems).toEqual([])
  })
})

describe('clearing and retiring', () => {
  test('a folder whose every file is verified in the vault is cleared after a confirmation', async () => {
    await devicesTab()
    const row = deviceRow('李静的记录仪')
    // Its files point to a clock writing local time, which nobody registered yet: adopted in one click.
    await row.getByTestId('device-clock-suggestion').waitFor()
    await page.screenshot({ path: screenshotPath('85-devices-list') })
    await row.getByRole('button', { name: '采用' }).click()
    await expect.poll(() => row.getByTestId('device-clock-suggestion').count()).toBe(0)
    await row.getByRole('button', { name: '清空设备' }).click()
    const confirm = page.getByTestId('clear-confirm')
    await expect(confirm.textContent()).resolves.toContain('永久删除设备上的全部音视频和照片文件')
    await expect(confirm.getByRole('button', { name: '确认清空' }).isDisabled()).resolves.toBe(true)
    await confirm.locator('input[name=clearSure]').check()
    await confirm.getByRole('button', { name: '确认清空' }).click()
    await page.getByRole('status').filter({ hasText: '删除 2 个已校验入库的文件' }).waitFor()
    expect(fs.readdirSync(path.join(folderA, 'DCIM'))).toEqual([])
    expect(problems).toEqual([])
  })

  test('retiring names the consequence and asks why; the camera stays listed as retired', async () => {
    const row = deviceRow('ZFJLY7')
    await row.getByRole('button', { name: '停用' }).click()
    const confirm = page.getByTestId('retire-confirm')
    await expect(confirm.textContent()).resolves.toContain('不能再从该设备导入')
    await confirm.locator('input[name=retireReason]').fill('镜头损坏报废')
    await page.screenshot({ path: screenshotPath('84-devices-retire') })
    await confirm.getByRole('button', { name: '确认停用' }).click()
    await row.filter({ hasText: '已停用' }).waitFor()
    await expect(row.getByRole('button', { name: '编辑' }).count()).resolves.toBe(0)
    expect(problems).toEqual([])
  })

  test('an enforcement officer sees the devices and 校时, but no button to register, edit, clear or retire', async () => {
    await signOut(page)
    await signInAs(page, bridge.launchUrl, 'lijing', '李静')
    await devicesTab()
    await deviceRow('李静的记录仪').waitFor()
    const table = page.getByTestId('devices')
    await expect(table.getByRole('button', { name: '校时' }).count()).resolves.toBeGreaterThan(0)
    for (const name of ['编辑', '停用', '清空设备', '登记设备'])
      await expect(page.getByRole('button', { name, exact: true }).count()).resolves.toBe(0)
    expect(problems).toEqual([])
  })
})
