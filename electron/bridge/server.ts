import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { Duplex } from 'node:stream'
import { pipeline } from 'node:stream'
import path from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import type { AppErrorValue } from '../../shared/errors.ts'
import { sessionEvents, type CoreHost } from '../core/host.ts'
import { CSP } from '../../shared/csp.ts'
import { MEDIA_HEADERS, parseRange } from '../core/media-range.ts'
import { Refusals, type RefusalCounts } from './refusals.ts'

/**
 * The loopback bridge: the contract over HTTP (POST /rpc), core events over a WebSocket (/events), evidence media
 * by ticket (/media/<ticket>?token=), plus the built renderer as static files. It listens on 127.0.0.1 only; every
 * RPC, media request and WebSocket needs the per-launch token, and requests from any other origin or Host (DNS
 * rebinding) are refused — counted, not audited (refusals.ts).
 *
 * No input may end the process: every request and upgrade handler runs guarded (a throw answers 400 or closes that
 * socket), every socket and WebSocket has an error handler, and unparseable requests are the server's clientError.
 *
 * Events: a socket receives nothing until it names a signed-in session (`{"session": "<token>"}`, sent again on each
 * sign-in, `{"session": null}` on sign-out), answered by `{"type": "events.bound"}`; from then on the core sends it
 * only what that session may see (core/access/events.ts).
 */

export interface BridgeOptions {
  core: CoreHost
  staticDir: string
  port?: number
  token?: string
}

export interface Bridge {
  url: string
  /** The URL to open: the token travels in the fragment, which browsers never send to a server. */
  launchUrl: string
  token: string
  /** Requests refused before the core since start, by kind (refusals.ts). */
  refusals(): RefusalCounts
  close(): Promise<void>
}

const MAX_BODY = 1024 * 1024
/** A socket that does not read its events is dropped rather than buffered without end. */
const MAX_WS_BUFFER = 4 * 1024 * 1024
/** The answer to a socket naming its session (not a core event; the renderer ignores types it does not know). */
const BOUND = JSON.stringify({ type: 'events.bound' })

export { CSP }

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  // pdf.js's worker is a module script: without a script type, nosniff makes the browser refuse it.
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  res.end(data)
}

/** Refusals may leave a request body unread, so the connection is closed rather than reused. */
function refuse(res: http.ServerResponse, status: number, code: AppErrorValue['code']): void {
  res.setHeader('connection', 'close')
  sendJson(res, status, { ok: false, error: { code } })
}

/** The path (still percent-encoded) and query of an origin-form request target; null for anything else. */
function splitTarget(url: string | undefined): { pathname: string; query: URLSearchParams } | null {
  if (!url || !url.startsWith('/') || url.startsWith('//')) return null
  const q = url.indexOf('?')
  const pathname = q < 0 ? url : url.slice(0, q)
  // URLSearchParams never throws: a broken escape in the query decodes to U+FFFD.
  return { pathname, query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)) }
}

