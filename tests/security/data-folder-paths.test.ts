import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { testCore } from '../helpers/core.ts'
import { tempDir } from '../helpers/bridge.ts'
import { agency, newCase, type Person } from '../helpers/agency.ts'
import { makeClip } from '../helpers/media.ts'
import { UPLOAD_CHUNK_BYTES } from '../../electron/core/files/uploads.ts'
import { dataLayout } from '../../electron/core/paths.ts'

/*
 * A path is not a basis. The data folder sits in the home folder of the account running Liuhen (paths.ts:
 * ~/.local/share/liuhen), which is also where 浏览… may go, and it holds, beside the vault, files that carry other
 * cases' content under ordinary names: thumbnails (derived/thumbs/ab/<sha256>.jpg), H.264 previews, and documents
 * other officers have uploaded and not yet registered (tmp/uploads/<id>/<name>.pdf). Registered as a "document" in
 * a case of one's own, any of them would be opened through that case — outside every grant. So textRecords.add
 * refuses a file inside a data folder (except the caller's own finished upload), and files.browse neither lists
 * nor enters one. Each attack was written before the fix and succeeded.
 */

const home = tempDir('liuhen-home-')
const data = path.join(home, '.local', 'share', 'liuhen')
let t: ReturnType<typeof testCore>
let p: Record<'jilu' | 'lijing' | 'zhaoliu' | 'wangwu' | 'zhangwei', Person>
let caseA = ''
let caseB = ''
let thumb = ''

async function upload(who: Person, name: string, bytes: Buffer): Promise<string> {
  const r = await t.call(
    'files.upload',
    { name, offset: 0, dataBase64: bytes.subarray(0, UPLOAD_CHUNK_BYTES).toString('base64'), done: true },
    who.session,
  )
  return r.path!
}

beforeAll(async () => {
  fs.mkdirSync(data, { recursive: true })
  t = testCore(data, { browseRoots: [home] })
  ;({ p } = await agency(t, {
    jilu: ['records_officer'],
    lijing: ['enforcement_officer'],
    zhaoliu: ['enforcement_officer'],
    wangwu: ['enforcement_officer'],
    zhangwei: ['enforcement_officer'],
  }))
  caseA = await newCase(t, p.jilu, [p.lijing, p.zhaoliu])
  caseB = await newCase(t, p.jilu, [p.wangwu, p.zhangwei])
  // wangwu's recording, filed in his case B: lijing has no basis for it, and its thumbnail is made at ingest.
  const dev = tempDir('liuhen-dev-')
  makeClip(path.join(dev, 'ZD_20261120090000_0001.MP4'), { creationTime: '2026-11-20T01:00:00Z' })
  const { jobId } = await t.call('ingest.start', { sourceRoot: dev, caseId: caseB }, p.wangwu.session)
  await t.core.waitForJob(jobId)
  await t.core.thumbnailsIdle()
  const thumbs = path.join(dataLayout(data).derived, 'thumbs')
  const sub = fs.readdirSync(thumbs).find((n) => !n.startsWith('.'))!
  thumb = path.join(thumbs, sub, fs.readdirSync(path.join(thumbs, sub))[0]!)
  expect(thumb).toMatch(/\.jpg$/)
})
afterAll(() => t.core.close())

describe('textRecords.add from inside the data folder', () => {
  test("another case's thumbnail is refused as a document, by path or through a link", async () => {
    const e = await t.fail(
      'textRecords.add',
      { caseId: caseA, docType: 'onsite_record', filePath: thumb },
      p.lijing.session,
    )
    expect(e.code).toBe('DOCUMENT_IN_DATA_FOLDER')
    const link = path.join(tempDir('liuhen-link-'), '现场照片.jpg')
    fs.symlinkSync(thumb, link)
    const viaLink = await t.fail(
      'textRecords.add',
      { caseId: caseA, docType: 'onsite_record', filePath: link },
      p.lijing.session,
    )
    expect(viaLink.code).toBe('DOCUMENT_IN_DATA_FOLDER')
    // Nothing was registered in case A.
    const { textRecords } = await t.call('cases.get', { caseId: caseA }, p.lijing.session)
    expect(textRecords).toEqual([])
  })

  test("another officer's staged upload is refused; the uploader registers it", async () => {
    const staged = await upload(p.wangwu, '询问笔录.pdf', Buffer.from('%PDF-1.4\n询问笔录\n%%EOF\n'))
    const stolen = await t.fail(
      'textRecords.add',
      { caseId: caseA, docType: 'onsite_record', filePath: staged },
      p.lijing.session,
    )
    expect(stolen.code).toBe('DOCUMENT_IN_DATA_FOLDER')
    expect(fs.existsSync(staged)).toBe(true)
    const r = await t.call(
      'textRecords.add',
      { caseId: caseB, docType: 'onsite_record', filePath: staged },
      p.wangwu.session,
    )
    expect(r.textRecord.originalName).toBe('询问笔录.pdf')
    // Registered once: the staged copy is gone, and the same path cannot be registered a second time.
    expect(fs.existsSync(staged)).toBe(false)
  })

  test('a document from an ordinary folder is registered as before', async () => {
    const file = path.join(home, '立案审批表.pdf')
    fs.writeFileSync(file, '%PDF-1.4\n立案审批表\n%%EOF\n')
    const r = await t.call(
      'textRecords.add',
      { caseId: caseA, docType: 'filing_approval', filePath: file },
      p.lijing.session,
    )
    expect(r.textRecord.originalName).toBe('立案审批表.pdf')
  })
})

describe('files.browse and the data folder', () => {
  test('the data folder is not entered, at its root or below, and is not listed in its parent', async () => {
    for (const asked of [data, dataLayout(data).derived, path.dirname(thumb), dataLayout(data).tmp])
      expect((await t.fail('files.browse', { path: asked, files: true }, p.jilu.session)).code).toBe(
        'PATH_NOT_ALLOWED',
      )
    const parent = await t.call('files.browse', { path: path.dirname(data), files: true }, p.jilu.session)
    expect(parent.entries.map((e) => e.name)).not.toContain('liuhen')
    // A link to it from a visible place is not listed either.
    fs.symlinkSync(data, path.join(home, '数据'))
    const top = await t.call('files.browse', { path: home, files: true }, p.jilu.session)
    expect(top.entries.map((e) => e.name)).not.toContain('数据')
    expect(top.entries.map((e) => e.name)).toContain('立案审批表.pdf')
  })
})
