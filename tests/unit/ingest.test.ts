import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { FileResult } from '../../shared/ingest.ts'
import { storeFile, objectPath } from '../../electron/core/vault.ts'
import { dataLayout } from '../../electron/core/paths.ts'
import { tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { makeClip, makeWav, randomFile, SAMPLES, sha256sum, noiseFile } from '../helpers/media.ts'

/*
 * A mixed device as a records officer meets it: real camera files, synthetic body-camera clips, and every kind
 * of bad input. Each file must end up in the vault bit-identical (checked with sha256sum) or be reported with
 * its reason.
 */

let t: ReturnType<typeof testCore>
let session: string
let device: string
const LONG_CN = `现场检查 "第1段" 医保定点药店 '复核' ${'很长的文件名'.repeat(8)}.mp4`

async function ingest(source: string, extra: Record<string, string> = {}) {
  const { jobId } = await t.call('ingest.start', { sourceRoot: source, ...extra }, session)
  await t.core.waitForJob(jobId)
  const { jobs } = await t.call('ingest.jobs', {}, session)
  return jobs.find((j) => j.progress.jobId === jobId)!
}

beforeAll(async () => {
  t = testCore()
  const admin = await t.adminSession()
  session = (await t.userSession(admin, 'jilu', ['records_officer'])).session
  device = tempDir('liuhen-device-')
  const dcim = path.join(device, 'DCIM', '100MEDIA')
  fs.mkdirSync(dcim, { recursive: true })
  for (const f of fs.readdirSync(path.join(SAMPLES, 'cameras')))
    fs.copyFileSync(path.join(SAMPLES, 'cameras', f), path.join(dcim, f))
  makeClip(path.join(device, 'ZFJLY', 'ZD_20261120083015_0001.MP4'), {
    creationTime: '2026-11-20T08:30:15.000000Z',
    location: '+26.0745+119.2965/',
  })
  makeClip(path.join(device, 'ZFJLY', LONG_CN))
  makeWav(path.join(device, 'RECORD', '2026-11-20 09-00-00.wav'))
  // Bad inputs.
  fs.writeFileSync(path.join(device, 'ZFJLY', 'empty.mp4'), '')
  const whole = fs.readFileSync(path.join(device, 'ZFJLY', 'ZD_20261120083015_0001.MP4'))
  fs.writeFileSync(
    path.join(device, 'ZFJLY', 'battery died.mp4'),
    whole.subarray(0, Math.floor(whole.length / 3)),
  )
  noiseFile(path.join(device, 'ZFJLY', 'corrupt.mov'), 300_000)
  fs.mkdirSync(path.join(device, 'BACKUP'))
  fs.copyFileSync(
    path.join(device, 'ZFJLY', 'ZD_20261120083015_0001.MP4'),
    path.join(device, 'BACKUP', 'ZD_20261120083015_0001 - 副本.MP4'),
  )
  fs.mkdirSync(path.join(device, 'System Volume Information'), { recursive: true })
  fs.writeFileSync(path.join(device, 'System Volume Information', 'IndexerVolumeGuid.mp4'), 'x')
  fs.writeFileSync(path.join(device, 'ZFJLY', '._ZD_0001.MP4'), 'apple double')
  fs.writeFileSync(path.join(device, 'readme.txt'), '说明')
  execFileSync('mkfifo', [path.join(device, 'ZFJLY', 'pipe.mp4')])
  fs.symlinkSync('/etc/passwd', path.join(device, 'ZFJLY', 'link.mp4'))
})

afterAll(() => t?.core.close())

describe('ingest of a mixed device', () => {
  let results: FileResult[]
  const byPath = (p: string) => results.find((r) => r.relPath === p)!

  test('every media file is stored bit-identical, or reported with its reason', async () => {
    const job = await ingest(device, {
      caseNo: '闽医保罚〔2026〕12号',
      place: '福州市鼓楼区某药店',
      fact: '现场检查过程',
    })
    results = job.results
    expect(job.progress.state).toBe('done')
    // The loop below checks the stored ones byte for byte: there must be some, and some reported with a reason.
    expect(results.filter((r) => r.status === 'stored').length).toBeGreaterThan(10)
    expect(results.filter((r) => r.status === 'skipped').length).toBeGreaterThan(0)
    const layout = dataLayout(t.dataDir)
    for (const r of results) {
      const source = path.join(device, r.relPath)
      if (r.status === 'stored' || r.status === 'duplicate') {
        const expected = sha256sum(source)
        expect(r.sha256, r.relPath).toBe(expected)
        const stored = objectPath(layout, expected)
        expect(sha256sum(stored)).toBe(expected)
        expect(fs.statSync(stored).mode & 0o222, 'read-only').toBe(0)
      } else {
        expect(r.status === 'skipped' ? r.skipReason : r.error?.code, r.relPath).toBeTruthy()
      }
    }
    expect(results.filter((r) => r.status === 'failed')).toEqual([])
    // Nothing on the device is missing from the report.
    const listed = new Set(results.map((r) => r.relPath))
    for (const p of [
      'readme.txt',
      'ZFJLY/pipe.mp4',
      'ZFJLY/link.mp4',
      'ZFJLY/._ZD_0001.MP4',
      'DCIM/100MEDIA/GoPro.jpg',
    ])
      expect(listed).toContain(p)
    expect(byPath('readme.txt').skipReason).toBe('not_media')
    expect(byPath('ZFJLY/pipe.mp4').skipReason).toBe('special_file')
    expect(byPath('ZFJLY/link.mp4').skipReason).toBe('symlink')
    expect(byPath('ZFJLY/._ZD_0001.MP4').skipReason).toBe('system_file')
  })

  test('bad inputs are kept and flagged, never refused', () => {
    expect(byPath('ZFJLY/empty.mp4')).toMatchObject({
      status: 'stored',
      size: 0,
      flags: expect.arrayContaining(['empty_file']),
    })
    expect(byPath('ZFJLY/corrupt.mov')).toMatchObject({
      status: 'stored',
      flags: expect.arrayContaining(['metadata_unreadable']),
    })
    expect(byPath('ZFJLY/battery died.mp4').status).toBe('stored')
    expect(byPath(`ZFJLY/${LONG_CN}`).status).toBe('stored')
  })

  test('identical content is stored once and every path that held it is recorded', async () => {
    const original = byPath('ZFJLY/ZD_20261120083015_0001.MP4')
    const copy = byPath('BACKUP/ZD_20261120083015_0001 - 副本.MP4')
    expect(new Set([original.status, copy.status])).toEqual(new Set(['stored', 'duplicate']))
    expect(copy.evidenceId).toBe(original.evidenceId)
    const { items } = await t.call('evidence.list', { limit: 100 }, session)
    const ev = items.find((i) => i.id === original.evidenceId)!
    expect(ev.sources.map((s) => s.relPath).sort()).toEqual([
      'BACKUP/ZD_20261120083015_0001 - 副本.MP4',
      'ZFJLY/ZD_20261120083015_0001.MP4',
    ])
    expect(ev).toMatchObject({
      caseNo: '闽医保罚〔2026〕12号',
      place: '福州市鼓楼区某药店',
      fact: '现场检查过程',
    })
  })

  test('body-camera clip: container time as local wall time, duration, ISO 6709 location', () => {
    const clip = byPath('ZFJLY/ZD_20261120083015_0001.MP4')
    expect(clip.captureStart).toBe('2026-11-20T08:30:15+08:00')
    expect(clip.captureEnd).toBe('2026-11-20T08:30:17+08:00')
    expect(clip.metadata).toMatchObject({
      location: { latitude: 26.0745, longitude: 119.2965 },
      videoCodec: 'h264',
      resolution: '320x240',
    })
    expect(clip.flags).toContain('late_ingest')
    expect(byPath('RECORD/2026-11-20 09-00-00.wav').mediaType).toBe('audio')
  })

  test('capture times agree with ExifTool on the real camera files', () => {
    const reference = JSON.parse(
      fs.readFileSync(path.join(SAMPLES, 'cameras.exiftool.json'), 'utf8'),
    ) as Record<string, unknown>[]
    let compared = 0
    for (const ref of reference) {
      const name = String(ref.SourceFile).replace('./', '')
      const r = byPath(`DCIM/100MEDIA/${name}`)
      const dto = (ref['EXIF:DateTimeOriginal'] ??
        ref['Matroska:DateTimeOriginal'] ??
        ref['Composite:DateTimeOriginal']) as string | number | undefined
      if (dto === undefined) {
        expect(r.flags, name).toContain('time_from_file')
        continue
      }
      if (typeof dto === 'number') {
        // A year only (ID3): same year, and said to be imprecise.
        expect(r.captureStart?.slice(0, 4), name).toBe(String(dto))
        expect(r.flags).toContain('time_imprecise')
      } else {
        const wall = dto.replace(/^(\d{4}):(\d{2}):(\d{2}) /, '$1-$2-$3T').replace(/Z$/, '')
        expect(r.captureStart?.slice(0, 19), name).toBe(wall)
      }
      const lat = ref['Composite:GPSLatitude'] as number | undefined
      const lon = ref['Composite:GPSLongitude'] as number | undefined
      if (lat !== undefined) {
        const loc = r.metadata.location as { latitude: number; longitude: number }
        expect(loc.latitude).toBeCloseTo(lat, 6)
        expect(loc.longitude).toBeCloseTo(lon!, 6)
      }
      compared++
    }
    expect(compared).toBeGreaterThanOrEqual(13)
    expect(byPath('DCIM/100MEDIA/Olympus.jpg').flags).toContain('implausible_time')
  })

  test('re-ingesting the same device adds nothing', async () => {
    const before = (await t.call('evidence.list', { limit: 500 }, session)).items.length
    const again = await ingest(device)
    expect(again.progress.summary).toMatchObject({ stored: 0, duplicate: 0, failed: 0 })
    const media = again.results.filter((r) => !r.skipReason)
    expect(media.length).toBeGreaterThan(10)
    expect(media.filter((r) => r.status !== 'already')).toEqual([])
    expect((await t.call('evidence.list', { limit: 500 }, session)).items.length).toBe(before)
  })

  test('thumbnails are made after the copy, apart from the originals', async () => {
    await t.core.thumbnailsIdle()
    const clip = byPath('ZFJLY/ZD_20261120083015_0001.MP4')
    const { dataUrl } = await t.call('evidence.thumbnail', { evidenceId: clip.evidenceId! }, session)
    expect(dataUrl).toMatch(/^data:image\/jpeg;base64,\/9j\//)
    expect(
      (await t.call('evidence.thumbnail', { evidenceId: byPath('ZFJLY/corrupt.mov').evidenceId! }, session))
        .dataUrl,
    ).toBeNull()
  })

  test('a late item takes a reason, recorded as an audited edit', async () => {
    const clip = byPath('ZFJLY/ZD_20261120083015_0001.MP4')
    expect(clip.flags).toContain('late_reason_missing')
    const { evidence } = await t.call(
      'evidence.setLateReason',
      { evidenceId: clip.evidenceId!, reason: '连续执勤返回后导入' },
      session,
    )
    expect(evidence.lateReason).toBe('连续执勤返回后导入')
    expect(evidence.flags).not.toContain('late_reason_missing')
  })

  test('the device is cleared only when everything on it is verified in the vault', async () => {
    const small = tempDir('liuhen-clear-')
    makeWav(path.join(small, 'a.wav'))
    const job = await ingest(small)
    const deviceId = job.progress.deviceId
    fs.writeFileSync(path.join(small, 'new.wav'), fs.readFileSync(path.join(small, 'a.wav')).subarray(0, 100))
    const refused = await t.fail('devices.clear', { deviceId, sourceRoot: small, confirm: true }, session)
    expect(refused).toEqual({ code: 'DEVICE_NOT_VERIFIED', params: { path: 'new.wav' } })
    expect(
      (await t.fail('devices.clear', { deviceId, sourceRoot: small, confirm: false }, session)).code,
    ).toBe('VALIDATION')
    fs.rmSync(path.join(small, 'new.wav'))
    const { deleted } = await t.call('devices.clear', { deviceId, sourceRoot: small, confirm: true }, session)
    expect(deleted).toEqual(['a.wav'])
    expect(fs.existsSync(path.join(small, 'a.wav'))).toBe(false)
    const admin = (await t.call('auth.signIn', { username: 'admin', password: 'Admin2026ok' })).session
    const { events } = await t.call('audit.list', { limit: 5, action: 'devices.clearFile' }, admin)
    expect(events[0]?.details).toMatchObject({ relPath: 'a.wav' })
  })

  test('a registered device bound to an officer makes that officer the collector, with its clock settings', async () => {
    const admin = (await t.call('auth.signIn', { username: 'admin', password: 'Admin2026ok' })).session
    const officer = await t.userSession(admin, 'zhifa1', ['enforcement_officer'])
    const cam = tempDir('liuhen-cam-')
    makeClip(path.join(cam, 'ZD_20261120100000_0001.MP4'), { creationTime: '2026-11-20T02:00:00Z' })
    const { device: reg } = await t.call(
      'devices.register',
      {
        kind: 'usb',
        identity: 'uuid:TEST-CAM-1',
        label: '执法记录仪 01',
        officerUserId: officer.user.id,
        clockMode: 'utc',
        clockOffsetMs: 60_000,
      },
      session,
    )
    const job = await ingest(cam, { deviceId: reg.id })
    const r = job.results[0]!
    // A true-UTC device, one minute fast: 02:00:00Z (10:00 in Beijing), corrected to 01:59:00Z.
    expect(r.captureStart).toBe('2026-11-20T01:59:00+00:00')
    expect(Date.parse(r.captureStart!)).toBe(Date.parse('2026-11-20T09:59:00+08:00'))
    expect(r.metadata).toMatchObject({ rawCaptureStart: '2026-11-20T02:00:00+00:00', clockOffsetMs: 60_000 })
    const { items } = await t.call('evidence.list', { limit: 5, batchId: job.progress.batchId }, session)
    expect(items[0]!.collectorUserId).toBe(officer.user.id)
  })

  test('roles: an auditor cannot ingest', async () => {
    const admin = (await t.call('auth.signIn', { username: 'admin', password: 'Admin2026ok' })).session
    const auditor = await t.userSession(admin, 'shenji2', ['auditor'])
    expect((await t.fail('ingest.start', { sourceRoot: device }, auditor.session)).code).toBe('FORBIDDEN')
  })
})

describe('the vault copy', () => {
  test('a source that changes while it is copied is refused and leaves nothing behind', async () => {
    const dir = tempDir()
    const layout = dataLayout(path.join(dir, 'data'))
    fs.mkdirSync(layout.tmp, { recursive: true })
    const src = path.join(dir, 'growing.mp4')
    randomFile(src, 12 * 1024 * 1024)
    let appended = false
    await expect(
      storeFile(layout, src, {
        onBytes: () => {
          if (!appended) fs.appendFileSync(src, Buffer.alloc(4096))
          appended = true
        },
      }),
    ).rejects.toMatchObject({ code: 'SOURCE_CHANGED' })
    expect(fs.readdirSync(layout.tmp)).toEqual([])
    expect(fs.existsSync(layout.vault)).toBe(false)
  })

  test('a source that vanished gives SOURCE_GONE', async () => {
    const layout = dataLayout(path.join(tempDir(), 'data'))
    fs.mkdirSync(layout.tmp, { recursive: true })
    await expect(storeFile(layout, '/nonexistent/clip.mp4')).rejects.toMatchObject({ code: 'SOURCE_GONE' })
  })

  test('cancelling mid-file removes the partial copy', async () => {
    const dir = tempDir()
    const layout = dataLayout(path.join(dir, 'data'))
    fs.mkdirSync(layout.tmp, { recursive: true })
    const src = path.join(dir, 'big.mp4')
    randomFile(src, 20 * 1024 * 1024)
    const ac = new AbortController()
    await expect(
      storeFile(layout, src, { signal: ac.signal, onBytes: () => ac.abort() }),
    ).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(fs.readdirSync(layout.tmp)).toEqual([])
  })
})
