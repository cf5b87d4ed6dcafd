import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { FileResult } from '../../shared/ingest.ts'
import { tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { exiftool, makeClip, makeMts, makeRiffWav, makeWav } from '../helpers/media.ts'

/*
 * Issue 19, capture time a court can rely on. ExifTool (`exiftool -j -G`) is the reference reader: each file's
 * capture time must be ExifTool's reading interpreted in the right zone, or carry a flag. The files are made here
 * the way body cameras, camcorders and recorders write them: MP4 creation_time in true UTC and in local wall time
 * labelled UTC, AVCHD's H.264 SEI, RIFF INFO and BWF bext, and names with impossible dates.
 */

let t: ReturnType<typeof testCore>
let session: string
let results: FileResult[]
let folder: string
const BEIJING = 8 * 60

/** ExifTool's wall-clock reading "2026:11:20 00:30:15[+08:00]" as an instant, in the zone given when it has none. */
function instantOf(text: string, zoneMin: number): number {
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})?/.exec(text)
  if (!m) throw new Error(`not an ExifTool time: ${text}`)
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
  if (m[7] === 'Z') return wall
  if (m[7]) {
    const sign = m[7][0] === '-' ? -1 : 1
    return wall - sign * (+m[7].slice(1, 3) * 60 + +m[7].slice(4, 6)) * 60_000
  }
  return wall - zoneMin * 60_000
}

const at = (rel: string) => results.find((r) => r.relPath === rel)!
const ref = (rel: string) => exiftool(path.join(folder, rel))

beforeAll(async () => {
  t = testCore()
  const admin = await t.adminSession()
  session = (await t.userSession(admin, 'jilu', ['records_officer'])).session
  folder = tempDir('liuhen-times-')
  // A body camera that writes true UTC, as the QuickTime format defines creation_time: 08:30:15 in Beijing.
  makeClip(path.join(folder, 'DCIM', '20261120_083015_0001.MP4'), { creationTime: '2026-11-20T00:30:15Z' })
  // One that writes its local wall time into the same field (most cheap body cameras).
  makeClip(path.join(folder, 'DCIM', 'ZD_20261120093000_0002.MP4'), { creationTime: '2026-11-20T09:30:00Z' })
  // No time in the name: the format's word stands, UTC.
  makeClip(path.join(folder, 'DCIM', 'VID_0003.MP4'), { creationTime: '2026-11-20T01:00:00Z' })
  // Name and container disagree by 2 h 10 min, no zone explains it.
  makeClip(path.join(folder, 'DCIM', '20261120_090000_0004.MP4'), { creationTime: '2026-11-20T03:10:00Z' })
  makeMts(path.join(folder, 'AVCHD', 'BDMV', 'STREAM', '00001.MTS'), '2026-11-20T08:31:15', BEIJING)
  makeMts(path.join(folder, 'AVCHD', 'BDMV', 'STREAM', '00002.MTS'), '2026-11-19T19:31:15', -5 * 60)
  makeRiffWav(path.join(folder, 'REC', 'icrd.wav'), { icrd: '2005-08-08 16:23:35' })
  makeRiffWav(path.join(folder, 'REC', 'info-after-data.wav'), {
    icrd: '2026-11-20 10:11:12',
    infoAfterData: true,
  })
  makeRiffWav(path.join(folder, 'REC', 'idit.wav'), { idit: 'Fri Nov 20 10:20:30 2026' })
  makeRiffWav(path.join(folder, 'REC', 'date-only.wav'), { icrd: '2026-11-19' })
  // A camera's WAV note (Pentax Optio): ICRD a date, the time in LIST exif etim.
  makeRiffWav(path.join(folder, 'REC', 'pentax.wav'), { icrd: '2005-08-08', etim: '16:23:35' })
  // ffmpeg's own BWF writer, as broadcast recorders' software writes bext.
  fs.mkdirSync(path.join(folder, 'REC'), { recursive: true })
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=duration=1',
    '-write_bext',
    '1',
    '-metadata',
    'origination_date=2026-11-20',
    '-metadata',
    'origination_time=08:45:10',
    path.join(folder, 'REC', 'bwf.wav'),
  ])
  // A name with a day February never has, and a file date to fall back on.
  makeWav(path.join(folder, 'REC', '20260231_101010.wav'))
  const stamp = new Date('2026-11-20T02:00:00Z')
  fs.utimesSync(path.join(folder, 'REC', '20260231_101010.wav'), stamp, stamp)
  const { jobId } = await t.call('ingest.start', { sourceRoot: folder }, session)
  await t.core.waitForJob(jobId)
  const { jobs } = await t.call('ingest.jobs', {}, session)
  results = jobs.find((j) => j.progress.jobId === jobId)!.results
})

afterAll(() => t?.core.close())

