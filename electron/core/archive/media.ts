import { AppError } from '../../../shared/errors.ts'
import type { BagFile } from './package.ts'

export { MEDIA_CAPACITY, MEDIA_KINDS, type MediaKind } from '../../../shared/archive.ts'

const BLOCK = 2048
/** System area, volume descriptors, path tables, MD5 tags and xorriso's default 300 KiB padding, with room. */
const FIXED_OVERHEAD = 8 << 20
/** Directory records for ISO 9660, Joliet and Rock Ridge of one file: generously one block. */
const PER_FILE_OVERHEAD = BLOCK

/** Bytes a set of files takes on an ISO 9660 image. */
export function isoCost(files: readonly { size: number }[]): number {
  return files.reduce((n, f) => n + Math.ceil(f.size / BLOCK) * BLOCK + PER_FILE_OVERHEAD, 0)
}

export interface Unit {
  evidenceId: string
  /** For ordering: discs follow the order of capture. */
  order: number
  cost: number
  name: string
}

/**
 * Split a case's recordings over discs. Every disc carries the shared part (documents, metadata, tag files);
 * a recording and its signatures never split. Discs follow capture order (what a reader expects) unless that
 * needs more discs than packing largest-first, which then wins: discs cost money and shelf space.
 */
export function planVolumes(
  full: { payload: BagFile[]; tags: { bytes: Buffer }[] },
  capacity: number,
): { placement: Map<string, number>; count: number } {
  const shared = isoCost([
    ...full.payload.filter((f) => !f.evidenceId),
    // Tag files of the whole-case bag: an upper bound for any one volume's (its manifests list fewer files).
    ...full.tags.map((t) => ({ size: t.bytes.length })),
  ])
  const room = capacity - FIXED_OVERHEAD - shared
  const byRecord = new Map<string, Unit>()
  full.payload.forEach((f, i) => {
    if (!f.evidenceId) return
    const u = byRecord.get(f.evidenceId) ?? { evidenceId: f.evidenceId, order: i, cost: 0, name: f.rel }
    u.cost += isoCost([f])
    byRecord.set(f.evidenceId, u)
  })
  const units = [...byRecord.values()]
  const tooBig = units.find((u) => u.cost > room)
  if (room <= 0 || tooBig)
    throw new AppError('TOO_LARGE_FOR_MEDIA', {
      name: tooBig?.name ?? '',
      capacity: Math.floor(capacity / 1e6),
    })
  const inOrder = fill(units, room, 'next')
  const packed = fill(
    [...units].sort((a, b) => b.cost - a.cost),
    room,
    'first',
  )
  const bins = inOrder.length <= packed.length ? inOrder : packed
  // Number discs by their earliest recording.
  bins.sort((a, b) => Math.min(...a.map((u) => u.order)) - Math.min(...b.map((u) => u.order)))
  const placement = new Map<string, number>()
  bins.forEach((bin, i) => bin.forEach((u) => placement.set(u.evidenceId, i + 1)))
  return { placement, count: Math.max(1, bins.length) }
}

function fill(units: Unit[], room: number, how: 'next' | 'first'): Unit[][] {
  const bins: { left: number; units: Unit[] }[] = []
  for (const u of units) {
    const bin =
      how === 'next'
        ? bins.at(-1) && bins.at(-1)!.left >= u.cost
          ? bins.at(-1)
          : undefined
        : bins.find((b) => b.left >= u.cost)
    if (bin) {
      bin.left -= u.cost
      bin.units.push(u)
    } else bins.push({ left: room - u.cost, units: [u] })
  }
  return bins.map((b) => b.units)
}
