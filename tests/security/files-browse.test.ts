import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { testCore } from '../helpers/core.ts'
import { tempDir } from '../helpers/bridge.ts'
import { agency, newCase, type Person } from '../helpers/agency.ts'
import { BROWSE_MAX_ENTRIES } from '../../electron/core/files/browse.ts'
import { UPLOAD_CHUNK_BYTES, stagingDir } from '../../electron/core/files/uploads.ts'
import { dataLayout } from '../../electron/core/paths.ts'

/*
 * 浏览… in browser mode (docs/security.md, "Choosing files"): files.browse lists folders only under the allowed
 * roots, names/kinds/sizes only; files.upload stages a document for textRecords.add, for its uploader only.
 * Each attack below was written before the method existed and is what a hostile page would try first.
 */

const home = tempDir('liuhen-home-')
const media = tempDir('liuhen-media-')
const outside = tempDir('liuhen-outside-')
let t: ReturnType<typeof testCore>
let p: Record<'jilu' | 'shenji' | 'other' | 'zw', Person>

beforeAll(async () => {
  fs.mkdirSync(path.join(home, '导入', 'DCIM'), { recursive: true })
  fs.writeFileSync(path.join(home, '导入', 'DCIM', 'ZD_0001.MP4'), 'clip')
  fs.writeFileSync(path.join(home, '导入', '.hidden'), 'x')
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'not yours')
  fs.mkdirSync(path.join(outside, 'private'))
  // A link inside home pointing out of every root, and one pointing to another place inside home.
  fs.symlinkSync(outside, path.join(home, 'escape'))
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(home, 'escape-file.txt'))
  fs.symlinkSync(path.join(home, '导入'), path.join(home, '快捷方式'))
  execFileSync('mkfifo', [path.join(home, '导入', 'pipe')])
  t = testCore(tempDir(), { browseRoots: [home, media] })
  ;({ p } = await agency(t, {
    jilu: ['records_officer'],
    shenji: ['auditor'],
    other: ['records_officer', 'enforcement_officer'],
    zw: ['enforcement_officer'],
  }))
})
afterAll(() => t.core.close())

