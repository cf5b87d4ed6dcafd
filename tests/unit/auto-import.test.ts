import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { makeWav } from '../helpers/media.ts'
import type { CoreEvent } from '../../shared/contract.ts'

/*
 * Auto-import on plug-in (issue 19): a registered camera that appears under the watched mount root is imported by
 * itself, as its officer's recording, only when the agency turned the setting on; anything else is only announced.
 * A camera "plugged in" is a folder appearing under the root, looked at with core.devicesTick() (no timers).
 */

const open: { core: { close(): void } }[] = []
afterEach(() => {
  for (const t of open.splice(0)) t.core.close()
})

/** A camera's volume: its GA/T 947 info file and one recording. */
function plugIn(root: string, name: string, serial: string | null): string {
  const mount = path.join(root, name)
  makeWav(path.join(mount, 'RECORD', `REC_${name}.WAV`), 1)
  if (serial) fs.writeFileSync(path.join(mount, 'DeviceInfo.txt'), `产品序号=${serial}\n警号=350101\n`)
  return mount
}

async function station() {
  const mounts = tempDir()
  // Looked at only by devicesTick(): a timer's look between the recording and its DeviceInfo.txt being written saw a
  // camera without a serial, and the test's own look then found nothing new.
  const t = testCore(undefined, { mountRoot: mounts, watchDevices: 'manual' })
  open.push(t)
  const admin = await t.adminSession()
  const jilu = await t.userSession(admin, 'jilu', ['records_officer'])
  const wang = await t.userSession(admin, 'wang', ['enforcement_officer'])
  const events: CoreEvent[] = []
  t.core.onEvent((e) => events.push(e))
  // The first look only sets what is attached already.
  await t.core.devicesTick()
  const { device } = await t.call(
    'devices.register',
    { kind: 'usb', identity: 'serial:DSJ-0001', label: '执法记录仪 1 号', officerUserId: wang.user.id },
    jilu.session,
  )
  return { t, mounts, admin, jilu, wang, events, device }
}

const jobsOf = async (t: Awaited<ReturnType<typeof station>>['t'], session: string) =>
  (await t.call('ingest.jobs', {}, session)).jobs

