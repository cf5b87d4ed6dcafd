import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import readline from 'node:readline/promises'
import { defaultDataDir } from './core/paths.ts'

/*
 * `npm start`: build, then run the desktop app where an Electron binary is (or can be) present and a
 * display exists; otherwise start the browser mode (loopback bridge) and open it. Deliberately does not
 * import the `electron` module: it only locates the binary the npm package ships.
 */

const repo = path.resolve(import.meta.dirname, '..')
const require = createRequire(import.meta.url)

function electronBinary(): string | null {
  try {
    const pkgDir = path.dirname(require.resolve('electron/package.json'))
    const rel = fs.readFileSync(path.join(pkgDir, 'path.txt'), 'utf8').trim()
    const bin = path.join(pkgDir, 'dist', rel)
    return fs.existsSync(bin) ? bin : null
  } catch {
    return null
  }
}

function tryDownloadElectron(): void {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return
  try {
    const pkgDir = path.dirname(require.resolve('electron/package.json'))
    console.log('正在获取 Electron 运行环境… / fetching the Electron runtime…')
    spawnSync(process.execPath, [path.join(pkgDir, 'install.js')], { stdio: 'inherit', timeout: 120_000 })
  } catch {
    /* offline: fall back to the browser mode */
  }
}

const hasDisplay =
  process.platform === 'win32' ||
  process.platform === 'darwin' ||
  !!process.env.DISPLAY ||
  !!process.env.WAYLAND_DISPLAY

const build = spawnSync(
  process.execPath,
  [path.join(repo, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
  { cwd: repo, stdio: 'inherit' },
)
if (build.status !== 0) process.exit(build.status ?? 1)

let bin = hasDisplay ? electronBinary() : null
if (hasDisplay && !bin) {
  tryDownloadElectron()
  bin = electronBinary()
}

/*
 * The data folder: the agency's (LIUHEN_DATA or the OS default), or with `--demo` a separate demo agency made on
 * first use (`liuhen demo`). On a first run in a terminal the demo is offered, so a newcomer sees a living app.
 */
const args = process.argv.slice(2).filter((a) => a !== '--demo')
const agencyDir = defaultDataDir()
const demoDir = `${agencyDir}-demo`
let wantsDemo = process.argv.includes('--demo')
if (!wantsDemo && !process.env.LIUHEN_DATA && !fs.existsSync(path.join(agencyDir, 'liuhen.db'))) {
  if (process.stdin.isTTY && process.stdout.isTTY) {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout })
    const answer = await rl.question(
      '首次运行。要先打开一个演示机关（示例用户、案件和音像记录）看看吗？[y/N]\nFirst run: open a demo agency (sample users, cases, recordings) first? [y/N] ',
    )
    rl.close()
    wantsDemo = /^(y|yes|是|好)$/i.test(answer.trim())
  } else {
    console.log('提示：npm start -- --demo 打开演示机关。/ Tip: npm start -- --demo opens a demo agency.')
  }
}
const dataDir = wantsDemo ? demoDir : agencyDir
if (wantsDemo && !fs.existsSync(path.join(demoDir, 'liuhen.db'))) {
  const { createDemo } = await import('./cli/demo.ts')
  const r = await createDemo(demoDir, (line) => console.log(`… ${line}`))
  console.log(
    `演示机关已创建：${r.dataDir}\n用户名 jilu（记录管理员）、fuze（负责人）、fazhi（法制审核）、admin 等，密码均为 ${r.password}`,
  )
} else if (wantsDemo) {
  console.log(
    `演示机关：${demoDir}（所有演示用户的密码均为 ${(await import('./cli/demo.ts')).DEMO_PASSWORD}）`,
  )
}
process.env.LIUHEN_DATA = dataDir

const child = bin
  ? spawn(bin, [repo, ...args], { stdio: 'inherit' })
  : spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repo, 'electron', 'bridge', 'cli.ts'), '--open', ...args],
      {
        cwd: repo,
        stdio: 'inherit',
      },
    )
if (!bin)
  console.log('未找到可用的 Electron，改用浏览器模式。/ Electron unavailable: starting the browser mode.')
child.on('exit', (code) => process.exit(code ?? 0))
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig))
