import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import {
  EVENT_CHANNEL,
  EVENT_SESSION_CHANNEL,
  PICK_CHANNEL,
  RPC_CHANNEL,
  isPickPurpose,
  type LiuhenBridge,
  type RpcRequest,
} from '../../shared/rpc.ts'

/**
 * The renderer's only door to the core: one invoke over one channel, and an event subscription for the session
 * the page holds; besides, the shell's file dialog for one of a fixed list of purposes, and the path of a dropped
 * file. No ipcRenderer, no Node, no file system, nothing else is exposed.
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
  // Checked here as well as in the main process: a page that names anything else never reaches the shell.
  pickPath: async (purpose) => {
    if (!isPickPurpose(purpose)) return null
    const r: unknown = await ipcRenderer.invoke(PICK_CHANNEL, purpose)
    return typeof r === 'string' ? r : null
  },
  pathForFile(file) {
    if (!(file instanceof File)) return null
    try {
      return webUtils.getPathForFile(file) || null
    } catch {
      return null
    }
  },
}

contextBridge.exposeInMainWorld('liuhen', api)
