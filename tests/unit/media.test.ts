import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { makeClip } from '../helpers/media.ts'

/* The one way media reach a screen: media.open checks and logs, a ticket names one file, previews for odd codecs. */

const t = testCore()
afterAll(() => t.core.close())

async function ingest(session: string, dir: string): Promise<Record<string, string>> {
  const { jobId } = await t.call('ingest.start', { sourceRoot: dir, lateReason: '连续执勤后返回' }, session)
  await t.core.waitForJob(jobId)
  const { jobs } = await t.call('ingest.jobs', {}, session)
  const job = jobs.find((j) => j.progress.jobId === jobId)!
  return Object.fromEntries(job.results.map((r) => [r.relPath, r.evidenceId!]))
}

describe('media.open', () => {
  test('a codec Chromium cannot play gets an H.264 preview; the original stays as it was', async () => {
    const admin = await t.adminSession()
    const jilu = await t.userSession(admin, 'jilu', ['records_officer'])
    const officer = await t.userSession(admin, 'lijing', ['enforcement_officer'])
    const dir = tempDir('liuhen-mediadev-')
    // MJPEG in AVI, as cheap recorders write: not playable by Chromium.
    execFileSync('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=2:size=320x240:rate=10',
      '-c:v',
      'mjpeg',
      path.join(dir, 'REC_0001.AVI'),
    ])
    makeClip(path.join(dir, 'ZD_20261122100000_0001.MP4'))
    const ids = await ingest(jilu.session, dir)
    const originalSha = execFileSync('sha256sum', [path.join(dir, 'REC_0001.AVI')], {
      encoding: 'utf8',
    }).split(' ')[0]

    const avi = await t.call('media.open', { evidenceId: ids['REC_0001.AVI']! }, jilu.session)
    expect(avi).toMatchObject({ preview: true, mime: 'video/mp4', mediaType: 'video' })
    const file = t.core.resolveMedia(avi.ticket)!
    expect(file.file).toContain(`${path.sep}previews${path.sep}`)
    const codec = execFileSync(
      'ffprobe',
      [
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=codec_name',
        '-of',
        'csv=p=0',
        file.file,
      ],
      { encoding: 'utf8' },
    ).trim()
    expect(codec).toBe('h264')
    const vaultCopy = path.join(
      t.dataDir,
      'vault',
      originalSha!.slice(0, 2),
      originalSha!.slice(2, 4),
      originalSha!,
    )
    expect(execFileSync('sha256sum', [vaultCopy], { encoding: 'utf8' }).split(' ')[0]).toBe(originalSha)

    const mp4 = await t.call('media.open', { evidenceId: ids['ZD_20261122100000_0001.MP4']! }, jilu.session)
    expect(mp4.preview).toBe(false)
    expect(fs.existsSync(t.core.resolveMedia(mp4.ticket)!.file)).toBe(true)

    // An officer who neither handles a case of this record nor brought it in is refused, and that is logged.
    const denied = await t.fail('media.open', { evidenceId: ids['REC_0001.AVI']! }, officer.session)
    expect(denied.code).toBe('FORBIDDEN')
    const { events } = await t.call('audit.list', { limit: 20 }, admin)
    expect(events.map((e) => e.action)).toContain('access.denied')

    // Tickets expire.
    t.clock.advance(11 * 60_000)
    expect(t.core.resolveMedia(avi.ticket)).toBeNull()
    expect(t.core.resolveMedia('not-a-ticket')).toBeNull()
  })
})
