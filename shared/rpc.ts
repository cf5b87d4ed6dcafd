import type { AppErrorValue } from './errors.ts'
import type { MethodInput, MethodName, MethodOutput } from './contract.ts'

/** What an adapter hands the core: one call. `session` is the opaque token from auth.signIn. */
export interface RpcRequest {
  method: string
  input: unknown
  session?: string | null
}

export type RpcResult<T = unknown> = { ok: true; value: T } | { ok: false; error: AppErrorValue }

/** The single entry point both adapters expose to the renderer (the preload's `window.liuhen`). */
export interface LiuhenBridge {
  invoke(request: RpcRequest): Promise<RpcResult>
  onEvent(listener: (event: unknown) => void): () => void
  /**
   * Which signed-in session the events are for: the core sends a window or socket only what that session may see,
   * and nothing before the first call or after `null` (signed out).
   */
  eventSession(session: string | null): void
}

export type TypedInvoke = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodOutput<M>>

export const RPC_CHANNEL = 'liuhen:rpc'
export const EVENT_CHANNEL = 'liuhen:event'
export const EVENT_SESSION_CHANNEL = 'liuhen:event-session'
