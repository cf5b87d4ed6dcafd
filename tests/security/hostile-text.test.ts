/* eslint-disable no-control-regex -- the test looks for control characters */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { validateBag } from '../helpers/bagit.ts'
import { tempDir } from '../helpers/bridge.ts'
import { ok, runLiuhen } from '../helpers/cli.ts'
import { makeClip } from '../helpers/media.ts'
import { ADMIN_PASSWORD, testCore } from '../helpers/core.ts'
import { csvFile, isolateBidi, tagValue, terminalText } from '../../shared/text-safety.ts'

/*
 * Attack (issue 17 item 10): text typed into a case breaks what Liuhen writes from it. A cause with a newline
 * forged Payload-Oxum and Bag-Count lines in bag-info.txt (a BagIt tool then rejects the disc); C0 controls
 * made case.xml not well-formed; a party named "=HYPERLINK(…)" became a formula in the portal's CSV; U+202E
 * reversed the text around a name in index.html; ESC and CR from stored names reached the terminal. Each is
 * written safely now, by one writer per format (shared/text-safety.ts).
 */

const RLO = '\u202E'
const HOSTILE_CAUSE = `=HYPERLINK("http://evil.example/","点我")\nPayload-Oxum: 1.1\r\nBag-Count: 9 of 9\n\u0007\u001b[31m虚构医疗服务${RLO}gpj.exe`
const HOSTILE_PARTY = `@张三\u0001\u000b${RLO}丰`

let t: ReturnType<typeof testCore>
const s: Record<string, string> = {}
const ids: Record<string, string> = {}
let caseId = ''
let bag = ''

/** bagit-python's tag-file reading (bagit.py _parse_tags), in Python, for a tool-shaped second opinion. */
const PARSE_TAGS = `
import sys, json
tags, name, value = [], None, None
for line in open(sys.argv[1], encoding='utf-8'):
    if not line.strip():
        continue
    if line[0].isspace() and value is not None:
        value += line
        continue
    if name:
        tags.append([name, value.strip()])
    if ':' not in line:
        sys.exit('unparsable tag line: ' + repr(line))
    name, value = [p for p in line.strip().split(':', 1)]
    name = name.strip()
if name:
    tags.append([name, value.strip()])
print(json.dumps(tags))
`

beforeAll(async () => {
  t = testCore()
  s.admin = await t.adminSession()
  for (const [name, roles] of [
    ['lijing', ['enforcement_officer']],
    ['zhangwei', ['enforcement_officer']],
    ['jilu', ['records_officer']],
    ['fuze', ['approver']],
  ] as const) {
    const u = await t.userSession(s.admin, name, [...roles])
    s[name] = u.session
    ids[name] = u.user.id
  }
  const c = await t.call(
    'cases.create',
    {
      type: 'penalty',
      cause: HOSTILE_CAUSE,
      source: 'complaint',
      party: { kind: 'person', name: HOSTILE_PARTY },
      handlerIds: [ids.lijing!, ids.zhangwei!],
    },
    s.jilu,
  )
  caseId = c.case.id
  // Stored as typed: the text is made safe where it is written out, not changed in the record.
  expect(c.case.cause).toBe(HOSTILE_CAUSE)
  await t.call('cases.archiveException', { caseId, reason: '测试：恶意文本归档' }, s.fuze)
  bag = path.join(tempDir(), 'bag')
  await t.call('archive.build', { caseId, outDir: bag }, s.jilu)
})

afterAll(() => t?.core.close())

describe('archive package', () => {
  test('bag-info.txt: the newline is folded, no forged Payload-Oxum or Bag-Count; the bag validates', () => {
    expect(validateBag(bag)).toEqual([])
    const info = fs.readFileSync(path.join(bag, 'bag-info.txt'), 'utf8')
    expect(info.match(/^Payload-Oxum:/gm)).toHaveLength(1)
    expect(info).not.toMatch(/^Bag-Count:/m)
    expect(info).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/)
    const r = spawnSync('python3', ['-c', PARSE_TAGS, path.join(bag, 'bag-info.txt')], { encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
    const tags = JSON.parse(r.stdout) as [string, string][]
    expect(tags.filter(([k]) => k === 'Payload-Oxum')).toHaveLength(1)
    expect(tags.filter(([k]) => k === 'Bag-Count')).toHaveLength(0)
    const description = tags.find(([k]) => k === 'External-Description')![1]
    // The whole cause is there, its lines folded into the one value.
    expect(description).toContain('Payload-Oxum: 1.1')
    expect(description).toContain('虚构医疗服务')
  })

  test('case.xml is well-formed to a strict XML parser (expat) and keeps the text around the controls', () => {
    const xml = path.join(bag, 'data', 'metadata', 'case.xml')
    const r = spawnSync(
      'python3',
      [
        '-c',
        'import sys, xml.etree.ElementTree as E; c = E.parse(sys.argv[1]).getroot(); print(c.find("cause").text); print(c.find("party").text)',
        xml,
      ],
      { encoding: 'utf8' },
    )
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain('=HYPERLINK(')
    expect(r.stdout).toContain(`虚构医疗服务${RLO}gpj.exe`)
    expect(r.stdout).toContain('@张三')
  })

  test('index.html isolates the names (<bdi>), and its title has no controls', () => {
    const html = fs.readFileSync(path.join(bag, 'index.html'), 'utf8')
    expect(html).toMatch(/案由：<bdi>=HYPERLINK\([^<]*<\/bdi>/)
    expect(html).toMatch(/当事人：<bdi>@张三[^<]*<\/bdi>/)
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/)
    const title = /<title>([^<]*)<\/title>/.exec(html)![1]!
    expect(title).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u0000-\u001f]/)
  })
})