describe('auto-import of registered cameras', () => {
  test('off by default: a registered camera plugged in is announced, not imported', async () => {
    const s = await station()
    expect((await s.t.call('agency.get', {}, s.admin)).autoImport).toBe(false)
    plugIn(s.mounts, 'CAM1', 'DSJ-0001')
    await s.t.core.devicesTick()
    const changed = s.events.find((e) => e.type === 'devices.changed')
    expect(changed && changed.type === 'devices.changed' && changed.added[0]?.identity).toBe(
      'serial:DSJ-0001',
    )
    expect(await jobsOf(s.t, s.wang.session)).toHaveLength(0)
    expect(await jobsOf(s.t, s.jilu.session)).toHaveLength(0)
  })

  test('on: imported by itself as the officer’s recording, audited, a running job on 采集', async () => {
    const s = await station()
    // Only an administrator may turn it on; the records officer is refused.
    expect((await s.t.fail('agency.update', { autoImport: true }, s.jilu.session)).code).toBe('FORBIDDEN')
    expect((await s.t.call('agency.update', { autoImport: true }, s.admin)).autoImport).toBe(true)
    const mount = plugIn(s.mounts, 'CAM1', 'DSJ-0001')
    await s.t.core.devicesTick()
    const jobs = await jobsOf(s.t, s.wang.session)
    expect(jobs).toHaveLength(1)
    expect(jobs[0]!.progress.deviceId).toBe(s.device.id)
    expect(jobs[0]!.progress.sourceRoot).toBe(mount)
    await s.t.core.waitForJob(jobs[0]!.progress.jobId)
    const done = (await jobsOf(s.t, s.wang.session))[0]!
    expect(done.progress.state).toBe('done')
    expect(done.progress.summary).toMatchObject({ stored: 1, failed: 0 })
    const items = (await s.t.call('evidence.list', { batchId: done.progress.batchId }, s.wang.session)).items
    expect(items).toHaveLength(1)
    expect(items[0]!.collectorUserId).toBe(s.wang.user.id)
    // The trail says who turned it on, and that no one pressed import for this batch.
    const audit = (await s.t.call('audit.list', { limit: 200 }, s.admin)).events
    expect(audit.find((e) => e.action === 'agency.update')?.details).toMatchObject({
      autoImport: { from: false, to: true },
    })
    const start = audit.find((e) => e.action === 'ingest.start')
    expect(start?.actorId).toBe(s.wang.user.id)
    expect(start?.details).toMatchObject({ trigger: 'autoImport', deviceId: s.device.id })
    // Plugged in again: a new job that finds everything imported before.
    const away = path.join(tempDir(), 'CAM1')
    fs.renameSync(mount, away)
    await s.t.core.devicesTick()
    fs.renameSync(away, mount)
    await s.t.core.devicesTick()
    const again = (await jobsOf(s.t, s.wang.session)).find((j) => j.progress.jobId !== done.progress.jobId)!
    await s.t.core.waitForJob(again.progress.jobId)
    expect(
      (await jobsOf(s.t, s.wang.session)).find((j) => j.progress.jobId === again.progress.jobId)!.progress
        .summary,
    ).toMatchObject({ stored: 0, already: 1 })
  })

  test('never imported: unregistered, registered as a folder, retired, no officer, disabled officer, a link', async () => {
    const s = await station()
    await s.t.call('agency.update', { autoImport: true }, s.admin)
    // Not registered at all (another serial), and no info file (identity by path, not registered).
    plugIn(s.mounts, 'OTHER', 'DSJ-9999')
    plugIn(s.mounts, 'NOINFO', null)
    // Registered, but as a folder to import from: plugging in is not what it does.
    const folderMount = plugIn(s.mounts, 'FOLDER', null)
    await s.t.call(
      'devices.register',
      { kind: 'folder', identity: `path:${folderMount}`, label: '文件夹', officerUserId: s.wang.user.id },
      s.jilu.session,
    )
    // Registered with no officer.
    await s.t.call(
      'devices.register',
      { kind: 'usb', identity: 'serial:DSJ-0002', label: '2 号' },
      s.jilu.session,
    )
    plugIn(s.mounts, 'CAM2', 'DSJ-0002')
    // Registered, then retired.
    const { device: three } = await s.t.call(
      'devices.register',
      { kind: 'usb', identity: 'serial:DSJ-0003', label: '3 号', officerUserId: s.wang.user.id },
      s.jilu.session,
    )
    await s.t.call('devices.retire', { deviceId: three.id, reason: '外壳破裂，停用' }, s.jilu.session)
    plugIn(s.mounts, 'CAM3', 'DSJ-0003')
    // A symlink under the root pointing at a registered camera's files elsewhere is not a mount.
    const elsewhere = plugIn(tempDir(), 'LINKED', 'DSJ-0001')
    fs.symlinkSync(elsewhere, path.join(s.mounts, 'LINK'))
    await s.t.core.devicesTick()
    expect(await jobsOf(s.t, s.wang.session)).toHaveLength(0)
    expect(await jobsOf(s.t, s.jilu.session)).toHaveLength(0)

    // The registered camera, its officer disabled: announced only.
    await s.t.call('users.update', { userId: s.wang.user.id, disabled: true }, s.admin)
    plugIn(s.mounts, 'CAM1', 'DSJ-0001')
    await s.t.core.devicesTick()
    expect(await jobsOf(s.t, s.jilu.session)).toHaveLength(0)
    const changes = s.events.filter((e) => e.type === 'devices.changed')
    expect(changes.length).toBeGreaterThanOrEqual(2)
  })
})
