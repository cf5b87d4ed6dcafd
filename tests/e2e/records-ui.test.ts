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
  answerConfirm,
  launchChromium,
  screenshotPath,
  signInAs,
  signOut,
  watchedPage,
  videoPlaying,
} from '../helpers/browser.ts'
import { testClock } from '../helpers/clock.ts'
import { makeClip, makeRiffWav } from '../helpers/media.ts'
import { rawCodesOnScreen } from '../helpers/readable.ts'

/*
 * Issue 20, items 3, 6 and 7 at 1366×768 (and 1920×1080): the 音像记录 page finds a recording by place and by part
 * of a case number, filters 待归案 and by officer and day, files two picked recordings into a case, draws only the
 * rows in view of 114 while it pages through them, and says why a list is empty; the to-do counts on the home page
 * and in the menu lead to the work and change once it is done (an approver's request count after approving).
 */

let bridge: RunningBridge
let browser: Browser
let page: Page
const problems: string[] = []
const people = {
  lijing: { id: '', session: '' },
  zhangwei: { id: '', session: '' },
  jilu: { id: '', session: '' },
  zhaoliu: { id: '', session: '' },
}
let caseA = { id: '', caseNo: '' }
let caseB = { id: '', caseNo: '' }
const WAVS = 110
const call = (method: string, input: unknown, session?: string) => callOk(bridge, method, input, session)

/** Import a folder as jilu and wait for the job (110 small files take longer than ingestThroughBridge waits). */
async function importFolder(input: Record<string, unknown>): Promise<void> {
  const { jobId } = (await call('ingest.start', input, people.jilu.session)) as { jobId: string }
  for (let i = 0; i < 1200; i++) {
    const { jobs } = (await call('ingest.jobs', {}, people.jilu.session)) as {
      jobs: { progress: { jobId: string; state: string } }[]
    }
    if (jobs.find((j) => j.progress.jobId === jobId)?.progress.state === 'done') return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`ingest ${jobId} did not finish`)
}

beforeAll(async () => {
  bridge = await startBridgeProcess()
  const admin = await readyAdmin(bridge)
  people.lijing = await readyUser(bridge, admin, {
    username: 'lijing',
    displayName: '李静',
    roles: ['enforcement_officer'],
    badgeNo: '35010023',
  })
  people.zhangwei = await readyUser(bridge, admin, {
    username: 'zhangwei',
    displayName: '张伟',
    roles: ['enforcement_officer'],
    badgeNo: '35010024',
  })
  people.zhaoliu = await readyUser(bridge, admin, {
    username: 'zhaoliu',
    displayName: '赵六',
    roles: ['enforcement_officer'],
    badgeNo: '35010025',
  })
  people.jilu = await readyUser(bridge, admin, {
    username: 'jilu',
    displayName: '王记录',
    roles: ['records_officer'],
  })
  await readyUser(bridge, admin, { username: 'fuze', displayName: '赵负责', roles: ['approver'] })
  const cases: { id: string; caseNo: string }[] = []
  for (const cause of ['定点药店串换药品违规结算', '定点医疗机构日常监督检查'])
    cases.push(
      (
        (await call(
          'cases.create',
          {
            type: 'penalty',
            cause,
            source: 'complaint',
            party: { kind: 'organisation', name: '福州市鼓楼区某大药房' },
            handlerIds: [people.lijing.id, people.zhangwei.id],
          },
          people.jilu.session,
        )) as { case: { id: string; caseNo: string } }
      ).case,
    )
  ;[caseA, caseB] = cases as [typeof caseA, typeof caseB]

  // Two recordings filed at import into case A at the pharmacy counter, two of 张伟's left 待归案 (one late with no
  // reason), and 110 old recorder files brought in late with a reason, also 待归案.
  const a = tempDir('liuhen-records-ui-a-')
  makeClip(path.join(a, 'ZD_20261122093000_0001.MP4'), { seconds: 2, creationTime: '2026-11-22T09:30:00Z' })
  makeClip(path.join(a, 'ZD_20261122100000_0002.MP4'), { seconds: 2, creationTime: '2026-11-22T10:00:00Z' })
  await importFolder({
    sourceRoot: a,
    caseId: caseA.id,
    collectorUserId: people.lijing.id,
    place: '鼓楼区某大药房门诊药房',
    fact: '药房串换药品现场检查',
    lateReason: '外勤返回后导入',
  })
  const b = tempDir('liuhen-records-ui-b-')
  makeClip(path.join(b, 'ZD_20261120091500_0011.MP4'), { seconds: 2, creationTime: '2026-11-20T09:15:00Z' })
  makeClip(path.join(b, 'ZD_20261123100000_0012.MP4'), { seconds: 2, creationTime: '2026-11-23T10:00:00Z' })
  await importFolder({ sourceRoot: b, collectorUserId: people.zhangwei.id, place: '定点医院住院部' })
  const c = tempDir('liuhen-records-ui-c-')
  for (let i = 0; i < WAVS; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0')
    const minute = String(i % 60).padStart(2, '0')
    makeRiffWav(path.join(c, `REC_${String(i).padStart(3, '0')}.WAV`), {
      icrd: `2026-10-${day} ${String(8 + Math.floor(i / 60)).padStart(2, '0')}:${minute}:00`,
    })
  }
  await importFolder({ sourceRoot: c, lateReason: '历史录音补录' })

  browser = await launchChromium()
  page = await watchedPage(browser, problems, { width: 1366, height: 768 })
}, 600_000)

