import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import Database from 'better-sqlite3'
import { createCore } from '../../electron/core/core.ts'
import { openDataFolder } from '../../electron/core/folder.ts'
import { liveOwner, ownerAddress, readOwnerInfo } from '../../electron/core/owner-lock.ts'
import { localSocketTransport } from '../../electron/core/owner-socket.ts'
import { dataLayout } from '../../electron/core/paths.ts'
import type { CoreEvent } from '../../shared/contract.ts'
import { REPO, rpc, startBridgeProcess, tempDir } from '../helpers/bridge.ts'
import { testClock } from '../helpers/clock.ts'
import { testCore } from '../helpers/core.ts'
import { randomFile } from '../helpers/media.ts'
import { socketEnds } from '../helpers/cli.ts'

/*
 * One owner per data folder (owner-lock.ts, folder.ts): the first process holds the lock, runs recovery and
 * serves the others over its socket; the others are its clients and never touch the database themselves.
 */

const OFFICER_PASSWORD = 'Zhengshi2026y'

interface Done {
  status: number | null
  stdout: string
  stderr: string
}

/** The real CLI, not waited for, reporting whether it owned the folder (LIUHEN_ROLE=…). */
function cli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [...testClock.args, path.join(REPO, 'bin', 'liuhen.mjs'), ...args], {
    cwd: REPO,
    env: {
      ...process.env,
      ...testClock.env,
      LIUHEN_PASSWORD: OFFICER_PASSWORD,
      LIUHEN_LANG: '',
      LIUHEN_REPORT_ROLE: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const waiters: { re: RegExp; resolve: () => void }[] = []
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
    for (const w of waiters.splice(0))
      if (w.re.test(stdout)) w.resolve()
      else waiters.push(w)
  })
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const done = new Promise<Done>((resolve) =>
    child.once('close', (status) => resolve({ status, stdout, stderr })),
  )
  return {
    child,
    done,
    /** Resolves once stdout matches. */
    printed: (re: RegExp) =>
      new Promise<void>((resolve) => (re.test(stdout) ? resolve() : waiters.push({ re, resolve }))),
  }
}

const role = (r: Done) => /LIUHEN_ROLE=(owner|client)/.exec(r.stderr)?.[1]

async function agencyWithOfficer(): Promise<string> {
  const t = testCore()
  const admin = await t.adminSession()
  await t.userSession(admin, 'jilu', ['records_officer'])
  t.core.close()
  return t.dataDir
}

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)

function vaultObjects(data: string): number {
  return (fs.readdirSync(dataLayout(data).vault, { recursive: true }) as string[]).filter((p) =>
    /^[0-9a-f]{64}$/.test(path.basename(p)),
  ).length
}

/** Evidence rows, and whether every source file has exactly one. */
function rows(data: string) {
  const db = new Database(dataLayout(data).db, { readonly: true })
  try {
    const evidence = (db.prepare('SELECT count(*) AS n FROM evidence').get() as { n: number }).n
    const sources = db
      .prepare('SELECT device_id, rel_path, count(*) AS n FROM evidence_sources GROUP BY device_id, rel_path')
      .all() as { n: number }[]
    const signIns = db.prepare("SELECT details FROM audit_events WHERE action = 'auth.signIn'").all() as {
      details: string
    }[]
    return { evidence, sources, signIns }
  } finally {
    db.close()
  }
}

