import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { testCore } from '../helpers/core.ts'
import { rpc, startBridgeProcess, tempDir, type RunningBridge } from '../helpers/bridge.ts'
import { agency, ingest, newCase, type Person } from '../helpers/agency.ts'
import Database from 'better-sqlite3'
import { lastJson, ok, runLiuhen } from '../helpers/cli.ts'
import { verifyTarget } from '../../electron/core/archive/discs.ts'
import { validateBag } from '../helpers/bagit.ts'

/*
 * An archived case from disc to supplementary disc (issue 18, item 9 and its Done-when): a recording cannot be
 * moved out of it (core and bridge); a reopening is asked with a reason and decided by another approver; after it
 * the move goes through and the case lists the change and asks for 补充归档; the supplementary image holds only what
 * changed, passes the disc check every disc passes, and names the original disc by number and manifest hash; once
 * its disc is registered good the case is frozen again.
 */

const t = testCore()
type Who = 'jilu' | 'lijing' | 'zhangwei' | 'boss' | 'fuze' | 'kezhang'
let p: Record<Who, Person>
let admin = ''
let caseId = ''
let other = ''
let recs: string[] = []
let firstDisc = { discNo: '', volid: '' }
let firstManifest = ''

function extract(image: string): string {
  const dir = tempDir('liuhen-sup-extract-')
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', image, '-extract', '/', dir], { stdio: 'ignore' })
  execFileSync('chmod', ['-R', 'u+w', dir])
  return dir
}

beforeAll(async () => {
  ;({ admin, p } = await agency(t, {
    jilu: ['records_officer'],
    lijing: ['enforcement_officer'],
    zhangwei: ['enforcement_officer'],
    boss: ['approver'],
    fuze: ['approver'],
    // A section head who both files and approves: may ask, never decide what he asked.
    kezhang: ['records_officer', 'approver'],
  }))
  caseId = await newCase(t, p.jilu, [p.lijing, p.zhangwei])
  other = await newCase(t, p.jilu, [p.lijing, p.zhangwei])
  recs = await ingest(t, p.lijing, 2)
  await t.call('records.tag', { evidenceIds: recs, tags: { caseId } }, p.lijing.session)
  await t.call('cases.archiveException', { caseId, reason: '当事人已整改，先行归档' }, p.boss.session)
  const img = await t.call('archive.image', { caseId, media: 'cd', outDir: tempDir() }, p.jilu.session)
  const burned = await t.call(
    'discs.burn',
    { target: path.join(tempDir(), 'A.iso'), image: img.volumes[0]!.image, copy: 'A', retention: '30y' },
    p.jilu.session,
  )
  expect(burned.disc.status).toBe('good')
  firstDisc = { discNo: burned.disc.discNo, volid: burned.disc.volid }
  firstManifest = fs.readFileSync(path.join(extract(img.volumes[0]!.image), 'manifest-sha256.txt'), 'utf8')
}, 300_000)
let closed = false
afterAll(() => {
  if (!closed) t.core.close()
})

