import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../../shared/errors.ts'
import type { DataLayout } from '../paths.ts'

/*
 * Nothing of a data folder may come back in as evidence. A thumbnail or H.264 preview of a confidential record
 * (derived/), a partial copy (tmp/), or a backup holding either, ingested as "new" files, would become the
 * ingesting officer's own record, outside every grant. A path string proves nothing here — a symlink, a bind
 * mount or a copy reaches the same files under another name — so a folder is recognised by what it is:
 *  - its device and inode are those of one of this data folder's own directories (a symlink, a bind mount);
 *  - its real path lies inside this data folder;
 *  - it holds a marker: liuhen.db (a data folder or a copy of one, and a backup, which writes its database
 *    first), BACKUP.json (a finished backup), or DATA_MARKER, which the core writes into derived/ and tmp/ and
 *    which a backup or a plain copy of those folders carries along.
 * Vault objects need no marker: their content is already registered, so ingesting one adds a source to the
 * existing record and gives nobody a new basis for it.
 */

export const DATA_MARKER = '.liuhen-data'
const MARKERS = ['liuhen.db', 'liuhen.db.part', 'BACKUP.json', DATA_MARKER]
const MARKER_TEXT =
  'Liuhen data folder: derived and temporary files, never evidence. Liuhen refuses to ingest from here.\n' +
  '留痕数据目录：派生与临时文件，不是证据，留痕拒绝从此处采集。\n'

/** Folders of a data folder that hold media-like files which are not originals. */
function markedFolders(layout: DataLayout): string[] {
  return [
    layout.derived,
    path.join(layout.derived, 'thumbs'),
    path.join(layout.derived, 'previews'),
    layout.tmp,
  ]
}

/** Write the markers (at every start, so data folders made before this exist are marked too). */
export function markDataFolder(layout: DataLayout): void {
  for (const dir of markedFolders(layout)) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
      const file = path.join(dir, DATA_MARKER)
      if (!fs.existsSync(file)) fs.writeFileSync(file, MARKER_TEXT, { mode: 0o600 })
    } catch {
      /* a read-only data folder (a court's copy) is still recognised by liuhen.db and its inodes */
    }
  }
}

const key = (st: fs.BigIntStats) => `${st.dev}:${st.ino}`

/**
 * The data folder's directories by device and inode: the root, its folders, and every folder of derived/ and tmp/
 * down to derived/thumbs/ab (the vault and signatures/ hold nothing that could become a new record, and are
 * large: one folder per object).
 */
function directoryIds(layout: DataLayout): Set<string> {
  const ids = new Set<string>()
  const add = (dir: string): boolean => {
    try {
      ids.add(key(fs.statSync(dir, { bigint: true })))
      return true
    } catch {
      return false
    }
  }
  const visit = (dir: string, depth: number) => {
    if (!add(dir) || depth === 0) return
    let names: fs.Dirent[]
    try {
      names = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of names) if (e.isDirectory()) visit(path.join(dir, e.name), depth - 1)
  }
  add(layout.root)
  try {
    for (const e of fs.readdirSync(layout.root, { withFileTypes: true }))
      if (e.isDirectory()) add(path.join(layout.root, e.name))
  } catch {
    /* an unreadable root: its real path and markers still count */
  }
  visit(layout.derived, 2)
  visit(layout.tmp, 2)
  return ids
}

export interface SourceGuard {
  /** True when this directory is (part of) a data folder or a backup: nothing under it is ingested. */
  refuses(dir: string): boolean
}

export function sourceGuard(layout: DataLayout): SourceGuard {
  const ids = directoryIds(layout)
  let realRoot: string
  try {
    realRoot = fs.realpathSync(layout.root)
  } catch {
    realRoot = path.resolve(layout.root)
  }
  return {
    refuses(dir) {
      let st: fs.BigIntStats
      let real: string
      try {
        st = fs.statSync(dir, { bigint: true })
        real = fs.realpathSync(dir)
      } catch {
        return false
      }
      if (ids.has(key(st))) return true
      if (real === realRoot || real.startsWith(realRoot + path.sep)) return true
      return MARKERS.some((m) => fs.existsSync(path.join(dir, m)))
    },
  }
}

/**
 * Whether a path lies in a data folder or a backup: the folder itself, or any folder above its real path (links
 * followed). A path that does not exist is not inside one. `guard` reuses a walk already made.
 */
export function insideDataFolder(layout: DataLayout, p: string, guard = sourceGuard(layout)): boolean {
  let dir: string
  try {
    dir = fs.realpathSync(p)
  } catch {
    return false
  }
  for (;;) {
    if (guard.refuses(dir)) return true
    const up = path.dirname(dir)
    if (up === dir) return false
    dir = up
  }
}

/**
 * Refuse a source root inside a data folder or a backup: the root itself or any folder above its real path.
 * Throws SOURCE_IN_DATA_FOLDER; returns the guard for the walk below the root.
 */
export function checkSourceRoot(layout: DataLayout, sourceRoot: string): SourceGuard {
  const guard = sourceGuard(layout)
  if (!fs.existsSync(sourceRoot)) throw new AppError('SOURCE_GONE')
  if (insideDataFolder(layout, sourceRoot, guard))
    throw new AppError('SOURCE_IN_DATA_FOLDER', { path: sourceRoot })
  return guard
}

/**
 * Refuse to write an export, an archive package, disc images, an image file or a backup into a data folder or a
 * backup of one. Written there, the copies would sit among the vault's own files (and a backup would back itself
 * up); a later import or browse of that folder is refused anyway. The target need not exist yet: its nearest
 * existing folder above is what is checked, links followed. A backup may of course go into an earlier backup (it
 * is incremental): for `backup`, only this data folder itself is refused. Throws OUT_IN_DATA_FOLDER.
 */
export function refuseOutputInDataFolder(
  layout: DataLayout,
  target: string,
  o: { backup?: boolean } = {},
): void {
  let dir = path.resolve(target)
  while (!fs.existsSync(dir)) {
    const up = path.dirname(dir)
    if (up === dir) return
    dir = up
  }
  const real = fs.realpathSync(dir)
  const root = fs.realpathSync(layout.root)
  const inRoot = real === root || real.startsWith(root + path.sep)
  if (inRoot || (!o.backup && insideDataFolder(layout, real)))
    throw new AppError('OUT_IN_DATA_FOLDER', { path: target })
}
