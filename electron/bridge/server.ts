import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import type { AppErrorValue } from '../../shared/errors.ts'
import type { CoreHost } from '../core/host.ts'
import { CSP } from '../../shared/csp.ts'
import { MEDIA_HEADERS, parseRange } from '../core/media-range.ts'

/**
 * The loopback bridge: the contract over HTTP (POST /rpc) and core events over a WebSocket (/events),
 * plus the built renderer as static files. It listens on 127.0.0.1 only; every RPC and WebSocket needs
 * the per-launch token, and requests from any other origin or Host (DNS rebinding) are refused.
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
  close(): Promise<void>
}

const MAX_BODY = 1024 * 1024

export { CSP }

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
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

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const token = opts.token ?? crypto.randomBytes(32).toString('base64url')
  const tokenBuf = Buffer.from(token)
  const staticRoot = path.resolve(opts.staticDir)
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
    if (!tokenOk(auth?.startsWith('Bearer ') ? auth.slice(7) : null))
      return refuse(res, 401, 'UNAUTHENTICATED')
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

  function serveStatic(req: http.IncomingMessage, res: http.ServerResponse): void {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
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
    fs.createReadStream(file).pipe(res)
  }

  /** Evidence media by ticket, with byte ranges (seeking); only what the core's media.open allowed. */
  async function serveMedia(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    ticket: string,
  ): Promise<void> {
    // Refused (no live ticket, or no access any more) looks like a 403 and is in the access log.
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
    fs.createReadStream(media.file, { start, end }).pipe(res)
  }

  const server = http.createServer((req, res) => {
    if (!originOk(req)) return refuse(res, 403, 'FORBIDDEN')
    const pathname = (req.url ?? '/').split('?')[0]
    if (pathname === '/rpc') {
      if (req.method !== 'POST') return refuse(res, 405, 'BAD_REQUEST')
      handleRpc(req, res).catch(() => {
        if (!res.headersSent) refuse(res, 500, 'INTERNAL')
      })
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'BAD_REQUEST')
    if (pathname?.startsWith('/media/')) {
      serveMedia(req, res, pathname.slice('/media/'.length)).catch(() => {
        if (!res.headersSent) refuse(res, 500, 'INTERNAL')
      })
      return
    }
    serveStatic(req, res)
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 })
  const sockets = new Set<WebSocket>()
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname !== '/events' || !originOk(req) || !tokenOk(url.searchParams.get('token'))) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws)
      ws.on('close', () => sockets.delete(ws))
      ws.on('message', () => ws.close(1008, 'events are one-way'))
    })
  })
  const unsubscribe = opts.core.onEvent((event) => {
    const data = JSON.stringify(event)
    for (const ws of sockets) ws.send(data)
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
    async close() {
      unsubscribe()
      for (const ws of sockets) ws.terminate()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
    },
  }
}
