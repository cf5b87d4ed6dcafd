import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import {
  EVENT_CHANNEL,
  EVENT_SESSION_CHANNEL,
  RPC_CHANNEL,
  type LiuhenBridge,
  type RpcRequest,
} from '../../shared/rpc.ts'

/**
 * The renderer's only door to the core: one invoke over one channel, and an event subscription for the session
 * the page holds.
 * No ipcRenderer, no Node, nothing else is exposed.
 */
const api: LiuhenBridge = {
  invoke: (request: RpcRequest) =>
    ipcRenderer.invoke(RPC_CHANNEL, {
      method: request.method,
      input: request.input,
      session: request.session ?? null,
    }),
  onEvent(listener) {
    const wrapped = (_e: IpcRendererEvent, event: unknown) => listener(event)
    ipcRenderer.on(EVENT_CHANNEL, wrapped)
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped)
  },
  eventSession(session) {
    void ipcRenderer.invoke(EVENT_SESSION_CHANNEL, typeof session === 'string' ? session : null)
  },
}

contextBridge.exposeInMainWorld('liuhen', api)
