import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  callOk,
  readyUser,
  readyAdmin,
  startBridgeProcess,
  tempDir,
  type RunningBridge,
  ingestThroughBridge,
} from '../helpers/bridge.ts'
import {
  keepFailureScreen,
  answerConfirm,
  launchChromium,
  screenshotPath,
  statsOnScreen,
  watchedPage,
} from '../helpers/browser.ts'
import { makeClip } from '../helpers/media.ts'

/* 归档: the records officer makes the disc images of a case, writes a disc, sees it registered; the disc's
 * index.html opens in a browser with the network off. */

let bridge: RunningBridge
let browser: Browser
let page: Page
let caseNo = ''
const problems: string[] = []
const call = (method: string, input: unknown, session?: string) => callOk(bridge, method, input, session)

beforeAll(async () => {
  const device = tempDir('liuhen-archiveui-')
  makeClip(path.join(device, 'ZD_20261118093000_0001.MP4'), {
    seconds: 3,
    creationTime: '2026-11-18T01:30:00Z',
  })
  makeClip(path.join(device, 'ZD_20261119150000_0002.MP4'), {
    seconds: 4,
    creationTime: '2026-11-19T07:00:00Z',
  })
  const docs = tempDir('liuhen-archiveui-docs-')
  fs.writeFileSync(path.join(docs, '现场笔录.pdf'), '%PDF-1.4\n% 现场笔录\n%%EOF\n')
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
  const jilu = await readyUser(bridge, admin, {
    username: 'jilu',
    displayName: '王记录',
    roles: ['records_officer'],
  })
  const fuze = await readyUser(bridge, admin, {
    username: 'fuze',
    displayName: '赵负责',
    roles: ['approver'],
  })
  const ids = await ingestThroughBridge(bridge, jilu.session, { sourceRoot: device, lateReason: '外出执法' })
  // The thumbnails go into the disc's index.html: wait until they are made.
  for (const id of ids)
    for (let i = 0; i < 100; i++) {
      const t = (await call('evidence.thumbnail', { evidenceId: id }, jilu.session)) as {
        dataUrl: string | null
      }
      if (t.dataUrl) break
      await new Promise((r) => setTimeout(r, 200))
    }
  const created = (await call(
    'cases.create',
    {
      type: 'inspection',
      cause: '定点医疗机构日常监督检查',
      source: 'ex_officio',
      party: { kind: 'organisation', name: '福州市台江区某诊所' },
      handlerIds: [a.id, b.id],
    },
    jilu.session,
  )) as { case: { id: string; caseNo: string } }
  caseNo = created.case.caseNo
  await call(
    'records.tag',
    {
      evidenceIds: ids,
      tags: {
        caseId: created.case.id,
        stage: 'investigation',
        actionType: 'onsite_inspection',
        place: '福州市台江区某诊所',
        fact: '现场检查全过程',
        fullRecording: true,
      },
    },
    jilu.session,
  )
  await call(
    'textRecords.add',
    { caseId: created.case.id, docType: 'onsite_record', filePath: path.join(docs, '现场笔录.pdf') },
    jilu.session,
  )
  await call(
    'cases.archiveException',
    { caseId: created.case.id, reason: '检查未发现违法行为，按规定归档' },
    fuze.session,
  )
  browser = await launchChromium()
  page = await watchedPage(browser, problems)
})

keepFailureScreen(() => page)
afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

describe('归档光盘', () => {
  test('images made, a disc written and verified, the registry shows it; index.html works offline', async () => {
    const out = tempDir('liuhen-archiveui-out-')
    await page.goto(bridge.launchUrl)
    await page.fill('input[name=username]', 'jilu')
    await page.fill('input[name=password]', 'Zhengshi2026x')
    await page.click('button[type=submit]')
    await page.getByRole('heading', { name: '王记录，您好' }).waitFor()
    await page.getByRole('navigation').getByText('归档', { exact: true }).click()
    const form = page.getByTestId('archive-page')
    await form.locator('select[name=case]').selectOption({ label: `${caseNo} 定点医疗机构日常监督检查` })
    await form.locator('select[name=media]').selectOption('cd')
    await form.locator('input[name=outDir]').fill(out)
    await form.getByRole('button', { name: '制作光盘映像' }).click()
    const volumes = page.getByTestId('volumes')
    await volumes.getByText('第 1 盘 / 共 1 盘').waitFor({ timeout: 60_000 })
    await page.screenshot({ path: screenshotPath('23-archive-images'), fullPage: true })

    await volumes.getByRole('button', { name: '写入光盘…' }).click()
    const burn = page.getByTestId('burn-form')
    const target = path.join(tempDir('liuhen-archiveui-disc-'), 'A套.iso')
    await burn.locator('input[name=target]').fill(target)
    await burn.locator('select[name=retention]').selectOption('30y')
    await burn.locator('input[name=location]').fill('档案室 A 柜 3 层')
    await burn.getByRole('button', { name: '写入并校验' }).click()
    // A disc is written once: the confirmation says so and names the target before anything is written.
    await page.screenshot({ path: screenshotPath('23b-archive-write-confirm'), fullPage: true })
    const consequence = await answerConfirm(page, '确认写入')
    expect(consequence).toContain('只能写入一次')
    expect(consequence).toContain(target)
    await page.getByTestId('verify-summary').getByText('校验通过').waitFor({ timeout: 60_000 })
    const registry = page.getByTestId('disc-registry')
    await registry.getByText('合格').waitFor()
    await registry.getByText('档案室 A 柜 3 层').waitFor()
    await page.screenshot({ path: screenshotPath('24-archive-disc-registered'), fullPage: true })
    expect(problems).toEqual([])

    // This year's statistics now count the case, its recordings and the disc.
    await page.getByRole('navigation').getByText('统计', { exact: true }).click()
    // The figures themselves: one inspection case, its two recordings (both brought in after more than 24 hours,
    // with a reason), one disc inspected at writing.
    await expect
      .poll(async () => {
        const shown = await statsOnScreen(page)
        return { cases: shown['案件']?.['立案数'], storage: shown['24 小时内存储'] }
      })
      .toEqual({
        cases: '1',
        storage: { 入库的音像记录: '2', '24 小时内存储': '0', '超过 24 小时': '2', 比例: '0%' },
      })
    await page.screenshot({ path: screenshotPath('28-stats'), fullPage: true })
    expect(problems).toEqual([])

    // What someone finds on the disc decades later: index.html, opened with no network at all.
    const disc = tempDir('liuhen-archiveui-read-')
    execFileSync('xorriso', ['-osirrox', 'on', '-indev', target, '-extract', '/', disc], {
      stdio: 'ignore',
    })
    const context = await browser.newContext({
      offline: true,
      viewport: { width: 1200, height: 800 },
      locale: 'zh-CN',
    })
    const offline = await context.newPage()
    const fetched: string[] = []
    offline.on('request', (r) => {
      if (!/^(file|data):/.test(r.url())) fetched.push(r.url())
    })
    await offline.goto(pathToFileURL(path.join(disc, 'index.html')).href)
    await offline.getByRole('heading', { name: caseNo }).waitFor()
    await offline.getByText('现场检查全过程').first().waitFor()
    const images = await offline
      .locator('img')
      .evaluateAll((els) => els.map((e) => (e as unknown as { naturalWidth: number }).naturalWidth))
    expect(images.length).toBe(2)
    expect(images.every((w) => w > 0)).toBe(true)
    await offline.screenshot({ path: screenshotPath('25-archive-index-offline'), fullPage: true })
    expect(fetched).toEqual([])
    await context.close()
  })
})
