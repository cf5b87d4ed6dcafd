import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  callOk,
  ingestThroughBridge,
  readyAdmin,
  readyUser,
  REPO,
  startBridgeProcess,
  tempDir,
  type RunningBridge,
} from '../helpers/bridge.ts'
import {
  answerConfirm,
  beijingWallIn,
  fillMoment,
  launchChromium,
  screenshotPath,
  signInAs,
  videoPlaying,
  watchedPage,
} from '../helpers/browser.ts'
import { makeClip, pdfkitPdf } from '../helpers/media.ts'
import { rawCodesOnScreen, sidewaysOnScreen } from '../helpers/readable.ts'

/*
 * A records office's working day, walked end to end in the real UI at 1366×768 (the office laptop) and again at
 * 1920×1080, each size with its own agency: the records officer imports two cameras' folders into a case, corrects a
 * document, finds a recording by place; an auditor asks to see a case, the head approves and the auditor plays it;
 * the legal reviewer signs an opinion after reading its preview; the officer moves a case on a stage and writes an
 * archive disc. Every click, check, choice and file pick of each job is counted (typing is not), nothing may need
 * scrolling sideways at any step, and the counts in README.md's "A day's work" table must be the ones measured.
 * Each person works at their own desk, already signed in: signing in is not part of a job, and each job starts
 * from its person's home page. What a job needs from before (people, cases, yesterday's recordings, a submitted
 * review, a finished case) is made through the bridge.
 */

const JOBS = {
  import: 1,
  correct: 2,
  find: 3,
  access: 4,
  review: 5,
  stage: 6,
  archive: 7,
} as const
type Job = keyof typeof JOBS

/** Counts the user's clicks (click, check, selectOption, setInputFiles); before each, the screen is checked. */
function counter() {
  let n = 0
  const before = async (page: Page, what: string) => {
    expect(await sidewaysOnScreen(page), `sideways before ${what}`).toEqual([])
    expect(await rawCodesOnScreen(page), `raw codes before ${what}`).toEqual([])
    n++
  }
  const name = (l: Locator) => l.toString()
  return {
    get n() {
      return n
    },
    async click(l: Locator) {
      await l.waitFor()
      await before(l.page(), name(l))
      await l.click()
    },
    async check(l: Locator) {
      await l.waitFor()
      await before(l.page(), name(l))
      await l.check()
    },
    async selectOption(l: Locator, value: Parameters<Locator['selectOption']>[0]) {
      await l.waitFor()
      await before(l.page(), name(l))
      await l.selectOption(value)
    },
    async setInputFiles(l: Locator, files: string) {
      await before(l.page(), name(l))
      await l.setInputFiles(files)
    },
    /** The confirmation's own button (answerConfirm), one click; returns the consequence it showed. */
    async confirm(page: Page, button: string): Promise<string> {
      await page.getByRole('alertdialog').waitFor()
      await before(page, `confirm ${button}`)
      return answerConfirm(page, button)
    },
  }
}

/** A screen as the user sees it now: nothing sideways, no raw code. */
async function look(page: Page, what: string): Promise<void> {
  expect(await sidewaysOnScreen(page), `sideways at ${what}`).toEqual([])
  expect(await rawCodesOnScreen(page), `raw codes at ${what}`).toEqual([])
}

/** README.md's "A day's work" table: job number → clicks at 1366. */
function readmeCounts(): Record<number, number> {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8')
  const at = readme.indexOf("## A day's work / 一天的工作")
  expect(at, 'README has no "A day\'s work" section').toBeGreaterThanOrEqual(0)
  const section = readme.slice(at).split(/\n## /)[0]!
  const out: Record<number, number> = {}
  for (const line of section.split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim())
    if (cells.length < 3 || !/^\d+$/.test(cells[0]!)) continue
    out[Number(cells[0])] = Number(cells[2])
  }
  return out
}

const viewports = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
]