describe('an archived case', () => {
  test('refuses moving a recording out, and says it is frozen', async () => {
    const err = await t.fail(
      'records.tag',
      { evidenceIds: [recs[0]], tags: { caseId: other } },
      p.lijing.session,
    )
    expect(err.code).toBe('CASE_ARCHIVED')
    const c = await t.call('cases.get', { caseId }, p.lijing.session)
    expect(c.records.map((r) => r.evidenceId).sort()).toEqual([...recs].sort())
    expect(c.archive).toMatchObject({ archived: true, frozen: true, reopened: false, supplementDue: false })
    expect(c.archive.discs.map((d) => d.discNo)).toEqual([firstDisc.discNo])
  })

  test('a full image of the unchanged case is a replica; a supplement of nothing is refused', async () => {
    const e = await t.fail(
      'archive.image',
      { caseId, media: 'cd', outDir: tempDir(), supplement: true },
      p.jilu.session,
    )
    expect(e.code).toBe('NOTHING_TO_SUPPLEMENT')
  })

  test('reopening: asked with a reason, never approved by whoever asked, then decided by another approver', async () => {
    const asked = await t.call(
      'cases.requestChange',
      { caseId, kind: 'reopen_archived', reason: '发现一段录像归错案件，需移出' },
      p.kezhang.session,
    )
    expect(asked.change).toMatchObject({ kind: 'reopen_archived', status: 'pending' })
    expect(
      (await t.fail('cases.decideChange', { changeId: asked.change.id, approve: true }, p.kezhang.session))
        .code,
    ).toBe('SELF_APPROVAL')
    // A second request while one waits is refused; the case is still frozen meanwhile.
    expect(
      (
        await t.fail(
          'cases.requestChange',
          { caseId, kind: 'reopen_archived', reason: '再次申请重新开启' },
          p.lijing.session,
        )
      ).code,
    ).toBe('VALIDATION')
    expect(
      (await t.fail('records.tag', { evidenceIds: [recs[0]], tags: { caseId: other } }, p.lijing.session))
        .code,
    ).toBe('CASE_ARCHIVED')
    const decided = await t.call(
      'cases.decideChange',
      { changeId: asked.change.id, approve: true, note: '同意重新开启' },
      p.fuze.session,
    )
    expect(decided.change.status).toBe('approved')
    const ev = (await t.call('audit.list', { limit: 5, action: 'cases.changeApproved' }, admin)).events[0]!
    expect(ev.details).toMatchObject({
      kind: 'reopen_archived',
      reason: '发现一段录像归错案件，需移出',
      before: { archive: 'frozen', discs: [firstDisc.discNo] },
      after: { archive: 'reopened' },
    })
  })

  test('after the reopening the move goes through, and the case lists it and asks for a supplementary disc', async () => {
    await t.call('records.tag', { evidenceIds: [recs[0]!], tags: { caseId: other } }, p.lijing.session)
    const c = await t.call('cases.get', { caseId }, p.lijing.session)
    expect(c.records.map((r) => r.evidenceId)).toEqual([recs[1]])
    expect(c.archive).toMatchObject({ archived: true, frozen: false, reopened: true, supplementDue: true })
    expect(c.archive.reopening).toMatchObject({ requestedBy: 'kezhang', decidedBy: 'fuze' })
    expect(c.archive.changes.map((x) => [x.action, x.targetId])).toEqual([['records.tag', recs[0]]])
    // A new full archive would hide what changed among what did not: the change goes onto a supplement.
    expect(
      (await t.fail('archive.image', { caseId, media: 'cd', outDir: tempDir() }, p.jilu.session)).code,
    ).toBe('SUPPLEMENT_REQUIRED')
  })

  test('the supplementary disc holds only what changed, verifies like any disc, names the original disc, and freezes the case again', async () => {
    // A recording filed into the reopened case as well: the one new original the supplement must carry.
    const [added] = await ingest(t, p.lijing, 1)
    await t.call('records.tag', { evidenceIds: [added!], tags: { caseId } }, p.lijing.session)
    const img = await t.call(
      'archive.image',
      { caseId, media: 'cd', outDir: tempDir(), supplement: true },
      p.jilu.session,
    )
    const vol = img.volumes[0]!
    expect(vol.supplement).toBe(1)
    const v = await verifyTarget(vol.image, null)
    expect(v).toMatchObject({ ok: true, sessionMd5: 'match', problems: [] })
    const dir = extract(vol.image)
    expect(validateBag(dir)).toEqual([])
    const manifest = fs.readFileSync(path.join(dir, 'manifest-sha256.txt'), 'utf8')
    const now = await t.call('cases.get', { caseId }, p.lijing.session)
    const sha = (id: string) => now.records.find((r) => r.evidenceId === id)!.sha256
    // Only the new original; the one still in the case is on the first disc and named, not carried.
    expect(manifest).toContain(sha(added!))
    expect(manifest).not.toContain(sha(recs[1]!))
    const sup = JSON.parse(fs.readFileSync(path.join(dir, 'data/metadata/supplement.json'), 'utf8')) as {
      label: string
      supplements: { discNo: string; volid: string; manifestSha256: string }[]
      changes: { action: string; targetId: string }[]
    }
    expect(sup.label).toBe('补充归档 第1次')
    const firstManifestSha = execFileSync('sha256sum', { input: firstManifest, encoding: 'utf8' }).slice(
      0,
      64,
    )
    expect(sup.supplements).toEqual([
      expect.objectContaining({
        discNo: firstDisc.discNo,
        volid: firstDisc.volid,
        manifestSha256: firstManifestSha,
      }),
    ])
    // The move out, then the new recording's own history (brought in, filed into the case).
    expect(sup.changes.map((x) => [x.action, x.targetId])).toEqual([
      ['records.tag', recs[0]],
      ['evidence.ingest', added],
      ['records.tag', added],
    ])
    expect(fs.readFileSync(path.join(dir, 'README.txt'), 'utf8')).toContain(firstDisc.discNo)
    expect(fs.readFileSync(path.join(dir, 'bag-info.txt'), 'utf8')).toContain('补充归档 第1次')

    const burned = await t.call(
      'discs.burn',
      { target: path.join(tempDir(), 'S.iso'), image: vol.image, copy: 'A', retention: '30y' },
      p.jilu.session,
    )
    expect(burned.disc).toMatchObject({ status: 'good', supplement: 1 })
    expect(burned.disc.label).toContain('补充归档 第1次')
    const c = await t.call('cases.get', { caseId }, p.lijing.session)
    expect(c.archive).toMatchObject({
      frozen: true,
      reopened: false,
      supplementDue: false,
      supplementsDone: 1,
    })
    expect(
      (await t.fail('records.tag', { evidenceIds: [added!], tags: { caseId: other } }, p.lijing.session))
        .code,
    ).toBe('CASE_ARCHIVED')
  })
})

