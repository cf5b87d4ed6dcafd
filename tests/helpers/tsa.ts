import { spawn } from 'node:child_process'
import path from 'node:path'
import { REPO, tempDir } from './bridge.ts'

export interface RunningTsa {
  url: string
  /** The TSA's root certificate: the trust anchor for `openssl ts -verify -CAfile`. */
  caPem: string
  stop(): Promise<void>
}

/** Start the test TSA (`openssl ts -reply` over HTTP on 127.0.0.1) in its own process. */
export async function startTsa(): Promise<RunningTsa> {
  const dir = tempDir('liuhen-tsa-')
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/tsa-server.ts', dir], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`TSA did not start: ${stderr}`)), 30_000)
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /TSA_URL=(\S+)/.exec(out)
      if (m?.[1]) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.once('exit', (code) => reject(new Error(`TSA exited ${code}: ${stderr}`)))
  })
  return {
    url,
    caPem: path.join(dir, 'ca.pem'),
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}
