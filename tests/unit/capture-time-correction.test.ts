import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/bridge.ts'
import { cliAgency, lastJson, ok, runLiuhen, storedIds } from '../helpers/cli.ts'
import { testCore } from '../helpers/core.ts'
import { makeClip } from '../helpers/media.ts'

/*
 * A records officer corrects a capture time with a reason (issue 19): the original reading stays, the correction
 * is an audited new version, through the contract (gated like filing) and the CLI.
 */

let t: ReturnType<typeof testCore>
let jilu: string
let auditor: string
let id: string

beforeAll(async () => {
  t = testCore()
  const admin = await t.adminSession()
  jilu = (await t.userSession(admin, 'jilu', ['records_officer'])).session
  auditor = (await t.userSession(admin, 'shenji', ['auditor'])).session
  const cam = tempDir('liuhen-fix-')
  // Name and container disagree by 2 h 10 min: a conflict for a person to settle.
  makeClip(path.join(cam, '20261120_090000_0004.MP4'), { creationTime: '2026-11-20T03:10:00Z' })
  const { jobId } = await t.call('ingest.start', { sourceRoot: cam }, jilu)
  await t.core.waitForJob(jobId)
  const { jobs } = await t.call('ingest.jobs', {}, jilu)
  const r = jobs.find((j) => j.progress.jobId === jobId)!.results[0]!
  expect(r.flags).toContain('time_conflict')
  id = r.evidenceId!
})

afterAll(() => t?.core.close())

describe('correcting a capture time', () => {
  test('before any correction the reading at ingest is the one version', async () => {
    const { versions } = await t.call('evidence.captureTimeHistory', { evidenceId: id }, jilu)
    expect(versions).toEqual([
      expect.objectContaining({ version: 1, source: 'container', captureStart: '2026-11-20T03:10:00+00:00' }),
    ])
  })

  test('a correction is a new version with its reason; the original reading stays; audited', async () => {
    const r = await t.call(
      'evidence.setCaptureTime',
      { evidenceId: id, captureStart: '2026-11-20T09:00:00+08:00', reason: '记录仪时钟未校准，以文件名为准' },
      jilu,
    )
    expect(r.evidence).toMatchObject({
      captureStart: '2026-11-20T09:00:00+08:00',
      captureEnd: '2026-11-20T09:00:02+08:00',
      captureSource: 'corrected',
    })
    expect(r.evidence.flags).not.toContain('time_conflict')
    expect(r.versions.map((v) => [v.version, v.source, v.captureStart, v.reason])).toEqual([
      [1, 'container', '2026-11-20T03:10:00+00:00', null],
      [2, 'corrected', '2026-11-20T09:00:00+08:00', '记录仪时钟未校准，以文件名为准'],
    ])
    const again = await t.call(
      'evidence.setCaptureTime',
      { evidenceId: id, captureStart: '2026-11-20T09:00:05+08:00', reason: '按执法记录复核' },
      jilu,
    )
    expect(again.versions.map((v) => v.version)).toEqual([1, 2, 3])
    const admin = (await t.call('auth.signIn', { username: 'admin', password: 'Admin2026ok' })).session
    const { events } = await t.call('audit.list', { limit: 5, action: 'evidence.setCaptureTime' }, admin)
    expect(events[0]?.details).toMatchObject({
      captureStart: { from: '2026-11-20T09:00:00+08:00', to: '2026-11-20T09:00:05+08:00' },
      reason: '按执法记录复核',
    })
  })

  test('refused: no reason, a time before 2000 or days ahead, and a role that cannot file', async () => {
    const base = { evidenceId: id, captureStart: '2026-11-20T09:00:00+08:00', reason: '理由充分' }
    expect((await t.fail('evidence.setCaptureTime', { ...base, reason: ' ' }, jilu)).code).toBe('VALIDATION')
    expect(
      (await t.fail('evidence.setCaptureTime', { ...base, captureStart: '1970-01-01T08:00:00+08:00' }, jilu))
        .code,
    ).toBe('VALIDATION')
    expect(
      (await t.fail('evidence.setCaptureTime', { ...base, captureStart: '2027-01-01T08:00:00+08:00' }, jilu))
        .code,
    ).toBe('VALIDATION')
    expect(
      (await t.fail('evidence.setCaptureTime', { ...base, captureStart: '2026-02-30T08:00:00+08:00' }, jilu))
        .code,
    ).toBe('VALIDATION')
    expect((await t.fail('evidence.setCaptureTime', base, auditor)).code).toBe('FORBIDDEN')
    const { versions } = await t.call('evidence.captureTimeHistory', { evidenceId: id }, jilu)
    expect(versions).toHaveLength(3)
  })
})

describe('liuhen record set-time', () => {
  test('corrects through the CLI, keeping the original reading', () => {
    const data = path.join(tempDir(), 'agency')
    const JILU = { LIUHEN_PASSWORD: 'Jilu2026pw', LIUHEN_USER: 'jilu' }
    cliAgency(data, [['jilu', '王记录', 'records_officer', '', 'Jilu2026pw']])
    const cam = tempDir('liuhen-fixcli-')
    makeClip(path.join(cam, 'VID_0001.MP4'), { creationTime: '2026-11-20T03:10:00Z', seconds: 1 })
    const ingested = ok(runLiuhen(['ingest', cam, '--data', data, '--user', 'jilu', '--json'], JILU))
    const [evidenceId] = storedIds(ingested)
    const r = ok(
      runLiuhen(
        [
          'record',
          'set-time',
          evidenceId!,
          '2026-11-20T11:10:00+08:00',
          '--reason',
          '与执法记录核对',
          '--data',
          data,
        ],
        JILU,
      ),
    )
    expect(r.stdout).toContain('2026-11-20T11:10:00+08:00')
    expect(r.stdout).toContain('2026-11-20T03:10:00+00:00')
    const json = lastJson<{ versions: { version: number }[] }>(
      ok(
        runLiuhen(
          [
            'record',
            'set-time',
            evidenceId!,
            '2026-11-20T11:10:01+08:00',
            '--reason',
            '再次核对',
            '--data',
            data,
            '--json',
          ],
          JILU,
        ),
      ),
    )
    expect(json.versions.map((v) => v.version)).toEqual([1, 2, 3])
    const missing = runLiuhen(
      ['record', 'set-time', evidenceId!, '2026-11-20T11:10:00+08:00', '--data', data],
      JILU,
    )
    expect(missing.status).toBe(2)
  })
})
