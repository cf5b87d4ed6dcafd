import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import Database from 'better-sqlite3'
import { REPO, tempDir } from '../helpers/bridge.ts'
import { runLiuhen } from '../helpers/cli.ts'

/** The CLI as a user runs it: `npx --no-install liuhen ...` from the repository root. */
function liuhen(args: string[], env: Record<string, string> = {}) {
  const r = runLiuhen(args, env)
  return { code: r.status, out: r.stdout, err: r.stderr }
}
const json = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe('liuhen CLI', () => {
  const data = path.join(tempDir(), 'agency data')
  const PW = { LIUHEN_PASSWORD: 'Admin2026pw' }

  test('--version, also through npx from the repository root', () => {
    const r = liuhen(['--version'])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^liuhen \d+\.\d+\.\d+/)
    const npx = spawnSync('npx', ['--no-install', 'liuhen', '--version', '--json'], {
      cwd: REPO,
      encoding: 'utf8',
    })
    expect(npx.status, npx.stderr).toBe(0)
    expect(JSON.parse(npx.stdout.trim())).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) })
  })

  test('init creates the agency; a second init fails', () => {
    const r = liuhen(
      [
        'init',
        '--data',
        data,
        '--agency',
        '福州市医疗保障局',
        '--agency-code',
        'FZYBJ',
        '--admin',
        'admin',
        '--json',
      ],
      PW,
    )
    expect(r.code, r.err).toBe(0)
    expect(json(r.out)[0]).toMatchObject({
      ok: true,
      agency: { name: '福州市医疗保障局', code: 'FZYBJ' },
      admin: 'admin',
    })
    const again = liuhen(
      ['init', '--data', data, '--agency', '另一个局', '--agency-code', 'OTHER', '--admin', 'root'],
      PW,
    )
    expect(again.code).toBe(1)
    expect(again.err).toContain('该数据目录已经初始化过')
  })

  test('user add and user list, as the administrator, with Chinese role names accepted', () => {
    const r = liuhen(
      [
        'user',
        'add',
        '--data',
        data,
        '--user',
        'lijing',
        '--name',
        '李静',
        '--roles',
        '执法人员,records_officer',
        '--badge',
        '35010023',
        '--json',
      ],
      PW,
    )
    expect(r.code, r.err).toBe(0)
    const added = json(r.out)[0]!
    expect(added.user).toMatchObject({
      username: 'lijing',
      roles: ['enforcement_officer', 'records_officer'],
      badgeNo: '35010023',
    })
    expect(added.initialPassword).toMatch(/^[A-Za-z0-9]{14}$/)
    const list = liuhen(['user', 'list', '--data', data, '--json'], PW)
    expect(list.code).toBe(0)
    expect(json(list.out).map((u) => u.username)).toEqual(['admin', 'lijing'])
    const human = liuhen(['user', 'list', '--data', data], PW)
    expect(human.out).toContain('李静')
    expect(human.out).toContain('执法人员')
  })

  test('passwords come from the environment only', () => {
    const r = liuhen(['user', 'list', '--data', data])
    expect(r.code).toBe(2)
    expect(r.err).toContain('LIUHEN_PASSWORD')
    expect(liuhen(['user', 'list', '--data', data, '--password', 'x']).code).toBe(2)
    expect(liuhen(['user', 'list', '--data', data], { LIUHEN_PASSWORD: 'Wrong2026x' }).code).toBe(1)
  })

  test('bad input gets a clear error and a non-zero exit', () => {
    expect(
      liuhen(['user', 'add', '--data', data, '--user', 'x2', '--name', 'x', '--roles', 'wizard'], PW).err,
    ).toContain('未知角色：wizard')
    const e = liuhen(
      [
        'user',
        'add',
        '--data',
        data,
        '--user',
        'zf',
        '--name',
        '执法',
        '--roles',
        'officer',
        '--json',
        '--lang',
        'en',
      ],
      PW,
    )
    expect(e.code).toBe(1)
    expect(json(e.out)[0]).toMatchObject({
      ok: false,
      error: {
        code: 'BADGE_REQUIRED',
        message: 'Enforcement officers need an enforcement certificate number.',
      },
    })
    expect(liuhen(['frobnicate']).code).toBe(2)
    expect(liuhen(['audit', 'verify', '--data', path.join(tempDir(), 'nothing-here')]).code).toBe(1)
    // A file that is not a Liuhen database: a clear message, no stack trace.
    const junk = tempDir()
    fs.writeFileSync(
      path.join(junk, 'liuhen.db'),
      'this is not a database at all, just some text '.repeat(100),
    )
    const notDb = liuhen(['audit', 'verify', '--data', junk])
    expect(notDb.code).toBe(1)
    expect(notDb.err).toContain('无法打开数据库')
    expect(notDb.err).not.toMatch(/\bat .*:\d+/)
  })

  test('audit verify: 0 when intact, 1 naming the event after an outside edit', () => {
    const ok = liuhen(['audit', 'verify', '--data', data, '--json'])
    expect(ok.code).toBe(0)
    expect(json(ok.out)[0]).toMatchObject({ ok: true, firstBad: null })
    const db = new Database(path.join(data, 'liuhen.db'))
    const id = (db.prepare('SELECT id FROM audit_events WHERE seq = 2').get() as { id: string }).id
    db.prepare("UPDATE audit_events SET details = '{}' WHERE seq = 2").run()
    db.close()
    const bad = liuhen(['audit', 'verify', '--data', data])
    expect(bad.code).toBe(1)
    expect(bad.out).toContain('#2')
    expect(bad.out).toContain(id)
  })
})

describe('the CLI as a program others start', () => {
  test('runs from the build when it is fresh and from the sources when one is newer', () => {
    // npm test builds before the tests, so the bundle is fresh here; a file touched after it makes bin/ fall back.
    const built = fs.statSync(path.join(REPO, 'out', 'main', 'cli.js')).mtimeMs
    const inputs = JSON.parse(
      fs.readFileSync(path.join(REPO, 'out', 'main', 'cli-inputs.json'), 'utf8'),
    ) as string[]
    expect(inputs).toContain('electron/cli/main.ts')
    expect(inputs).toContain('electron/core/core.ts')
    expect(inputs.every((f) => fs.statSync(path.join(REPO, f)).mtimeMs <= built)).toBe(true)
    // Both ways answer the same.
    const fromBuild = runLiuhen(['--version'])
    const fromSource = runLiuhen(['--version'], { LIUHEN_CLI_FROM_SOURCE: '1' })
    expect(fromBuild.status).toBe(0)
    expect(fromSource.stdout).toBe(fromBuild.stdout)
  })

  test('a reader that goes away (`| head`) does not crash it', async () => {
    const { spawn } = await import('node:child_process')
    const child = spawn(process.execPath, [path.join(REPO, 'bin', 'liuhen.mjs'), '--help'], {
      cwd: REPO,
      env: { ...process.env, LIUHEN_LANG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    // The read end is closed before the CLI writes anything: every write it makes meets EPIPE.
    child.stdout.destroy()
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const status = await new Promise<number | null>((resolve) => child.once('close', resolve))
    expect(stderr).not.toMatch(/EPIPE|Error/)
    expect(status).toBe(0)
  })
})
