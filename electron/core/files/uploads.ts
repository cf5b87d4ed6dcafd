import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { AppError } from '../../../shared/errors.ts'
import { commitFile, tempNameFor } from '../durable.ts'
import { safeFileName, type DataLayout } from '../paths.ts'
import { actorOf, type CallContext } from '../context.ts'

/*
 * A document sent from a browser page (登记文书 in browser mode, where the page has the file but no path). The
 * bytes come in pieces small enough for the bridge's request limit, are appended to a temp file in the staging
 * folder, and on the last piece are fsynced and moved to their final name durably (durable.ts). What comes back is
 * that staged path, which textRecords.add then takes like any other file on this computer: the document is
 * registered by the one path that hashes, signs and audits documents, and the staged copy is removed once it is in
 * the vault. Only the user who started an upload may continue it; an abandoned one is swept after a day.
 */

/** A document larger than this is not uploaded (the in-app viewer opens up to the same size). */
export const UPLOAD_MAX_BYTES = 64 * 1024 * 1024
/** One piece: base64 of this stays well under the bridge's 1 MiB request limit. */
export const UPLOAD_CHUNK_BYTES = 512 * 1024
const STALE_MS = 24 * 3600_000

interface Pending {
  userId: string
  name: string
  tmp: string
  final: string
  received: number
  /** A piece is being written: a second one at the same time would race the offset check. */
  busy: boolean
}

export function stagingDir(layout: DataLayout): string {
  return path.join(layout.tmp, 'uploads')
}

/** Whether a path is a finished upload in this data folder's staging area (then it is removed once registered). */
export function isStaged(layout: DataLayout, file: string): boolean {
  const rel = path.relative(stagingDir(layout), path.resolve(file))
  return !!rel && !rel.startsWith('..') && !path.isAbsolute(rel) && rel.split(path.sep).length === 2
}

export async function removeStaged(layout: DataLayout, file: string): Promise<void> {
  if (!isStaged(layout, file)) return
  await fs.promises
    .rm(path.dirname(path.resolve(file)), { recursive: true, force: true })
    .catch(() => undefined)
}

export class Uploads {
  private readonly pending = new Map<string, Pending>()
  /**
   * Finished uploads not yet registered: staged path → the user who sent it. The staging area lies inside the data
   * folder, which textRecords.add otherwise refuses; this is how it knows a staged file is the caller's own. Kept
   * in memory: after a restart the page sends the file again.
   */
  private readonly finished = new Map<string, string>()
  constructor(
    private readonly layout: DataLayout,
    private readonly now: () => Date,
  ) {}

  async receive(input: ParsedInput<'files.upload'>, ctx: CallContext): Promise<MethodOutput<'files.upload'>> {
    const actor = actorOf(ctx)
    const bytes = Buffer.from(input.dataBase64, 'base64')
    if (bytes.length > UPLOAD_CHUNK_BYTES) throw new AppError('VALIDATION', { fields: 'dataBase64' })
    let p: Pending
    if (!input.uploadId) {
      if (input.offset !== 0) throw new AppError('UPLOAD_UNKNOWN')
      await this.sweep()
      const uploadId = crypto.randomUUID()
      const dir = path.join(stagingDir(this.layout), uploadId)
      await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 })
      const final = path.join(dir, safeFileName(path.basename(input.name.replace(/\\/g, '/'))))
      p = { userId: actor.userId, name: input.name, tmp: tempNameFor(final), final, received: 0, busy: false }
      await fs.promises.writeFile(p.tmp, '', { flag: 'wx', mode: 0o600 })
      this.pending.set(uploadId, p)
      input = { ...input, uploadId }
    } else {
      const found = this.pending.get(input.uploadId)
      // Someone else's upload answers like an unknown one.
      if (!found || found.userId !== actor.userId || found.busy) throw new AppError('UPLOAD_UNKNOWN')
      p = found
    }
    const uploadId = input.uploadId!
    p.busy = true
    try {
      if (input.offset !== p.received) throw new AppError('UPLOAD_UNKNOWN')
      if (p.received + bytes.length > UPLOAD_MAX_BYTES)
        throw new AppError('UPLOAD_TOO_LARGE', { mb: String(UPLOAD_MAX_BYTES >> 20) })
      await fs.promises.appendFile(p.tmp, bytes)
      p.received += bytes.length
      p.busy = false
      if (!input.done) return { uploadId, received: p.received, path: null }
      this.pending.delete(uploadId)
      await commitFile(p.tmp, p.final, { mode: 0o400 })
      this.finished.set(path.resolve(p.final), p.userId)
      return { uploadId, received: p.received, path: p.final }
    } catch (e) {
      // Any failure ends the upload: the page starts again with the first piece.
      this.pending.delete(uploadId)
      await fs.promises.rm(path.dirname(p.final), { recursive: true, force: true }).catch(() => undefined)
      if (e instanceof AppError) throw e
      if ((e as NodeJS.ErrnoException).code === 'ENOSPC') throw new AppError('DISK_FULL')
      throw e
    }
  }

  /** Whether this path is a finished upload of this user's, waiting for textRecords.add. */
  isOwnStaged(file: string, userId: string): boolean {
    return isStaged(this.layout, file) && this.finished.get(path.resolve(file)) === userId
  }

  /** A staged upload has been registered: its folder goes, and it cannot be registered again. */
  async release(file: string): Promise<void> {
    this.finished.delete(path.resolve(file))
    await removeStaged(this.layout, file)
  }

  /** Staged folders nobody finished registering within a day, and their pending entries. */
  private async sweep(): Promise<void> {
    const dir = stagingDir(this.layout)
    let names: string[]
    try {
      names = await fs.promises.readdir(dir)
    } catch {
      return
    }
    const cutoff = this.now().getTime() - STALE_MS
    for (const name of names) {
      const full = path.join(dir, name)
      try {
        if ((await fs.promises.stat(full)).mtimeMs < cutoff) {
          this.pending.delete(name)
          for (const f of this.finished.keys()) if (path.dirname(f) === full) this.finished.delete(f)
          await fs.promises.rm(full, { recursive: true, force: true })
        }
      } catch {
        /* gone meanwhile */
      }
    }
  }
}
