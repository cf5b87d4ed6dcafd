import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

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

const args = process.argv.slice(2)
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
