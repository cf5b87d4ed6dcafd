import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { FileResult } from '../../shared/ingest.ts'
import { dataLayout } from '../../electron/core/paths.ts'
import { thumbnailPath } from '../../electron/core/ingest/thumbnails.ts'
import { tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { makeClip } from '../helpers/media.ts'

/*
 * Attack (issue 17 item 5): an officer who may not see a record ingests the data folder's own derived/ (or tmp/,
 * or a backup) and gets the record's thumbnail or H.264 preview back as a record of their own. Also: a file
 * listed on the device is swapped for a symlink before it is copied, and the link's target is stored as if it
 * were the device's. Each is refused with a typed error; the rest of a batch goes on.
 */

let t: ReturnType<typeof testCore>
let admin: string
let officer: string
let thumb: string
let derived: string

async function ingest(session: string, sourceRoot: string, onCopying?: () => void) {
  const off = onCopying
    ? t.core.onEvent((e) => {
        // The job has listed the source and not yet opened any file: the moment to swap one.
        if (e.type === 'ingest.progress' && e.progress.state === 'copying' && e.progress.filesDone === 0)
          onCopying()
      })
    : () => undefined
  try {
    const { jobId } = await t.call('ingest.start', { sourceRoot }, session)
    await t.core.waitForJob(jobId)
    const { jobs } = await t.call('ingest.jobs', {}, session)
    return jobs.find((j) => j.progress.jobId === jobId)!
  } finally {
    off()
  }
}

/** A clip of its own content (makeClip is deterministic: the creation time makes each one different). */
let clips = 0
function clip(file: string) {
  clips++
  makeClip(file, { seconds: 1, creationTime: `2026-11-20T08:${String(clips).padStart(2, '0')}:00Z` })
}

async function auditActions(action: string) {
  return (await t.call('audit.list', { action, limit: 500 }, admin)).events
}

beforeAll(async () => {
  t = testCore()
  admin = await t.adminSession()
  const clerk = (await t.userSession(admin, 'jilu', ['records_officer'])).session
  officer = (await t.userSession(admin, 'xu', ['enforcement_officer'])).session
  // Someone else's recording, with its thumbnail made.
  const camera = tempDir('liuhen-camera-')
  makeClip(path.join(camera, 'DCIM', 'secret.mp4'))
  const job = await ingest(clerk, camera)
  expect(job.results[0]!.status).toBe('stored')
  await t.core.thumbnailsIdle()
  const layout = dataLayout(t.dataDir)
  thumb = thumbnailPath(layout, job.results[0]!.sha256!)
  expect(fs.existsSync(thumb)).toBe(true)
  derived = layout.derived
})

afterAll(() => t?.core.close())

describe('ingest refuses what comes from a data folder', () => {
  test('derived/, tmp/ and the data folder itself are refused at start, with a typed error', async () => {
    for (const dir of [derived, path.join(derived, 'thumbs'), dataLayout(t.dataDir).tmp, t.dataDir]) {
      const e = await t.fail('ingest.start', { sourceRoot: dir }, officer)
      expect(e.code, dir).toBe('SOURCE_IN_DATA_FOLDER')
      expect((await t.fail('ingest.scan', { sourceRoot: dir }, officer)).code).toBe('SOURCE_IN_DATA_FOLDER')
    }
  })

  test('a symlink to derived/ is refused (real paths are compared, not strings)', async () => {
    const link = path.join(tempDir('liuhen-usb-'), 'DCIM')
    fs.symlinkSync(derived, link)
    expect((await t.fail('ingest.start', { sourceRoot: link }, officer)).code).toBe('SOURCE_IN_DATA_FOLDER')
  })

  test('a bind mount of derived/thumbs is refused (device and inode are compared)', async (ctx) => {
    const mnt = tempDir('liuhen-mnt-')
    try {
      execFileSync('mount', ['--bind', path.join(derived, 'thumbs'), mnt], { stdio: 'ignore' })
    } catch {
      ctx.skip() // needs root (CI runs as root)
    }
    try {
      // The mount's own path is nowhere near the data folder: only its inode gives it away.
      expect(fs.realpathSync(mnt).startsWith(fs.realpathSync(t.dataDir))).toBe(false)
      expect((await t.fail('ingest.start', { sourceRoot: mnt }, officer)).code).toBe('SOURCE_IN_DATA_FOLDER')
      // Bind-mounting one level deeper (thumbs/ab), where no marker file lies: still refused by inode.
      const deeper = path.dirname(thumb)
      execFileSync('umount', [mnt])
      execFileSync('mount', ['--bind', deeper, mnt])
      expect((await t.fail('ingest.start', { sourceRoot: mnt }, officer)).code).toBe('SOURCE_IN_DATA_FOLDER')
    } finally {
      execFileSync('umount', [mnt], { stdio: 'ignore' })
    }
  })

  test('a copy of derived/ on a device is one refused entry; the other files are stored', async () => {
    const usb = tempDir('liuhen-usb-')
    fs.cpSync(derived, path.join(usb, 'old stuff'), { recursive: true })
    clip(path.join(usb, 'DCIM', 'mine.mp4'))
    const job = await ingest(officer, usb)
    const refused = job.results.find((r) => r.relPath === 'old stuff')!
    expect(refused).toMatchObject({ status: 'failed', skipReason: 'liuhen_data' })
    expect(refused.error?.code).toBe('SOURCE_IN_DATA_FOLDER')
    expect(job.results.find((r) => r.relPath === 'DCIM/mine.mp4')?.status).toBe('stored')
    // Nothing else from the copy was listed or stored.
    expect(job.results.filter((r) => r.relPath.startsWith('old stuff'))).toHaveLength(1)
    const failed = await auditActions('ingest.fileFailed')
    expect(failed.some((e) => e.details?.relPath === 'old stuff')).toBe(true)
  })

  test('a backup made by backup.run is refused, whole and in part', async () => {
    const usb = tempDir('liuhen-usb-')
    const target = path.join(usb, 'liuhen-backup')
    await t.call('backup.run', { target }, admin)
    expect(fs.existsSync(path.join(target, 'BACKUP.json'))).toBe(true)
    for (const dir of [target, path.join(target, 'derived'), path.join(target, 'derived', 'thumbs')])
      expect((await t.fail('ingest.start', { sourceRoot: dir }, officer)).code, dir).toBe(
        'SOURCE_IN_DATA_FOLDER',
      )
    // The backup's derived folder copied on its own still carries the marker.
    const loose = path.join(tempDir('liuhen-usb-'), 'pictures')
    fs.cpSync(path.join(target, 'derived', 'thumbs'), loose, { recursive: true })
    expect((await t.fail('ingest.start', { sourceRoot: loose }, officer)).code).toBe('SOURCE_IN_DATA_FOLDER')
    // A device holding a backup among its files: the backup is one refused entry.
    clip(path.join(usb, 'DCIM', 'other.mp4'))
    const job = await ingest(officer, usb)
    expect(job.results.find((r) => r.relPath === 'liuhen-backup')?.error?.code).toBe('SOURCE_IN_DATA_FOLDER')
    expect(job.results.find((r) => r.relPath === 'DCIM/other.mp4')?.status).toBe('stored')
  })
})

describe('a file swapped after it was listed is not stored', () => {
  test('a symlink put in place of a listed file is refused (O_NOFOLLOW); the rest goes on', async () => {
    const usb = tempDir('liuhen-usb-')
    const dir = path.join(usb, 'DCIM')
    clip(path.join(dir, 'a.mp4'))
    fs.copyFileSync(path.join(dir, 'a.mp4'), path.join(dir, 'b.jpg'))
    clip(path.join(dir, 'c.mp4'))
    const job = await ingest(officer, usb, () => {
      fs.rmSync(path.join(dir, 'b.jpg'))
      fs.symlinkSync(thumb, path.join(dir, 'b.jpg'))
    })
    const by = (p: string) => job.results.find((r: FileResult) => r.relPath === p)!
    expect(by('DCIM/b.jpg')).toMatchObject({ status: 'failed', sha256: null, evidenceId: null })
    expect(by('DCIM/b.jpg').error?.code).toBe('SOURCE_REPLACED')
    expect(by('DCIM/a.mp4').status).toBe('stored')
    expect(by('DCIM/c.mp4').status).toBe('stored')
    const failed = await auditActions('ingest.fileFailed')
    expect(
      failed.some((e) => e.details?.relPath === 'DCIM/b.jpg' && e.details?.code === 'SOURCE_REPLACED'),
    ).toBe(true)
  })

  test('a folder on the way swapped for a symlink is refused by device and inode', async () => {
    const usb = tempDir('liuhen-usb-')
    clip(path.join(usb, 'DCIM', 'd.mp4'))
    const elsewhere = tempDir('liuhen-elsewhere-')
    // Same name, other content: what a link to a folder of derived files would offer.
    fs.copyFileSync(thumb, path.join(elsewhere, 'd.mp4'))
    const job = await ingest(officer, usb, () => {
      fs.renameSync(path.join(usb, 'DCIM'), path.join(usb, 'DCIM.orig'))
      fs.symlinkSync(elsewhere, path.join(usb, 'DCIM'))
    })
    expect(job.results[0]).toMatchObject({ relPath: 'DCIM/d.mp4', status: 'failed', evidenceId: null })
    expect(job.results[0]!.error?.code).toBe('SOURCE_REPLACED')
  })
})
