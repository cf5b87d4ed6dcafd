import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { MediaType } from '../../../shared/media.ts'
import type { DataLayout } from '../paths.ts'

/*
 * Thumbnails live in derived/ (rebuildable, never evidence) and are made one at a time after copies finish,
 * so they never slow an ingest down. A file ffmpeg cannot decode simply has no thumbnail.
 */

export function thumbnailPath(layout: DataLayout, sha256: string): string {
  return path.join(layout.derived, 'thumbs', sha256.slice(0, 2), `${sha256}.jpg`)
}

export function ffmpegBin(): string {
  return process.env.FFMPEG_PATH || 'ffmpeg'
}

function makeThumbnail(
  source: string,
  target: string,
  mediaType: MediaType,
  durationMs: number | null,
): Promise<boolean> {
  if (mediaType === 'audio') return Promise.resolve(false)
  // A frame a little into the clip: the first frames of body-camera clips are often black.
  const seek = mediaType === 'video' && durationMs && durationMs > 3000 ? ['-ss', '1'] : []
  const tmp = `${target}.tmp.jpg`
  return new Promise((resolve) => {
    execFile(
      ffmpegBin(),
      ['-nostdin', '-v', 'error', ...seek, '-i', source, '-frames:v', '1', '-vf', 'scale=320:-2', '-y', tmp],
      { timeout: 60_000, windowsHide: true },
      (err) => {
        if (err || !fs.existsSync(tmp)) {
          fs.rmSync(tmp, { force: true })
          return resolve(false)
        }
        fs.renameSync(tmp, target)
        resolve(true)
      },
    )
  })
}

export class ThumbnailQueue {
  private readonly queue: {
    source: string
    sha256: string
    mediaType: MediaType
    durationMs: number | null
  }[] = []
  private running = false
  private idleWaiters: (() => void)[] = []

  constructor(private readonly layout: DataLayout) {}

  add(item: { source: string; sha256: string; mediaType: MediaType; durationMs: number | null }): void {
    this.queue.push(item)
    void this.pump()
  }

  /** Resolves when nothing is queued or running (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve()
    return new Promise((r) => this.idleWaiters.push(r))
  }

  private async pump(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        const target = thumbnailPath(this.layout, item.sha256)
        if (fs.existsSync(target)) continue
        fs.mkdirSync(path.dirname(target), { recursive: true })
        await makeThumbnail(item.source, target, item.mediaType, item.durationMs)
      }
    } finally {
      this.running = false
      for (const w of this.idleWaiters.splice(0)) w()
    }
  }
}
