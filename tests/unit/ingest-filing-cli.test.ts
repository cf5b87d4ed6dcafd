import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/bridge.ts'
import { cliAgency, ok, runLiuhen } from '../helpers/cli.ts'
import { makeClip } from '../helpers/media.ts'

/*
 * Issue 19, items 3 and 4 through the real CLI: `liuhen ingest … --case NO` files what it stores into the case;
 * `liuhen record late-reason --id … --reason …` gives (and corrects) a late recording's reason after import.
 */

const data = tempDir('liuhen-filing-cli-')
const LIJING = { LIUHEN_PASSWORD: 'Officer2026pw', LIUHEN_USER: 'lijing' }
const JILU = { LIUHEN_PASSWORD: 'Jilu2026pw', LIUHEN_USER: 'jilu' }
const lines = (r: { stdout: string }) =>
  r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
let caseNo = ''

beforeAll(() => {
  cliAgency(data, [
    ['lijing', '李静', '执法人员', '35010023', 'Officer2026pw'],
    ['zhangwei', '张伟', '执法人员', '35010024', 'Officer2026pw'],
    ['jilu', '王记录', 'records_officer', '', 'Jilu2026pw'],
  ])
  const created = ok(
    runLiuhen(
      [
        'case',
        'create',
        '--data',
        data,
        '--type',
        'penalty',
        '--cause',
        '串换药品违规结算',
        '--source',
        'complaint',
        '--party-kind',
        'organisation',
        '--party',
        '某大药房',
        '--handlers',
        'lijing,zhangwei',
        '--json',
      ],
      JILU,
    ),
  )
  caseNo = (lines(created).pop() as { case: { caseNo: string } }).case.caseNo
})

describe('liuhen ingest --case and record late-reason', () => {
  test('ingest --case NO files the recordings into the case; a late one gets its reason afterwards', () => {
    const device = tempDir('liuhen-filing-cli-dev-')
    makeClip(path.join(device, 'ZD_20261120090000_0001.MP4'), { creationTime: '2026-11-20T01:00:00Z' })
    makeClip(path.join(device, 'ZD_20261120091500_0002.MP4'), { creationTime: '2026-11-20T01:15:00Z' })
    const r = ok(
      runLiuhen(['ingest', device, '--data', data, '--user', 'lijing', '--case', caseNo, '--json'], LIJING),
    )
    const files = lines(r).filter((l) => l.relPath) as {
      evidenceId: string
      flags: string[]
      filing: { filed: boolean }
    }[]
    expect(files).toHaveLength(2)
    for (const f of files) expect(f.filing.filed).toBe(true)
    const shown = lines(ok(runLiuhen(['case', 'show', caseNo, '--data', data, '--json'], LIJING))).pop() as {
      records: { evidenceId: string }[]
    }
    expect(shown.records.map((x) => x.evidenceId).sort()).toEqual(files.map((f) => f.evidenceId).sort())

    // Late and without a reason at import: flagged; the reason is given on the recording afterwards.
    expect(files[0]!.flags).toContain('late_reason_missing')
    const set = ok(
      runLiuhen(
        [
          'record',
          'late-reason',
          '--id',
          files[0]!.evidenceId,
          '--reason',
          '执法记录仪遗留在车上',
          '--data',
          data,
        ],
        LIJING,
      ),
    )
    expect(set.stdout).toContain('已记录')
    const json = lines(
      ok(
        runLiuhen(
          [
            ...['record', 'late-reason', '--id', files[0]!.evidenceId, '--data', data, '--json'],
            ...['--reason', '执法记录仪遗留在车上（更正）'],
          ],
          LIJING,
        ),
      ),
    ).pop() as { evidence: { lateReason: string; flags: string[] } }
    expect(json.evidence.lateReason).toBe('执法记录仪遗留在车上（更正）')
    expect(json.evidence.flags).not.toContain('late_reason_missing')
    expect(fs.existsSync(device)).toBe(true)
  })

  test('--case naming no case is refused before anything is copied', () => {
    const device = tempDir('liuhen-filing-cli-dev-')
    makeClip(path.join(device, 'ZD_20261122090000_0003.MP4'), { creationTime: '2026-11-22T01:00:00Z' })
    const r = runLiuhen(
      ['ingest', device, '--data', data, '--user', 'lijing', '--case', '不存在的案号'],
      LIJING,
    )
    expect(r.status).not.toBe(0)
    const list = ok(runLiuhen(['ingest', device, '--data', data, '--user', 'lijing', '--json'], LIJING))
    expect(lines(list).filter((l) => l.status === 'stored')).toHaveLength(1)
  })
})
