import path from 'node:path'
import type { MediaType } from '../../../shared/media.ts'
import { captureTimes, timeFromFileName, type CaptureTimes, type DeviceClock } from './capture-time.ts'
import { readFacts } from './metadata.ts'

/*
 * Late recordings (issue 19, item 4): a file captured more than 24 hours before it is brought in owes a reason
 * (待说明超时原因). The import form asks for it before anything is copied, from the same reading ingest makes —
 * so what the form announces late is what ingest flags late.
 */

export const LATE_MS = 24 * 3600_000

/** Late by the core's clock: a capture end more than 24 hours ago (an implausible time is flagged, not judged). */
export function isLate(times: Pick<CaptureTimes, 'endMs' | 'implausible'>, now: Date): boolean {
  return times.endMs !== null && !times.implausible && now.getTime() - times.endMs > LATE_MS
}

/** The capture times ingest would give a source file, read in place (nothing is copied). */
export async function sourceCaptureTimes(
  absPath: string,
  relPath: string,
  mediaType: MediaType,
  clock: DeviceClock,
  now: Date,
  mtimeMs: number,
): Promise<CaptureTimes> {
  const facts = await readFacts(absPath, mediaType)
  const raw = facts.time ?? timeFromFileName(path.basename(relPath))
  return captureTimes(raw, facts.durationMs, clock, now, mtimeMs || null)
}
