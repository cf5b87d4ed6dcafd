import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { REPO } from './bridge.ts'

/** Run the real CLI as a user would; the variables it reads start empty unless the test sets them. */
export function runLiuhen(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [path.join(REPO, 'bin', 'liuhen.mjs'), ...args], {
    cwd: REPO,
    env: {
      ...process.env,
      LIUHEN_PASSWORD: '',
      LIUHEN_NEW_PASSWORD: '',
      LIUHEN_PIN: '',
      LIUHEN_CA_PASSPHRASE: '',
      LIUHEN_LANG: '',
      ...env,
    },
    encoding: 'utf8',
  })
}
