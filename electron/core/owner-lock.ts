import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { AppError } from '../../shared/errors.ts'
import { writeAtomicSync } from './durable.ts'
import { ownerAlive, selfOwner } from './owner.ts'
import type { DataLayout } from './paths.ts'

/*
 * One owner per data folder. The first process to open a folder holds `owner.lock`, a tiny SQLite database with
 * a write transaction (BEGIN IMMEDIATE) kept open for the life of the process: the lock is SQLite's own
 * (fcntl on Linux/macOS, LockFileEx on Windows), so the OS drops it when the process ends in any way — kill -9,
 * power cut, crash — and a lock file left behind never blocks the next process. A second connection in the same
 * process is refused too (SQLite tracks its locks per file, not per connection), so two cores in one process
 * cannot both think they own the folder.
 *
 * Who owns it, and where it listens, is in `owner.json` beside the lock: written only by the holder, read by
 * anyone for messages and to find the socket. It is never trusted on its own — only the lock says whether the
 * owner lives.
 */

export interface OwnerInfo {
  /** The owner token (owner.ts): pid and start time. */
  owner: string
  pid: number
  /** Where the owner serves the contract (owner-socket.ts). */
  address: string
  since: string
}

export interface OwnerLock {
  readonly info: OwnerInfo
  release(): void
}

const lockFile = (layout: DataLayout) => path.join(layout.root, 'owner.lock')
const infoFile = (layout: DataLayout) => path.join(layout.root, 'owner.json')

/**
 * The local address the owner of this folder listens on: a Unix socket inside the (0700) data folder, or, where
 * that path is too long for a socket name (about 104 bytes), in a private 0700 folder of this user under the
 * system temp folder; a named pipe on Windows. Derived from the folder, so every process agrees on it.
 */
export function ownerAddress(layout: DataLayout): string {
  const tag = crypto.createHash('sha256').update(layout.root).digest('hex').slice(0, 24)
  if (process.platform === 'win32') return `\\\\.\\pipe\\liuhen-${tag}`
  const inside = path.join(layout.root, 'owner.sock')
  if (Buffer.byteLength(inside) <= 100) return inside
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'u'
  const dir = path.join(os.tmpdir(), `liuhen-${uid}`)
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  // The temp folder is shared: a folder of that name made by someone else (or a link) must not be used.
  const st = fs.lstatSync(dir)
  if (!st.isDirectory() || (typeof process.getuid === 'function' && st.uid !== process.getuid()))
    throw new AppError('DATA_DIR_UNUSABLE', { path: dir })
  fs.chmodSync(dir, 0o700)
  return path.join(dir, `${tag}.sock`)
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
}

/**
 * Take the folder's owner lock, or null when a live process holds it. The folder must exist. Never waits: a
 * process that does not get the lock becomes a client of the one that has it.
 */
export function takeOwnerLock(layout: DataLayout, now: Date): OwnerLock | null {
  const db = new Database(lockFile(layout), { timeout: 0 })
  try {
    // No journal: the lock database is never written, only its write lock is held.
    db.exec('BEGIN IMMEDIATE')
  } catch (e) {
    db.close()
    if (isBusy(e)) return null
    throw e
  }
  try {
    fs.chmodSync(lockFile(layout), 0o600)
  } catch {
    /* not ours to change: the lock holds all the same */
  }
  const info: OwnerInfo = {
    owner: selfOwner(),
    pid: process.pid,
    address: ownerAddress(layout),
    since: now.toISOString(),
  }
  try {
    writeAtomicSync(infoFile(layout), JSON.stringify(info), { replace: true, mode: 0o600 })
  } catch (e) {
    db.close()
    throw e
  }
  let held = true
  return {
    info,
    release() {
      if (!held) return
      held = false
      // The info file goes first: a reader that still finds it then finds the lock free and knows it is stale.
      try {
        const cur = readOwnerInfo(layout)
        if (cur?.owner === info.owner) fs.rmSync(infoFile(layout), { force: true })
      } catch {
        /* left behind: stale info is recognised by the free lock */
      }
      db.close()
    },
  }
}

/** What owner.json says, without deciding whether it is true. */
export function readOwnerInfo(layout: DataLayout): OwnerInfo | null {
  try {
    const v = JSON.parse(fs.readFileSync(infoFile(layout), 'utf8')) as Partial<OwnerInfo>
    if (typeof v.owner !== 'string' || typeof v.pid !== 'number' || typeof v.address !== 'string') return null
    return { owner: v.owner, pid: v.pid, address: v.address, since: String(v.since ?? '') }
  } catch {
    return null
  }
}

/** Whether some process holds the folder's lock right now (probed without keeping it). */
export function ownerLockHeld(layout: DataLayout): boolean {
  if (!fs.existsSync(lockFile(layout))) return false
  const db = new Database(lockFile(layout), { timeout: 0 })
  try {
    db.exec('BEGIN IMMEDIATE')
    db.exec('ROLLBACK')
    return false
  } catch (e) {
    if (isBusy(e)) return true
    throw e
  } finally {
    db.close()
  }
}

/** The live owner of a folder, for refusals that name it; null when nobody holds the lock. */
export function liveOwner(layout: DataLayout): OwnerInfo | null {
  if (!ownerLockHeld(layout)) return null
  const info = readOwnerInfo(layout)
  // Held, but the info is still being written (or is a dead one's): the pid is unknown, not absent.
  return info && ownerAlive(info.owner) ? info : { owner: '?', pid: 0, address: '', since: '' }
}
