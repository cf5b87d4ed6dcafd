import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'vitest'
import { testClock } from './clock.ts'

export const REPO = path.resolve(import.meta.dirname, '..', '..')

const made: string[] = []

/** A fresh folder under the system's temp folder, removed when the test file ends (tests/helpers/temp-cleanup.ts). */
export function tempDir(prefix = 'liuhen-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  made.push(dir)
  return dir
}

/**
 * Removes the folders this test file made. Left behind, a suite run's data folders, clips, images and backups
 * (about 1 GB) piled up until the disk was full: 79 GB after a day of loaded rounds, and every test then failed
 * with ENOSPC. LIUHEN_KEEP_TEMP=1 keeps them, to look at after a failure.
 */
export function removeTempDirs(): void {
  if (process.env.LIUHEN_KEEP_TEMP === '1') return
  for (const dir of made.splice(0)) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
    } catch {
      // A folder a test made read-only, or one a child still writes to: the next cleanup of /tmp takes it.
    }
  }
}

export interface RunningBridge {
  origin: string
  launchUrl: string
  token: string
  dataDir: string
  process: ChildProcess
  /** What the process has written to stderr so far. */
  stderr(): string
  stop(): Promise<void>
}

/** Start the real bridge (`npm run web`: the build when fresh, else the sources) as a child process on a random loopback port. */
export async function startBridgeProcess(
  dataDir = tempDir(),
  env: Record<string, string> = {},
): Promise<RunningBridge> {
  const child = spawn(
    process.execPath,
    [...testClock.args, 'bin/liuhen-web.mjs', '--data', dataDir, '--port', '0'],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...testClock.env, ...env },
    },
  )
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const launchUrl = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`bridge did not start: ${stderr}`)), 30_000)
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /LIUHEN_BRIDGE_URL=(\S+)/.exec(out)
      if (m?.[1]) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.once('exit', (code) => reject(new Error(`bridge exited ${code}: ${stderr}`)))
  })
  const url = new URL(launchUrl)
  return {
    origin: url.origin,
    launchUrl,
    token: url.hash.replace('#token=', ''),
    dataDir,
    process: child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** POST one envelope to /rpc the way the renderer does. */
export async function rpc(
  bridge: RunningBridge,
  body: unknown,
  opts: { raw?: boolean; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${bridge.origin}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bridge.token}`, ...opts.headers },
    body: opts.raw ? (body as string) : JSON.stringify(body),
  })
  return { status: res.status, json: await res.json() }
}

/** One contract call through the bridge that must succeed; returns its value. */
export async function callOk(
  bridge: RunningBridge,
  method: string,
  input: unknown,
  session?: string,
): Promise<Record<string, unknown>> {
  const r = (await rpc(bridge, { method, input, session })).json as {
    ok: boolean
    value: Record<string, unknown>
  }
  expect(r.ok, `${method}: ${JSON.stringify(r)}`).toBe(true)
  return r.value
}

/** A user an administrator created, signed in once with the initial password changed to 'Zhengshi2026x'. */
export async function readyUser(
  bridge: RunningBridge,
  admin: string,
  user: { username: string; displayName: string; roles: string[]; badgeNo?: string },
): Promise<{ id: string; session: string }> {
  const { user: u } = (await callOk(
    bridge,
    'users.create',
    { ...user, initialPassword: 'Linshi2026x' },
    admin,
  )) as { user: { id: string } }
  const s = (await callOk(bridge, 'auth.signIn', { username: user.username, password: 'Linshi2026x' }))
    .session as string
  await callOk(
    bridge,
    'auth.changePassword',
    { currentPassword: 'Linshi2026x', newPassword: 'Zhengshi2026x' },
    s,
  )
  return { id: u.id, session: s }
}

/**
 * Initialise the bridge's agency (福州市医疗保障局, administrator 陈建国) and return the administrator's session,
 * the initial password already changed to 'Admin2026ok'.
 */
export async function readyAdmin(bridge: RunningBridge): Promise<string> {
  await callOk(bridge, 'system.initialize', {
    agencyName: '福州市医疗保障局',
    agencyCode: 'FZYBJ',
    adminUsername: 'admin',
    adminDisplayName: '陈建国',
    adminPassword: 'Chushi2026a',
  })
  const admin = (await callOk(bridge, 'auth.signIn', { username: 'admin', password: 'Chushi2026a' }))
    .session as string
  await callOk(
    bridge,
    'auth.changePassword',
    { currentPassword: 'Chushi2026a', newPassword: 'Admin2026ok' },
    admin,
  )
  return admin
}

/**
 * Ingest a folder through the bridge as `session` and wait until the job is done: the evidence ids of its files,
 * in the order the job reported them.
 */
export async function ingestThroughBridge(
  bridge: RunningBridge,
  session: string,
  input: { sourceRoot: string; lateReason?: string },
): Promise<string[]> {
  const { jobId } = (await callOk(bridge, 'ingest.start', input, session)) as { jobId: string }
  for (let i = 0; i < 240; i++) {
    const { jobs } = (await callOk(bridge, 'ingest.jobs', {}, session)) as {
      jobs: { progress: { jobId: string; state: string }; results: { evidenceId: string | null }[] }[]
    }
    const j = jobs.find((x) => x.progress.jobId === jobId)
    if (j?.progress.state === 'done')
      return j.results.map((r) => r.evidenceId).filter((x): x is string => !!x)
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`ingest ${jobId} did not finish`)
}
