import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import Database from 'better-sqlite3'
import { isTempName, writeAtomic } from '../../electron/core/durable.ts'
import { tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { runLiuhen } from '../helpers/cli.ts'
import { createI18n, translateError } from '../../shared/i18n/index.ts'

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
  })
})

describe('a crash between a checkpoint file and its row', () => {
  test('the rerun registers the statement left on disk instead of failing on it; verify passes', async () => {
    const t = await officerCore(tempDir())
    // What a run killed after the rename and before the row leaves: the statement of the current head.
    const db = new Database(path.join(t.dataDir, 'liuhen.db'), { readonly: true })
    const head = db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as {
      seq: number
      hash: string
    }
    db.close()
    const left = path.join(t.dataDir, 'checkpoints', `${String(head.seq).padStart(12, '0')}.txt`)
    const statement = [
      'Liuhen audit checkpoint / 留痕审计日志检查点',
      'agency: 福州市医疗保障局 (FZYBJ)',
      `seq: ${head.seq}`,
      `head-hash: ${head.hash}`,
      'time: 2026-11-23T07:59:00.000Z',
      'reason: manual',
      '',
    ].join('\n')
    await writeAtomic(left, statement)
    const r = await t.call('audit.checkpoint', { pin: PIN }, t.officer)
    expect(r).toMatchObject({ written: true, seq: head.seq, signed: true })
    expect(fs.readFileSync(left, 'utf8')).toBe(statement)
    t.core.close()
    const v = runLiuhen(['verify', '--data', t.dataDir, '--json'])
    expect(v.status, v.stdout + v.stderr).toBe(0)
  })
})

/** Merge the WAL into the main file, so a page written at its offset is what SQLite reads. */
function checkpointWal(dbFile: string): { pageSize: number; root: (table: string) => number } {
  const db = new Database(dbFile)
  db.pragma('wal_checkpoint(TRUNCATE)')
  const pageSize = db.pragma('page_size', { simple: true }) as number
  const roots = new Map(
    (
      db.prepare('SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0').all() as {
        name: string
        rootpage: number
      }[]
    ).map((r) => [r.name, r.rootpage]),
  )
  db.close()
  return { pageSize, root: (t) => roots.get(t)! }
}

function zeroPage(dbFile: string, page: number, pageSize: number): void {
  const fd = fs.openSync(dbFile, 'r+')
  fs.writeSync(fd, Buffer.alloc(pageSize), 0, pageSize, (page - 1) * pageSize)
  fs.fsyncSync(fd)
  fs.closeSync(fd)
}

