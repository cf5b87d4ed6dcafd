/** What counts as media on a device, by extension (lower case, no dot). Agencies can change the list. */
export type MediaType = 'video' | 'audio' | 'photo'

export const DEFAULT_MEDIA_EXTENSIONS: Record<MediaType, string[]> = {
  video: ['mp4', 'mov', 'avi', 'ts', 'mts', 'm2ts', 'mkv', '3gp'],
  audio: ['wav', 'mp3', 'aac', 'amr', 'm4a'],
  photo: ['jpg', 'jpeg', 'png', 'heic'],
}

export function mediaTypeOf(fileName: string, ext: Record<MediaType, string[]>): MediaType | null {
  const dot = fileName.lastIndexOf('.')
  if (dot < 0) return null
  const e = fileName.slice(dot + 1).toLowerCase()
  for (const t of ['video', 'audio', 'photo'] as const) if (ext[t].includes(e)) return t
  return null
}