describe('files.browse', () => {
  test('without a path it names the roots; a folder lists names, kinds and sizes, hidden ones left out', async () => {
    const r = await t.call('files.browse', {}, p.jilu.session)
    expect(r.roots.map((x) => x.path)).toEqual([fs.realpathSync(home), fs.realpathSync(media)])
    const d = await t.call('files.browse', { path: path.join(home, '导入'), files: true }, p.jilu.session)
    expect(d.entries).toEqual([{ name: 'DCIM', kind: 'folder', size: null }])
    const clips = await t.call(
      'files.browse',
      { path: path.join(home, '导入', 'DCIM'), files: true },
      p.jilu.session,
    )
    expect(clips.entries).toEqual([{ name: 'ZD_0001.MP4', kind: 'file', size: 4 }])
    expect(clips.parent).toBe(fs.realpathSync(path.join(home, '导入')))
    // Files only when asked (a folder picker shows folders).
    const folders = await t.call('files.browse', { path: path.join(home, '导入', 'DCIM') }, p.jilu.session)
    expect(folders.entries).toEqual([])
  })

  test('the top of a root has no parent: 上一级 stops there', async () => {
    const r = await t.call('files.browse', { path: home }, p.jilu.session)
    expect(r.parent).toBeNull()
  })

  test('`..` is refused as written, even where it would resolve inside a root', async () => {
    for (const asked of [
      path.join(home, '..'),
      `${home}/导入/../导入`,
      `${home}/../${path.basename(outside)}`,
    ])
      expect((await t.fail('files.browse', { path: asked }, p.jilu.session)).code).toBe('PATH_NOT_ALLOWED')
  })

  test('an absolute path outside the roots is refused, existing or not, without telling which', async () => {
    for (const asked of [outside, '/etc', '/root', path.join(outside, 'nope')]) {
      const e = await t.fail('files.browse', { path: asked }, p.jilu.session)
      expect(e).toEqual({ code: 'PATH_NOT_ALLOWED' })
    }
    // Relative paths never reach the lister (the contract wants absolute ones).
    expect((await t.fail('files.browse', { path: '导入' }, p.jilu.session)).code).toBe('VALIDATION')
  })

  test('a link escaping the root is neither listed nor followed; one within the roots is', async () => {
    const r = await t.call('files.browse', { path: home, files: true }, p.jilu.session)
    const names = r.entries.map((e) => e.name)
    expect(names).not.toContain('escape')
    expect(names).not.toContain('escape-file.txt')
    expect(r.entries).toContainEqual({ name: '快捷方式', kind: 'folder', size: null })
    expect((await t.fail('files.browse', { path: path.join(home, 'escape') }, p.jilu.session)).code).toBe(
      'PATH_NOT_ALLOWED',
    )
    expect(
      (await t.fail('files.browse', { path: path.join(home, 'escape', 'private') }, p.jilu.session)).code,
    ).toBe('PATH_NOT_ALLOWED')
  })

  test('a FIFO is not listed and, asked for, is not opened (NOT_A_FOLDER, no hang)', async () => {
    const r = await t.call('files.browse', { path: path.join(home, '导入'), files: true }, p.jilu.session)
    expect(r.entries.map((e) => e.name)).not.toContain('pipe')
    expect(
      (await t.fail('files.browse', { path: path.join(home, '导入', 'pipe') }, p.jilu.session)).code,
    ).toBe('NOT_A_FOLDER')
  })

  test('a file asked for as a folder is NOT_A_FOLDER', async () => {
    const e = await t.fail(
      'files.browse',
      { path: path.join(home, '导入', 'DCIM', 'ZD_0001.MP4') },
      p.jilu.session,
    )
    expect(e.code).toBe('NOT_A_FOLDER')
  })

  test('a folder of 100 000 entries answers with a bounded list, marked cut off', async () => {
    const big = path.join(media, 'big')
    fs.mkdirSync(big)
    for (let i = 0; i < 100_000; i++) fs.writeFileSync(path.join(big, `f${i}`), '')
    const r = await t.call('files.browse', { path: big, files: true }, p.jilu.session)
    expect(r.entries.length).toBe(BROWSE_MAX_ENTRIES)
    expect(r.truncated).toBe(true)
  })

  test('who picks no paths may not browse (an auditor)', async () => {
    expect((await t.fail('files.browse', {}, p.shenji.session)).code).toBe('FORBIDDEN')
    expect((await t.fail('files.browse', {})).code).toBe('UNAUTHENTICATED')
  })
})