describe('the owner lock', () => {
  test('a second core on a folder in use is refused and touches nothing of the owner’s', async () => {
    const t = testCore()
    const admin = await t.adminSession()
    void admin
    const layout = dataLayout(t.dataDir)
    // Work as a dead process would have left it, appearing while the owner runs: only the owner may decide
    // about it, and it did its recovery at its own start.
    const dead = `999999_1.${crypto.randomUUID()}.part`
    fs.writeFileSync(path.join(layout.tmp, dead), 'x')
    let error: unknown
    try {
      createCore({ dataDir: t.dataDir, create: false }).close()
    } catch (e) {
      error = e
    }
    expect((error as { code?: string } | undefined)?.code).toBe('DATA_DIR_IN_USE')
    expect(fs.existsSync(path.join(layout.tmp, dead))).toBe(true)
    expect(liveOwner(layout)?.pid).toBe(process.pid)
    t.core.close()
    // Released with the core: the next one owns the folder, and its recovery removes the dead one's file.
    expect(liveOwner(layout)).toBeNull()
    createCore({ dataDir: t.dataDir, create: false }).close()
    expect(fs.existsSync(path.join(layout.tmp, dead))).toBe(false)
  })

  test('a lock left by a process killed with SIGKILL does not block the next one', async () => {
    const t = testCore()
    await t.adminSession()
    t.core.close()
    const layout = dataLayout(t.dataDir)
    const script = `import { createCore } from ${JSON.stringify(path.join(REPO, 'electron/core/core.ts'))}
      createCore({ dataDir: ${JSON.stringify(t.dataDir)}, create: false })
      process.stdout.write('OWNING\\n')
      setInterval(() => undefined, 1000)`
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', ...testClock.args, '--input-type=module', '-e', script],
      {
        cwd: REPO,
        env: { ...process.env, ...testClock.env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => d.toString().includes('OWNING') && resolve()),
    )
    expect(liveOwner(layout)?.pid).toBe(child.pid)
    expect(() => createCore({ dataDir: t.dataDir, create: false })).toThrow('DATA_DIR_IN_USE')
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited
    // Its lock file, its owner.json and (where Unix sockets live in the folder) its socket stay behind.
    expect(readOwnerInfo(layout)?.pid).toBe(child.pid)
    expect(liveOwner(layout)).toBeNull()
    const next = createCore({ dataDir: t.dataDir, create: false })
    expect(liveOwner(layout)?.pid).toBe(process.pid)
    next.close()
  })
})

describe('clients of the owner', () => {
  test('a client’s calls, sessions and events go through the owner’s core, audited once', async () => {
    const t = testCore()
    const admin = await t.adminSession()
    const layout = dataLayout(t.dataDir)
    const address = ownerAddress(layout)
    await expect.poll(() => fs.existsSync(address)).toBe(true)
    if (process.platform !== 'win32') expect(fs.statSync(address).mode & 0o777).toBe(0o600)

    const client = await openDataFolder({ dataDir: t.dataDir, create: false })
    expect(client.role).toBe('client')
    // No user name: the CLI's default operator, decided by the owner's core (the earliest active administrator).
    const signed = await client.dispatch({ method: 'auth.signIn', input: { password: 'Admin2026ok' } }, 'cli')
    expect(signed.ok).toBe(true)
    expect((signed as { value: { user: { username: string } } }).value.user.username).toBe('admin')
    const session = (signed as { value: { session: string } }).value.session
    // The session lives in the owner: the owner's own core knows it.
    expect((await t.call('auth.me', {}, session)).user.username).toBe('admin')
    const events: CoreEvent[] = []
    const off = client.subscribe(session, 'cli', (e) => events.push(e))
    await t.call(
      'users.create',
      {
        username: 'li',
        displayName: '李',
        roles: ['records_officer'],
        initialPassword: 'Linshi2026x',
      },
      admin,
    )
    // A look-up by name is a contract method over the socket, authorised like any other call.
    const found = await client.dispatch({ method: 'users.find', input: { username: 'li' }, session }, 'cli')
    expect((found as { value: { userId: string } }).value.userId).toMatch(/^[0-9a-f-]{36}$/)
    expect(await client.dispatch({ method: 'users.find', input: { username: 'li' } }, 'cli')).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    })
    const listed = await client.dispatch({ method: 'users.list', input: {}, session }, 'cli')
    expect(listed.ok).toBe(true)
    off()
    void events
    await client.close()
    const db = new Database(layout.db, { readonly: true })
    const signIns = db.prepare("SELECT details FROM audit_events WHERE action = 'auth.signIn'").all() as {
      details: string
    }[]
    db.close()
    // The test's own sign-in and the client's, each once, the client's under its own channel.
    expect(signIns.map((s) => (JSON.parse(s.details) as { channel: string }).channel)).toEqual([
      'test',
      'cli',
    ])
    t.core.close()
  })

  test('a folder whose path is too long for a socket name is served from a private temp folder', async () => {
    const t = testCore(path.join(tempDir(), 'x'.repeat(60), 'y'.repeat(60)))
    await t.adminSession()
    const address = ownerAddress(dataLayout(t.dataDir))
    expect(address.startsWith(t.dataDir)).toBe(false)
    if (process.platform !== 'win32') expect(fs.statSync(path.dirname(address)).mode & 0o777).toBe(0o700)
    const client = await openDataFolder({ dataDir: t.dataDir, create: false })
    expect(client.role).toBe('client')
    expect(await client.dispatch({ method: 'system.info', input: {} }, 'cli')).toMatchObject({
      ok: true,
      value: { initialized: true },
    })
    await client.close()
    t.core.close()
  })

  test('the socket speaks only its protocol: a "test" channel or a stray line ends the link', async () => {
    const t = testCore()
    await t.adminSession()
    const address = ownerAddress(dataLayout(t.dataDir))
    await expect.poll(() => fs.existsSync(address)).toBe(true)
    const transport = localSocketTransport(address)
    for (const bad of [
      { t: 'call', seq: 1, channel: 'test', request: { method: 'system.info', input: {} } },
      { t: 'host', seq: 1, op: 'eval', arg: 'x' },
      'hello',
    ]) {
      const link = await transport.connect()
      const closed = new Promise<void>((r) => link.onClose(r))
      const got: unknown[] = []
      link.onMessage((m) => got.push(m))
      link.send(bad)
      await closed
      expect(got.map((m) => (m as { t: string }).t)).toEqual(['hello'])
    }
    t.core.close()
  })

  test('a socket file that vanishes as it is made refuses to serve instead of throwing from a callback', async () => {
    // Seen in CI: a test folder removed while a core was still starting its socket crashed the test run.
    const address = path.join(tempDir(), 'gone.sock')
    const chmod = vi.spyOn(fs, 'chmodSync').mockImplementation(() => {
      throw Object.assign(new Error(`ENOENT: chmod '${address}'`), { code: 'ENOENT' })
    })
    try {
      await expect(localSocketTransport(address).listen(() => undefined)).rejects.toThrow(/ENOENT/)
      expect(chmod).toHaveBeenCalledTimes(1)
    } finally {
      chmod.mockRestore()
    }
  })
})

