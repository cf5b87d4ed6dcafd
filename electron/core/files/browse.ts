import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { AppError } from '../../../shared/errors.ts'
import type { DataLayout } from '../paths.ts'
import { insideDataFolder, sourceGuard, type SourceGuard } from '../ingest/source-guard.ts'

/*
 * The folder browser behind 浏览… in browser mode (docs/security.md, "Choosing files"). The desktop shell has the
 * operating system's own dialog; a browser page has none that yields a path on this computer, so the core lists
 * folders for it — but only below a few roots (the home folder of the account running Liuhen and the places
 * removable media are mounted), only names, kinds and sizes (never contents), and only so many entries at a time.
 * Every path is resolved with the links in it followed and must still lie under a root's resolved path: `..`,
 * a link out of a root and an absolute path elsewhere all answer PATH_NOT_ALLOWED. So does the data folder (it sits in
 * the home folder by default) and a backup of it: their file names are other cases' hashes and uploads, and there is
 * nothing in them to pick — they are neither entered nor listed.
 */

/** A folder with more entries than this is shown cut off (a camera's DCIM folder has hundreds, not 100 000). */
export const BROWSE_MAX_ENTRIES = 2000

export interface BrowseRoot {
  path: string
  label: string
}

/**
 * Where browsing may go: `LIUHEN_BROWSE_ROOTS` (paths joined by the platform's path delimiter) when set, else the
 * home folder plus the usual mount points for USB disks and cameras. Only folders that exist now count.
 */
export function browseRoots(
  configured?: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  home = os.homedir(),
): BrowseRoot[] {
  const fromEnv = env.LIUHEN_BROWSE_ROOTS?.split(path.delimiter).filter(Boolean)
  const wanted = configured ?? fromEnv ?? [home, '/media', '/mnt', '/run/media', '/Volumes']
  const out: BrowseRoot[] = []
  for (const p of wanted) {
    if (!path.isAbsolute(p)) continue
    let real: string
    try {
      real = fs.realpathSync(p)
      if (!fs.statSync(real).isDirectory()) continue
    } catch {
      continue
    }
    if (out.some((r) => r.path === real)) continue
    out.push({ path: real, label: real === safeReal(home) ? 'home' : real })
  }
  return out
}

function safeReal(p: string): string {
  try {
    return fs.realpathSync(p)
  } catch {
    return p
  }
}

const within = (root: string, p: string) =>
  p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep)

/** The root a resolved path lies under, if any. */
function rootOf(roots: readonly BrowseRoot[], real: string): BrowseRoot | undefined {
  return roots.find((r) => within(r.path, real))
}

export async function browse(
  roots: readonly BrowseRoot[],
  input: ParsedInput<'files.browse'>,
  layout: DataLayout,
): Promise<MethodOutput<'files.browse'>> {
  if (!input.path) return { roots: [...roots], path: null, parent: null, entries: [], truncated: false }
  const asked = input.path
  // `..` is refused as written, before anything is resolved: a picker never needs it (it has 上一级).
  if (asked.split(/[\\/]/).includes('..')) throw new AppError('PATH_NOT_ALLOWED')
  let real: string
  try {
    real = await fs.promises.realpath(asked)
  } catch {
    // A missing path outside the roots must not be told apart from an existing one there.
    if (!rootOf(roots, path.resolve(asked))) throw new AppError('PATH_NOT_ALLOWED')
    throw new AppError('NOT_A_FOLDER')
  }
  const root = rootOf(roots, real)
  if (!root) throw new AppError('PATH_NOT_ALLOWED')
  const guard = sourceGuard(layout)
  if (insideDataFolder(layout, real, guard)) throw new AppError('PATH_NOT_ALLOWED')
  const st = await fs.promises.stat(real)
  if (!st.isDirectory()) throw new AppError('NOT_A_FOLDER')

  const entries: MethodOutput<'files.browse'>['entries'] = []
  let truncated = false
  let dir: fs.Dir
  try {
    dir = await fs.promises.opendir(real, { bufferSize: 64 })
  } catch {
    throw new AppError('NOT_A_FOLDER')
  }
  try {
    for await (const d of dir) {
      if (entries.length >= BROWSE_MAX_ENTRIES) {
        truncated = true
        break
      }
      const entry = await describe(roots, layout, guard, real, d, input.files)
      if (entry) entries.push(entry)
    }
  } finally {
    await dir.close().catch(() => undefined)
  }
  entries.sort((a, b) =>
    a.kind === b.kind
      ? a.name.localeCompare(b.name, 'zh-CN', { numeric: true })
      : a.kind === 'folder'
        ? -1
        : 1,
  )
  const up = path.dirname(real)
  return {
    roots: [...roots],
    path: real,
    parent: real !== root.path && rootOf(roots, up) ? up : null,
    entries,
    truncated,
  }
}

/**
 * One entry as the picker shows it. Sockets, FIFOs and devices are left out (nothing to pick, and a FIFO is never
 * opened here); a link counts as what it points at only when that lies under a root too, else it is left out; a
 * data folder or backup (the folder itself, or a link's target inside one) is left out too.
 */
async function describe(
  roots: readonly BrowseRoot[],
  layout: DataLayout,
  guard: SourceGuard,
  dir: string,
  d: fs.Dirent,
  files: boolean,
): Promise<MethodOutput<'files.browse'>['entries'][number] | null> {
  // Hidden entries (dot files, the data folder's own temp names) are not what an officer picks.
  if (d.name.startsWith('.')) return null
  const full = path.join(dir, d.name)
  let st: fs.Stats
  try {
    if (d.isSymbolicLink()) {
      const target = await fs.promises.realpath(full)
      if (!rootOf(roots, target) || insideDataFolder(layout, target, guard)) return null
      st = await fs.promises.stat(target)
    } else st = await fs.promises.lstat(full)
  } catch {
    return null
  }
  if (st.isDirectory()) return guard.refuses(full) ? null : { name: d.name, kind: 'folder', size: null }
  if (st.isFile() && files) return { name: d.name, kind: 'file', size: st.size }
  return null
}
