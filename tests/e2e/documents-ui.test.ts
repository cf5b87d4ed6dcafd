import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import {
  callOk,
  readyAdmin,
  readyUser,
  rpc,
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
import { rawCodesOnScreen } from '../helpers/readable.ts'
import { pdfkitPdf } from '../helpers/media.ts'

/*
 * Issue 20, item 1, at 1366×768: a records officer registers a PDF by choosing the file (uploaded, not typed),
 * opens it in the app (pdf.js draws its pages: the canvases have ink), corrects it with a reason, and opens the
 * version it replaced, unchanged. A Chinese PDF whose font is not embedded draws with the character maps the app
 * ships (fetched from the bridge, never a CDN). An OFD is handed to the user's reader. An officer who does not
 * handle the case sees no document, and asking the byte path directly is refused and logged, as for media.
 */

let bridge: RunningBridge
let browser: Browser
let page: Page
const problems: string[] = []
const requests: string[] = []
let admin = ''
const people = {
  lijing: { id: '', session: '' },
  zhangwei: { id: '', session: '' },
  jilu: { id: '', session: '' },
  zhaoliu: { id: '', session: '' },
  fuze: { id: '', session: '' },
}
let caseId = ''
let dir = ''
const call = (method: string, input: unknown, session?: string) => callOk(bridge, method, input, session)
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex')

/**
 * A one-page PDF written the way many office programs write Chinese: the font (STSong-Light) not embedded, the
 * text in UniGB-UCS2-H. pdf.js needs that CMap file to draw it.
 */
function cjkPdfWithoutFont(): Buffer {
  const text = Buffer.from('\ufeff现场笔录', 'utf16le').swap16().subarray(2).toString('hex').toUpperCase()
  const content = `BT /F1 36 Tf 72 700 Td <${text}> Tj ET`
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R >>',
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [5 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  ]
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objs.forEach((o, i) => {
    offsets.push(out.length)
    out += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = out.length
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

/** How many pixels of the n-th canvas in the viewer are not white (a function: the CSP forbids eval). */
async function inkOn(nth: number): Promise<number> {
  const canvas = page.getByTestId('document-viewer').locator('canvas').nth(nth)
  await canvas.and(page.locator('[data-rendered=true]')).waitFor({ timeout: 30_000 })
  return canvas.evaluate((el) => {
    const c = el as unknown as {
      width: number
      height: number
      getContext(k: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
      }
    }
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
    let ink = 0
    for (let i = 0; i < d.length; i += 4) if (d[i]! < 200 || d[i + 1]! < 200 || d[i + 2]! < 200) ink++
    return ink
  })
}

const openCase = async () => {
  await page.goto(`${bridge.launchUrl.split('#')[0]}#/cases/${caseId}`)
  await page.getByRole('heading', { name: '文字记录（文书）' }).waitFor()
}
const docRow = (name: string) => page.getByTestId('case-documents').locator('tr').filter({ hasText: name })

beforeAll(async () => {
  // 浏览… may look only here (the core's browse roots): the documents' folder, not the machine.
  dir = fs.realpathSync(tempDir('liuhen-documents-ui-'))
  bridge = await startBridgeProcess(tempDir(), { LIUHEN_BROWSE_ROOTS: dir })
  admin = await readyAdmin(bridge)
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
  people.fuze = await readyUser(bridge, admin, {
    username: 'fuze',
    displayName: '赵负责',
    roles: ['approver'],
  })
  await call('ca.init', { passphrase: 'RootPass2026' }, admin)
  await call('ca.issue', { userId: people.jilu.id, rootPassphrase: 'RootPass2026', pin: '246810' }, admin)
  caseId = (
    (await call(
      'cases.create',
      {
        type: 'penalty',
        cause: '定点药店串换药品违规结算',
        source: 'complaint',
        party: { kind: 'organisation', name: '福州市鼓楼区某大药房' },
        handlerIds: [people.lijing.id, people.zhangwei.id],
      },
      people.jilu.session,
    )) as { case: { id: string } }
  ).case.id
  fs.writeFileSync(path.join(dir, '立案审批表.pdf'), await pdfkitPdf(3, 'Filing approval v1'))
  fs.writeFileSync(path.join(dir, '立案审批表（更正）.pdf'), await pdfkitPdf(2, 'Filing approval v2'))
  fs.writeFileSync(path.join(dir, '现场笔录.pdf'), cjkPdfWithoutFont())
  // Not an OFD anyone could read, but named and typed as one: the viewer must hand it off, not try to draw it.
  // Named and typed as a PDF, but not one (a truncated download, a renamed file): the viewer must say so, not hang.
  fs.writeFileSync(
    path.join(dir, '送达回证.pdf'),
    Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage'),
  )
  fs.writeFileSync(path.join(dir, '询问笔录.ofd'), Buffer.from('PK\u0003\u0004 OFD.xml'))

  browser = await launchChromium()
  page = await watchedPage(browser, problems, { width: 1366, height: 768 })
  page.on('request', (r) => requests.push(r.url()))
}, 600_000)

keepFailureScreen(() => page)
afterAll(async () => {
  await browser?.close()
  await bridge?.stop()
})

describe('documents open in the app, are corrected with a reason, and keep every version', () => {
  let v1 = ''
  test('the records officer registers a PDF by choosing the file; it opens with its pages drawn', async () => {
    await signInAs(page, bridge.launchUrl, 'jilu', '王记录')
    await openCase()
    const form = page.getByRole('form', { name: '登记文书' })
    await form.locator('select[name=docType]').selectOption({ label: '立案审批表' })
    await form.locator('input[name=docNo]').fill('榕医保立〔2026〕12号')
    await form.locator('input[name=docFileUpload]').setInputFiles(path.join(dir, '立案审批表.pdf'))
    await form.getByText('立案审批表.pdf', { exact: true }).waitFor()
    // Chosen, the typed-path field goes: one source of the file at a time.
    await expect(form.locator('input[name=docFile]').count()).resolves.toBe(0)
    await form.locator('input[name=docPin]').fill('246810')
    await form.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('100-document-register') })
    await form.getByRole('button', { name: '登记并签名' }).click()
    await docRow('立案审批表').getByText('已签名').waitFor()
    // Said, not only cleared: what was registered, with the way to it.
    const notice = form.getByTestId('done-notice')
    await notice.getByText('已登记并签名《立案审批表》（第 1 版）。').waitFor()
    await expect(form.locator('input[name=docNo]').inputValue()).resolves.toBe('')
    await notice.getByRole('button', { name: '查看此文书' }).click()
    await page.getByTestId('document-viewer').getByText('已与入库时的哈希值核对一致').waitFor()
    await page.getByTestId('document-viewer').getByRole('button', { name: '关闭' }).click()

    const view = (await call('cases.get', { caseId }, people.jilu.session)) as {
      textRecords: { id: string; sha256: string; originalName: string; version: number }[]
    }
    expect(view.textRecords).toHaveLength(1)
    v1 = view.textRecords[0]!.id
    // The vault holds the chosen file's bytes, bit for bit; the staged upload is gone.
    expect(view.textRecords[0]!.sha256).toBe(sha256(fs.readFileSync(path.join(dir, '立案审批表.pdf'))))
    expect(fs.readdirSync(path.join(bridge.dataDir, 'tmp', 'uploads'))).toEqual([])

    await docRow('立案审批表').getByRole('button', { name: '查看' }).click()
    const viewer = page.getByTestId('document-viewer')
    await viewer.getByTestId('viewer-pages').filter({ hasText: '共 3 页' }).waitFor()
    expect(await inkOn(0)).toBeGreaterThan(10_000)
    expect(await inkOn(2)).toBeGreaterThan(10_000)
    await viewer.getByText('已与入库时的哈希值核对一致').waitFor()
    await page.screenshot({ path: screenshotPath('101-document-viewer') })
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(1366)
    expect(await rawCodesOnScreen(page)).toEqual([])

    // Opened through the gate and in the access log, with the basis, like a recording played.
    const { events } = (await call('audit.list', { limit: 50, action: 'textRecords.open' }, admin)) as {
      events: { actorId: string; targetId: string; details: { basis?: string } }[]
    }
    expect(events[0]).toMatchObject({ actorId: people.jilu.id, targetId: v1 })
    expect(events[0]!.details.basis).toBeTruthy()
    // pdf.js and its worker came from the app itself.
    expect(
      requests.filter(
        (u) => !u.startsWith(bridge.origin) && !u.startsWith('data:') && !u.startsWith('blob:'),
      ),
    ).toEqual([])
    expect(requests.some((u) => /pdf\.worker.*\.mjs$/.test(u))).toBe(true)
    await viewer.getByRole('button', { name: '关闭' }).click()
  })

  test('更正 needs a reason, registers version 2, and version 1 still opens as it was', async () => {
    await docRow('立案审批表').getByRole('button', { name: '更正' }).click()
    const form = page.getByRole('form', { name: '更正文书：立案审批表' })
    await form
      .locator('input[name=correctFileUpload]')
      .setInputFiles(path.join(dir, '立案审批表（更正）.pdf'))
    await form.locator('input[name=correctPin]').fill('246810')
    // Without a reason nothing is registered: a space is not a reason either.
    await form.locator('input[name=correctionReason]').fill('  a ')
    await form.getByRole('button', { name: '登记更正版本' }).click()
    await form.getByRole('alert').filter({ hasText: '至少两个字' }).waitFor()
    await expect(
      call('cases.get', { caseId }, people.jilu.session).then((v) => (v.textRecords as unknown[]).length),
    ).resolves.toBe(1)
    await form.locator('input[name=correctionReason]').fill('当事人名称错字，重新制作')
    await form.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('102-document-correct') })
    await form.getByRole('button', { name: '登记更正版本' }).click()
    const row = docRow('更正理由：当事人名称错字，重新制作')
    await row.getByText('第 2 版').first().waitFor()

    const view = (await call('cases.get', { caseId }, people.jilu.session)) as {
      textRecords: {
        id: string
        sha256: string
        version: number
        current: boolean
        previousId: string | null
      }[]
    }
    const [a, b] = [...view.textRecords].sort((x, y) => x.version - y.version)
    expect(a).toMatchObject({ id: v1, version: 1, current: false })
    expect(b).toMatchObject({ version: 2, current: true, previousId: v1 })
    expect(b!.sha256).toBe(sha256(fs.readFileSync(path.join(dir, '立案审批表（更正）.pdf'))))
    // One row per document: the earlier version is listed under it, not as a second document.
    await expect(page.getByTestId('case-documents').locator('tr[data-doc]').count()).resolves.toBe(1)

    await row.getByText('历史版本（1）').click()
    await row.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('103-document-versions') })
    await row.getByTestId('doc-versions').getByRole('button', { name: '查看' }).click()
    const viewer = page.getByTestId('document-viewer')
    await viewer.getByRole('heading', { name: /第 1 版/ }).waitFor()
    await viewer.getByTestId('viewer-pages').filter({ hasText: '共 3 页' }).waitFor()
    expect(await inkOn(0)).toBeGreaterThan(10_000)
    await page.screenshot({ path: screenshotPath('104-document-old-version') })
    // The old version's bytes, opened, are the original file's, unchanged.
    const opened = (await call('textRecords.open', { textRecordId: v1 }, people.jilu.session)) as {
      dataBase64: string
    }
    expect(sha256(Buffer.from(opened.dataBase64, 'base64'))).toBe(
      sha256(fs.readFileSync(path.join(dir, '立案审批表.pdf'))),
    )
    await page.keyboard.press('Escape')
    await expect(viewer.count()).resolves.toBe(0)
    expect(await rawCodesOnScreen(page)).toEqual([])
  })

  test('a Chinese PDF without its font draws with the character maps the app ships; an OFD is handed off', async () => {
    const form = page.getByRole('form', { name: '登记文书' })
    await form.locator('select[name=docType]').selectOption({ label: '现场笔录' })
    // Picked with 浏览… from the folders the core lets a page see: the path goes into the field.
    await form.getByRole('button', { name: '浏览…' }).click()
    const browser = page.getByTestId('folder-browser')
    await browser.getByRole('button', { name: dir }).click()
    await browser.getByTestId('browse-path').filter({ hasText: dir }).waitFor()
    await page.screenshot({ path: screenshotPath('107-document-browse') })
    await browser.getByRole('button', { name: /现场笔录\.pdf/ }).click()
    await expect(browser.count()).resolves.toBe(0)
    await expect(form.locator('input[name=docFile]').inputValue()).resolves.toBe(
      path.join(dir, '现场笔录.pdf'),
    )
    await form.locator('input[name=docPin]').fill('246810')
    await form.getByRole('button', { name: '登记并签名' }).click()
    await docRow('现场笔录').getByRole('button', { name: '查看' }).click()
    const viewer = page.getByTestId('document-viewer')
    await viewer.getByTestId('viewer-pages').filter({ hasText: '共 1 页' }).waitFor()
    expect(await inkOn(0)).toBeGreaterThan(500)
    expect(requests.some((u) => u.startsWith(`${bridge.origin}/pdfjs/cmaps/UniGB-UCS2-H.bcmap`))).toBe(true)
    await viewer.getByRole('button', { name: '关闭' }).click()

    await form.locator('select[name=docType]').selectOption({ label: '询问笔录' })
    await form.locator('input[name=docFileUpload]').setInputFiles(path.join(dir, '询问笔录.ofd'))
    await form.locator('input[name=docPin]').fill('246810')
    await form.getByRole('button', { name: '登记并签名' }).click()
    await docRow('询问笔录').getByRole('button', { name: '查看' }).click()
    const handoff = page.getByTestId('viewer-handoff')
    await handoff.getByText('请保存副本后用版式阅读器').waitFor()
    await page.screenshot({ path: screenshotPath('105-document-ofd') })
    await expect(page.getByTestId('document-viewer').locator('canvas').count()).resolves.toBe(0)
    const download = page.waitForEvent('download')
    await handoff.getByRole('button', { name: '保存副本并用本机阅读器打开' }).click()
    expect((await download).suggestedFilename()).toBe('询问笔录.ofd')
    await page.getByTestId('document-viewer').getByRole('button', { name: '关闭' }).click()

    // A damaged PDF: a clear message and the copy to try elsewhere, no blank viewer.
    await form.locator('select[name=docType]').selectOption({ label: '送达回证' })
    await form.locator('input[name=docFileUpload]').setInputFiles(path.join(dir, '送达回证.pdf'))
    await form.locator('input[name=docPin]').fill('246810')
    await form.getByRole('button', { name: '登记并签名' }).click()
    await docRow('送达回证').getByRole('button', { name: '查看' }).click()
    await page.getByTestId('document-viewer').getByText('这个 PDF 文件无法显示').waitFor()
    await page.getByTestId('document-viewer').getByRole('button', { name: '关闭' }).click()
    await signOut(page)
  })

  test('浏览… on 采集 picks a folder; the browser goes nowhere the core does not allow', async () => {
    await signInAs(page, bridge.launchUrl, 'jilu', '王记录')
    await page.getByRole('navigation').getByText('采集', { exact: true }).click()
    await page.getByRole('heading', { name: '采集' }).waitFor()
    await page.getByRole('button', { name: '浏览…' }).click()
    const browser = page.getByTestId('folder-browser')
    await browser.getByRole('button', { name: dir }).click()
    await browser.getByRole('button', { name: /立案审批表\.pdf/ }).waitFor()
    // Choosing a folder: files are listed to recognise the folder, but cannot be chosen.
    await expect(browser.getByRole('button', { name: /立案审批表\.pdf/ }).isDisabled()).resolves.toBe(true)
    // At a root there is no way up.
    await expect(browser.getByRole('button', { name: '上一级' }).isDisabled()).resolves.toBe(true)
    await page.screenshot({ path: screenshotPath('108-ingest-browse-folder') })
    await browser.getByRole('button', { name: '选择此文件夹' }).click()
    await expect(page.locator('input[name=folder]').inputValue()).resolves.toBe(dir)
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(1366)
    // Asked directly for what lies outside (the parent, /etc, a link out of the root): refused, by the core.
    fs.symlinkSync('/etc', path.join(dir, 'etc-link'))
    let refused = 0
    for (const p of [path.dirname(dir), '/etc', path.join(dir, 'etc-link'), `${dir}/../`]) {
      const r = (
        await rpc(bridge, { method: 'files.browse', input: { path: p }, session: people.jilu.session })
      ).json as { ok: boolean; error?: { code: string } }
      expect(r, p).toEqual({ ok: false, error: { code: 'PATH_NOT_ALLOWED' } })
      refused++
    }
    expect(refused).toBe(4)
    fs.rmSync(path.join(dir, 'etc-link'))
    await signOut(page)
  })

  test('without a grant a document is neither listed nor opened: the byte path refuses as it does for media', async () => {
    const { textRecords } = (await call('cases.get', { caseId }, people.jilu.session)) as {
      textRecords: { id: string }[]
    }
    expect(textRecords.length).toBe(5)
    // An approver sees what the case is, not its documents, until a grant covers them.
    await signInAs(page, bridge.launchUrl, 'fuze', '赵负责')
    await page.goto(`${bridge.launchUrl.split('#')[0]}#/cases/${caseId}`)
    await page.getByText('您没有本案音像记录和文书的调阅授权').waitFor()
    // Not "还没有登记文书": the list is empty because it is hidden, and the page says so.
    const hidden = page.getByTestId('documents-restricted')
    await hidden.getByText('本案文书须经调阅授权才能查看').waitFor()
    await expect(page.getByText('还没有登记文书').count()).resolves.toBe(0)
    await expect(page.getByRole('button', { name: '查看' }).count()).resolves.toBe(0)
    await hidden.scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath('106-document-no-access') })
    expect(await rawCodesOnScreen(page)).toEqual([])

    // Asked directly — the approver, and an officer who does not handle the case — every version is refused
    // exactly like a recording (FORBIDDEN, as for an unknown id), and each refusal is in the access log.
    const open = async (who: { session: string }, textRecordId: string) =>
      (await rpc(bridge, { method: 'textRecords.open', input: { textRecordId }, session: who.session })).json
    let refused = 0
    for (const who of [people.fuze, people.zhaoliu])
      for (const d of [...textRecords.map((r) => r.id), crypto.randomUUID()]) {
        expect(await open(who, d)).toEqual({ ok: false, error: { code: 'FORBIDDEN' } })
        refused++
      }
    expect(refused).toBe(12)
    // Nor may either correct one: a correction needs a filing basis on the document.
    const file = path.join(dir, '立案审批表（更正）.pdf')
    const correct = (
      await rpc(bridge, {
        method: 'textRecords.add',
        input: { previousId: textRecords[0]!.id, correctionReason: '冒名更正', filePath: file },
        session: people.zhaoliu.session,
      })
    ).json
    expect(correct).toEqual({ ok: false, error: { code: 'FORBIDDEN' } })
    const { events } = (await call('audit.list', { limit: 100, action: 'access.denied' }, admin)) as {
      events: { actorId: string; details: { refused?: string } }[]
    }
    for (const who of [people.fuze, people.zhaoliu])
      expect(
        events.filter((e) => e.actorId === who.id && e.details.refused === 'textRecords.open').length,
      ).toBe(6)
    expect(
      events.some((e) => e.actorId === people.zhaoliu.id && e.details.refused === 'textRecords.add'),
    ).toBe(true)
    // Still five documents, none changed by the refused correction.
    const after = (await call('cases.get', { caseId }, people.jilu.session)) as { textRecords: unknown[] }
    expect(after.textRecords.length).toBe(5)
    await signOut(page)
    expect(problems).toEqual([])
  })
})