describe('through the bridge', () => {
  let bridge: RunningBridge
  afterAll(async () => bridge?.stop())
  test('moving a recording out of the archived case is refused over HTTP too', async () => {
    t.core.close()
    closed = true
    bridge = await startBridgeProcess(t.dataDir)
    const s = (
      await rpc(bridge, { method: 'auth.signIn', input: { username: 'lijing', password: 'Zhengshi2026y' } })
    ).json as { ok: true; value: { session: string } }
    expect(s.ok).toBe(true)
    const r = (
      await rpc(bridge, {
        method: 'records.tag',
        input: { evidenceIds: [recs[1]], tags: { caseId: other } },
        session: s.value.session,
      })
    ).json as { ok: boolean; error: { code: string; message?: string } }
    expect(r.ok).toBe(false)
    expect(r.error.code).toBe('CASE_ARCHIVED')
    await bridge.stop()
  })

  test('the CLI asks for a reopening: liuhen case reopen --case NO --reason …', () => {
    const caseNo = (
      new Database(path.join(t.dataDir, 'liuhen.db'), { readonly: true })
        .prepare('SELECT case_no FROM cases WHERE id = ?')
        .get(caseId) as { case_no: string }
    ).case_no
    const env = { LIUHEN_USER: 'lijing', LIUHEN_PASSWORD: 'Zhengshi2026y' }
    const r = ok(
      runLiuhen(
        [
          'case',
          'reopen',
          '--case',
          caseNo,
          '--reason',
          '补充一份更正后的笔录',
          '--data',
          t.dataDir,
          '--json',
        ],
        env,
      ),
    )
    expect(lastJson<{ change: { kind: string; status: string } }>(r).change).toMatchObject({
      kind: 'reopen_archived',
      status: 'pending',
    })
    const human = runLiuhen(
      ['case', 'reopen', '--case', caseNo, '--reason', '再次申请重新开启', '--data', t.dataDir],
      env,
    )
    expect(human.status).not.toBe(0)
  })
})
