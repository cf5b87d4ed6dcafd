import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../../shared/errors.ts'
import type { Db } from '../db/index.ts'
import type { DataLayout } from '../paths.ts'
import { dataLayout } from '../paths.ts'
import { SCHEMA_VERSION } from '../db/migrations/index.ts'
import { commitFile, commitFileSync, writeAtomic, isTempName, writeAtomicSync } from '../durable.ts'
import { openDatabaseReadOnly } from '../db/index.ts'
import { ANCHOR_DIR, anchorLogPath, logExtends, logUpTo } from '../audit-anchor.ts'

/*
 * Backup: the database through SQLite's online backup API (a consistent snapshot while the app runs), and the
 * vault, signatures, checkpoints and derived files (thumbnails, previews) copied incrementally — a file already in
 * the backup with the same size is not copied again (none of them is rewritten once made; verifying the backup
 * re-hashes every original). Every copied
 * file is hashed as it is written and fsynced before it is renamed into place, so an interrupted backup leaves
 * only temp files. Restore copies a backup into a new, empty data folder.
 */

const FOLDERS = ['vault', 'signatures', 'checkpoints', 'derived'] as const

export interface BackupResult {
  target: string
  filesCopied: number
  filesPresent: number
  bytesCopied: number
  dbBytes: number
}

function* walk(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) yield* walk(p)
    else if (e.isFile() && !e.name.endsWith('.part') && !isTempName(e.name)) yield p
  }
}

async function copyChecked(from: string, to: string, expectSha256?: string): Promise<number> {
  await fs.promises.mkdir(path.dirname(to), { recursive: true, mode: 0o700 })
  const part = `${to}.part`
  const h = crypto.createHash('sha256')
  let n = 0
  try {
    const out = await fs.promises.open(part, 'w', 0o600)
    try {
      for await (const chunk of fs.createReadStream(from, { highWaterMark: 4 << 20 })) {
        h.update(chunk as Buffer)
        n += (chunk as Buffer).length
        await out.write(chunk as Buffer)
      }
    } finally {
      await out.close()
    }
  } catch (e) {
    // A full or failing backup disk leaves no half copy behind.
    fs.rmSync(part, { force: true })
    throw e
  }
  // A vault object is named by its hash: a copy that does not hash to its name is not kept.
  if (expectSha256 && h.digest('hex') !== expectSha256) {
    fs.rmSync(part, { force: true })
    throw new AppError('VERIFY_FAILED')
  }
  await commitFile(part, to, { replace: true })
  return n
}