describe.each(viewports)('a day at $width×$height', (viewport) => {
  const suffix = viewport.width === 1366 ? '' : `-${viewport.width}`
  const shot = (job: Job) => screenshotPath(`day-${JOBS[job]}-${job}${suffix}`)
  const counts: Partial<Record<Job, number>> = {}
  const problems: string[] = []
  let bridge: RunningBridge
  let browser: Browser
  /** Each person's own screen, signed in at the start of the day. */
  const desk = {} as Record<'jilu' | 'shenji' | 'fuze' | 'fazhi', Page>
  const names = { jilu: '王记录', shenji: '孙审计', fuze: '赵负责', fazhi: '孙法制' }
  let caseA = { id: '', caseNo: '' }
  let caseB = { id: '', caseNo: '' }
  let jiluSession = ''
  let camera1 = ''
  let camera2 = ''
  let docs = ''
  const call = (method: string, input: unknown, session?: string) => callOk(bridge, method, input, session)
  const home = async (who: keyof typeof desk) => {
    const page = desk[who]
    await page.goto(`${bridge.origin}/#/`)
    await page.getByRole('heading', { name: `${names[who]}，您好` }).waitFor()
    return page
  }

  beforeAll(async () => {
    // This morning's two body cameras, each a folder of clips recorded earlier today (not late): named in Beijing
    // time, their creation_time in UTC, as cameras write them.
    camera1 = tempDir('liuhen-day-cam1-')
    makeClip(path.join(camera1, 'DCIM', 'ZD_20261123143000_0001.MP4'), {
      seconds: 2,
      creationTime: '2026-11-23T06:30:00Z',
    })
    makeClip(path.join(camera1, 'DCIM', 'ZD_20261123144500_0002.MP4'), {
      seconds: 2,
      creationTime: '2026-11-23T06:45:00Z',
    })
    camera2 = tempDir('liuhen-day-cam2-')
    makeClip(path.join(camera2, 'DCIM', 'ZD_20261123151000_0003.MP4'), {
      seconds: 2,
      creationTime: '2026-11-23T07:10:00Z',
    })
    docs = tempDir('liuhen-day-docs-')
    fs.writeFileSync(path.join(docs, '立案审批表.pdf'), await pdfkitPdf(2, 'Filing approval v1'))
    fs.writeFileSync(path.join(docs, '立案审批表（更正）.pdf'), await pdfkitPdf(2, 'Filing approval v2'))
    fs.writeFileSync(path.join(docs, '现场笔录.pdf'), '%PDF-1.4\n% 现场笔录\n%%EOF\n')

    bridge = await startBridgeProcess(tempDir('liuhen-day-data-'))
    const admin = await readyAdmin(bridge)
    // A day's work: the screens left open all day do not lock for idleness in between.
    await call('agency.update', { idleLockMinutes: 240 }, admin)
    await call('cases.numbering', { abbr: '榕医保' }, admin)
    const user = (username: string, displayName: string, roles: string[], badgeNo?: string) =>
      readyUser(bridge, admin, { username, displayName, roles, ...(badgeNo ? { badgeNo } : {}) })
    const lijing = await user('lijing', '李静', ['enforcement_officer'], '35010023')
    const zhangwei = await user('zhangwei', '张伟', ['enforcement_officer'], '35010024')
    const jilu = await user('jilu', '王记录', ['records_officer'])
    jiluSession = jilu.session
    const fuze = await user('fuze', '赵负责', ['approver'])
    const fazhi = await user('fazhi', '孙法制', ['legal_reviewer'])
    await user('shenji', '孙审计', ['auditor'])

    // Case A: a major penalty case, open; case B: an inspection finished with nothing found, to be archived.
    caseA = (
      (await call(
        'cases.create',
        {
          type: 'penalty',
          cause: '定点药店串换药品违规结算',
          source: 'complaint',
          party: { kind: 'organisation', name: '福州市鼓楼区某大药房有限公司' },
          handlerIds: [lijing.id, zhangwei.id],
          major: true,
        },
        jilu.session,
      )) as { case: typeof caseA }
    ).case
    caseB = (
      (await call(
        'cases.create',
        {
          type: 'inspection',
          cause: '定点医疗机构日常监督检查',
          source: 'ex_officio',
          party: { kind: 'organisation', name: '福州市台江区某诊所' },
          handlerIds: [lijing.id, zhangwei.id],
        },
        jilu.session,
      )) as { case: typeof caseB }
    ).case

    // Case A from before today: the warehouse recording (found by its place, played under a grant), the filing
    // approval form (corrected today) and the review the handlers asked for.
    const before = tempDir('liuhen-day-before-')
    makeClip(path.join(before, 'ZD_20261120093000_0101.MP4'), {
      seconds: 3,
      creationTime: '2026-11-20T01:30:00Z',
    })
    // ingest.start files them into case A at once (its caseId, place and fact), as the 采集 page does.
    const filedBefore = {
      sourceRoot: before,
      caseId: caseA.id,
      collectorUserId: lijing.id,
      place: '鼓楼区某大药房仓库',
      fact: '查封串换药品',
      lateReason: '外出执法返回后导入',
    }
    await ingestThroughBridge(bridge, jilu.session, filedBefore)
    await call(
      'textRecords.add',
      { caseId: caseA.id, docType: 'filing_approval', filePath: path.join(docs, '立案审批表.pdf') },
      jilu.session,
    )
    await call(
      'review.submit',
      { caseId: caseA.id, basis: ['large_amount'], proposal: '责令退回医保基金 12.6 万元，并处罚款 20 万元' },
      jilu.session,
    )

    // Case B: its recordings tagged, its 现场笔录 filed, and the head's archive exception recorded.
    const inspection = tempDir('liuhen-day-inspection-')
    makeClip(path.join(inspection, 'ZD_20261118093000_0201.MP4'), {
      seconds: 2,
      creationTime: '2026-11-18T01:30:00Z',
    })
    makeClip(path.join(inspection, 'ZD_20261119150000_0202.MP4'), {
      seconds: 2,
      creationTime: '2026-11-19T07:00:00Z',
    })
    const ids = await ingestThroughBridge(bridge, jilu.session, {
      sourceRoot: inspection,
      lateReason: '外出执法',
    })
    // The thumbnails go into the disc's index.html: wait until they are made (as archive-ui does).
    for (const id of ids)
      for (let i = 0; i < 100; i++) {
        const t = (await call('evidence.thumbnail', { evidenceId: id }, jilu.session)) as {
          dataUrl: string | null
        }
        if (t.dataUrl) break
        await new Promise((r) => setTimeout(r, 200))
      }
    await call(
      'records.tag',
      {
        evidenceIds: ids,
        tags: {
          caseId: caseB.id,
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
      { caseId: caseB.id, docType: 'onsite_record', filePath: path.join(docs, '现场笔录.pdf') },
      jilu.session,
    )
    await call(
      'cases.archiveException',
      { caseId: caseB.id, reason: '检查未发现违法行为，按规定归档' },
      fuze.session,
    )

    // Certificates: today's imports and corrections are signed by the records officer, the opinion by the reviewer.
    await call('ca.init', { passphrase: 'RootPass2026' }, admin)
    await call('ca.issue', { userId: jilu.id, rootPassphrase: 'RootPass2026', pin: '246810' }, admin)
    await call('ca.issue', { userId: fazhi.id, rootPassphrase: 'RootPass2026', pin: '135790' }, admin)

    browser = await launchChromium()
    for (const who of ['jilu', 'shenji', 'fuze', 'fazhi'] as const) {
      desk[who] = await watchedPage(browser, problems, viewport)
      await signInAs(desk[who], bridge.launchUrl, who, names[who])
    }
  })

  afterAll(async () => {
    await browser?.close()
    await bridge?.stop()
  })

  test('1. 记录员 imports two cameras’ folders and files them into a case', async () => {
    const page = await home('jilu')
    const act = counter()
    await act.click(page.getByRole('navigation').getByText('采集', { exact: true }))
    const caseOption = page
      .getByTestId('case-picker')
      .getByRole('option', { name: new RegExp(caseA.caseNo.replace(/[〔〕]/g, '.')) })
    const importFolder = async (folder: string, place: string, stored: number, lastFile: string) => {
      await page.fill('input[name=folder]', folder)
      await act.click(page.getByRole('button', { name: '查看文件' }).last())
      // Scanning reads each file's metadata with ffprobe and ExifTool: as slow as the results under load.
      await page.getByTestId('scan').filter({ hasText: folder }).waitFor({ timeout: 60_000 })
      await page.fill('input[name=caseSearch]', '串换')
      await act.click(caseOption)
      await page.getByTestId('case-picked').getByText(caseA.caseNo).waitFor()
      await page.fill('input[name=place]', place)
      await page.fill('input[name=pin]', '246810')
      await act.click(page.getByRole('button', { name: '开始导入' }))
      const results = page.getByTestId('results')
      // This job's own results: its last file filed into the case, and its summary.
      await results
        .locator('tr', { hasText: lastFile })
        .getByTestId('filing')
        .filter({ hasText: `已归入 ${caseA.caseNo}` })
        .waitFor({ timeout: 60_000 })
      await results
        .getByRole('status')
        .filter({ hasText: `新入库 ${stored}` })
        .waitFor({ timeout: 60_000 })
    }
    await importFolder(camera1, '鼓楼区某大药房门诊药房', 2, 'ZD_20261123144500_0002.MP4')
    await look(page, 'first camera imported')
    await importFolder(camera2, '鼓楼区某大药房收费处', 1, 'ZD_20261123151000_0003.MP4')
    const results = page.getByTestId('results')
    // Thumbnails arrive after the copy.
    await results.locator('img.thumb').first().waitFor({ timeout: 30_000 })
    await results.scrollIntoViewIfNeeded()
    await look(page, 'second camera imported')
    await page.screenshot({ path: shot('import') })

    const got = (await call('cases.get', { caseId: caseA.id }, jiluSession)) as {
      records: { originalName: string }[]
    }
    expect(got.records.map((r) => r.originalName).sort()).toEqual([
      'ZD_20261120093000_0101.MP4',
      'ZD_20261123143000_0001.MP4',
      'ZD_20261123144500_0002.MP4',
      'ZD_20261123151000_0003.MP4',
    ])
    expect(problems).toEqual([])
    counts.import = act.n
  })

  test('2. opens a document of the case and corrects it: 更正 makes version 2', async () => {
    const page = await home('jilu')
    const act = counter()
    await act.click(page.getByRole('navigation').getByText('案件', { exact: true }))
    await act.click(page.getByTestId('case-list').getByRole('link', { name: caseA.caseNo }))
    const row = page.getByTestId('case-documents').locator('tr[data-doc]').filter({ hasText: '立案审批表' })
    await act.click(row.getByRole('button', { name: '查看' }))
    const viewer = page.getByTestId('document-viewer')
    await viewer.getByTestId('viewer-pages').filter({ hasText: '共 2 页' }).waitFor()
    await viewer.locator('canvas[data-rendered=true]').first().waitFor({ timeout: 30_000 })
    await look(page, 'document open')
    await act.click(viewer.getByRole('button', { name: '关闭' }))
    await act.click(row.getByRole('button', { name: '更正' }))
    const form = page.getByRole('form', { name: '更正文书：立案审批表' })
    await act.setInputFiles(
      form.locator('input[name=correctFileUpload]'),
      path.join(docs, '立案审批表（更正）.pdf'),
    )
    await form.locator('input[name=correctionReason]').fill('当事人名称错字，重新制作')
    await form.locator('input[name=correctPin]').fill('246810')
    await act.click(form.getByRole('button', { name: '登记更正版本' }))
    await row.getByText('第 2 版').first().waitFor()
    await page
      .getByRole('heading', { name: '文字记录（文书）' })
      .evaluate((el) => (el as unknown as { scrollIntoView(): void }).scrollIntoView())
    await look(page, 'corrected')
    await page.screenshot({ path: shot('correct') })

    const view = (await call('cases.get', { caseId: caseA.id }, jiluSession)) as {
      textRecords: { version: number; current: boolean }[]
    }
    expect(view.textRecords.map((d) => [d.version, d.current]).sort()).toEqual([
      [1, false],
      [2, true],
    ])
    expect(problems).toEqual([])
    counts.correct = act.n
  })

  test('3. finds a recording by its place on 音像记录', async () => {
    const page = await home('jilu')
    const act = counter()
    await act.click(page.getByRole('navigation').getByText('音像记录', { exact: true }))
    await page.getByTestId('records-page').waitFor()
    await page.fill('input[name=recordSearch]', '仓库')
    await page.getByTestId('records-total').filter({ hasText: '共 1 条' }).waitFor()
    await act.click(page.getByTestId('record-row').getByText('ZD_20261120093000_0101.MP4'))
    await page.getByTestId('player').getByText('ZD_20261120093000_0101.MP4').waitFor()
    await videoPlaying(page)
    await look(page, 'found and playing')
    await page.screenshot({ path: shot('find') })
    expect(problems).toEqual([])
    counts.find = act.n
  })

  test('4. an auditor asks to see the case, the head approves after the details, the auditor plays it', async () => {
    const act = counter()
    // The auditor asks.
    const auditor = await home('shenji')
    await act.click(auditor.getByRole('navigation').getByText('案件', { exact: true }))
    await act.click(auditor.getByTestId('case-list').getByRole('link', { name: caseA.caseNo }))
    const form = auditor.getByRole('form', { name: '申请调阅本案' })
    await act.selectOption(form.locator('select[name=purpose]'), 'supervision')
    await fillMoment(form, 'endsAt', beijingWallIn(2 * 3600_000))
    await act.click(form.getByRole('button', { name: '提交申请' }))
    await auditor.getByText('调阅申请已提交').waitFor()
    await look(auditor, 'request sent')

    // The head approves; the confirmation names who, what and until when.
    const head = await home('fuze')
    await act.click(head.getByRole('navigation').getByText('调阅', { exact: true }))
    const inbox = head.getByTestId('inbox')
    await inbox.getByText('孙审计').waitFor()
    await act.click(inbox.getByRole('button', { name: '批准' }))
    await look(head, 'approve confirmation')
    const consequence = await act.confirm(head, '确认批准')
    expect(consequence).toContain('孙审计')
    expect(consequence).toContain('查看和播放')
    expect(consequence).toContain(beijingWallIn(2 * 3600_000).slice(0, 10))
    await head.getByTestId('grants').getByText('有效').waitFor()

    // The auditor plays the warehouse recording under the grant.
    await home('shenji')
    await act.click(auditor.getByRole('navigation').getByText('调阅', { exact: true }))
    const grants = auditor.getByTestId('grants')
    await grants.getByText('有效').waitFor()
    await act.click(grants.getByRole('link', { name: caseA.caseNo }))
    const recording = auditor
      .getByTestId('case-records')
      .locator('tr', { hasText: 'ZD_20261120093000_0101.MP4' })
    await act.click(recording.getByRole('button', { name: '播放' }))
    await videoPlaying(auditor)
    await auditor.getByTestId('player').scrollIntoViewIfNeeded()
    await look(auditor, 'auditor playing')
    await auditor.screenshot({ path: shot('access') })
    expect(problems).toEqual([])
    counts.access = act.n
  })

  test('5. 法制审核: the reviewer gives an opinion, reads the 法制审核意见书 preview, and signs it', async () => {
    const page = await home('fazhi')
    const act = counter()
    await act.click(page.getByRole('navigation').getByText('法制审核', { exact: true }))
    await act.click(page.getByTestId('review-queue').getByRole('button', { name: '办理' }))
    const work = page.getByTestId('review-work')
    await act.selectOption(work.locator('select[name=reviewer]'), { label: '孙法制' })
    await act.click(work.getByRole('button', { name: '分配审核人员' }))
    await work.getByRole('button', { name: '签署审核意见' }).waitFor()
    await work
      .locator('textarea[name=opinionText]')
      .fill('事实清楚，证据确凿，适用法律正确，程序合法，同意。')
    await work.locator('input[name=reviewPin]').fill('135790')
    await act.click(work.getByRole('button', { name: '签署审核意见' }))
    const preview = page.getByRole('alertdialog')
    await preview.getByRole('heading', { name: '签署前核对法制审核意见书' }).waitFor()
    await preview.locator('.viewer-page canvas[data-rendered=true]').first().waitFor({ timeout: 30_000 })
    expect(await preview.getByTestId('viewer-pages').textContent()).toMatch(/共 \d+ 页/)
    await look(page, 'opinion preview')
    await page.screenshot({ path: shot('review') })
    expect(await act.confirm(page, '确认签署')).toContain('不能修改或撤回')
    await page.getByTestId('review-queue').getByText('审核通过').waitFor()
    await look(page, 'signed')
    expect(problems).toEqual([])
    counts.review = act.n
  })

  test('6. moves the case on a stage after confirming', async () => {
    const page = await home('jilu')
    const act = counter()
    await act.click(page.getByRole('navigation').getByText('案件', { exact: true }))
    await act.click(page.getByTestId('case-list').getByRole('link', { name: caseA.caseNo }))
    await expect(page.locator('ol.timeline li.current').textContent()).resolves.toBe('程序启动')
    await act.click(page.getByRole('button', { name: '进入下一阶段：调查取证' }))
    await page.getByRole('alertdialog').waitFor()
    await look(page, 'advance confirmation')
    await page.screenshot({ path: shot('stage') })
    expect(await act.confirm(page, '确认进入下一阶段')).toContain('不能直接退回')
    await page.locator('ol.timeline li.current', { hasText: '调查取证' }).waitFor()
    await look(page, 'advanced')
    expect(problems).toEqual([])
    counts.stage = act.n
  })

  test('7. makes the archive disc images of a finished case and writes a disc', async () => {
    const page = await home('jilu')
    const act = counter()
    const out = tempDir('liuhen-day-out-')
    await act.click(page.getByRole('navigation').getByText('归档', { exact: true }))
    const form = page.getByTestId('archive-page')
    await act.selectOption(form.locator('select[name=case]'), {
      label: `${caseB.caseNo} 定点医疗机构日常监督检查`,
    })
    await act.selectOption(form.locator('select[name=media]'), 'cd')
    await form.locator('input[name=outDir]').fill(out)
    await act.click(form.getByRole('button', { name: '制作光盘映像' }))
    const volumes = page.getByTestId('volumes')
    await volumes.getByText('第 1 盘 / 共 1 盘').waitFor({ timeout: 60_000 })
    await look(page, 'images made')
    await act.click(volumes.getByRole('button', { name: '写入光盘…' }))
    const burn = page.getByTestId('burn-form')
    const target = path.join(tempDir('liuhen-day-disc-'), 'A套.iso')
    await burn.locator('input[name=target]').fill(target)
    await act.selectOption(burn.locator('select[name=retention]'), '30y')
    await burn.locator('input[name=location]').fill('档案室 A 柜 3 层')
    await act.click(burn.getByRole('button', { name: '写入并校验' }))
    const consequence = await act.confirm(page, '确认写入')
    expect(consequence).toContain('只能写入一次')
    expect(consequence).toContain(target)
    await page.getByTestId('verify-summary').getByText('校验通过').waitFor({ timeout: 60_000 })
    const registry = page.getByTestId('disc-registry')
    await registry.getByText('合格').waitFor()
    await registry.getByText('档案室 A 柜 3 层').waitFor()
    await registry.scrollIntoViewIfNeeded()
    await look(page, 'disc registered')
    await page.screenshot({ path: shot('archive') })
    expect(problems).toEqual([])
    counts.archive = act.n
  })

  test('the counts are written, and README.md says the same', () => {
    const dir = path.join(REPO, 'test-results')
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(
      path.join(dir, `day-walk-${viewport.width}.json`),
      `${JSON.stringify(counts, null, 2)}\n`,
    )
    const documented = readmeCounts()
    const measured = Object.fromEntries(
      (Object.keys(JOBS) as Job[]).map((job) => [JOBS[job], counts[job] ?? null]),
    )
    expect(Object.keys(documented).length).toBe(Object.keys(JOBS).length)
    expect(measured).toEqual(documented)
  })
})
