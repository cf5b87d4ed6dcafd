import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/errors.ts'
import type { Db } from './db/index.ts'
import type { DataLayout } from './paths.ts'
import { newSm3 } from './signing/gm.ts'
import { ownedTempName, ownerAlive, ownerOfTempName } from './owner.ts'

/*
 * The vault: originals stored once by content (vault/ab/cd/<sha256>), read-only, never rewritten.
 * A file enters only through storeFile: one read of the source hashed while it is written, fsync, a read-back
 * that must hash the same, then an atomic rename. Anything that fails on the way leaves only a temp file in
 * tmp/, named for its process, which the next start removes once that process is gone.
 */

const CHUNK = 4 * 1024 * 1024

/**
 * The read size for a file of `size` bytes: a 1 MiB recording does not need two fresh 4 MiB buffers (and their
 * garbage) for each of its copy and read-back; one byte more than the file, so the first read returns it whole.
 */
const chunkFor = (size: number) => Math.min(CHUNK, Math.max(64 * 1024, size + 1))

export interface StoredObject {
  sha256: string
  size: number
  objectPath: string
  /** The same content was already in the vault; nothing new was written. */
  existed: boolean
  /** SM3 of the content, when asked for (agencies that sign with SM2). */
  sm3?: string
  /**
   * With `deferDirSync`: the vault folder whose new entry is not yet durable. The caller must fsync it
   * (syncVaultDirs) before any row names the object.
   */
  unsyncedDir?: string
}

/**
 * Make the renames of a batch of stored objects durable: each folder once, however many objects entered it.
 * On ext4 and XFS the first of these commits the journal that holds every rename of the batch, so the rest
 * cost almost nothing; the files themselves were fsynced before their renames.
 */
export async function syncVaultDirs(objects: Iterable<StoredObject>): Promise<void> {
  const dirs = new Set<string>()
  for (const o of objects) if (o.unsyncedDir) dirs.add(o.unsyncedDir)
  // All at once: the file system folds concurrent fsyncs into few journal commits, where one after another
  // each would wait for its own (and, on a busy disk, for everyone else's writes).
  await Promise.all([...dirs].map((d) => fsyncDir(d)))
  for (const o of objects) delete o.unsyncedDir
}

/** Remember an object's SHA-512 (computed when an archive bag first needs it; objects never change). */
export function recordDigests(db: Db, o: { sha256: string; sha512: string }): void {
  db.prepare('INSERT OR IGNORE INTO vault_digests (sha256, sha512) VALUES (?, ?)').run(o.sha256, o.sha512)
}

export function objectPath(layout: DataLayout, sha256: string): string {
  return path.join(layout.vault, sha256.slice(0, 2), sha256.slice(2, 4), sha256)
}

/**
 * Remove leftovers of interrupted copies. Only *.part entries in tmp/ are touched, never the vault, and only those
 * whose owner (named in the file name, see owner.ts) is no longer running: another process on this data folder
 * may be copying into its own right now.
 */
export function cleanTemp(layout: DataLayout): number {
  let n = 0
  fs.mkdirSync(layout.tmp, { recursive: true })
  for (const name of fs.readdirSync(layout.tmp)) {
    if (!name.endsWith('.part')) continue
    if (ownerAlive(ownerOfTempName(name))) continue
    // Also the staging folders of disc images (tmp/archive-*.part): links into the vault, never originals.
    fs.rmSync(path.join(layout.tmp, name), { force: true, recursive: true })
    n++
  }
  return n
}

function mapSourceError(e: unknown, when: 'open' | 'read'): AppError {
  if (e instanceof AppError) return e
  const code = (e as NodeJS.ErrnoException).code
  const reason = (e as Error).message ?? String(e)
  if (code === 'ENOSPC' || code === 'EDQUOT') return new AppError('DISK_FULL')
  if (code === 'EACCES' || code === 'EPERM') return new AppError('SOURCE_UNREADABLE', { reason })
  if (code === 'ENOENT' || code === 'ENODEV' || code === 'ENXIO' || code === 'ESTALE')
    return new AppError('SOURCE_GONE')
  if (code === 'EIO')
    return when === 'open' ? new AppError('SOURCE_UNREADABLE', { reason }) : new AppError('SOURCE_GONE')
  if (code === 'EISDIR') return new AppError('NOT_A_FILE', { path: '' })
  return new AppError('SOURCE_UNREADABLE', { reason })
}

async function writeAll(fh: fs.promises.FileHandle, buf: Buffer, position: number): Promise<void> {
  let off = 0
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off, position + off)
    off += bytesWritten
  }
}

async function fsyncDir(dir: string): Promise<void> {
  // Makes the rename itself durable on Linux; directories cannot be opened this way on Windows.
  try {
    const fh = await fs.promises.open(dir, 'r')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
  } catch {
    /* not supported on this platform */
  }
}

export async function hashFile(
  file: string,
  signal?: AbortSignal,
): Promise<{ sha256: string; size: number }> {
  const fh = await fs.promises.open(file, 'r')
  try {
    const hash = crypto.createHash('sha256')
    const buf = Buffer.allocUnsafe(chunkFor((await fh.stat()).size))
    let size = 0
    for (;;) {
      if (signal?.aborted) throw new AppError('CANCELLED')
      const { bytesRead } = await fh.read(buf, 0, buf.length, size)
      if (bytesRead === 0) break
      hash.update(buf.subarray(0, bytesRead))
      size += bytesRead
    }
    return { sha256: hash.digest('hex'), size }
  } finally {
    await fh.close()
  }
}