describe('real processes on one folder', () => {
  test('the app, two CLI ingests and verify at once: all finish; every file has exactly one row', async () => {
    const data = await agencyWithOfficer()
    const app = await startBridgeProcess(data)
    try {
      await expect.poll(() => liveOwner(dataLayout(data))?.pid, { timeout: 30_000 }).toBe(app.process.pid)
      const devices = [tempDir('liuhen-own-a-'), tempDir('liuhen-own-b-')]
      devices.forEach((dev, d) => {
        for (let i = 0; i < 12; i++) randomFile(path.join(dev, 'RECORD', `d${d}r${i}.wav`), 20_000 + i)
        randomFile(path.join(dev, 'same.wav'), 1000)
      })
      // The same bytes on both devices: both register the one content.
      fs.copyFileSync(path.join(devices[0]!, 'same.wav'), path.join(devices[1]!, 'same.wav'))
      const runs = devices.map((dev) => cli(['ingest', dev, '--data', data, '--user', 'jilu', '--json']))
      const verify = cli(['verify', '--data', data, '--json'])
      const [a, b, v] = await Promise.all([...runs.map((r) => r.done), verify.done])
      for (const r of [a!, b!]) {
        expect(r.status, r.stdout + r.stderr).toBe(0)
        expect(role(r)).toBe('client')
        expect(lines(r.stdout).at(-1)).toMatchObject({ summary: true, files: 13, failed: 0 })
      }
      expect(v!.status, v!.stdout + v!.stderr).toBe(0)
      const r = rows(data)
      expect(r.evidence).toBe(25)
      expect(r.sources).toHaveLength(26)
      expect(r.sources.every((s) => s.n === 1)).toBe(true)
      expect(vaultObjects(data)).toBe(25)
      // Each CLI signed in once, in the owner, on the CLI channel.
      expect(r.signIns.filter((s) => s.details.includes('"cli"'))).toHaveLength(2)
      // The app's core alone did every migration and recovery: no tmp leftovers, nothing interrupted.
      expect(app.stderr()).not.toMatch(/INTERNAL|internal error/)
    } finally {
      await app.stop()
    }
  })

  // Linux: the test holds the owner still (SIGSTOP) until the second CLI's connection is seen in /proc/net/unix,
  // so the second one surely meets a live owner however slowly it starts.
  test.runIf(fs.existsSync('/proc/net/unix'))(
    'a second CLI while a CLI ingest runs is its client: no second recovery, its calls audited once',
    async () => {
      const data = await agencyWithOfficer()
      const layout = dataLayout(data)
      const devA = tempDir('liuhen-own-ca-')
      const devB = tempDir('liuhen-own-cb-')
      for (let i = 0; i < 8; i++) randomFile(path.join(devA, 'DCIM', `a${i}.MP4`), 2 << 20)
      for (let i = 0; i < 3; i++) randomFile(path.join(devB, 'RECORD', `b${i}.wav`), 30_000 + i)
      const a = cli(['ingest', devA, '--data', data, '--user', 'jilu', '--json'])
      await a.printed(/"status":"stored"/)
      // Left by a dead process after A's start: what a second core start would have swept away.
      const dead = `999999_1.${crypto.randomUUID()}.part`
      fs.writeFileSync(path.join(layout.tmp, dead), 'x')
      a.child.kill('SIGSTOP')
      const b = cli(['ingest', devB, '--data', data, '--user', 'jilu', '--json'])
      try {
        // The listening socket plus B's connection, waiting in A's backlog.
        await expect
          .poll(() => socketEnds(data), { timeout: 60_000, interval: 100 })
          .toBeGreaterThanOrEqual(2)
      } finally {
        a.child.kill('SIGCONT')
      }
      const [ra, rb] = await Promise.all([a.done, b.done])
      expect(ra.status, ra.stdout + ra.stderr).toBe(0)
      expect(rb.status, rb.stdout + rb.stderr).toBe(0)
      expect(role(ra)).toBe('owner')
      expect(role(rb)).toBe('client')
      expect(lines(rb.stdout).at(-1)).toMatchObject({ summary: true, files: 3, failed: 0 })
      expect(fs.existsSync(path.join(layout.tmp, dead))).toBe(true)
      const r = rows(data)
      expect(r.evidence).toBe(11)
      expect(r.sources.every((x) => x.n === 1)).toBe(true)
      expect(r.signIns.filter((x) => x.details.includes('"cli"'))).toHaveLength(2)
      const db = new Database(layout.db, { readonly: true })
      expect(db.prepare('SELECT status FROM ingest_batches').all()).toEqual([
        { status: 'done' },
        { status: 'done' },
      ])
      db.close()
    },
    180_000,
  )

  test.runIf(fs.existsSync('/proc/net/unix'))(
    'the app started during a CLI ingest is its client, and does not keep the CLI from ending',
    async () => {
      const data = await agencyWithOfficer()
      const dev = tempDir('liuhen-own-res-')
      for (let i = 0; i < 6; i++) randomFile(path.join(dev, 'DCIM', `r${i}.MP4`), 2 << 20)
      const a = cli(['ingest', dev, '--data', data, '--user', 'jilu', '--json'])
      await a.printed(/"status":"stored"/)
      a.child.kill('SIGSTOP')
      const app = startBridgeProcess(data)
      try {
        try {
          await expect
            .poll(() => socketEnds(data), { timeout: 60_000, interval: 100 })
            .toBeGreaterThanOrEqual(2)
        } finally {
          a.child.kill('SIGCONT')
        }
        const bridge = await app
        // The CLI finishes its own work and exits, though the app stays connected.
        const ra = await a.done
        expect(ra.status, ra.stdout + ra.stderr).toBe(0)
        expect(role(ra)).toBe('owner')
        // The app then opens the folder again, as its owner, and answers.
        const info = await rpc(bridge, { method: 'system.info', input: {} })
        expect(info.json).toMatchObject({ ok: true, value: { initialized: true } })
        await expect
          .poll(() => liveOwner(dataLayout(data))?.pid, { timeout: 30_000 })
          .toBe(bridge.process.pid)
      } finally {
        await (await app).stop()
      }
    },
    180_000,
  )

  test('while the app owns the folder, commands that need it alone are refused in plain Chinese', async () => {
    const data = await agencyWithOfficer()
    const app = await startBridgeProcess(data)
    try {
      await expect.poll(() => liveOwner(dataLayout(data))?.pid, { timeout: 30_000 }).toBe(app.process.pid)
      const init = await cli(
        ['init', '--data', data, '--agency', '另一局', '--agency-code', 'LYJ', '--admin', 'admin'],
        { LIUHEN_PASSWORD: 'Admin2026pw' },
      ).done
      expect(init.status).toBe(1)
      expect(init.stderr).toContain(`该数据目录正由另一个留痕程序使用（进程号 ${app.process.pid}）`)
      const restore = await cli(['restore', '--data', data, '--from', tempDir()]).done
      expect(restore.status).toBe(1)
      expect(restore.stderr).toContain('此操作需要独占数据目录')
    } finally {
      await app.stop()
    }
  })

  test('kill -9 of the owner: its client fails cleanly; the next process takes over and recovers', async () => {
    const data = await agencyWithOfficer()
    const device = tempDir('liuhen-own-kill-')
    const N = 12
    // Above ingest's small-file batch size (16 MiB): each file is committed on its own, so after the first is stored
    // the rest are still to come when the kill lands (a batch of small files would commit, and print, all at once).
    for (let i = 0; i < N; i++) randomFile(path.join(device, 'DCIM', `k${i}.MP4`), 17 << 20)
    const app = await startBridgeProcess(data)
    await expect.poll(() => liveOwner(dataLayout(data))?.pid, { timeout: 30_000 }).toBe(app.process.pid)
    const first = cli(['ingest', device, '--data', data, '--user', 'jilu', '--json'])
    await first.printed(/"status":"stored"/)
    app.process.kill('SIGKILL')
    const r1 = await first.done
    expect(role(r1)).toBe('client')
    expect(r1.status).toBe(1)
    // Said as what happened (the owner went away), not as a crash or a damaged device.
    const failure = lines(r1.stdout).at(-1) as { ok: false; error: { code: string; message: string } }
    expect(failure.error.code).toBe('OWNER_GONE')
    expect(failure.error.message).toContain('管理该数据目录的留痕程序已退出')
    expect(r1.stdout + r1.stderr).not.toMatch(/INTERNAL|TypeError/)

    // The dead owner's batch is still marked running and its half-copied file is in tmp/.
    const again = cli(['ingest', device, '--data', data, '--user', 'jilu', '--json'])
    const r2 = await again.done
    expect(r2.status, r2.stdout + r2.stderr).toBe(0)
    expect(role(r2)).toBe('owner')
    const stored = lines(r1.stdout).filter((l) => l.status === 'stored').length
    const summary = lines(r2.stdout).at(-1)!
    expect(summary).toMatchObject({ summary: true, files: N, failed: 0 })
    const db = new Database(dataLayout(data).db, { readonly: true })
    const batches = db.prepare('SELECT status FROM ingest_batches ORDER BY started_at').all()
    const interrupted = db
      .prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'ingest.interrupted'")
      .get() as { n: number }
    db.close()
    expect(batches).toEqual([{ status: 'interrupted' }, { status: 'done' }])
    expect(interrupted.n).toBe(1)
    const r = rows(data)
    expect(r.evidence).toBe(N)
    expect(r.evidence).toBeGreaterThanOrEqual(stored)
    expect(r.sources.every((s) => s.n === 1)).toBe(true)
    expect(vaultObjects(data)).toBe(N)
    expect(fs.readdirSync(dataLayout(data).tmp).filter((n) => n.endsWith('.part'))).toEqual([])
    const v = await cli(['verify', '--data', data]).done
    expect(v.status, v.stdout + v.stderr).toBe(0)
  })
})
