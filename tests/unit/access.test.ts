import crypto from 'node:crypto'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { makeClip } from '../helpers/media.ts'
import { openssl } from '../helpers/openssl.ts'
import { startTsa, type RunningTsa } from '../helpers/tsa.ts'

/* Access approval: no grant, no evidence; every decision and every view in the hash-chained log. */

const t = testCore()
let tsa: RunningTsa | undefined
afterAll(async () => {
  t.core.close()
  await tsa?.stop()
})

let admin = ''
let jilu = ''
let fuze = ''
let fuze2 = ''
let auditor = ''
let stranger = ''
let caseId = ''
let records: string[] = []

const hour = 3_600_000
const minute = 60_000
const iso = (ms: number) => new Date(t.clock.now().getTime() + ms).toISOString()

beforeAll(async () => {
  admin = await t.adminSession()
  // Grants run for hours; the clock moves past them without the sessions locking for idleness.
  await t.call('agency.update', { idleLockMinutes: 240 }, admin)
  jilu = (await t.userSession(admin, 'jilu', ['records_officer'])).session
  fuze = (await t.userSession(admin, 'fuze', ['approver'])).session
  fuze2 = (await t.userSession(admin, 'fuze2', ['approver'])).session
  auditor = (await t.userSession(admin, 'shenji', ['auditor'])).session
  stranger = (await t.userSession(admin, 'wangwu', ['enforcement_officer'])).session
  const a = await t.userSession(admin, 'lijing', ['enforcement_officer'])
  const b = await t.userSession(admin, 'zhangwei', ['enforcement_officer'])
  // An agency CA, a signing certificate for the records officer who ingests, and a real RFC 3161 TSA: the
  // export then carries a .p7s and a .tsr per record, which the export test checks with OpenSSL alone.
  await t.call('ca.init', { passphrase: 'RootPass2026' }, admin)
  await t.call(
    'ca.issue',
    {
      userId: (await t.call('users.find', { username: 'jilu' }, admin)).userId,
      rootPassphrase: 'RootPass2026',
      pin: '246810',
    },
    admin,
  )
  tsa = await startTsa()
  await t.call('ca.import', { purpose: 'tsa', pem: fs.readFileSync(tsa.caPem, 'utf8') }, admin)
  await t.call('signing.setSettings', { tsaUrl: tsa.url }, admin)
  const dir = tempDir('liuhen-accessdev-')
  makeClip(path.join(dir, 'ZD_20261120090000_0001.MP4'), { creationTime: '2026-11-20T09:00:00Z' })
  makeClip(path.join(dir, 'ZD_20261120093000_0002.MP4'), { creationTime: '2026-11-20T09:30:00Z' })
  const { jobId } = await t.call(
    'ingest.start',
    { sourceRoot: dir, lateReason: '外出执法', signingPin: '246810' },
    jilu,
  )
  await t.core.waitForJob(jobId)
  expect(await t.call('timestamps.retry', {}, jilu)).toMatchObject({ pending: 0, error: null })
  const { jobs } = await t.call('ingest.jobs', {}, jilu)
  records = [...new Set(jobs[0]!.results.map((r) => r.evidenceId!))].sort()
  expect(records).toHaveLength(2)
  const c = await t.call(
    'cases.create',
    {
      type: 'penalty',
      cause: '串换药品违规结算',
      source: 'complaint',
      party: { kind: 'organisation', name: '某大药房' },
      handlerIds: [a.user.id, b.user.id],
    },
    jilu,
  )
  caseId = c.case.id
  await t.call('records.tag', { evidenceIds: records, tags: { caseId, stage: 'investigation' } }, jilu)
})

async function lastAudit(action: string) {
  const { events } = await t.call('audit.list', { limit: 50 }, admin)
  return events.find((e) => e.action === action)
}