/**
 * Copy `source` into the vault. Reads overlap with hashing and writing (two buffers), so one pass costs about
 * what the slower of the disk and SHA-256 costs. Memory is two chunks whatever the file size.
 */
export async function storeFile(
  layout: DataLayout,
  source: string,
  opts: {
    signal?: AbortSignal
    onBytes?: (delta: number) => void
    sm3?: boolean
    /** The file as discovery listed it: anything else opened under that name is refused (SOURCE_REPLACED). */
    expect?: { dev: bigint; ino: bigint }
    /**
     * Leave the vault folder's fsync to the caller (syncVaultDirs), so a batch of small files pays for one
     * journal commit instead of one each. The file's own bytes are fsynced here either way.
     */
    deferDirSync?: boolean
  } = {},
): Promise<StoredObject> {
  let src: fs.promises.FileHandle
  try {
    // Never through a link: a symlink put where a listed file was would store whatever it points at.
    src = await fs.promises.open(source, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new AppError('SOURCE_REPLACED', { path: source })
    throw mapSourceError(e, 'open')
  }
  const tmp = path.join(layout.tmp, ownedTempName())
  let dst: fs.promises.FileHandle | null = null
  try {
    const st = await src.stat()
    if (!st.isFile()) throw new AppError('NOT_A_FILE', { path: source })
    if (opts.expect) {
      // A folder on the way swapped for a link, or the file renamed over: not the file that was listed.
      const id = await src.stat({ bigint: true })
      if (id.dev !== opts.expect.dev || id.ino !== opts.expect.ino)
        throw new AppError('SOURCE_REPLACED', { path: source })
    }
    dst = await fs.promises.open(tmp, 'wx', 0o600)
    const hash = crypto.createHash('sha256')
    const sm3 = opts.sm3 ? await newSm3() : null
    const chunk0 = chunkFor(st.size)
    const bufs = [Buffer.allocUnsafe(chunk0), Buffer.allocUnsafe(chunk0)]
    let which = 0
    let pos = 0
    let pendingWrite: Promise<void> | null = null
    let pendingRead = src.read(bufs[0]!, 0, chunk0, 0)
    pendingRead.catch(() => undefined)
    for (;;) {
      let bytesRead: number
      try {
        ;({ bytesRead } = await pendingRead)
      } catch (e) {
        throw mapSourceError(e, 'read')
      }
      if (bytesRead === 0) break
      if (opts.signal?.aborted) throw new AppError('CANCELLED')
      const chunk = bufs[which]!.subarray(0, bytesRead)
      // The other buffer is free once its write has finished; then the next read can start into it.
      if (pendingWrite) await pendingWrite
      pendingRead = src.read(bufs[which ^ 1]!, 0, chunk0, pos + bytesRead)
      // Marked handled now: if we stop early (cancel, error), a late rejection must not crash the process.
      pendingRead.catch(() => undefined)
      hash.update(chunk)
      sm3?.update(chunk)
      pendingWrite = writeAll(dst, chunk, pos)
      pendingWrite.catch(() => undefined)
      pos += bytesRead
      which ^= 1
      opts.onBytes?.(bytesRead)
    }
    if (pendingWrite) await pendingWrite
    // A camera still writing, or a file replaced under us: what we read is not one consistent file.
    const after = await src.stat().catch(() => null)
    if (!after || after.size !== pos || pos !== st.size || after.mtimeMs !== st.mtimeMs)
      throw new AppError('SOURCE_CHANGED')
    const sha256 = hash.digest('hex')
    const extra = sm3 ? { sm3: sm3.digest('hex') } : {}
    // The read-back runs while the kernel writes the copy out: the fsync waits on the disk, the check on the
    // CPU, and neither needs the other. Both must succeed before the object gets its final name.
    const [, back] = await Promise.all([dst.sync(), hashFile(tmp, opts.signal)])
    await dst.close()
    dst = null
    if (back.sha256 !== sha256 || back.size !== pos) throw new AppError('VERIFY_FAILED')

    const final = objectPath(layout, sha256)
    if (fs.existsSync(final)) {
      await fs.promises.rm(tmp, { force: true })
      // Another job's deferred rename may not be durable yet: the row about to name it must wait for it too.
      if (opts.deferDirSync)
        return {
          sha256,
          size: pos,
          objectPath: final,
          existed: true,
          unsyncedDir: path.dirname(final),
          ...extra,
        }
      await fsyncDir(path.dirname(final))
      return { sha256, size: pos, objectPath: final, existed: true, ...extra }
    }
    await fs.promises.mkdir(path.dirname(final), { recursive: true, mode: 0o700 })
    // Read-only, and the owner's only (the data folder is 0700 too).
    await fs.promises.chmod(tmp, 0o400)
    await fs.promises.rename(tmp, final)
    if (opts.deferDirSync)
      return {
        sha256,
        size: pos,
        objectPath: final,
        existed: false,
        unsyncedDir: path.dirname(final),
        ...extra,
      }
    await fsyncDir(path.dirname(final))
    return { sha256, size: pos, objectPath: final, existed: false, ...extra }
  } catch (e) {
    await dst?.close().catch(() => undefined)
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined)
    throw e instanceof AppError ? e : mapSourceError(e, 'read')
  } finally {
    await src.close().catch(() => undefined)
  }
}
