import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import Database from 'better-sqlite3'
import { isTempName, writeAtomic } from '../../electron/core/durable.ts'
import { tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { randomFile } from '../helpers/media.ts'
import { runLiuhen } from '../helpers/cli.ts'

/*
 * Faults from outside: a disk that fills to the last block while the core writes a checkpoint or a signature,
 * and a database page zeroed on disk. Nothing half-written may be left for `verify` to take for tampering, and
 * a damaged database must be named, not written into.
 */

const PIN = 'Ukey2026'

/** Fill the file system holding `dir` until it refuses another byte; returns the filler's path. */
function fillUp(dir: string): string {
  const filler = path.join(dir, 'filler.bin')
  const fd = fs.openSync(filler, 'a')
  const block = Buffer.alloc(64 * 1024, 7)
  try {
    for (let size = block.length; size >= 1; size = Math.floor(size / 2)) {
      for (;;) {
        try {
          fs.writeSync(fd, block, 0, size)
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break
          throw e
        }
      }
    }
  } finally {
    fs.closeSync(fd)
  }
  return filler
}

/** Every file under `dir` (recursively), relative. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) =>
    fs.statSync(path.join(dir, f)).isFile(),
  )
}

async function officerCore(dataDir: string) {
  const t = testCore(dataDir)
  const admin = await t.adminSession()
  const officer = await t.userSession(admin, 'lijing', ['records_officer'])
  await t.call('ca.init', { passphrase: 'RootPass2026' }, admin)
  await t.call('ca.issue', { userId: officer.user.id, rootPassphrase: 'RootPass2026', pin: PIN }, admin)
  return { ...t, admin, officer: officer.session }
}

describe('a disk full to the last block', () => {
  const mnt = tempDir('liuhen-faults-')
  let mounted = false
  beforeAll(() => {
    mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt]).status === 0
  })
  afterAll(() => {
    if (mounted) spawnSync('umount', [mnt])
  })

  test('a small file written atomically is whole or absent, and the temp file is gone', async (ctx) => {
    if (!mounted) ctx.skip()
    const dir = path.join(mnt, 'atomic')
    fs.mkdirSync(dir)
    const filler = fillUp(mnt)
    const target = path.join(dir, 'x.p7s')
    await expect(writeAtomic(target, Buffer.alloc(20_000, 1))).rejects.toMatchObject({ code: 'ENOSPC' })
    expect(fs.readdirSync(dir)).toEqual([])
    fs.rmSync(filler)
    expect(await writeAtomic(target, Buffer.alloc(20_000, 1))).toBe('written')
    // The same bytes again (a rerun after a crash before the row) count as written; other bytes never replace.
    expect(await writeAtomic(target, Buffer.alloc(20_000, 1))).toBe('existed')
    await expect(writeAtomic(target, Buffer.alloc(20_000, 2))).rejects.toMatchObject({ code: 'EEXIST' })
    expect(fs.readdirSync(dir)).toEqual(['x.p7s'])
  })

  test('a checkpoint cut short by ENOSPC leaves no empty file; after freeing space it is written and verify passes', async (ctx) => {
    if (!mounted) ctx.skip()
    const data = path.join(mnt, 'data')
    const t = await officerCore(data)
    const filler = fillUp(mnt)
    const r = await t.core.dispatch(
      { method: 'audit.checkpoint', input: { pin: PIN }, session: t.officer },
      'test',
    )
    expect(r.ok).toBe(false)
    expect((r as { ok: false; error: { code: string } }).error.code).toBe('DISK_FULL')
    // Whatever was written is whole: no empty statement, no stray temp name, nothing verify could call forged.
    for (const f of filesUnder(path.join(data, 'checkpoints'))) {
      expect(isTempName(f), f).toBe(false)
      expect(fs.statSync(path.join(data, 'checkpoints', f)).size, f).toBeGreaterThan(0)
    }
    fs.rmSync(filler)
    const again = await t.call('audit.checkpoint', { pin: PIN }, t.officer)
    expect(again).toMatchObject({ written: true, signed: true })
    t.core.close()
    const v = runLiuhen(['verify', '--data', data, '--json'])
    expect(v.status, v.stdout + v.stderr).toBe(0)
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true })
  }, 120_000)
})