describe('files.upload', () => {
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64')

  async function upload(who: Person, name: string, bytes: Buffer) {
    let uploadId: string | undefined
    let offset = 0
    let staged: string | null = null
    do {
      const piece = bytes.subarray(offset, offset + UPLOAD_CHUNK_BYTES)
      const done = offset + piece.length >= bytes.length
      const r = await t.call(
        'files.upload',
        { ...(uploadId ? { uploadId } : {}), name, offset, dataBase64: b64(piece), done },
        who.session,
      )
      uploadId = r.uploadId
      offset = r.received
      staged = r.path
    } while (!staged)
    return { uploadId: uploadId!, path: staged }
  }

  test('pieces land in the staging area; textRecords.add registers the staged file and the copy goes', async () => {
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.4\n'),
      Buffer.alloc(UPLOAD_CHUNK_BYTES + 10, 0x20),
      Buffer.from('%%EOF\n'),
    ])
    const { path: staged } = await upload(p.other, '立案审批表.pdf', pdf)
    expect(path.dirname(path.dirname(staged))).toBe(stagingDir(dataLayout(t.dataDir)))
    expect(path.basename(staged)).toBe('立案审批表.pdf')
    expect(fs.readFileSync(staged).equals(pdf)).toBe(true)
    // Nothing half-written is left beside it (durable.ts temp names).
    expect(fs.readdirSync(path.dirname(staged))).toEqual(['立案审批表.pdf'])
    const caseId = await newCase(t, p.other, [p.other, p.zw])
    const r = await t.call(
      'textRecords.add',
      { caseId, docType: 'filing_approval', filePath: staged },
      p.other.session,
    )
    expect(r.textRecord.size).toBe(pdf.length)
    expect(fs.existsSync(path.dirname(staged))).toBe(false)
  })

  test('a name with a path in it stays a name inside the staging folder', async () => {
    const { path: staged } = await upload(p.other, '../../../../etc/passwd.pdf', Buffer.from('%PDF'))
    expect(path.basename(staged)).toBe('passwd.pdf')
    expect(path.dirname(path.dirname(staged))).toBe(stagingDir(dataLayout(t.dataDir)))
    const win = await upload(p.other, 'C:\\Users\\x\\决定书.pdf', Buffer.from('%PDF'))
    expect(path.basename(win.path)).toBe('决定书.pdf')
  })

  test('another user cannot continue my upload; a wrong offset or an oversized piece ends it', async () => {
    const first = await t.call(
      'files.upload',
      { name: 'a.pdf', offset: 0, dataBase64: b64('%PDF'), done: false },
      p.other.session,
    )
    const stolen = await t.fail(
      'files.upload',
      { uploadId: first.uploadId, name: 'a.pdf', offset: 4, dataBase64: b64('x'), done: true },
      p.jilu.session,
    )
    expect(stolen.code).toBe('UPLOAD_UNKNOWN')
    const skipped = await t.fail(
      'files.upload',
      { uploadId: first.uploadId, name: 'a.pdf', offset: 99, dataBase64: b64('x'), done: true },
      p.other.session,
    )
    expect(skipped.code).toBe('UPLOAD_UNKNOWN')
    // Ended: even the right offset now answers unknown.
    const after = await t.fail(
      'files.upload',
      { uploadId: first.uploadId, name: 'a.pdf', offset: 4, dataBase64: b64('x'), done: true },
      p.other.session,
    )
    expect(after.code).toBe('UPLOAD_UNKNOWN')
    const big = await t.fail(
      'files.upload',
      { name: 'b.pdf', offset: 0, dataBase64: b64(Buffer.alloc(UPLOAD_CHUNK_BYTES + 1)), done: true },
      p.other.session,
    )
    expect(big.code).toBe('VALIDATION')
  })

  test('the total is bounded: past 64 MB the upload is refused and its staged bytes removed', async () => {
    const piece = b64(Buffer.alloc(UPLOAD_CHUNK_BYTES))
    let r = await t.call(
      'files.upload',
      { name: 'big.pdf', offset: 0, dataBase64: piece, done: false },
      p.other.session,
    )
    const dir = path.join(stagingDir(dataLayout(t.dataDir)), r.uploadId)
    let e
    for (;;) {
      const res = await t.core.dispatch(
        {
          method: 'files.upload',
          input: {
            uploadId: r.uploadId,
            name: 'big.pdf',
            offset: r.received,
            dataBase64: piece,
            done: false,
          },
          session: p.other.session,
        },
        'test',
      )
      if (!res.ok) {
        e = res.error
        break
      }
      r = res.value as typeof r
    }
    expect(e.code).toBe('UPLOAD_TOO_LARGE')
    expect(r.received).toBe(64 * 1024 * 1024)
    expect(fs.existsSync(dir)).toBe(false)
  })

  test('an auditor cannot upload', async () => {
    const e = await t.fail(
      'files.upload',
      { name: 'a.pdf', offset: 0, dataBase64: '', done: true },
      p.shenji.session,
    )
    expect(e.code).toBe('FORBIDDEN')
  })
})