/** A status line and nothing else, on a socket that is not (or no longer) an HTTP exchange. */
function rejectSocket(socket: Duplex, status: 400 | 403 | 408 | 431): void {
  const text = {
    400: 'Bad Request',
    403: 'Forbidden',
    408: 'Request Timeout',
    431: 'Request Header Fields Too Large',
  }
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text[status]}\r\nConnection: close\r\n\r\n`)
  socket.destroy()
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const token = opts.token ?? crypto.randomBytes(32).toString('base64url')
  const tokenBuf = Buffer.from(token)
  const staticRoot = path.resolve(opts.staticDir)
  const refusals = new Refusals((line) => console.error(line))
  let hosts = new Set<string>()

  const tokenOk = (given: string | null | undefined) => {
    if (!given) return false
    const b = Buffer.from(given)
    return b.length === tokenBuf.length && crypto.timingSafeEqual(b, tokenBuf)
  }
  /** Same-origin or no Origin at all (non-browser clients such as tests); never a foreign page. */
  const originOk = (req: http.IncomingMessage) =>
    hosts.has(req.headers.host ?? '') &&
    (req.headers.origin === undefined || req.headers.origin === `http://${req.headers.host}`)

  async function handleRpc(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const auth = req.headers.authorization
    if (!tokenOk(auth?.startsWith('Bearer ') ? auth.slice(7) : null)) {
      refusals.count('token')
      return refuse(res, 401, 'UNAUTHENTICATED')
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      return refuse(res, 415, 'BAD_REQUEST')
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > MAX_BODY) return refuse(res, 413, 'BAD_REQUEST')
      chunks.push(chunk)
    }
    let request: unknown
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      return sendJson(res, 200, { ok: false, error: { code: 'BAD_REQUEST' } })
    }
    sendJson(res, 200, await opts.core.dispatch(request, 'bridge'))
  }

  /** A file to the response; a read that fails half-way (file removed, disk error) ends that response only. */
  function stream(file: string, res: http.ServerResponse, range?: { start: number; end: number }): void {
    pipeline(fs.createReadStream(file, range), res, () => undefined)
  }

  function serveStatic(pathname: string, res: http.ServerResponse): void {
    let urlPath: string
    try {
      urlPath = decodeURIComponent(pathname)
    } catch {
      // `/%c0%ae` and friends: not a path anyone's file has.
      refusals.count('malformed')
      return refuse(res, 400, 'BAD_REQUEST')
    }
    if (urlPath.includes('\0')) return refuse(res, 400, 'BAD_REQUEST')
    let file = path.resolve(staticRoot, `.${urlPath}`)
    if (!file.startsWith(staticRoot + path.sep) && file !== staticRoot) return refuse(res, 404, 'NOT_FOUND')
    if (urlPath === '/' || !fs.existsSync(file) || fs.statSync(file).isDirectory())
      file = path.join(staticRoot, 'index.html')
    if (!fs.existsSync(file)) return refuse(res, 404, 'NOT_FOUND')
    const type = MIME[path.extname(file)] ?? 'application/octet-stream'
    res.writeHead(200, {
      'content-type': type,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': type.startsWith('text/html') ? 'no-store' : 'max-age=3600',
    })
    stream(file, res)
  }

  /**
   * Evidence media by ticket, with byte ranges (seeking). The bridge token comes first (a <video> cannot send a
   * header, so it is in the query): without it the request is counted here and never reaches the core or the audit
   * trail. With it, the core checks the ticket, its holder's live session and user, and the gate, on every request,
   * and logs a refusal (access.denied).
   */
  async function serveMedia(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    ticket: string,
    query: URLSearchParams,
  ): Promise<void> {
    if (!tokenOk(query.get('token'))) {
      refusals.count('token')
      return refuse(res, 403, 'FORBIDDEN')
    }
    const media = await opts.core.resolveMedia(ticket, 'bridge')
    if (!media) return refuse(res, 403, 'FORBIDDEN')
    const headers = { 'content-type': media.mime, ...MEDIA_HEADERS }
    const range = parseRange(req.headers.range, media.size)
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${media.size}` })
      return void res.end()
    }
    const { start, end } = range.kind === 'range' ? range : { start: 0, end: media.size - 1 }
    res.writeHead(range.kind === 'range' ? 206 : 200, {
      ...headers,
      ...(range.kind === 'range' ? { 'content-range': `bytes ${start}-${end}/${media.size}` } : {}),
      'content-length': end - start + 1,
    })
    if (req.method === 'HEAD' || media.size === 0) return void res.end()
    stream(media.file, res, { start, end })
  }

  function route(req: http.IncomingMessage, res: http.ServerResponse): void | Promise<void> {
    if (!originOk(req)) {
      refusals.count('origin')
      return refuse(res, 403, 'FORBIDDEN')
    }
    const target = splitTarget(req.url)
    if (!target) {
      refusals.count('malformed')
      return refuse(res, 400, 'BAD_REQUEST')
    }
    const { pathname, query } = target
    if (pathname === '/rpc') {
      if (req.method !== 'POST') return refuse(res, 405, 'BAD_REQUEST')
      return handleRpc(req, res)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'BAD_REQUEST')
    if (pathname.startsWith('/media/')) return serveMedia(req, res, pathname.slice('/media/'.length), query)
    serveStatic(pathname, res)
  }

  /** Whatever a handler throws, synchronously or not, answers that request and nothing else. */
  const guarded =
    (handler: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>) =>
    (req: http.IncomingMessage, res: http.ServerResponse) => {
      const failed = (e: unknown) => {
        refusals.count('failed', e)
        if (!res.headersSent) refuse(res, 400, 'BAD_REQUEST')
        else res.destroy()
      }
      try {
        void Promise.resolve(handler(req, res)).catch(failed)
      } catch (e) {
        failed(e)
      }
    }

  const server = http.createServer(guarded(route))
  // An idle keep-alive socket is closed by the client first: Node's fetch gives one up after 4 s and Chromium
  // retries a request on a socket the server closed. Had the server closed at its default 5 s, a client whose
  // timers ran a second late under load sent its next POST into a socket being closed ("other side closed",
  // seen once in records-ui beside a second suite), and a POST is not retried.
  server.keepAliveTimeout = 30_000
  // What the HTTP parser cannot read (broken request lines, oversized headers): answered like Node's default, counted.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy()
    refusals.count('malformed')
    rejectSocket(
      socket,
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400,
    )
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 })
  /** Open sockets, each with the session its events are for (none until it names one). */
  const sockets = new Map<WebSocket, ReturnType<typeof sessionEvents>>()

  const send = (ws: WebSocket, data: string) => {
    if (ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > MAX_WS_BUFFER) return void ws.terminate()
    ws.send(data, (err) => {
      if (err) ws.terminate()
    })
  }

  /** `{"session": "<token>" | null}`: which session this socket's events are for. Anything else closes it. */
  function bind(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    let message: unknown
    try {
      message = isBinary ? undefined : JSON.parse(data.toString('utf8'))
    } catch {
      message = undefined
    }
    const session = (message as { session?: unknown } | null)?.session
    if (session !== null && typeof session !== 'string')
      return void ws.close(1008, 'expected {"session": token | null}')
    sockets.get(ws)?.bind(session)
    // Said whatever the session is worth: from here on, anything the core emits is decided for it.
    send(ws, BOUND)
  }

  function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = splitTarget(req.url)
    if (!target) {
      refusals.count('malformed')
      return rejectSocket(socket, 400)
    }
    if (target.pathname !== '/events' || !originOk(req)) {
      refusals.count('origin')
      return rejectSocket(socket, 403)
    }
    if (!tokenOk(target.query.get('token'))) {
      refusals.count('token')
      return rejectSocket(socket, 403)
    }
    // ws answers a bad key or version with 400 itself.
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.set(
        ws,
        sessionEvents(opts.core, 'bridge', (e) => send(ws, JSON.stringify(e))),
      )
      // Protocol errors (reserved opcodes, oversized or unmasked frames): ws has already closed with a code; this
      // handler is what keeps the error from ending the process.
      ws.on('error', () => ws.terminate())
      ws.on('close', () => {
        sockets.get(ws)?.close()
        sockets.delete(ws)
      })
      ws.on('message', (data: Buffer, isBinary) => {
        try {
          bind(ws, data, isBinary)
        } catch (e) {
          refusals.count('failed', e)
          ws.terminate()
        }
      })
    })
  }

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // The HTTP server's own error handler is gone once a socket is handed over for upgrade.
    socket.on('error', () => socket.destroy())
    try {
      upgrade(req, socket, head)
    } catch (e) {
      refusals.count('failed', e)
      rejectSocket(socket, 400)
    }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', resolve)
  })
  const port = (server.address() as { port: number }).port
  const origin = `http://127.0.0.1:${port}`
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`])

  return {
    url: origin,
    launchUrl: `${origin}/#token=${token}`,
    token,
    refusals: () => refusals.counts(),
    async close() {
      refusals.stop()
      for (const [ws, events] of sockets) {
        events.close()
        ws.terminate()
      }
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
    },
  }
}
