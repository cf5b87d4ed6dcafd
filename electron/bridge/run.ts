import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Worker } from 'node:worker_threads'
import { startCoreWorker } from '../core/host.ts'
import type { CoreOptions } from '../core/core.ts'
import { defaultDataDir } from '../core/paths.ts'
import { startBridge } from './server.ts'

/**
 * `npm run web`: the renderer in an ordinary browser against the real core, for machines where Electron
 * cannot run and for the e2e tests. Prints the launch URL (with its one-time token) and, on request,
 * opens it in the default browser. Started from TypeScript (cli.ts) or from the build (bundled.ts); they differ
 * only in how the core's worker is loaded.
 */
export async function runBridge(
  makeWorker: (workerData: Omit<CoreOptions, 'now'>) => Worker,
  /** The repository (for out/renderer) from the entry file's place: both entries sit two folders below it. */
  entryUrl: string,
): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      port: { type: 'string', default: '0' },
      open: { type: 'boolean', default: false },
      static: { type: 'string' },
    },
  })

  const here = path.dirname(fileURLToPath(entryUrl))
  const repo = path.resolve(here, '..', '..')
  const dataDir = values.data ? path.resolve(values.data) : defaultDataDir()
  const core = startCoreWorker(makeWorker, { dataDir, create: true })
  const bridge = await startBridge({
    core,
    staticDir: values.static ?? path.join(repo, 'out', 'renderer'),
    port: Number(values.port),
  })

  // Machine-readable first line for tests and scripts; the human line follows.
  process.stdout.write(`LIUHEN_BRIDGE_URL=${bridge.launchUrl}\n`)
  process.stdout.write(
    `留痕（浏览器模式）已启动，数据目录 ${dataDir}\n请在浏览器中打开：${bridge.launchUrl}\n`,
  )

  if (values.open) {
    const opener =
      process.platform === 'win32' ? 'explorer' : process.platform === 'darwin' ? 'open' : 'xdg-open'
    spawn(opener, [bridge.launchUrl], { stdio: 'ignore', detached: true })
      .on('error', () => undefined)
      .unref()
  }

  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    void bridge
      .close()
      .then(() => core.close())
      .finally(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