describe('CSV exports', () => {
  /** RFC 4180 cells, enough for the check. */
  function cells(csv: string): string[] {
    const out: string[] = []
    let cell = ''
    let quoted = false
    const text = csv.replace(/^\uFEFF/, '')
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!
      if (quoted && ch === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = !quoted
      else if (!quoted && (ch === ',' || ch === '\n')) {
        out.push(cell.replace(/\r$/, ''))
        cell = ''
      } else cell += ch
    }
    if (cell) out.push(cell)
    return out
  }

  test('the portal CSV has no cell a spreadsheet would run as a formula', async () => {
    await t.call('cases.update', { caseId, decidedOn: '2026-11-23' }, s.jilu)
    const draft = (
      await t.call(
        'disclosure.draft',
        { caseId, conclusion: "=cmd|' /C calc'!A0 责令退回医保基金", decisionNo: '-2+3' },
        s.jilu,
      )
    ).disclosure
    await t.call('disclosure.approve', { disclosureId: draft.id }, s.fuze)
    const { content, count } = await t.call('disclosure.export', { format: 'csv' }, s.jilu)
    expect(count).toBe(1)
    const all = cells(content)
    expect(all.length).toBeGreaterThan(8)
    for (const c of all) expect(c, JSON.stringify(c)).not.toMatch(/^[=+\-@\t\r]/)
    // Neutralised, not lost: the text is there after its leading apostrophe.
    expect(all).toContain("'=cmd|' /C calc'!A0 责令退回医保基金")
    expect(all).toContain("'-2+3")
    const html = (await t.call('disclosure.export', { format: 'html' }, s.jilu)).content
    expect(html).toContain('<td><bdi>=cmd|&apos; /C calc&apos;!A0 责令退回医保基金</bdi></td>')
  })
})

describe('PDFs', () => {
  test('the access register drops bidi and control characters from a device file name, keeps the rest', async () => {
    const device = tempDir('liuhen-device-')
    makeClip(path.join(device, `现场${RLO}4pm.exe\u0007.mp4`))
    const { jobId } = await t.call('ingest.start', { sourceRoot: device }, s.jilu)
    await t.core.waitForJob(jobId)
    const { items } = await t.call('evidence.list', {}, s.jilu)
    const ev = items.find((e) => e.originalName.startsWith('现场'))!
    expect(ev.originalName).toBe(`现场${RLO}4pm.exe\u0007.mp4`) // stored as the device wrote it
    await t.call('media.open', { evidenceId: ev.id }, s.jilu)
    const { pdfBase64 } = await t.call('access.register', {}, s.jilu)
    const pdf = path.join(tempDir(), 'register.pdf')
    fs.writeFileSync(pdf, Buffer.from(pdfBase64, 'base64'))
    const text = spawnSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' })
    expect(text.status, text.stderr).toBe(0)
    expect(text.stdout).toContain('现场4pm.exe.mp4')
    expect(text.stdout).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u0007]/)
  })
})

describe('the CLI prints no terminal controls from stored data', () => {
  // Three CLI processes: slow on a loaded machine, never timed.
  test('a display name with ESC, CR and U+202E is shown escaped; --json keeps it exact', () => {
    const data = path.join(tempDir(), 'agency')
    const ADMIN = { LIUHEN_PASSWORD: ADMIN_PASSWORD }
    ok(
      runLiuhen(
        [
          'init',
          '--data',
          data,
          '--agency',
          '福州市医疗保障局',
          '--agency-code',
          'FZYBJ',
          '--admin',
          'admin',
        ],
        ADMIN,
      ),
    )
    const name = `李静\u001b]0;owned\u0007\u001b[2J\r伪造${RLO}gpj`
    ok(
      runLiuhen(
        [
          'user',
          'add',
          '--data',
          data,
          '--user',
          'lijing',
          '--name',
          name,
          '--roles',
          '执法人员',
          '--badge',
          '35010023',
        ],
        { ...ADMIN, LIUHEN_NEW_PASSWORD: 'Lijing2026pw' },
      ),
    )
    const human = ok(runLiuhen(['user', 'list', '--data', data], ADMIN)).stdout
    expect(human).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/)
    expect(human).not.toContain(RLO)
    expect(human).toContain('李静\\x1B]0;owned\\x07\\x1B[2J\\x0D伪造<U+202E>gpj')
    const json = ok(runLiuhen(['user', 'list', '--data', data, '--json'], ADMIN)).stdout
    expect(json).toContain(JSON.stringify(name).slice(1, -1))
  })
})

describe('the one writer per format (shared/text-safety.ts), as the statistics page uses it', () => {
  test('csvFile neutralises every formula lead, keeps numbers numbers', () => {
    const csv = csvFile([
      ['=1+1', '+SUM(A1)', '-3', '@cmd', '\tx', '\rx', 'ok'],
      ['section', 'item', 42],
    ])
    expect(csv).toBe(`\uFEFF'=1+1,'+SUM(A1),'-3,'@cmd,'\tx,"'\rx",ok\r\nsection,item,42\r\n`)
  })

  test('isolateBidi wraps only text that carries bidi controls; tagValue folds; terminalText escapes', () => {
    expect(isolateBidi(`张三${RLO}`)).toBe(`\u2068张三${RLO}\u2069`)
    expect(isolateBidi('张三')).toBe('张三')
    expect(tagValue('a\r\nb\n\n  c\u0007')).toBe('a\n  b\n  c')
    expect(terminalText('a\u001b[2J\rb\n')).toBe('a\\x1B[2J\\x0Db\n')
  })
})
