/*
 * HTTP byte ranges for evidence media, shared by the adapters that stream it (the Electron protocol handler and the
 * bridge route). No imports: the Electron main process loads it without loading the core.
 */

/** A `Range: bytes=…` header against a file of `size` bytes: the whole file, one range, or unsatisfiable. */
export function parseRange(
  header: string | null | undefined,
  size: number,
): { kind: 'all' } | { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' } {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '')
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'all' }
  const start = Math.max(0, m[1] === '' ? size - Number(m[2]) : Number(m[1]))
  const end = Math.min(m[1] === '' || m[2] === '' ? size - 1 : Number(m[2]), size - 1)
  return start > end ? { kind: 'unsatisfiable' } : { kind: 'range', start, end }
}

/** The headers every evidence byte leaves with: no caching, no sniffing, nothing active. */
export const MEDIA_HEADERS = {
  'accept-ranges': 'bytes',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'",
} as const
