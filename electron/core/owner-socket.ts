import fs from 'node:fs'
import net from 'node:net'

/*
 * How a client reaches the owner of a data folder. The owner protocol (owner-service.ts) speaks in messages over
 * a Link; a Transport makes links. The local one here is a Unix socket (mode 0600, in the 0700 data folder) or a
 * Windows named pipe, carrying one JSON message per line. A remote transport (TLS to an agency server) is another
 * Transport with the same protocol on top; it would have to authenticate the peer itself, which the local one
 * leaves to file permissions: only this OS user can open the socket, and that user can open the database anyway.
 */

export interface Link {
  send(message: unknown): void
  onMessage(listener: (message: unknown) => void): void
  /** Called once, when the peer goes away or the link is closed. */
  onClose(listener: () => void): void
  close(): void
}

export interface Listener {
  /** Stops accepting new links; open ones go on. */
  stop(): void
  /** Stops accepting and cuts every open link. */
  close(): void
}

export interface Transport {
  readonly address: string
  listen(onLink: (link: Link) => void): Promise<Listener>
  connect(): Promise<Link>
}

/** One message may carry a PDF or thumbnail in base64; a peer sending more than this without a newline is cut. */
const MAX_LINE = 64 * 1024 * 1024

function socketLink(socket: net.Socket): Link {
  const messageListeners: ((m: unknown) => void)[] = []
  const closeListeners: (() => void)[] = []
  let closed = false
  const closedNow = () => {
    if (closed) return
    closed = true
    for (const l of closeListeners) l()
  }
  let buffer = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    buffer += chunk
    let nl: number
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      let message: unknown
      try {
        message = JSON.parse(line)
      } catch {
        // Not our protocol: nothing on this link can be trusted to be in step any more.
        socket.destroy()
        return
      }
      for (const l of messageListeners) l(message)
    }
    if (buffer.length > MAX_LINE) socket.destroy()
  })
  socket.on('error', () => socket.destroy())
  socket.on('close', closedNow)
  return {
    send(message) {
      if (!closed && socket.writable) socket.write(`${JSON.stringify(message)}\n`)
    },
    onMessage: (l) => void messageListeners.push(l),
    onClose: (l) => void closeListeners.push(l),
    close: () => socket.destroy(),
  }
}

export function localSocketTransport(address: string): Transport {
  return {
    address,
    listen(onLink) {
      // Only the lock holder listens, so a socket file found here is a dead owner's.
      if (process.platform !== 'win32') fs.rmSync(address, { force: true })
      const sockets = new Set<net.Socket>()
      const server = net.createServer((socket) => {
        sockets.add(socket)
        socket.on('close', () => sockets.delete(socket))
        onLink(socketLink(socket))
      })
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(address, () => {
          server.off('error', reject)
          server.on('error', (e) => console.error('[liuhen] owner socket failed', e))
          try {
            if (process.platform !== 'win32') fs.chmodSync(address, 0o600)
          } catch (e) {
            // The socket file went (its folder removed under us): refuse to serve rather than throw from a callback.
            server.close()
            reject(e as Error)
            return
          }
          // The socket must never keep a process alive on its own; the owner's work does that.
          server.unref()
          resolve({
            stop: () => void server.close(),
            close() {
              server.close()
              for (const s of sockets) s.destroy()
              if (process.platform !== 'win32') fs.rmSync(address, { force: true })
            },
          })
        })
      })
    },
    connect() {
      return new Promise((resolve, reject) => {
        const socket = net.connect(address)
        socket.once('error', reject)
        socket.once('connect', () => {
          socket.off('error', reject)
          resolve(socketLink(socket))
        })
      })
    },
  }
}