export async function backupTo(
  db: Db,
  layout: DataLayout,
  target: string,
  onProgress?: (p: { phase: string; done: number; total: number }) => void,
  signal?: AbortSignal,
): Promise<BackupResult> {
  const dest = dataLayout(path.resolve(target))
  if (path.resolve(dest.root) === path.resolve(layout.root))
    throw new AppError('TARGET_EXISTS', { path: dest.root })
  // A backup holds what the data folder holds: its owner's only, like the data folder.
  fs.mkdirSync(dest.root, { recursive: true, mode: 0o700 })
  fs.chmodSync(dest.root, 0o700)
  // The anchor log must still begin with the copy this backup took last time: a shorter or different log was
  // cut or rewritten since, and writing over the copy would destroy the proof (audit-anchor.ts).
  const ownLog = readOrEmpty(anchorLogPath(layout.root))
  const copy = readOrEmpty(anchorLogPath(dest.root))
  if (copy.length && logExtends(ownLog, copy) !== 'extends')
    throw new AppError('ANCHOR_LOG_REWRITTEN', { path: dest.root })
  // The database first: what it names must be in the backup, and objects are only ever added.
  const dbPart = `${dest.db}.part`
  fs.rmSync(dbPart, { force: true })
  try {
    await db.backup(dbPart)
  } catch (e) {
    fs.rmSync(dbPart, { force: true })
    throw e
  }
  fs.chmodSync(dbPart, 0o600)
  commitFileSync(dbPart, dest.db, { replace: true, mode: 0o600 })
  // The log as far as the snapshot's trail goes (lines anchoring later events would make the backup look cut),
  // and the station key files (the key's secret is in the database).
  await writeAnchorCopy(layout, dest)
  const files = [...FOLDERS, ANCHOR_DIR]
    .flatMap((f) => [...walk(path.join(layout.root, f))])
    .filter((f) => f !== anchorLogPath(layout.root))
  const total = files.reduce((n, f) => n + fs.statSync(f).size, 0)
  let done = 0
  let filesCopied = 0
  let filesPresent = 0
  let bytesCopied = 0
  for (const f of files) {
    if (signal?.aborted) throw new AppError('CANCELLED')
    const rel = path.relative(layout.root, f)
    const to = path.join(dest.root, rel)
    const size = fs.statSync(f).size
    const there = fs.statSync(to, { throwIfNoEntry: false })
    // Nothing in these folders is rewritten once made: the same name and size is the same file.
    if (there && there.size === size) filesPresent++
    else {
      bytesCopied += await copyChecked(f, to, rel.startsWith('vault') ? path.basename(f) : undefined)
      filesCopied++
    }
    done += size
    onProgress?.({ phase: 'backup', done, total })
  }
  const result = {
    target: dest.root,
    filesCopied,
    filesPresent,
    bytesCopied,
    dbBytes: fs.statSync(dest.db).size,
  }
  writeAtomicSync(
    path.join(dest.root, 'BACKUP.json'),
    JSON.stringify({ ...result, schemaVersion: SCHEMA_VERSION, at: new Date().toISOString() }, null, 2),
    { replace: true, mode: 0o644 },
  )
  return result
}

const readOrEmpty = (file: string): Buffer => {
  try {
    return fs.readFileSync(file)
  } catch {
    return Buffer.alloc(0)
  }
}

async function writeAnchorCopy(layout: DataLayout, dest: DataLayout): Promise<void> {
  const snap = openDatabaseReadOnly(dest.db)
  let head = 0
  try {
    head = (snap.prepare('SELECT max(seq) AS s FROM audit_events').get() as { s: number | null }).s ?? 0
  } finally {
    snap.close()
  }
  const log = logUpTo(layout.root, head)
  if (!log.length && !fs.existsSync(anchorLogPath(layout.root))) return
  await fs.promises.mkdir(path.join(dest.root, ANCHOR_DIR), { recursive: true, mode: 0o700 })
  await writeAtomic(anchorLogPath(dest.root), log, { replace: true, mode: 0o600 })
}

/** Restore a backup into `dataDir`, which must not exist or be empty. */
export async function restoreFrom(
  backupDir: string,
  dataDir: string,
): Promise<{ dataDir: string; files: number }> {
  const src = dataLayout(path.resolve(backupDir))
  if (!fs.existsSync(src.db)) throw new AppError('NOT_FOUND')
  const dest = dataLayout(path.resolve(dataDir))
  if (fs.existsSync(dest.root) && fs.readdirSync(dest.root).length)
    throw new AppError('OUT_DIR_NOT_EMPTY', { path: dest.root })
  fs.mkdirSync(dest.root, { recursive: true, mode: 0o700 })
  fs.chmodSync(dest.root, 0o700)
  let files = 0
  for (const f of [...FOLDERS, ANCHOR_DIR].flatMap((d) => [...walk(path.join(src.root, d))])) {
    const rel = path.relative(src.root, f)
    await copyChecked(f, path.join(dest.root, rel), rel.startsWith('vault') ? path.basename(f) : undefined)
    files++
  }
  await copyChecked(src.db, dest.db)
  // Originals are read-only in a vault, restored or not.
  for (const f of walk(dest.vault)) fs.chmodSync(f, 0o400)
  return { dataDir: dest.root, files }
}