keepFailureScreen(() => page)
afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

const nav = () => page.getByRole('navigation')
const openRecords = async () => {
  await nav().getByText('音像记录', { exact: true }).click()
  await page.getByTestId('records-page').waitFor()
}
const total = () => page.getByTestId('records-total')
const rowsShown = () => page.getByTestId('record-row').count()
const search = async (text: string) => {
  await page.fill('input[name=recordSearch]', text)
}

describe('音像记录 and the to-do counts', () => {
  test('the records officer finds recordings by place, by part of a case number and by day; only the rows in view are drawn', async () => {
    await signInAs(page, bridge.launchUrl, 'jilu', '王记录')
    const todo = page.getByTestId('todo')
    await expect.poll(() => todo.getByTestId('todo-recordsUnfiled').textContent()).toContain(`${WAVS + 2}`)
    await expect(todo.getByTestId('todo-recordsLate').textContent()).resolves.toContain('1')
    await openRecords()
    await total()
      .filter({ hasText: `共 ${WAVS + 4} 条` })
      .waitFor()
    await page.screenshot({ path: screenshotPath('90-records-list') })
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(1366)
    expect(await rawCodesOnScreen(page)).toEqual([])

    // 114 recordings, a page of 100 loaded, some thirty rows in the DOM; scrolling loads the rest.
    expect(await rowsShown()).toBeGreaterThan(5)
    expect(await rowsShown()).toBeLessThanOrEqual(40)
    const scroller = page.getByTestId('records-table').locator('..')
    const last = page.getByTestId('record-row').filter({ hasText: 'REC_000.WAV' })
    // Newest capture first: the oldest recorder file is the last row, reached once the second page is in.
    // Scroll until the row is drawn, however long the second page takes under load (a fixed count of scrolls once
    // ran out before the page arrived, and the unscrolled list never drew the row).
    await expect
      .poll(
        async () => {
          await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight))
          return last.isVisible()
        },
        { timeout: 60_000, interval: 150 },
      )
      .toBe(true)
    await page.getByText(`已全部列出（${WAVS + 4} 条）`).waitFor()
    expect(await rowsShown()).toBeLessThanOrEqual(40)

    await search('门诊药房')
    await total().filter({ hasText: '共 2 条' }).waitFor()
    for (const name of ['ZD_20261122093000_0001.MP4', 'ZD_20261122100000_0002.MP4'])
      await page.getByTestId('record-row').filter({ hasText: name }).waitFor()
    await page.screenshot({ path: screenshotPath('91-records-search-place') })

    const partial = caseA.caseNo.slice(caseA.caseNo.indexOf('罚'), caseA.caseNo.indexOf('〕') + 2)
    expect(partial).toMatch(/^罚〔2026〕\d$/)
    await search(partial)
    await total().filter({ hasText: '共 2 条' }).waitFor()
    await expect(page.getByTestId('record-row').filter({ hasText: caseA.caseNo }).count()).resolves.toBe(2)

    // One day, typed the Chinese way in one field and picked on the calendar in the other.
    await page.getByRole('button', { name: '清除筛选' }).first().click()
    await total()
      .filter({ hasText: `共 ${WAVS + 4} 条` })
      .waitFor()
    await page.fill('input[name=from]', '2026年11月20日')
    await page.locator('input[name=from]').press('Enter')
    await expect(page.locator('input[name=from]').inputValue()).resolves.toBe('2026-11-20')
    await page.getByRole('button', { name: '打开至日历' }).click()
    await page.getByRole('dialog', { name: '至' }).getByText('2026年11月').waitFor()
    await page.screenshot({ path: screenshotPath('92-records-date') })
    await page.getByRole('button', { name: '2026-11-20', exact: true }).click()
    await total().filter({ hasText: '共 1 条' }).waitFor()
    await page.getByTestId('record-row').filter({ hasText: 'ZD_20261120091500_0011.MP4' }).waitFor()
    expect(problems).toEqual([])
  })

  test('待归案 and one officer: two recordings picked and filed into a case; the to-do counts follow', async () => {
    await page.getByRole('button', { name: '清除筛选' }).first().click()
    await page.selectOption('select[name=caseMode]', 'unfiled')
    await total()
      .filter({ hasText: `共 ${WAVS + 2} 条` })
      .waitFor()
    await expect(page.getByTestId('record-row').first().textContent()).resolves.toContain('待归案')
    await page.selectOption('select[name=collector]', { label: '张伟' })
    await total().filter({ hasText: '共 2 条' }).waitFor()
    // Not tagged yet: the place given at import is shown.
    await expect(page.getByTestId('record-row').filter({ hasText: '定点医院住院部' }).count()).resolves.toBe(
      2,
    )
    await page.getByRole('checkbox', { name: '选择已列出的全部记录' }).check()
    const bar = page.getByTestId('records-tag')
    await bar.getByText('已选 2 条').waitFor()
    await bar.locator('input[name=caseSearch]').fill('日常监督')
    const option = bar.getByRole('option', { name: new RegExp(caseB.caseNo.replace(/[〔〕]/g, '.')) })
    await option.click()
    await page.screenshot({ path: screenshotPath('93-records-picked') })
    await bar.getByRole('button', { name: '归入所选 2 条' }).click()
    await page.getByTestId('records-filed').getByText(`已将 2 条音像记录归入 ${caseB.caseNo}`).waitFor()
    // Both left the 待归案 list: nothing matches now, and the page says so.
    await page.getByTestId('records-empty').getByText('没有符合条件的音像记录').waitFor()
    // The menu's badge follows: 112 待归案 + 1 late without a reason before, 110 + 1 now.
    await page
      .getByTestId('badge-records')
      .filter({ hasText: `${WAVS + 1}` })
      .waitFor()
    await page.screenshot({ path: screenshotPath('94-records-filed') })
    const got = (await call('cases.get', { caseId: caseB.id }, people.jilu.session)) as {
      records: { originalName: string }[]
    }
    expect(got.records.map((r) => r.originalName).sort()).toEqual([
      'ZD_20261120091500_0011.MP4',
      'ZD_20261123100000_0012.MP4',
    ])

    // The menu's badge and the home page count 110 left to file; the late one without a reason is one link away.
    await page.locator('.sidebar-brand').click()
    await expect.poll(() => page.getByTestId('todo-recordsUnfiled').textContent()).toContain(`${WAVS}`)
    await page.getByTestId('todo-recordsLate').getByRole('link').click()
    await total().filter({ hasText: '共 1 条' }).waitFor()
    await expect(page.getByRole('checkbox', { name: '超时且未说明原因' }).isChecked()).resolves.toBe(true)
    // A click on the row (its file name; the case number is a link of its own) opens the recording.
    await page.getByTestId('record-row').getByText('ZD_20261120091500_0011.MP4').click()
    const player = page.getByTestId('player')
    await player.getByText('ZD_20261120091500_0011.MP4').waitFor()
    expect(await player.textContent()).not.toMatch(/无权|错误|失败/)
    await videoPlaying(page)
    expect(await rawCodesOnScreen(page)).toEqual([])
    await signOut(page)
    expect(problems).toEqual([])
  })

  test('someone who may see nothing is told why; an approver’s count of requests drops once approved', async () => {
    const now = testClock.now().getTime()
    await call(
      'access.request',
      {
        caseId: caseA.id,
        purpose: 'case_review',
        kind: 'view',
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + 7 * 86_400_000).toISOString(),
      },
      people.zhaoliu.session,
    )
    await signInAs(page, bridge.launchUrl, 'zhaoliu', '赵六')
    await openRecords()
    const empty = page.getByTestId('records-empty')
    await empty.getByText('您无权查看任何音像记录').waitFor()
    await empty.getByRole('link', { name: '去“调阅”申请' }).waitFor()
    await page.screenshot({ path: screenshotPath('95-records-no-access') })
    await signOut(page)

    await signInAs(page, bridge.launchUrl, 'fuze', '赵负责')
    const count = page.getByTestId('todo-accessToDecide')
    await expect.poll(() => count.textContent()).toContain('1')
    await expect(page.getByTestId('badge-access').textContent()).resolves.toBe('1')
    await page.screenshot({ path: screenshotPath('96-todo-approver') })
    await count.getByRole('link').click()
    const inbox = page.getByTestId('inbox')
    await inbox.getByText('赵六').waitFor()
    await inbox.getByRole('button', { name: '批准' }).click()
    await answerConfirm(page, '确认批准')
    await page.getByTestId('grants').getByText('有效').waitFor()
    await page.getByTestId('badge-access').waitFor({ state: 'detached' })
    await page.locator('.sidebar-brand').click()
    await expect.poll(() => count.textContent()).toContain('0')
    await page.screenshot({ path: screenshotPath('97-todo-approver-done') })
    await signOut(page)

    // The grant opens case A's two recordings to 赵六.
    await signInAs(page, bridge.launchUrl, 'zhaoliu', '赵六')
    await openRecords()
    await total().filter({ hasText: '共 2 条' }).waitFor()
    await signOut(page)
    expect(problems).toEqual([])
  })

  test('at 1920×1080 the list uses the width', async () => {
    const wide = await watchedPage(browser, problems, { width: 1920, height: 1080 })
    page = wide
    await signInAs(page, bridge.launchUrl, 'jilu', '王记录')
    await openRecords()
    await total()
      .filter({ hasText: `共 ${WAVS + 4} 条` })
      .waitFor()
    await page.screenshot({ path: screenshotPath('98-records-1920') })
    const scrollWidth = await page.locator('html').evaluate((el) => el.scrollWidth)
    expect(scrollWidth).toBeLessThanOrEqual(1920)
    expect(problems).toEqual([])
  })
})
