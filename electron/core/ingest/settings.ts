import { readSetting, writeSetting } from '../meta.ts'
import type { Db } from '../db/index.ts'
import { DEFAULT_MEDIA_EXTENSIONS, type MediaType } from '../../../shared/media.ts'

/** The agency's list of media extensions, kept in `meta`; the default covers common cameras and recorders. */
export function mediaExtensions(db: Db): Record<MediaType, string[]> {
  return readSetting(db, 'ingest.extensions', DEFAULT_MEDIA_EXTENSIONS)
}

export function setMediaExtensions(db: Db, ext: Record<MediaType, string[]>): void {
  writeSetting(db, 'ingest.extensions', ext)
}
