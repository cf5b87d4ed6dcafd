import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  net,
  protocol,
  session,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron'
import workerPath from '../core/worker.ts?modulePath'
import { startCoreWorker, type CoreHost } from '../core/host.ts'
import { defaultDataDir } from '../core/paths.ts'
import { EVENT_CHANNEL, RPC_CHANNEL } from '../../shared/rpc.ts'
import { buildMenu } from './menu.ts'

/*
 * The thin Electron shell: one sandboxed window, one IPC channel to the core (which runs in a worker
 * thread, never on this thread), and nothing else. All rules live in the core.
 */

if (!app.requestSingleInstanceLock()) {
  app.quit()
  process.exit(0)
}

// Evidence media reach the window only as liuhen-media://media/<ticket>, a ticket the core issued after its
// access check (media.open); streamable so <video> can seek with ranges.
protocol.registerSchemesAsPrivileged([
  {
    scheme: 'liuhen-media',
    privileges: { stream: true, supportFetchAPI: true, secure: true, standard: true },
  },
])

const rendererUrl = process.env.ELECTRON_RENDERER_URL
const rendererFile = path.join(import.meta.dirname, '../renderer/index.html')
let mainWindow: BrowserWindow | null = null
let core: CoreHost | null = null

/** Only our own top-level page may call the core; sub-frames and anything navigated elsewhere may not. */
function validSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame
  if (!frame || frame !== event.sender.mainFrame) return false
  const url = frame.url
  if (rendererUrl) return url.startsWith(rendererUrl)
  return (
    url.startsWith('file://') && decodeURIComponent(new URL(url).pathname).endsWith('/renderer/index.html')
  )
}

function harden(contents: WebContents): void {
  contents.on('will-navigate', (e) => e.preventDefault())
  contents.on('will-attach-webview', (e) => e.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    title: '留痕',
    show: false,
    webPreferences: {
      preload: path.join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  })
  harden(mainWindow.webContents)
  mainWindow.once('ready-to-show', () => mainWindow?.show())
  if (rendererUrl) void mainWindow.loadURL(rendererUrl)
  else void mainWindow.loadFile(rendererFile)
}

app.on('second-instance', () => {
  if (mainWindow?.isMinimized()) mainWindow.restore()
  mainWindow?.focus()
})

app.on('web-contents-created', (_e, contents) => harden(contents))

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
  Menu.setApplicationMenu(buildMenu())

  const dataDir = process.env.LIUHEN_DATA ? path.resolve(process.env.LIUHEN_DATA) : defaultDataDir()
  core = startCoreWorker((workerData) => new Worker(workerPath, { workerData }), { dataDir, create: true })
  core.onEvent((event) => mainWindow?.webContents.send(EVENT_CHANNEL, event))

  protocol.handle('liuhen-media', async (request) => {
    const ticket = new URL(request.url).pathname.replace(/^\//, '')
    const media = await core!.resolveMedia(ticket)
    if (!media) return new Response(null, { status: 404 })
    // The file protocol answers Range requests; the ticket decided which file, nothing else is reachable.
    const res = await net.fetch(pathToFileURL(media.file).toString(), { headers: request.headers })
    const headers = new Headers(res.headers)
    headers.set('content-type', media.mime)
    headers.set('cache-control', 'no-store')
    return new Response(res.body, { status: res.status, headers })
  })

  ipcMain.handle(RPC_CHANNEL, async (event, request: unknown) => {
    if (!validSender(event)) return { ok: false, error: { code: 'FORBIDDEN' } }
    return core!.dispatch(request, 'ipc')
  })

  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

app.on('will-quit', () => {
  void core?.close()
})
