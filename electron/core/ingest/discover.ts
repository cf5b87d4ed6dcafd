import fs from 'node:fs'
import path from 'node:path'
import { mediaTypeOf, type MediaType } from '../../../shared/media.ts'
import type { SourceGuard } from './source-guard.ts'

/*
 * List what a device or folder holds. Everything found is returned: media to ingest, and everything else with
 * the reason it is not ingested, so nothing is ever skipped silently.
 */

export type SkipReason =
  'not_media' | 'system_file' | 'symlink' | 'special_file' | 'unreadable_folder' | 'liuhen_data'

export interface SourceEntry {
  relPath: string
  absPath: string
  size: number
  mtimeMs: number
  mediaType: MediaType | null
  skip: SkipReason | null
  /** Device and inode as listed: the copy must open this very file (source-guard.ts). */
  dev?: bigint
  ino?: bigint
}

/** Folders cameras, card readers and operating systems put on removable media. */
const SYSTEM_DIRS = new Set([
  'system volume information',
  '$recycle.bin',
  'recycler',
  '.trashes',
  '.spotlight-v100',
  '.fseventsd',
  '.temporaryitems',
  'lost.dir',
  '.thumbnails',
  'found.000',
])

function isSystemDir(name: string): boolean {
  const n = name.toLowerCase()
  return SYSTEM_DIRS.has(n) || n.startsWith('.trash-')
}

function isSystemFile(name: string): boolean {
  return (
    name.startsWith('._') ||
    name === '.DS_Store' ||
    name.toLowerCase() === 'thumbs.db' ||
    name.toLowerCase() === 'desktop.ini'
  )
}

export async function discover(
  root: string,
  extensions: Record<MediaType, string[]>,
  guard?: SourceGuard,
): Promise<SourceEntry[]> {
  const out: SourceEntry[] = []
  const base = path.resolve(root)
  async function walk(dir: string): Promise<void> {
    // A data folder or a backup (even bind-mounted or copied onto the device) is one refused entry.
    if (guard?.refuses(dir)) {
      out.push({
        relPath: rel(dir) || '.',
        absPath: dir,
        size: 0,
        mtimeMs: 0,
        mediaType: null,
        skip: 'liuhen_data',
      })
      return
    }
    let entries: fs.Dirent[]
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true })
    } catch {
      out.push({
        relPath: rel(dir) || '.',
        absPath: dir,
        size: 0,
        mtimeMs: 0,
        mediaType: null,
        skip: 'unreadable_folder',
      })
      return
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      const abs = path.join(dir, e.name)
      if (e.isDirectory()) {
        if (!isSystemDir(e.name)) await walk(abs)
        continue
      }
      const entry: SourceEntry = {
        relPath: rel(abs),
        absPath: abs,
        size: 0,
        mtimeMs: 0,
        mediaType: null,
        skip: null,
      }
      if (e.isSymbolicLink()) entry.skip = 'symlink'
      else if (!e.isFile()) entry.skip = 'special_file'
      else if (isSystemFile(e.name)) entry.skip = 'system_file'
      else {
        entry.mediaType = mediaTypeOf(e.name, extensions)
        if (!entry.mediaType) entry.skip = 'not_media'
      }
      try {
        const st = await fs.promises.lstat(abs, { bigint: true })
        entry.size = Number(st.size)
        entry.mtimeMs = Number(st.mtimeMs)
        entry.dev = st.dev
        entry.ino = st.ino
      } catch {
        /* reported when the copy is attempted */
      }
      out.push(entry)
    }
  }
  function rel(p: string): string {
    return path.relative(base, p).split(path.sep).join('/')
  }
  await walk(base)
  return out
}
