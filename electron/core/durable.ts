import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/*
 * Every file the core writes reaches its final name whole or not at all. The bytes go to a temp name in the
 * same directory (so the rename never crosses a file system), are fsynced, renamed, and the directory is
 * fsynced so the rename itself survives a power cut. Any failure (ENOSPC, EIO) removes the temp file: a full
 * disk leaves no empty or half-written signature, time-stamp or checkpoint behind for `verify` to take for
 * tampering. Without `replace`, an existing final file is never overwritten; one with identical content
 * counts as written, so a rerun after a crash between the rename and the database row goes through.
 */

export interface AtomicOptions {
  /** File mode of the final file (default 0o400: what the core writes is not edited in place, nor read by others). */
  mode?: number
  /** Overwrite an existing final file (for files that are rebuilt, never for evidence-bearing ones). */
  replace?: boolean
}

export type AtomicResult = 'written' | 'existed'

/** A file written where the user asked (a PDF, an exported root): replaced if there, editable afterwards. */
export const OUT_FILE: AtomicOptions = { replace: true, mode: 0o644 }

/** Leftover temp names look like this, so a check can tell them from the files they were meant to become. */
export const TEMP_MARK = '.liuhen-tmp'
export const isTempName = (name: string): boolean => name.includes(TEMP_MARK)

export function tempNameFor(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}${TEMP_MARK}`,
  )
}

function existsError(file: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`EEXIST: file already exists with other content, '${file}'`)
  e.code = 'EEXIST'
  e.path = file
  return e
}

/** Make a rename durable (Linux, macOS); directories cannot be opened for fsync on Windows. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.promises.FileHandle | null = null
  try {
    fh = await fs.promises.open(dir, 'r')
    await fh.sync()
  } catch (e) {
    if (process.platform !== 'win32' && !['EISDIR', 'EPERM', 'EINVAL'].includes(String(errCode(e)))) throw e
  } finally {
    await fh?.close().catch(() => undefined)
  }
}

export function fsyncDirSync(dir: string): void {
  let fd: number | null = null
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch (e) {
    if (process.platform !== 'win32' && !['EISDIR', 'EPERM', 'EINVAL'].includes(String(errCode(e)))) throw e
  } finally {
    if (fd !== null) fs.closeSync(fd)
  }
}

const errCode = (e: unknown) => (e as NodeJS.ErrnoException | null)?.code

/** Files up to this size are compared with what is already there; larger ones (disc images) never are. */
const COMPARE_LIMIT = 16 << 20

/** The same bytes already at `file`? */
function sameContent(file: string, tmp: string): boolean {
  try {
    const a = fs.statSync(file)
    const b = fs.statSync(tmp)
    if (a.size !== b.size || a.size > COMPARE_LIMIT) return false
    return fs.readFileSync(file).equals(fs.readFileSync(tmp))
  } catch {
    return false
  }
}

/**
 * Move a finished temp file (already fsynced by the caller or not: it is fsynced here) to its final name.
 * Without `replace` the move is a hard link, which fails atomically when the final name exists, then the temp
 * name goes; file systems without hard links fall back to a checked rename. The temp file is removed on any
 * failure.
 */
export async function commitFile(tmp: string, file: string, opts: AtomicOptions = {}): Promise<AtomicResult> {
  try {
    const fh = await fs.promises.open(tmp, 'r')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
    if (opts.mode !== undefined) await fs.promises.chmod(tmp, opts.mode)
    let result: AtomicResult = 'written'
    if (opts.replace) await fs.promises.rename(tmp, file)
    else result = await placeNew(tmp, file)
    await fsyncDir(path.dirname(file))
    return result
  } finally {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined)
  }
}

async function placeNew(tmp: string, file: string): Promise<AtomicResult> {
  try {
    await fs.promises.link(tmp, file)
    return 'written'
  } catch (e) {
    if (errCode(e) === 'EEXIST') {
      if (sameContent(file, tmp)) return 'existed'
      throw existsError(file)
    }
    if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP', 'EXDEV'].includes(String(errCode(e)))) throw e
    if (fs.existsSync(file)) {
      if (sameContent(file, tmp)) return 'existed'
      throw existsError(file)
    }
    await fs.promises.rename(tmp, file)
    return 'written'
  }
}

function placeNewSync(tmp: string, file: string): AtomicResult {
  try {
    fs.linkSync(tmp, file)
    return 'written'
  } catch (e) {
    if (errCode(e) === 'EEXIST') {
      if (sameContent(file, tmp)) return 'existed'
      throw existsError(file)
    }
    if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP', 'EXDEV'].includes(String(errCode(e)))) throw e
    if (fs.existsSync(file)) {
      if (sameContent(file, tmp)) return 'existed'
      throw existsError(file)
    }
    fs.renameSync(tmp, file)
    return 'written'
  }
}

export function commitFileSync(tmp: string, file: string, opts: AtomicOptions = {}): AtomicResult {
  try {
    const fd = fs.openSync(tmp, 'r')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    if (opts.mode !== undefined) fs.chmodSync(tmp, opts.mode)
    let result: AtomicResult = 'written'
    if (opts.replace) fs.renameSync(tmp, file)
    else result = placeNewSync(tmp, file)
    fsyncDirSync(path.dirname(file))
    return result
  } finally {
    fs.rmSync(tmp, { force: true })
  }
}

/** Write `bytes` to `file` atomically and durably (see above). */
export async function writeAtomic(
  file: string,
  bytes: Uint8Array | string,
  opts: AtomicOptions = {},
): Promise<AtomicResult> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true })
  const tmp = tempNameFor(file)
  try {
    const fh = await fs.promises.open(tmp, 'wx', 0o600)
    try {
      await fh.writeFile(bytes)
      await fh.sync()
    } finally {
      await fh.close()
    }
  } catch (e) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined)
    throw e
  }
  return commitFile(tmp, file, { ...opts, mode: opts.mode ?? 0o400 })
}

export function writeAtomicSync(
  file: string,
  bytes: Uint8Array | string,
  opts: AtomicOptions = {},
): AtomicResult {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const tmp = tempNameFor(file)
  try {
    const fd = fs.openSync(tmp, 'wx', 0o600)
    try {
      fs.writeFileSync(fd, bytes)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  } catch (e) {
    fs.rmSync(tmp, { force: true })
    throw e
  }
  return commitFileSync(tmp, file, { ...opts, mode: opts.mode ?? 0o400 })
}