describe('capture time against ExifTool', () => {
  test('a UTC-stamped body-camera file is captured at the time its name says, and the device is said to write UTC', () => {
    const r = at('DCIM/20261120_083015_0001.MP4')
    expect(Date.parse(r.captureStart!)).toBe(
      instantOf(String(ref('DCIM/20261120_083015_0001.MP4')['QuickTime:CreateDate']), 0),
    )
    expect(r.captureStart).toBe('2026-11-20T08:30:15+08:00')
    expect(r.flags).not.toContain('time_conflict')
    expect(r.metadata.clockInference).toMatchObject({ clockMode: 'utc', basis: ['container', 'file_name'] })
    expect(r.metadata.clockSuggestion).toMatchObject({ clockMode: 'utc', utcOffsetMin: 480 })
  })

  test('a camera writing local wall time as "UTC" is read as local, and said to', () => {
    const r = at('DCIM/ZD_20261120093000_0002.MP4')
    // ExifTool's reading, interpreted as the device's local time, as its name shows it to be.
    expect(Date.parse(r.captureStart!)).toBe(
      instantOf(String(ref('DCIM/ZD_20261120093000_0002.MP4')['QuickTime:CreateDate']), BEIJING),
    )
    expect(r.captureStart).toBe('2026-11-20T09:30:00+08:00')
    expect(r.metadata.clockSuggestion).toMatchObject({ clockMode: 'local' })
  })

  test('without another reading, MP4 creation_time is UTC as the format defines it', () => {
    const r = at('DCIM/VID_0003.MP4')
    expect(Date.parse(r.captureStart!)).toBe(
      instantOf(String(ref('DCIM/VID_0003.MP4')['QuickTime:CreateDate']), 0),
    )
    expect(r.metadata.clockInference).toBeNull()
  })

  test('readings that disagree otherwise keep the container time, flag time_conflict and keep both values', () => {
    const r = at('DCIM/20261120_090000_0004.MP4')
    expect(r.flags).toContain('time_conflict')
    expect(Date.parse(r.captureStart!)).toBe(Date.parse('2026-11-20T03:10:00Z'))
    expect(r.metadata.timeConflict).toMatchObject({
      chosen: { source: 'container', value: '2026-11-20T03:10:00+00:00' },
      other: { source: 'file_name', value: '2026-11-20T09:00:00+08:00', text: '20261120_090000_0004.MP4' },
    })
  })

  test.each(['AVCHD/BDMV/STREAM/00001.MTS', 'AVCHD/BDMV/STREAM/00002.MTS'])(
    'AVCHD %s: the H.264 SEI DateTimeOriginal ExifTool reads, with its zone',
    (rel) => {
      const reading = ref(rel)['H264:DateTimeOriginal']
      expect(reading, 'ExifTool reads the SEI').toBeDefined()
      const r = at(rel)
      expect(r.metadata.captureSource).toBe('h264_sei')
      expect(Date.parse(r.captureStart!)).toBe(instantOf(String(reading), BEIJING))
      expect(r.flags).not.toContain('time_from_file')
    },
  )

  test.each([
    ['REC/icrd.wav', 'RIFF:DateCreated', '2005-08-08T16:23:35+08:00'],
    ['REC/info-after-data.wav', 'RIFF:DateCreated', '2026-11-20T10:11:12+08:00'],
    ['REC/idit.wav', 'RIFF:DateTimeOriginal', '2026-11-20T10:20:30+08:00'],
    ['REC/bwf.wav', 'RIFF:DateTimeOriginal', '2026-11-20T08:45:10+08:00'],
    ['REC/pentax.wav', 'Composite:DateTimeOriginal', '2005-08-08T16:23:35+08:00'],
  ])('RIFF/BWF %s: %s to the second, as device local time', (rel, tag, expected) => {
    const reading = ref(rel)[tag]
    expect(reading, `ExifTool reads ${tag}`).toBeDefined()
    const r = at(rel)
    expect(r.metadata.captureSource).toBe('riff')
    expect(Date.parse(r.captureStart!)).toBe(instantOf(String(reading), BEIJING))
    expect(r.captureStart).toBe(expected)
  })

  test('a RIFF date without a time is that day, flagged imprecise', () => {
    const r = at('REC/date-only.wav')
    expect(ref('REC/date-only.wav')['RIFF:DateCreated']).toBe('2026:11:19')
    expect(r.captureStart?.slice(0, 10)).toBe('2026-11-19')
    expect(r.flags).toContain('time_imprecise')
  })

  test('an impossible date in the name is refused, never rolled into March', () => {
    const r = at('REC/20260231_101010.wav')
    expect(r.captureStart?.startsWith('2026-03-03')).toBe(false)
    expect(r.metadata.captureSource).toBe('file_mtime')
    expect(r.flags).toContain('time_from_file')
    expect(r.captureStart).toBe('2026-11-20T10:00:00+08:00')
  })
})
