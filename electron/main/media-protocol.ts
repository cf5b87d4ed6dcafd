import fs from 'node:fs'
import { Readable } from 'node:stream'
import type { MediaFile } from '../core/media.ts'
import { MEDIA_HEADERS, parseRange } from '../core/media-range.ts'

/*
 * liuhen-media://media/<ticket>: the only way evidence bytes reach the window. The ticket is the core's (issued by
 * media.open after its access check); every request goes back to the core (`resolve`), which checks the ticket and
 * the holder's access again and logs a refusal. Byte ranges so <video> can seek; GET and HEAD only. Plain web
 * Request/Response, so it runs, and is tested, without Electron.
 */

export const MEDIA_SCHEME = 'liuhen-media'

export async function mediaResponse(
  request: Request,
  resolve: (ticket: string) => Promise<MediaFile | null>,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 })
  const url = new URL(request.url)
  const ticket = url.hostname === 'media' ? url.pathname.replace(/^\//, '') : ''
  const media = await resolve(ticket)
  if (!media) return new Response(null, { status: 403, headers: MEDIA_HEADERS })
  const headers = new Headers({ ...MEDIA_HEADERS, 'content-type': media.mime })
  const range = parseRange(request.headers.get('range'), media.size)
  if (range.kind === 'unsatisfiable') {
    headers.set('content-range', `bytes */${media.size}`)
    return new Response(null, { status: 416, headers })
  }
  const { start, end } = range.kind === 'range' ? range : { start: 0, end: media.size - 1 }
  headers.set('content-length', String(end - start + 1))
  if (range.kind === 'range') headers.set('content-range', `bytes ${start}-${end}/${media.size}`)
  const status = range.kind === 'range' ? 206 : 200
  if (request.method === 'HEAD' || media.size === 0) return new Response(null, { status, headers })
  const body = Readable.toWeb(fs.createReadStream(media.file, { start, end })) as ReadableStream<Uint8Array>
  return new Response(body, { status, headers })
}
