import type { MethodInput, MethodName, MethodOutput, CoreEvent } from '../../shared/contract.ts'
import type { AppErrorValue } from '../../shared/errors.ts'
import type { LiuhenBridge, PickPurpose, RpcRequest, RpcResult } from '../../shared/rpc.ts'

/**
 * The renderer's client of the contract. Under Electron it uses the preload's `window.liuhen`;
 * in a browser it talks to the loopback bridge with the per-launch token from the URL fragment.
 */

declare global {
  interface Window {
    liuhen?: LiuhenBridge
  }
}

export class ApiError extends Error {
  readonly value: AppErrorValue
  constructor(value: AppErrorValue) {
    super(value.code)
    this.value = value
  }
}

const TOKEN_KEY = 'liuhen.bridgeToken'
const SESSION_KEY = 'liuhen.session'

function bridgeTransport(): LiuhenBridge {
  // The token arrives once in the fragment; keep it for this tab only and take it out of the address bar.
  const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash)
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, m[1])
    history.replaceState(null, '', `${location.pathname}${location.search}#/`)
  }
  const token = sessionStorage.getItem(TOKEN_KEY) ?? ''
  const sockets = new Set<WebSocket>()
  let eventSession: string | null = null
  return {
    async invoke(request: RpcRequest): Promise<RpcResult> {
      try {
        const res = await fetch('/rpc', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(request),
        })
        return (await res.json()) as RpcResult
      } catch {
        return { ok: false, error: { code: 'INTERNAL', params: { ref: 'bridge' } } }
      }
    },
    onEvent(listener) {
      let ws: WebSocket | null = null
      let closed = false
      const connect = () => {
        const socket = new WebSocket(
          `${location.origin.replace(/^http/, 'ws')}/events?token=${encodeURIComponent(token)}`,
        )
        ws = socket
        // The bridge sends nothing until the socket names the signed-in session.
        socket.onopen = () => {
          sockets.add(socket)
          socket.send(JSON.stringify({ session: eventSession }))
        }
        socket.onmessage = (e) => {
          try {
            listener(JSON.parse(String(e.data)))
          } catch {
            /* ignore a malformed event */
          }
        }
        socket.onclose = () => {
          sockets.delete(socket)
          if (!closed) setTimeout(connect, 2000)
        }
      }
      connect()
      return () => {
        closed = true
        ws?.close()
      }
    },
    eventSession(session) {
      eventSession = session
      for (const s of sockets) if (s.readyState === WebSocket.OPEN) s.send(JSON.stringify({ session }))
    },
  }
}

const transport: LiuhenBridge = window.liuhen ?? bridgeTransport()

let session: string | null = sessionStorage.getItem(SESSION_KEY)
transport.eventSession(session)
const authListeners = new Set<(e: AppErrorValue) => void>()

const sessionListeners = new Set<() => void>()

/** Called whenever the signed-in session changes (sign-in, sign-out, expiry): what was read for one person goes. */
export function onSessionChange(listener: () => void): () => void {
  sessionListeners.add(listener)
  return () => sessionListeners.delete(listener)
}

export function setSession(token: string | null): void {
  const changed = token !== session
  session = token
  if (changed) for (const l of sessionListeners) l()
  transport.eventSession(token)
  if (token) sessionStorage.setItem(SESSION_KEY, token)
  else sessionStorage.removeItem(SESSION_KEY)
}

export function hasSession(): boolean {
  return session !== null
}

/** Called when any call fails for a reason that changes what the whole app must show. */
export function onAuthProblem(listener: (e: AppErrorValue) => void): () => void {
  authListeners.add(listener)
  return () => authListeners.delete(listener)
}

const AUTH_CODES = new Set(['UNAUTHENTICATED', 'SESSION_LOCKED', 'PASSWORD_CHANGE_REQUIRED'])
const doneListeners = new Set<(method: MethodName) => void>()

/** Called after every call that succeeded, with its method (the to-do counts refresh after a change). */
export function onCallDone(listener: (method: MethodName) => void): () => void {
  doneListeners.add(listener)
  return () => doneListeners.delete(listener)
}

const actionListeners = new Set<() => void>()

/** Called after every action a person took (a form sent, a button's work done, useSubmit) that succeeded. */
export function onActionDone(listener: () => void): () => void {
  actionListeners.add(listener)
  return () => actionListeners.delete(listener)
}

export function actionDone(): void {
  for (const l of actionListeners) l()
}

export async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const result = await transport.invoke({ method, input, session })
  if (result.ok) {
    for (const l of doneListeners) l(method)
    return result.value as MethodOutput<M>
  }
  if (AUTH_CODES.has(result.error.code)) for (const l of authListeners) l(result.error)
  throw new ApiError(result.error)
}

export function onCoreEvent(listener: (e: CoreEvent) => void): () => void {
  return transport.onEvent((e) => listener(e as CoreEvent))
}

/**
 * Where the window loads a media ticket from: the Electron protocol, or the bridge's /media route with the bridge
 * token (a <video> cannot send a header; without the token the bridge refuses before the core is asked).
 */
export function mediaUrl(ticket: string): string {
  if (window.liuhen) return `liuhen-media://media/${ticket}`
  return `/media/${ticket}?token=${encodeURIComponent(sessionStorage.getItem(TOKEN_KEY) ?? '')}`
}

/**
 * 浏览… in the desktop shell: the system's own dialog for one allow-listed purpose, through the preload; the chosen
 * path (null when cancelled). `undefined` in browser mode, where the page shows the core's folder browser instead.
 */
export function systemPicker(): ((purpose: PickPurpose) => Promise<string | null>) | undefined {
  const pick = window.liuhen?.pickPath
  return pick ? (purpose) => pick(purpose) : undefined
}

/** Desktop shell only: the path of a file the user chose or dropped (no bytes cross to the page); else null. */
export function localPathOf(file: File): string | null {
  return window.liuhen?.pathForFile?.(file) ?? null
}
