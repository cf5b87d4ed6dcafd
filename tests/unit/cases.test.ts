import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/bridge.ts'
import { CLI_ADMIN, cliAgency, lastJson, ok, runLiuhen } from '../helpers/cli.ts'
import { cmsVerify, openssl } from '../helpers/openssl.ts'
import { makeClip } from '../helpers/media.ts'
import { openDatabase } from '../../electron/core/db/index.ts'
import { addCalendarDays, addWorkingDays, loadCalendar } from '../../electron/core/cases/calendar.ts'
import { checkCreditCode, checkResidentId } from '../../shared/identity.ts'
import { matchExpression, tokens } from '../../electron/core/cases/search.ts'

/* Cases, tagging and the completeness rules, through the real CLI on a synthetic agency. */

const ADMIN = CLI_ADMIN
const JILU = { LIUHEN_PASSWORD: 'Jilu2026pw', LIUHEN_USER: 'jilu' }
const json = lastJson

describe('working-day calendar', () => {
  const db = openDatabase(path.join(tempDir(), 'cal.db'), { create: true })
  const cal = loadCalendar(db)

  test('deadlines across National Day 2026 and Spring Festival 2026 equal the hand-computed dates', () => {
    // 10 working days after Mon 28 Sep 2026: 29, 30 Sep; 1-7 Oct off; 8, 9, Sat 10 (worked), 12-16 Oct.
    expect(addWorkingDays(cal, '2026-09-28', 10)).toMatchObject({ due: '2026-10-16', uncertain: false })
    // 7 working days after Thu 17 Sep: 18, Sun 20 (worked), 21-24; 25-27 Mid-Autumn off; 28 Sep.
    expect(addWorkingDays(cal, '2026-09-17', 7).due).toBe('2026-09-28')
    // 10 after Tue 10 Feb: 11, 12, 13, Sat 14 (worked); 15-23 off; 24-27, Sat 28 (worked), Mon 2 Mar.
    expect(addWorkingDays(cal, '2026-02-10', 10).due).toBe('2026-03-02')
    // 20 after Thu 5 Feb 2026 (legal review 10 + 10 across the festival).
    expect(addWorkingDays(cal, '2026-02-05', 20).due).toBe('2026-03-11')
    // 30 days after 5 Sep ends on 5 Oct, a holiday: the period ends on the first working day after it.
    expect(addCalendarDays(cal, '2026-09-05', 30).due).toBe('2026-10-08')
  })

  test('a date in a year without holiday data is flagged, not counted as plain weekdays', () => {
    expect(addWorkingDays(cal, '2030-03-01', 10)).toMatchObject({ uncertain: true, unknownYears: [2030] })
    expect(addWorkingDays(cal, '2026-12-24', 10)).toMatchObject({ uncertain: true, unknownYears: [2027] })
    db.prepare('INSERT INTO calendar_years (year) VALUES (2027)').run()
    expect(loadCalendar(db).yearKnown(2027)).toBe(true)
  })
})

describe('party identifiers', () => {
  test('resident ID numbers and credit codes are checked by their check digits', () => {
    expect(checkResidentId('11010519491231002X')).toEqual({ ok: true })
    expect(checkResidentId('110105194912310021')).toEqual({ ok: false, reason: 'checkDigit' })
    expect(checkResidentId('110105194902300020')).toEqual({ ok: false, reason: 'date' })
    expect(checkCreditCode('91350100M000100Y43')).toEqual({ ok: true })
    expect(checkCreditCode('91350100M000100Y44')).toEqual({ ok: false, reason: 'checkDigit' })
    expect(checkCreditCode('91350100M000100I43')).toEqual({ ok: false, reason: 'format' })
  })
})

describe('search tokens', () => {
  test('Chinese is indexed as bigrams, so two-character queries match', () => {
    expect(tokens('鼓楼区药店 A12')).toEqual(['鼓楼', '楼区', '区药', '药店', 'a12'])
    expect(matchExpression('药店')).toBe('"药店"')
    expect(matchExpression('闽医保罚〔2026〕12号')).toBe('"闽医 医保 保罚 2026 12 号"')
    expect(matchExpression('药')).toBe('"药"*')
  })
})

