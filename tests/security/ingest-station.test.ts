import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { JobProgress } from '../../shared/ingest.ts'
import { INGEST_POOL_SIZE, inCaptureOrder } from '../../electron/core/ingest/pool.ts'
import type { SourceEntry } from '../../electron/core/ingest/discover.ts'
import { dataLayout } from '../../electron/core/paths.ts'
import { objectPath } from '../../electron/core/vault.ts'
import { tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { agency, newCase, type Person } from '../helpers/agency.ts'
import { makeClip, randomFile } from '../helpers/media.ts'

/*
 * The collection station (issue 19, items 1, 3, 5). Attacks: several docked cameras at once each land exactly
 * once and report only their own progress, and no more than the pool copy at once; a camera is cleared while one
 * of its files is not verified in the vault; an officer without the role registers, edits or retires a device;
 * a filing suggestion names a case the caller may not file into (and so may not be shown).
 */

const t = testCore()
let p: Record<'jilu' | 'xu' | 'li' | 'zhao', Person>
let admin = ''
afterAll(() => t.core.close())

let files = 0
/** A camera folder with `n` recordings named as GA/T 947 cameras name them (captured 20 Nov, Beijing time). */
function camera(n: number, hour = 8): string {
  const dir = tempDir('liuhen-cam-')
  for (let i = 0; i < n; i++, files++)
    randomFile(
      path.join(
        dir,
        'DCIM',
        `ZD_20261120${String(hour).padStart(2, '0')}${String(files % 60).padStart(2, '0')}00_${files}.MP4`,
      ),
      64 * 1024 + files,
    )
  return dir
}

beforeAll(async () => {
  ;({ admin, p } = await agency(t, {
    jilu: ['records_officer'],
    xu: ['enforcement_officer'],
    li: ['enforcement_officer'],
    zhao: ['enforcement_officer'],
  }))
})

describe('several devices at once', () => {
  test('three cameras started together: at most the pool copies, each lands once with its own progress', async () => {
    const roots = [camera(5), camera(4), camera(3)]
    const events: JobProgress[] = []
    const off = t.core.onEvent((e) => {
      if (e.type === 'ingest.progress' || e.type === 'ingest.done') events.push(e.progress)
    })
    const state = new Map<string, JobProgress['state']>()
    let most = 0
    const offCount = t.core.onEvent((e) => {
      if (e.type !== 'ingest.progress' && e.type !== 'ingest.done') return
      state.set(e.progress.jobId, e.progress.state)
      most = Math.max(most, [...state.values()].filter((s) => s === 'scanning' || s === 'copying').length)
    })
    try {
      const started = await Promise.all(
        roots.map((sourceRoot) =>
          t.call('ingest.start', { sourceRoot, lateReason: '集中采集' }, p.jilu.session),
        ),
      )
      await Promise.all(started.map((s) => t.core.waitForJob(s.jobId)))
      expect(most).toBe(INGEST_POOL_SIZE)
      // The third waited its turn, and said so.
      expect(events.some((e) => e.state === 'queued')).toBe(true)
      for (const [i, s] of started.entries()) {
        const n = [5, 4, 3][i]!
        const own = events.filter((e) => e.jobId === s.jobId)
        // Every event of a job is its own: its batch, its source, its totals; the count only goes up.
        expect(own.every((e) => e.batchId === s.batchId && e.sourceRoot === roots[i])).toBe(true)
        const copying = own.filter((e) => e.state === 'copying' || e.state === 'done')
        expect(copying.every((e) => e.filesTotal === n)).toBe(true)
        for (let k = 1; k < own.length; k++)
          expect(own[k]!.filesDone).toBeGreaterThanOrEqual(own[k - 1]!.filesDone)
        expect(own.at(-1)!.state).toBe('done')
        expect(own.at(-1)!.summary).toMatchObject({ files: n, stored: n, failed: 0 })
        const { items } = await t.call('evidence.list', { batchId: s.batchId, limit: 100 }, p.jilu.session)
        expect(items).toHaveLength(n)
        expect(new Set(items.map((e) => e.originalName)).size).toBe(n)
      }
    } finally {
      off()
      offCount()
    }
  })

  test('a device is imported in capture order, not path order', () => {
    const e = (relPath: string, mtimeMs = 0) =>
      ({ relPath, absPath: relPath, size: 1, mtimeMs, mediaType: 'video', skip: null }) as SourceEntry
    const order = inCaptureOrder(
      [
        e('A/ZD_20261120093000_0002.MP4'),
        e('B/ZD_20261120080000_0001.MP4'),
        e('C/clip.mp4', Date.UTC(2026, 10, 20, 0, 45)),
      ],
      480,
    ).map((x) => x.relPath)
    // 08:00 and 09:30 Beijing by their names; the nameless clip by its file date, 08:45 Beijing.
    expect(order).toEqual(['B/ZD_20261120080000_0001.MP4', 'C/clip.mp4', 'A/ZD_20261120093000_0002.MP4'])
  })
})

describe('clearing a camera', () => {
  test('refused while one file is not verified in the vault; nothing is deleted', async () => {
    const root = camera(3)
    const { jobId } = await t.call(
      'ingest.start',
      { sourceRoot: root, lateReason: '集中采集' },
      p.jilu.session,
    )
    await t.core.waitForJob(jobId)
    const { jobs } = await t.call('ingest.jobs', {}, p.jilu.session)
    const deviceId = jobs.find((j) => j.progress.jobId === jobId)!.progress.deviceId
    const results = jobs.find((j) => j.progress.jobId === jobId)!.results
    // One vault copy damaged (the disk, not the camera): its file on the camera is the only good copy left.
    const victim = results[1]!
    const obj = objectPath(dataLayout(t.dataDir), victim.sha256!)
    fs.chmodSync(obj, 0o644)
    const fd = fs.openSync(obj, 'r+')
    fs.writeSync(fd, Buffer.from('X'), 0, 1, 10)
    fs.closeSync(fd)
    const before = fs.readdirSync(path.join(root, 'DCIM')).sort()
    const e = await t.fail('devices.clear', { deviceId, sourceRoot: root, confirm: true }, p.jilu.session)
    expect(e.code).toBe('DEVICE_NOT_VERIFIED')
    expect(fs.readdirSync(path.join(root, 'DCIM')).sort()).toEqual(before)
    // A recording made after the import is not in the vault at all: refused as well.
    const root2 = camera(2)
    const j2 = await t.call('ingest.start', { sourceRoot: root2, lateReason: '集中采集' }, p.jilu.session)
    await t.core.waitForJob(j2.jobId)
    const d2 = (await t.call('ingest.jobs', {}, p.jilu.session)).jobs.find(
      (j) => j.progress.jobId === j2.jobId,
    )!
    randomFile(path.join(root2, 'DCIM', 'ZD_20261120235900_9999.MP4'), 1000)
    const e2 = await t.fail(
      'devices.clear',
      { deviceId: d2.progress.deviceId, sourceRoot: root2, confirm: true },
      p.jilu.session,
    )
    expect(e2).toMatchObject({
      code: 'DEVICE_NOT_VERIFIED',
      params: { path: 'DCIM/ZD_20261120235900_9999.MP4' },
    })
    expect(fs.readdirSync(path.join(root2, 'DCIM'))).toHaveLength(3)
  })
})

describe('the devices screen', () => {
  test('an officer without the role cannot register, edit or retire a device', async () => {
    const reg = { kind: 'usb' as const, identity: 'serial:ZFJLY-0001', label: '执法记录仪 1 号' }
    expect((await t.fail('devices.register', reg, p.xu.session)).code).toBe('FORBIDDEN')
    const { device } = await t.call('devices.register', { ...reg, officerUserId: p.xu.id }, p.jilu.session)
    expect(
      (await t.fail('devices.update', { deviceId: device.id, clockMode: 'utc' }, p.xu.session)).code,
    ).toBe('FORBIDDEN')
    expect((await t.fail('devices.retire', { deviceId: device.id, reason: '损坏' }, p.xu.session)).code).toBe(
      'FORBIDDEN',
    )
    expect(
      (await t.call('devices.list', {}, p.xu.session)).devices.find((d) => d.id === device.id)!.retiredAt,
    ).toBe(null)
  })

  test('retiring is audited, and a retired camera is not imported from again', async () => {
    const root = camera(1)
    const { device } = await t.call(
      'devices.register',
      { kind: 'folder', identity: `folder:${fs.realpathSync(root)}`, label: '旧记录仪' },
      p.jilu.session,
    )
    const r = await t.call(
      'devices.retire',
      { deviceId: device.id, reason: '外壳破裂，停用' },
      p.jilu.session,
    )
    expect(r.device.retiredAt).not.toBeNull()
    const events = (await t.call('audit.list', { action: 'devices.retire', limit: 10 }, admin)).events
    expect(events.some((e) => e.targetId === device.id)).toBe(true)
    expect(
      (await t.fail('ingest.start', { sourceRoot: root, deviceId: device.id }, p.jilu.session)).code,
    ).toBe('DEVICE_RETIRED')
    expect((await t.fail('ingest.start', { sourceRoot: root }, p.jilu.session)).code).toBe('DEVICE_RETIRED')
  })

  test('the clock mode the files show is suggested; the last import is shown', async () => {
    const dir = tempDir('liuhen-utc-')
    // Named 08:30:15 Beijing, stamped 00:30:15Z: this camera writes UTC.
    makeClip(path.join(dir, '20261120_083015_0001.MP4'), { seconds: 1, creationTime: '2026-11-20T00:30:15Z' })
    const { jobId } = await t.call(
      'ingest.start',
      { sourceRoot: dir, lateReason: '集中采集' },
      p.jilu.session,
    )
    await t.core.waitForJob(jobId)
    const deviceId = (await t.call('ingest.jobs', {}, p.jilu.session)).jobs.find(
      (j) => j.progress.jobId === jobId,
    )!.progress.deviceId
    const list = await t.call('devices.list', {}, p.jilu.session)
    const usage = list.usage.find((u) => u.deviceId === deviceId)!
    expect(usage).toMatchObject({
      records: 1,
      clockSuggestion: { clockMode: 'utc', utcOffsetMin: 480, records: 1 },
    })
    expect(usage.lastImportAt).not.toBeNull()
    await t.call('devices.update', { deviceId, clockMode: 'utc', utcOffsetMin: 480 }, p.jilu.session)
    const after = (await t.call('devices.list', {}, p.jilu.session)).usage.find(
      (u) => u.deviceId === deviceId,
    )!
    expect(after.clockSuggestion).toBeNull()
  })

  test('clock check: the camera time when it exposes one, else it says it cannot', async () => {
    const mount = tempDir('liuhen-vol-')
    fs.writeFileSync(
      path.join(mount, 'DeviceInfo.txt'),
      '产品序号=ZFJLY-0002\n当前时间=2026-11-23 16:00:30\n',
    )
    const lsblk = path.join(tempDir('liuhen-lsblk-'), 'lsblk')
    const doc = { blockdevices: [{ name: 'sdb1', rm: true, uuid: 'CAM-2', mountpoints: [mount], size: 1 }] }
    fs.writeFileSync(lsblk, `#!/bin/sh\necho '${JSON.stringify(doc)}'\n`, { mode: 0o755 })
    const { device } = await t.call(
      'devices.register',
      { kind: 'usb', identity: 'uuid:CAM-2', label: '执法记录仪 2 号' },
      p.jilu.session,
    )
    const old = process.env.LIUHEN_LSBLK
    process.env.LIUHEN_LSBLK = lsblk
    try {
      const c = await t.call('devices.clockCheck', { deviceId: device.id }, p.jilu.session)
      // The station's clock is 16:00:00 Beijing (08:00Z): the camera runs 30 s fast.
      expect(c).toMatchObject({ attached: true, exposed: true, offsetMs: 30_000 })
      fs.writeFileSync(
        path.join(mount, 'DeviceInfo.txt'),
        '产品序号=ZFJLY-0002\n当前时间=2026-02-31 16:00:30\n',
      )
      expect(await t.call('devices.clockCheck', { deviceId: device.id }, p.jilu.session)).toMatchObject({
        attached: true,
        exposed: false,
        offsetMs: null,
      })
    } finally {
      if (old === undefined) delete process.env.LIUHEN_LSBLK
      else process.env.LIUHEN_LSBLK = old
    }
  })
})

describe('filing suggestions', () => {
  test('a declared action of the officer on the capture day is offered; a case the caller may not file into never is', async () => {
    // 李 recorded them (the camera is bound to him); 徐 brings them in.
    const root = camera(2, 10)
    const { device } = await t.call(
      'devices.register',
      {
        kind: 'folder',
        identity: `folder:${fs.realpathSync(root)}`,
        label: '李的记录仪',
        officerUserId: p.li.id,
      },
      p.jilu.session,
    )
    const open = await newCase(t, p.xu, [p.xu, p.li])
    const hidden = await newCase(t, p.zhao, [p.zhao, p.li], { cause: '不该出现的案由' })
    await t.call(
      'cases.addAction',
      { caseId: open, actionType: 'onsite_inspection', occurredOn: '2026-11-20' },
      p.xu.session,
    )
    await t.call(
      'cases.addAction',
      { caseId: hidden, actionType: 'inquiry', occurredOn: '2026-11-20' },
      p.zhao.session,
    )
    // Another day: not offered.
    await t.call(
      'cases.addAction',
      { caseId: open, actionType: 'inquiry', occurredOn: '2026-11-21' },
      p.xu.session,
    )
    const { jobId, batchId } = await t.call(
      'ingest.start',
      { sourceRoot: root, deviceId: device.id, lateReason: '集中采集' },
      p.xu.session,
    )
    await t.core.waitForJob(jobId)
    const { items } = await t.call('ingest.suggestions', { batchIds: [batchId] }, p.xu.session)
    expect(items).toHaveLength(2)
    for (const it of items) {
      expect(it.candidates.map((c) => [c.caseId, c.actionType, c.stage])).toEqual([
        [open, 'onsite_inspection', 'investigation'],
      ])
      expect(JSON.stringify(it)).not.toContain('不该出现的案由')
    }
    // 赵 sees his own case offered for the same recordings? He has no basis on them: nothing is listed at all.
    expect((await t.call('ingest.suggestions', { batchIds: [batchId] }, p.zhao.session)).items).toEqual([])
    // Confirmed through records.tag (the tag form's call); a filed recording is no longer suggested.
    const first = items[0]!
    const c = first.candidates[0]!
    await t.call(
      'records.tag',
      {
        evidenceIds: [first.evidenceId],
        tags: { caseId: c.caseId, stage: c.stage, actionType: c.actionType },
      },
      p.xu.session,
    )
    const again = await t.call('ingest.suggestions', { batchIds: [batchId] }, p.xu.session)
    expect(again.items.map((i) => i.evidenceId)).toEqual([items[1]!.evidenceId])
  })

  test('a recording with no matching action is listed as 待归案 (no candidates)', async () => {
    const root = camera(1, 6)
    const { jobId, batchId } = await t.call(
      'ingest.start',
      { sourceRoot: root, lateReason: '集中采集' },
      p.jilu.session,
    )
    await t.core.waitForJob(jobId)
    const { items } = await t.call('ingest.suggestions', { batchIds: [batchId] }, p.jilu.session)
    expect(items).toHaveLength(1)
    expect(items[0]!.candidates).toEqual([])
  })
})