describe('access approval', () => {
  test('without a grant, every path is refused and the refusal is logged', async () => {
    expect((await t.fail('media.open', { evidenceId: records[0]! }, stranger)).code).toBe('FORBIDDEN')
    expect((await lastAudit('access.denied'))?.targetId).toBe(records[0])
    expect((await t.fail('evidence.thumbnail', { evidenceId: records[0]! }, stranger)).code).toBe('FORBIDDEN')
    expect((await t.fail('cases.get', { caseId }, stranger)).code).toBe('FORBIDDEN')
    // An auditor sees what the case is, not its recordings.
    const summary = await t.call('cases.get', { caseId }, auditor)
    expect(summary).toMatchObject({ restricted: true, records: [], textRecords: [] })
    // Forged and guessed ids look exactly like forbidden ones, and are logged too.
    const forged = crypto.randomUUID()
    expect((await t.fail('media.open', { evidenceId: forged }, stranger)).code).toBe('FORBIDDEN')
    expect((await lastAudit('access.denied'))?.targetId).toBe(forged)
    expect((await t.call('evidence.list', { limit: 100 }, stranger)).items).toEqual([])
  })

  test('nobody approves their own request', async () => {
    const { request } = await t.call(
      'access.request',
      { caseId, purpose: 'supervision', kind: 'view', startsAt: iso(0), endsAt: iso(24 * hour) },
      fuze,
    )
    expect((await t.fail('access.approve', { requestId: request.id }, fuze)).code).toBe('SELF_APPROVAL')
    await t.call('access.reject', { requestId: request.id, reason: '请通过负责人办公室申请' }, fuze2)
  })

  test('an approved grant opens the records it names, for its period; narrowed, expired and revoked grants refuse', async () => {
    const { request } = await t.call(
      'access.request',
      { caseId, purpose: 'reconsideration', kind: 'export', startsAt: iso(0), endsAt: iso(48 * hour) },
      stranger,
    )
    const { inbox } = await t.call('access.list', {}, fuze)
    expect(inbox).toBeGreaterThanOrEqual(1)
    // Narrowed: one record, one hour, view only.
    const { grant } = await t.call(
      'access.approve',
      { requestId: request.id, recordIds: [records[0]!], endsAt: iso(hour), viewOnly: true },
      fuze,
    )
    expect(grant).toMatchObject({ kind: 'view', recordIds: [records[0]], status: 'active' })
    const opened = await t.call('media.open', { evidenceId: records[0]! }, stranger)
    expect(t.core.resolveMedia(opened.ticket)).not.toBeNull()
    expect((await t.fail('media.open', { evidenceId: records[1]! }, stranger)).code).toBe('FORBIDDEN')
    const view = await t.call('cases.get', { caseId }, stranger)
    expect(view.records.map((r) => r.evidenceId)).toEqual([records[0]])
    // The case page reads again when the grant ends (on the core's clock, which stands still here).
    expect(view.recheckInMs).toBe(hour)

    // The log has the view with its grant.
    const log = await t.call('access.log', { caseId }, fuze)
    const entry = log.entries.find((e) => e.action === 'media.open' && e.userName === 'wangwu')
    expect(entry).toMatchObject({ evidenceId: records[0], basis: 'grant', grantId: grant.id })
    expect(log.entries.some((e) => e.action === 'access.denied' && e.evidenceId === records[1])).toBe(true)

    // Expired.
    t.clock.advance(hour + 1000)
    expect((await t.fail('media.open', { evidenceId: records[0]! }, stranger)).code).toBe('FORBIDDEN')

    // Revoked at once.
    const again = await t.call(
      'access.request',
      { caseId, purpose: 'litigation', kind: 'view', startsAt: iso(0), endsAt: iso(24 * hour) },
      stranger,
    )
    const g2 = await t.call('access.approve', { requestId: again.request.id }, fuze)
    await t.call('media.open', { evidenceId: records[1]! }, stranger)
    await t.call('access.revoke', { grantId: g2.grant.id, reason: '诉讼已撤回' }, fuze)
    expect((await t.fail('media.open', { evidenceId: records[1]! }, stranger)).code).toBe('FORBIDDEN')
    const mine = await t.call('access.list', {}, stranger)
    expect(mine.grants.map((g) => g.status).sort()).toEqual(['expired', 'revoked'])
    // With its grants over, an officer of another case no longer reads even the summary.
    expect((await t.fail('cases.get', { caseId }, stranger)).code).toBe('FORBIDDEN')
    // An auditor reads the summary without a grant: no time to look again; a grant that begins later sets its start.
    expect((await t.call('cases.get', { caseId }, auditor)).recheckInMs).toBeNull()
    const later = await t.call(
      'access.request',
      { caseId, purpose: 'supervision', kind: 'view', startsAt: iso(20 * minute), endsAt: iso(50 * minute) },
      auditor,
    )
    await t.call('access.approve', { requestId: later.request.id }, fuze)
    const waiting = await t.call('cases.get', { caseId }, auditor)
    expect(waiting.records).toEqual([])
    expect(waiting.recheckInMs).toBe(20 * minute)
    t.clock.advance(20 * minute)
    const begun = await t.call('cases.get', { caseId }, auditor)
    expect(begun.records.length).toBeGreaterThan(0)
    expect(begun.recheckInMs).toBe(30 * minute)
    // Ended: nothing left to wait for. Revoked: the same, at once.
    t.clock.advance(30 * minute)
    expect((await t.call('cases.get', { caseId }, auditor)).recheckInMs).toBeNull()
    const revoked = await t.call(
      'access.request',
      { caseId, purpose: 'supervision', kind: 'view', startsAt: iso(0), endsAt: iso(hour) },
      auditor,
    )
    const rg = await t.call('access.approve', { requestId: revoked.request.id }, fuze)
    expect((await t.call('cases.get', { caseId }, auditor)).recheckInMs).toBe(hour)
    await t.call('access.revoke', { grantId: rg.grant.id, reason: '监督检查结束' }, fuze)
    expect((await t.call('cases.get', { caseId }, auditor)).recheckInMs).toBeNull()
    // Another person's grant says nothing about this one's page.
    expect((await t.call('cases.get', { caseId }, jilu)).recheckInMs).toBeNull()
  })

  test('a period given with an offset is the same moment in UTC: the grant ends when it says, not 8 hours later', async () => {
    // Beijing wall time, as the CLI writes a date (00:00+08:00): compared as text beside the core's UTC "now", the
    // grant would have run until 00:00 UTC, eight hours past its end.
    const beijing = (ms: number) =>
      new Date(t.clock.now().getTime() + ms + 8 * hour).toISOString().replace('Z', '+08:00')
    const { request } = await t.call(
      'access.request',
      { caseId, purpose: 'supervision', kind: 'view', startsAt: beijing(0), endsAt: beijing(2 * hour) },
      auditor,
    )
    expect(request.endsAt).toBe(iso(2 * hour))
    const { grant } = await t.call('access.approve', { requestId: request.id, endsAt: beijing(hour) }, fuze)
    expect(grant).toMatchObject({ endsAt: iso(hour), status: 'active' })
    expect((await t.call('cases.get', { caseId }, auditor)).recheckInMs).toBe(hour)
    await t.call('media.open', { evidenceId: records[0]! }, auditor)
    t.clock.advance(hour + 1000)
    expect((await t.fail('media.open', { evidenceId: records[0]! }, auditor)).code).toBe('FORBIDDEN')
    const mine = await t.call('access.list', {}, auditor)
    expect(mine.grants.find((g) => g.id === grant.id)?.status).toBe('expired')
  })

  test('a grant stored with an offset (before periods were kept in UTC) still ends at its moment', async () => {
    const { request } = await t.call(
      'access.request',
      { caseId, purpose: 'supervision', kind: 'view', startsAt: iso(0), endsAt: iso(hour) },
      auditor,
    )
    const { grant } = await t.call('access.approve', { requestId: request.id }, fuze)
    // Hand-written: the writers can no longer store such a row (the contract keeps UTC), but a data folder from
    // before may hold one — the same moment as Beijing wall time.
    const legacy = new Date(Date.parse(grant.endsAt) + 8 * hour).toISOString().replace('Z', '+08:00')
    const db = new Database(path.join(t.dataDir, 'liuhen.db'))
    db.prepare('UPDATE access_grants SET ends_at = ? WHERE id = ?').run(legacy, grant.id)
    db.close()
    expect((await t.call('cases.get', { caseId }, auditor)).recheckInMs).toBe(hour)
    await t.call('media.open', { evidenceId: records[0]! }, auditor)
    t.clock.advance(hour + 1000)
    expect((await t.fail('media.open', { evidenceId: records[0]! }, auditor)).code).toBe('FORBIDDEN')
    expect((await t.call('access.list', {}, auditor)).grants.find((g) => g.id === grant.id)?.status).toBe(
      'expired',
    )
  })

  test('a confidential case needs the senior approver the agency named', async () => {
    await t.call('cases.update', { caseId, confidentiality: 'trade_secret' }, jilu)
    // Name fuze2 the only senior approver.
    const fuze2Id = (await t.call('users.find', { username: 'fuze2' }, admin)).userId
    await t.call('access.policy', { seniorApprovers: [fuze2Id] }, admin)
    const { request } = await t.call(
      'access.request',
      { caseId, purpose: 'case_review', kind: 'view', startsAt: iso(0), endsAt: iso(hour) },
      auditor,
    )
    // Issue 17: an approver not named for the level does not see the request at all — not in the inbox, and
    // deciding it answers exactly as an unknown id does (FORBIDDEN, logged), not with a hint that it exists.
    expect((await t.call('access.list', {}, fuze)).requests.map((r) => r.id)).not.toContain(request.id)
    expect(await t.fail('access.approve', { requestId: request.id }, fuze)).toEqual({ code: 'FORBIDDEN' })
    await t.call('access.approve', { requestId: request.id }, fuze2)
  })

  test('export needs an explicit export grant; the copy checks out with sha256sum and openssl alone', async () => {
    const out = path.join(tempDir('liuhen-export-'), '导出')
    // A records officer's custodial access is for viewing only.
    expect((await t.fail('access.export', { caseId, outDir: out }, jilu)).code).toBe('FORBIDDEN')
    expect(fs.existsSync(out)).toBe(false)
    const { request } = await t.call(
      'access.request',
      { caseId, purpose: 'litigation', kind: 'export', startsAt: iso(0), endsAt: iso(2 * hour) },
      jilu,
    )
    await t.call('access.approve', { requestId: request.id }, fuze2)
    // Not into the data folder, even with the grant: the copy would sit among the vault's own files.
    const intoData = path.join(t.dataDir, '导出')
    expect((await t.fail('access.export', { caseId, outDir: intoData }, jilu)).code).toBe(
      'OUT_IN_DATA_FOLDER',
    )
    expect(fs.existsSync(intoData)).toBe(false)
    const r = await t.call('access.export', { caseId, outDir: out }, jilu)
    expect(r.records).toBe(2)
    const check = spawnSync('sha256sum', ['-c', 'manifest-sha256.txt'], { cwd: out, encoding: 'utf8' })
    expect(check.status, check.stdout + check.stderr).toBe(0)
    expect(fs.readFileSync(path.join(out, '说明.txt'), 'utf8')).toContain('sha256sum -c manifest-sha256.txt')

    // The signatures and time-stamps, checked as 说明.txt tells a reviewer to: OpenSSL, the copy, and the
    // trust anchors in the export — nothing from Liuhen.
    const files = fs.readdirSync(path.join(out, '记录'))
    const clips = files.filter((f) => f.endsWith('.MP4'))
    expect(clips).toHaveLength(2)
    expect(files.filter((f) => f.endsWith('.p7s'))).toHaveLength(2)
    expect(files.filter((f) => f.endsWith('.tsr'))).toHaveLength(2)
    // The officer's certificate is checked at the moment the core's clock says, not the machine's calendar.
    const attime = String(Math.floor(t.clock.now().getTime() / 1000))
    const cms = (content: string) =>
      openssl(
        [
          'cms',
          '-verify',
          '-binary',
          '-inform',
          'DER',
          '-in',
          `记录/${content}.p7s`,
          '-content',
          `记录/${content}`,
          '-CAfile',
          '信任锚/root.pem',
          '-purpose',
          'any',
          '-attime',
          attime,
          '-out',
          '/dev/null',
        ],
        out,
      )
    const ts = (content: string) =>
      openssl(
        [
          'ts',
          '-verify',
          '-in',
          `记录/${content}.tsr`,
          '-data',
          `记录/${content}`,
          '-CAfile',
          '信任锚/tsa-root.pem',
        ],
        out,
      )
    for (const clip of clips) {
      const sig = cms(clip)
      expect(sig.code, sig.out).toBe(0)
      expect(sig.out).toContain('Verification successful')
      const stamp = ts(clip)
      expect(stamp.code, stamp.out).toBe(0)
      expect(stamp.out).toContain('Verification: OK')
    }
    // Negative control: the same commands refuse a copy with one byte changed.
    const bytes = fs.readFileSync(path.join(out, '记录', clips[0]!))
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01
    fs.writeFileSync(path.join(out, '记录', clips[0]!), bytes)
    expect(cms(clips[0]!).code).not.toBe(0)
    expect(ts(clips[0]!).code).not.toBe(0)
    // The case is 商业秘密 now: its log is for those named for that level (fuze2), not every approver.
    expect((await t.fail('access.log', { caseId }, fuze)).code).toBe('FORBIDDEN')
    const log = await t.call('access.log', { caseId }, fuze2)
    expect(log.entries.filter((e) => e.action === 'access.export' && e.basis === 'grant')).toHaveLength(2)
  })

  test('the 调阅登记表 is a PDF with its Chinese font embedded and the views in it', async () => {
    const { pdfBase64, rows } = await t.call('access.register', { caseId }, fuze2)
    expect(rows).toBeGreaterThan(3)
    const file = path.join(tempDir(), '调阅登记表.pdf')
    fs.writeFileSync(file, Buffer.from(pdfBase64, 'base64'))
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' })
    expect(fonts).toMatch(/NotoSans\S*CJK\S*\s+CID Type 0C\s+Identity-H\s+yes\s+yes\s+yes/)
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
    expect(text).toContain('执法音像记录调阅登记表')
    expect(text).toContain('查看/播放')
    expect(text).toContain('拒绝访问')
  })
})