describe('cases through the CLI', () => {
  const data = path.join(tempDir(), 'agency')
  const device = tempDir('liuhen-casedev-')
  const docs = tempDir('liuhen-docs-')
  let ids: Record<string, string> = {}

  beforeAll(() => {
    cliAgency(
      data,
      [
        ['lijing', '李静', '执法人员', '35010023', 'Officer2026pw'],
        ['zhangwei', '张伟', '执法人员', '35010024', 'Officer2026pw'],
        ['jilu', '王记录', 'records_officer', '', 'Jilu2026pw'],
        ['fuze', '赵负责', 'approver', '', 'Fuze2026pw'],
      ],
      // The records officer signs what they ingest and the archive packages they build.
      { user: 'jilu', pin: '246810' },
    )
    ok(runLiuhen(['case', 'numbering', '--data', data, '--abbr', '闽医保'], ADMIN))
    makeClip(path.join(device, 'ZD_20261120090000_0001.MP4'), { creationTime: '2026-11-20T09:00:00Z' })
    makeClip(path.join(device, 'ZD_20261121143000_0002.MP4'), { creationTime: '2026-11-21T14:30:00Z' })
    makeClip(path.join(device, 'ZD_20261118100000_0003.MP4'), { creationTime: '2026-11-18T10:00:00Z' })
    const r = ok(
      runLiuhen(
        ['ingest', device, '--data', data, '--user', 'jilu', '--late-reason', '连续执勤后返回', '--json'],
        { ...JILU, LIUHEN_PIN: '246810' },
      ),
    )
    ids = Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { relPath?: string; evidenceId?: string })
        .filter((l) => l.relPath)
        .map((l) => [l.relPath!, l.evidenceId!]),
    )
    for (const name of ['立案审批表', '事先告知书', '听证笔录', '处罚决定书', '送达回证', '结案报告'])
      fs.writeFileSync(path.join(docs, `${name}.pdf`), `%PDF-1.4\n% ${name}\n%%EOF\n`)
  })

  test('a wrong check digit in the party’s ID number or credit code is refused with a clear message', () => {
    for (const [kind, id, message] of [
      ['person', '110105194912310021', '公民身份号码 110105194912310021 不正确'],
      ['organisation', '91350100M000100Y44', '统一社会信用代码 91350100M000100Y44 不正确'],
    ] as const) {
      const r = runLiuhen(
        [
          'case',
          'create',
          '--data',
          data,
          '--type',
          'penalty',
          '--cause',
          '违规结算',
          '--party-kind',
          kind,
          '--party',
          '某药店',
          '--party-id',
          id,
          '--handlers',
          'lijing,zhangwei',
        ],
        JILU,
      )
      expect(r.status).toBe(1)
      expect(r.stderr).toContain(message)
    }
  })

  test('case check flags a hearing without audio/video and a sealing not fully recorded, then passes the complete case', () => {
    const created = json<{ case: { caseNo: string } }>(
      ok(
        runLiuhen(
          [
            'case',
            'create',
            '--data',
            data,
            '--type',
            'penalty',
            '--cause',
            '定点药店串换药品违规结算医保基金',
            '--source',
            'complaint',
            '--party-kind',
            'organisation',
            '--party',
            '福州市鼓楼区某大药房',
            '--party-id',
            '91350100M000100Y43',
            '--handlers',
            'lijing,zhangwei',
            '--filed-on',
            '2026-11-02',
            '--json',
          ],
          JILU,
        ),
      ),
    )
    const no = created.case.caseNo
    expect(no).toBe('闽医保罚〔2026〕1号')
    const addDoc = (type: string, file: string) =>
      ok(
        runLiuhen(
          [
            'record',
            'add-text',
            no,
            '--data',
            data,
            '--doc-type',
            type,
            '--file',
            path.join(docs, file),
            '--json',
          ],
          JILU,
        ),
      )
    addDoc('filing_approval', '立案审批表.pdf')
    addDoc('hearing_record', '听证笔录.pdf')
    // The sealing is on video, but the officer did not mark it as covering the whole action.
    ok(
      runLiuhen(
        [
          'record',
          'tag',
          ids['ZD_20261120090000_0001.MP4']!,
          '--data',
          data,
          '--case',
          no,
          '--stage',
          'investigation',
          '--action',
          'sealing',
          '--place',
          '福州市鼓楼区某大药房仓库',
          '--fact',
          '查封涉案药品 12 箱',
          '--collector',
          'lijing',
        ],
        JILU,
      ),
    )
    ok(
      runLiuhen(
        ['case', 'update', no, '--data', data, '--stage', 'execution', '--executed-on', '2026-11-20'],
        JILU,
      ),
    )

    const first = runLiuhen(['case', 'check', no, '--data', data, '--json'], JILU)
    expect(first.status).toBe(1)
    const report = json<{
      complete: boolean
      problems: { kind: string; subject: string }[]
      deadlines: { due: string }[]
    }>(first)
    expect(report.complete).toBe(false)
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'av_missing', subject: 'hearing' }),
    )
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'av_not_full', subject: 'sealing' }),
    )
    expect(
      report.problems
        .filter((p) => p.kind === 'doc_missing')
        .map((p) => p.subject)
        .sort(),
    ).toEqual(['closing_report', 'decision_document', 'rights_notice', 'service_receipt'])
    // 30 days after 20 Nov 2026 is Sun 20 Dec: the period ends on Mon 21 Dec.
    expect(report.deadlines[0]!.due).toBe('2026-12-21')

    // Complete it: the hearing on video, the sealing marked full, the missing documents.
    ok(
      runLiuhen(
        [
          'record',
          'tag',
          ids['ZD_20261121143000_0002.MP4']!,
          '--data',
          data,
          '--case',
          no,
          '--stage',
          'decision',
          '--action',
          'hearing',
          '--full',
          '--place',
          '福州市医疗保障局听证室',
          '--fact',
          '听证会全过程',
          '--collector',
          'zhangwei',
        ],
        JILU,
      ),
    )
    ok(
      runLiuhen(
        [
          'record',
          'tag',
          ids['ZD_20261120090000_0001.MP4']!,
          '--data',
          data,
          '--full',
          '--reason',
          '核对后确认为全程录像',
        ],
        JILU,
      ),
    )
    // Serving the rights notice is itself an action the rules want recorded in full.
    ok(
      runLiuhen(
        [
          'record',
          'tag',
          ids['ZD_20261118100000_0003.MP4']!,
          '--data',
          data,
          '--case',
          no,
          '--stage',
          'decision',
          '--action',
          'notify_opinion',
          '--full',
          '--place',
          '福州市鼓楼区某大药房',
          '--fact',
          '当面告知拟处罚意见',
          '--collector',
          'lijing',
        ],
        JILU,
      ),
    )
    addDoc('rights_notice', '事先告知书.pdf')
    addDoc('decision_document', '处罚决定书.pdf')
    addDoc('service_receipt', '送达回证.pdf')
    addDoc('closing_report', '结案报告.pdf')
    const second = runLiuhen(['case', 'check', no, '--data', data, '--json'], JILU)
    expect(second.status, second.stdout).toBe(0)
    expect(json<{ complete: boolean }>(second).complete).toBe(true)

    // The tag change is history, not an overwrite; and the audit chain still holds.
    const shown = json<{
      records: { evidenceId: string; tags: { version: number; fullRecording: boolean } }[]
    }>(ok(runLiuhen(['case', 'show', no, '--data', data, '--json'], JILU)))
    const sealing = shown.records.find((r) => r.evidenceId === ids['ZD_20261120090000_0001.MP4'])!
    expect(sealing.tags).toMatchObject({ version: 2, fullRecording: true })
    ok(runLiuhen(['audit', 'verify', '--data', data]))

    // The complete case becomes a BagIt bag whose manifests check out with coreutils alone.
    const bag = path.join(tempDir(), 'bag')
    const built = json<{ payloadFiles: number; payloadBytes: number }>(
      ok(
        runLiuhen(['archive', 'build', no, '--data', data, '--out', bag, '--json'], {
          ...JILU,
          LIUHEN_PIN: '246810',
        }),
      ),
    )
    // Every signature in the bag, and the records officer's over the tag manifest, verify against the root in it.
    const root = path.join(bag, 'data', 'trust', 'root.pem')
    const cms = (sig: string, content: string) => cmsVerify(sig, content, root)
    const tm = cms(path.join(bag, 'tagmanifest-sha256.txt.p7s'), path.join(bag, 'tagmanifest-sha256.txt'))
    expect(tm.code, tm.out).toBe(0)
    const sigs = fs
      .readFileSync(path.join(bag, 'manifest-sha256.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.slice(66))
      .filter((f) => f.endsWith('.p7s'))
    expect(sigs.length).toBeGreaterThanOrEqual(3)
    for (const f of sigs) {
      const r = cms(path.join(bag, f), path.join(bag, f.slice(0, -4)))
      expect(r.code, `${f}: ${r.out}`).toBe(0)
    }
    for (const [tool, manifest] of [
      ['sha256sum', 'manifest-sha256.txt'],
      ['sha512sum', 'manifest-sha512.txt'],
      ['sha256sum', 'tagmanifest-sha256.txt'],
    ] as const) {
      const r = spawnSync(tool, ['-c', '--strict', manifest], { cwd: bag, encoding: 'utf8' })
      expect(r.status, r.stdout + r.stderr).toBe(0)
    }
    // The bag carries the station-signed anchor log as it was (the beginning of the folder's log) and its key;
    // every line's Ed25519 signature checks with OpenSSL alone, as the bag's README tells.
    const carried = fs.readFileSync(path.join(bag, 'data', 'audit', 'audit-anchors.log'))
    const own = fs.readFileSync(path.join(data, 'anchor', 'audit-anchors.log'))
    expect(carried.length).toBeGreaterThan(0)
    expect(own.subarray(0, carried.length).equals(carried)).toBe(true)
    const anchorLines = carried.toString().trim().split('\n')
    for (const l of anchorLines) {
      const a = JSON.parse(l) as Record<string, string | number>
      const dir = tempDir()
      const msg = JSON.stringify(['liuhen-anchor-v1', a.n, a.seq, a.head, a.time, a.key, a.prev])
      fs.writeFileSync(path.join(dir, 'msg'), msg)
      fs.writeFileSync(path.join(dir, 'sig'), Buffer.from(String(a.sig), 'base64'))
      const keyPem = path.join(bag, 'data', 'trust', 'station-key.pem')
      const v = openssl(
        ['pkeyutl', '-verify', '-pubin', '-inkey', keyPem, '-rawin', '-in', 'msg', '-sigfile', 'sig'],
        dir,
      )
      expect(v.code, v.out).toBe(0)
      // Negative control: one changed byte fails.
      fs.writeFileSync(path.join(dir, 'msg'), msg.replace('liuhen-anchor-v1', 'liuhen-anchor-v2'))
      expect(
        openssl(
          ['pkeyutl', '-verify', '-pubin', '-inkey', keyPem, '-rawin', '-in', 'msg', '-sigfile', 'sig'],
          dir,
        ).code,
      ).not.toBe(0)
    }
    expect(anchorLines.length).toBeGreaterThan(0)
    expect(fs.readFileSync(path.join(bag, 'bagit.txt'), 'utf8')).toBe(
      'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n',
    )
    const info = fs.readFileSync(path.join(bag, 'bag-info.txt'), 'utf8')
    expect(info).toContain(`External-Identifier: ${no}`)
    expect(info).toContain(`Payload-Oxum: ${built.payloadBytes}.${built.payloadFiles}`)
    const listed = fs.readFileSync(path.join(bag, 'manifest-sha256.txt'), 'utf8').trim().split('\n').length
    expect(listed).toBe(built.payloadFiles)
    expect(fs.readFileSync(path.join(bag, 'index.html'), 'utf8')).not.toMatch(/https?:\/\//)
    // Exporting needs an export grant, even for the records officer who files the case.
    const refused = runLiuhen(
      ['export', no, '--data', data, '--out', path.join(tempDir(), 'x'), '--json'],
      JILU,
    )
    expect(refused.status).toBe(1)
    expect(refused.stdout).toContain('FORBIDDEN')
  })

  test('search finds cases by party and records by place, in Chinese, with two-character words', () => {
    const r = json<{ cases: { caseNo: string }[]; records: { evidenceId: string }[] }>(
      ok(runLiuhen(['case', 'search', '药房', '--data', data, '--json'], JILU)),
    )
    expect(r.cases.map((c) => c.caseNo)).toEqual(['闽医保罚〔2026〕1号'])
    expect(r.records.map((x) => x.evidenceId)).toContain(ids['ZD_20261120090000_0001.MP4'])
    const hearing = json<{ records: { evidenceId: string }[] }>(
      ok(runLiuhen(['case', 'search', '听证', '--data', data, '--json'], JILU)),
    )
    expect(hearing.records.map((x) => x.evidenceId)).toEqual([ids['ZD_20261121143000_0002.MP4']])
  })

  test('an incomplete case cannot be archived until an approver records an exception with its reason', () => {
    const created = json<{ case: { caseNo: string } }>(
      ok(
        runLiuhen(
          [
            'case',
            'create',
            '--data',
            data,
            '--type',
            'inspection',
            '--cause',
            '日常监督检查',
            '--party',
            '福州市台江区某诊所',
            '--handlers',
            'lijing,zhangwei',
            '--json',
          ],
          JILU,
        ),
      ),
    )
    const no = created.case.caseNo
    const refused = runLiuhen(['case', 'update', no, '--data', data, '--stage', 'closed', '--json'], JILU)
    expect(refused.status).toBe(1)
    expect(refused.stdout).toContain('CASE_INCOMPLETE')
    const FUZE = { LIUHEN_PASSWORD: 'Fuze2026pw', LIUHEN_USER: 'fuze' }
    // Only an approver may record the exception.
    expect(
      runLiuhen(
        ['case', 'archive-exception', no, '--data', data, '--reason', '当事人已注销，无法补充现场笔录'],
        JILU,
      ).status,
    ).toBe(1)
    ok(
      runLiuhen(
        ['case', 'archive-exception', no, '--data', data, '--reason', '当事人已注销，无法补充现场笔录'],
        FUZE,
      ),
    )
    ok(runLiuhen(['case', 'update', no, '--data', data, '--stage', 'closed'], JILU))
  })
})
