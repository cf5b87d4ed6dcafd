import type { Db } from '../db/index.ts'
import { DEFAULT_MEDIA_EXTENSIONS, type MediaType } from '../../../shared/media.ts'

/** The agency's list of media extensions, kept in `meta`; the default covers common cameras and recorders. */
export function mediaExtensions(db: Db): Record<MediaType, string[]> {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'ingest.extensions'").get() as
    { value: string } | undefined
  if (!row) return DEFAULT_MEDIA_EXTENSIONS
  try {
    return { ...DEFAULT_MEDIA_EXTENSIONS, ...(JSON.parse(row.value) as Partial<Record<MediaType, string[]>>) }
  } catch {
    return DEFAULT_MEDIA_EXTENSIONS
  }
}

export function setMediaExtensions(db: Db, ext: Record<MediaType, string[]>): void {
  db.prepare(
    "INSERT INTO meta (key, value) VALUES ('ingest.extensions', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  ).run(JSON.stringify(ext))
}