describe('a damaged database', () => {
  test('a zeroed page makes verify exit 1 and name it; writes are refused with DB_DAMAGED until a restore checks sound', async () => {
    const t = testCore()
    const admin = await t.adminSession()
    await t.userSession(admin, 'lijing', ['records_officer'])
    t.core.close()
    const db = path.join(t.dataDir, 'liuhen.db')
    const { pageSize, root } = checkpointWal(db)
    const good = path.join(tempDir(), 'liuhen.db')
    fs.copyFileSync(db, good)
    // The sound copy is of the database and its anchor log together: restoring the database alone would lose
    // the sign-in below, and the anchor log would rightly report it missing (audit-anchor.ts).
    const log = path.join(t.dataDir, 'anchor', 'audit-anchors.log')
    const goodLog = `${good}.anchors`
    fs.copyFileSync(log, goodLog)
    const page = root('row_seals')
    zeroPage(db, page, pageSize)

    const v = runLiuhen(['verify', '--data', t.dataDir, '--json'])
    expect(v.status, v.stderr).toBe(1)
    const report = JSON.parse(v.stdout) as {
      ok: boolean
      database: { ok: boolean }
      problems: { check: string; kind: string; table: string | null; id: string }[]
    }
    expect(report.ok).toBe(false)
    expect(report.database.ok).toBe(false)
    expect(report.problems).toContainEqual(
      expect.objectContaining({ check: 'database', kind: 'damaged', table: 'row_seals', id: `page ${page}` }),
    )
    const human = runLiuhen(['verify', '--data', t.dataDir])
    expect(human.status).toBe(1)
    expect(human.stdout).toContain('数据库页面损坏')
    expect(human.stdout).toContain(`page ${page}`)

    // The core, opened again on the damaged file, writes nothing into it.
    const again = testCore(t.dataDir)
    const s = await again.call('auth.signIn', { username: 'admin', password: 'Admin2026ok' })
    const refused = await again.fail(
      'users.create',
      { username: 'wangwu', displayName: '王五', roles: ['auditor'], initialPassword: 'Linshi2026x' },
      s.session,
    )
    expect(refused.code).toBe('DB_DAMAGED')
    const zh = translateError(createI18n('zh-CN').t, refused)
    expect(zh).toContain('备份')
    expect(zh).toContain('row_seals page')
    expect(zh).not.toMatch(/malformed|disk image|SQLITE/) // no SQLite English inside the Chinese sentence
    again.core.close()

    // Restored from a sound copy and checked: writing is allowed again.
    fs.copyFileSync(good, db)
    fs.copyFileSync(goodLog, log)
    const ok = runLiuhen(['verify', '--data', t.dataDir, '--json'])
    expect(ok.status, ok.stdout).toBe(0)
    expect(fs.existsSync(path.join(t.dataDir, 'DB-DAMAGED.json'))).toBe(false)
    const after = testCore(t.dataDir)
    const s2 = await after.call('auth.signIn', { username: 'admin', password: 'Admin2026ok' })
    await after.call(
      'users.create',
      { username: 'wangwu', displayName: '王五', roles: ['auditor'], initialPassword: 'Linshi2026x' },
      s2.session,
    )
    after.core.close()
  })

  test('without a verify, the first corruption SQLite reports in a call marks the folder', async () => {
    const t = testCore()
    await t.adminSession()
    t.core.close()
    const db = path.join(t.dataDir, 'liuhen.db')
    const { pageSize, root } = checkpointWal(db)
    zeroPage(db, root('audit_events'), pageSize)
    const again = testCore(t.dataDir)
    expect(fs.existsSync(path.join(t.dataDir, 'DB-DAMAGED.json'))).toBe(false)
    // Signing in writes an audit event: it hits the zeroed page, and SQLite's error comes back typed.
    const first = await again.fail('auth.signIn', { username: 'admin', password: 'Admin2026ok' })
    expect(first).toMatchObject({ code: 'DB_DAMAGED' })
    expect(fs.existsSync(path.join(t.dataDir, 'DB-DAMAGED.json'))).toBe(true)
    again.core.close()
  })

  test('files no row names are listed as orphans, not deleted, and do not fail the check', async () => {
    const t = testCore()
    await t.adminSession()
    t.core.close()
    const stray = path.join(t.dataDir, 'vault', 'ab', 'cd', `abcd${'0'.repeat(60)}`)
    const sig = path.join(t.dataDir, 'signatures', 'ab', `abcd${'0'.repeat(60)}`, 'x.p7s')
    for (const f of [stray, sig]) {
      fs.mkdirSync(path.dirname(f), { recursive: true })
      fs.writeFileSync(f, 'left by a crash')
    }
    const v = runLiuhen(['verify', '--data', t.dataDir, '--json'])
    expect(v.status, v.stdout).toBe(0)
    const report = JSON.parse(v.stdout) as { orphans: { kind: string; path: string }[] }
    expect(report.orphans).toEqual(
      expect.arrayContaining([
        { kind: 'vault', path: path.relative(t.dataDir, stray) },
        { kind: 'signature', path: path.relative(t.dataDir, sig) },
      ]),
    )
    expect(fs.existsSync(stray) && fs.existsSync(sig)).toBe(true)
    expect(runLiuhen(['verify', '--data', t.dataDir]).stdout).toContain('没有任何记录指向')
  })
})
