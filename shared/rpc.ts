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
  /**
   * Desktop shell only: the system's own open/save dialog for one of the places a path is asked for (the shell
   * decides title, kind and filters); the chosen path, or null when cancelled. Absent in browser mode.
   */
  pickPath?(purpose: PickPurpose): Promise<string | null>
  /** Desktop shell only: the path of a file or folder dropped on the page (Electron's webUtils). */
  pathForFile?(file: File): string | null
}

/** Every place the app asks for a path; the preload passes nothing else to the shell's dialog handler. */
export const PICK_PURPOSES = [
  'importFolder',
  'documentFile',
  'imageFolder',
  'burnTarget',
  'backupFolder',
] as const
export type PickPurpose = (typeof PICK_PURPOSES)[number]
export const isPickPurpose = (x: unknown): x is PickPurpose =>
  typeof x === 'string' && (PICK_PURPOSES as readonly string[]).includes(x)

export type TypedInvoke = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodOutput<M>>

export const RPC_CHANNEL = 'liuhen:rpc'
export const EVENT_CHANNEL = 'liuhen:event'
export const EVENT_SESSION_CHANNEL = 'liuhen:event-session'
export const PICK_CHANNEL = 'liuhen:pick'
