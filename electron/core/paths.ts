import os from 'node:os'
import path from 'node:path'

/** The folders of a data directory (docs/architecture.md, "The data folder"). */
export function dataLayout(dataDir: string) {
  const root = path.resolve(dataDir)
  return {
    root,
    db: path.join(root, 'liuhen.db'),
    vault: path.join(root, 'vault'),
    derived: path.join(root, 'derived'),
    signatures: path.join(root, 'signatures'),
    tmp: path.join(root, 'tmp'),
  }
}
export type DataLayout = ReturnType<typeof dataLayout>

/**
 * The OS application-data folder, the same for the Electron app, the browser mode and the CLI,
 * so that all three open one agency's data unless told otherwise (--data or LIUHEN_DATA).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.LIUHEN_DATA) return path.resolve(env.LIUHEN_DATA)
  const home = os.homedir()
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Liuhen')
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Liuhen')
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'liuhen')
}

/** A record's own name made safe for any file system and archive tool: reserved characters and control
 * characters become '_', at most 150 characters. */
export function safeFileName(name: string): string {
  return (
    [...name]
      .map((ch) => (/[\\/:*?"<>|]/.test(ch) || ch.charCodeAt(0) < 32 ? '_' : ch))
      .join('')
      .slice(0, 150) || 'record'
  )
}
