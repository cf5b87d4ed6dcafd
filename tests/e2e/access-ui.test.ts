import path from 'node:path'
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
  advanceClock,
  answerConfirm,
  beijingWallIn,
  fillMoment,
  launchChromium,
  screenshotPath,
  signInAs,
  signOut as signOutOf,
  watchedPage,
  videoPlaying,
} from '../helpers/browser.ts'
import { testClock } from '../helpers/clock.ts'
import { makeClip } from '../helpers/media.ts'

/* 调阅: an auditor asks, an approver approves, the auditor plays the video, the grant runs out, access ends. */

let bridge: RunningBridge
let browser: Browser
let page: Page
let caseId = ''
let approverSession = ''
const problems: string[] = []
const call = (method: string, input: unknown, session?: string) => callOk(bridge, method, input, session)
const user = (admin: string, username: string, displayName: string, roles: string[], badgeNo?: string) =>
  readyUser(bridge, admin, { username, displayName, roles, ...(badgeNo ? { badgeNo } : {}) })

const signIn = (username: string, name: string) => signInAs(page, bridge.launchUrl, username, name)
const signOut = () => signOutOf(page)

beforeAll(async () => {
  const device = tempDir('liuhen-accessui-')
  makeClip(path.join(device, 'ZD_20261122100000_0001.MP4'), {
    seconds: 4,
    creationTime: '2026-11-22T10:00:00Z',
  })
  bridge = await startBridgeProcess()
  const admin = await readyAdmin(bridge)
  const a = await user(admin, 'lijing', '李静', ['enforcement_officer'], '35010023')
  const b = await user(admin, 'zhangwei', '张伟', ['enforcement_officer'], '35010024')
  const jilu = await user(admin, 'jilu', '王记录', ['records_officer'])
  await user(admin, 'shenji', '孙审计', ['auditor'])
  approverSession = (await user(admin, 'fuze', '赵负责', ['approver'])).session
  const [evidenceId] = await ingestThroughBridge(bridge, jilu.session, {
    sourceRoot: device,
    lateReason: '外出执法',
  })
  const created = (await call(
    'cases.create',
    {
      type: 'penalty',
      cause: '串换药品违规结算',
      source: 'complaint',
      party: { kind: 'organisation', name: '福州市鼓楼区某大药房' },
      handlerIds: [a.id, b.id],
    },
    jilu.session,
  )) as { case: { id: string } }
  caseId = created.case.id
  await call(
    'records.tag',
    {
      evidenceIds: [evidenceId],
      tags: { caseId, stage: 'investigation', actionType: 'sealing', place: '仓库', fact: '查封药品' },
    },
    jilu.session,
  )
  browser = await launchChromium()
  page = await watchedPage(browser, problems)
})

keepFailureScreen(() => page)
afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

describe('调阅', () => {
  test('request → approve → play → the grant expires → access refused', async () => {
    // The auditor sees only the case summary, and asks.
    await signIn('shenji', '孙审计')
    await page.goto(`${bridge.origin}/#/cases/${caseId}`)
    await page.getByText('您没有本案音像记录和文书的调阅授权').waitFor()
    const form = page.getByRole('form', { name: '申请调阅本案' })
    await form.locator('select[name=purpose]').selectOption('supervision')
    // Beijing wall time, typed into our own date and time fields whatever zone the PC is in.
    await fillMoment(form, 'endsAt', beijingWallIn(10 * 60_000))
    await page.screenshot({ path: screenshotPath('18-access-request'), fullPage: true })
    // Checked with the contract's own schema before sending: the field is named by its label, nothing is sent
    // (the approver's inbox below holds one request, or its getByText would find two).
    await form.locator('input[name=purposeText]').fill('核'.repeat(201))
    await form.getByRole('button', { name: '提交申请' }).click()
    await expect(form.getByRole('alert').textContent()).resolves.toBe('输入不符合要求：具体说明')
    await form.locator('input[name=purposeText]').fill('')
    await form.getByRole('button', { name: '提交申请' }).click()
    await page.getByText('调阅申请已提交').waitFor()
    await signOut()

    // The approver's inbox.
    await signIn('fuze', '赵负责')
    await page.getByRole('navigation').getByText('调阅', { exact: true }).click()
    const inbox = page.getByTestId('inbox')
    await inbox.getByText('孙审计').waitFor()
    await page.screenshot({ path: screenshotPath('19-access-inbox'), fullPage: true })
    // Approving names what it allows, to whom and until when; cancelling it approves nothing.
    await inbox.getByRole('button', { name: '批准' }).click()
    await answerConfirm(page, '确认批准', false)
    await expect(page.getByTestId('grants').getByText('有效').count()).resolves.toBe(0)
    await inbox.getByRole('button', { name: '批准' }).click()
    await page.screenshot({ path: screenshotPath('19b-access-approve-confirm'), fullPage: true })
    const consequence = await answerConfirm(page, '确认批准')
    expect(consequence).toContain('孙审计')
    expect(consequence).toContain('查看和播放')
    expect(consequence).toContain(beijingWallIn(10 * 60_000).slice(0, 10))
    await page.getByTestId('grants').getByText('有效').waitFor()
    await signOut()

    // The auditor plays the recording under the grant.
    await signIn('shenji', '孙审计')
    await page.goto(`${bridge.origin}/#/cases/${caseId}`)
    const records = page.getByTestId('case-records')
    await records.getByRole('button', { name: '播放' }).click()
    await videoPlaying(page)
    await page.screenshot({ path: screenshotPath('20-access-play'), fullPage: true })

    // Past the end of the grant (the clock moved on, no waiting), the page left open reads the case again by itself
    // (the grant's end is when it looks) and the recording is gone from it; nothing is clicked or reloaded.
    await advanceClock(page, 11 * 60_000)
    await page
      .getByText('您没有本案音像记录和文书的调阅授权')
      .waitFor()
      .catch(async (e: unknown) => {
        await page.screenshot({ path: screenshotPath('zz-access-expiry-failed'), fullPage: true })
        const grants = await call('access.list', {}, approverSession).catch((x: unknown) => String(x))
        throw new Error(
          `${String(e)}\nclock ${testClock.now().toISOString()}\npage: ${await page.locator('body').innerText()}\n${JSON.stringify(grants)}`,
        )
      })
    await expect(records.count()).resolves.toBe(0)
    // The player that was open goes with the recording (what it had buffered no longer plays).
    await expect(page.locator('video').count()).resolves.toBe(0)
    await page.getByRole('navigation').getByText('调阅', { exact: true }).click()
    await page.getByTestId('grants').getByText('已过期').waitFor()
    await page.screenshot({ path: screenshotPath('21-access-expired'), fullPage: true })
    expect(problems).toEqual([])
  })

  test('the access log shows the view with its grant and the refusal', async () => {
    await signOut()
    await signIn('fuze', '赵负责')
    await page.getByRole('navigation').getByText('调阅', { exact: true }).click()
    const log = page.getByTestId('access-log')
    await log.getByText('查看/播放').first().waitFor()
    const text = (await log.textContent()) ?? ''
    expect(text).toContain('调阅授权')
    expect(text).toContain('孙审计')
    await page.screenshot({ path: screenshotPath('22-access-log'), fullPage: true })
  })
})
