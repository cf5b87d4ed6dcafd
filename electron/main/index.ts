import path from 'node:path'
import { Worker } from 'node:worker_threads'
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  Notification,
  protocol,
  screen,
  session,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron'
import workerPath from '../core/worker.ts?modulePath'
import { sessionEvents, startCoreWorker, type CoreHost } from '../core/host.ts'
import { defaultDataDir } from '../core/paths.ts'
import { EVENT_CHANNEL, EVENT_SESSION_CHANNEL, PICK_CHANNEL, RPC_CHANNEL } from '../../shared/rpc.ts'
import { pickPath } from './dialogs.ts'
import { buildMenu } from './menu.ts'
import { bundledTools } from './tools.ts'
import { MEDIA_SCHEME, mediaResponse } from './media-protocol.ts'
import { navigationAllowed, permissionAllowed, securityHeaders, windowOptions } from './security.ts'
import { fitWindowState, readWindowState, writeWindowState, type WindowState } from './window-state.ts'

/*
 * The thin Electron shell: one sandboxed window, one IPC channel to the core (which runs in a worker
 * thread, never on this thread), the media protocol, and nothing else. All rules live in the core; the settings
 * applied here are plain values in security.ts, window-state.ts and media-protocol.ts, tested without Electron.
 */

if (!app.requestSingleInstanceLock()) {
  app.quit()
  process.exit(0)
}

// Evidence media reach the window only as liuhen-media://media/<ticket>, a ticket the core issued after its
// access check (media.open); streamable so <video> can seek with ranges.
protocol.registerSchemesAsPrivileged([
  {
    scheme: MEDIA_SCHEME,
    privileges: { stream: true, supportFetchAPI: true, secure: true, standard: true },
  },
])

const rendererUrl = process.env.ELECTRON_RENDERER_URL
const rendererFile = path.join(import.meta.dirname, '../renderer/index.html')
const stateFile = () => path.join(app.getPath('userData'), 'window-state.json')
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
  contents.on('will-navigate', (e, url) => {
    if (!navigationAllowed(url)) e.preventDefault()
  })
  contents.on('will-redirect', (e, url) => {
    if (!navigationAllowed(url)) e.preventDefault()
  })
  contents.on('will-attach-webview', (e) => e.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
}

function createWindow(): void {
  const state = fitWindowState(
    readWindowState(stateFile()),
    screen.getAllDisplays().map((d) => d.workArea),
  )
  mainWindow = new BrowserWindow(windowOptions(state, path.join(import.meta.dirname, '../preload/index.cjs')))
  harden(mainWindow.webContents)
  mainWindow.once('ready-to-show', () => {
    if (state.maximized) mainWindow?.maximize()
    mainWindow?.show()
  })
  // Remember where the window was, debounced: a drag fires many moves.
  let timer: NodeJS.Timeout | undefined
  const remember = () => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      if (!mainWindow || mainWindow.isDestroyed() || mainWindow.isMinimized()) return
      const b = mainWindow.getNormalBounds()
      const s: WindowState = { ...b, maximized: mainWindow.isMaximized() }
      writeWindowState(stateFile(), s)
    }, 500)
  }
  for (const e of ['resize', 'move', 'maximize', 'unmaximize'] as const)
    mainWindow.on(e as 'resize', remember)
  if (rendererUrl) void mainWindow.loadURL(rendererUrl)
  else void mainWindow.loadFile(rendererFile)
}

app.on('second-instance', () => {
  if (mainWindow?.isMinimized()) mainWindow.restore()
  mainWindow?.focus()
})

app.on('web-contents-created', (_e, contents) => harden(contents))

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(permissionAllowed(permission)),
  )
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission))
  session.defaultSession.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: securityHeaders(details.responseHeaders) }),
  )
  Menu.setApplicationMenu(buildMenu())

  Object.assign(process.env, bundledTools(process.resourcesPath, process.platform, process.env))
  const dataDir = process.env.LIUHEN_DATA ? path.resolve(process.env.LIUHEN_DATA) : defaultDataDir()
  core = startCoreWorker((workerData) => new Worker(workerPath, { workerData }), { dataDir, create: true })
  // The window hears only what the core lets the session its page holds see (the page names it at each sign-in);
  // the desktop notification too, so nobody signed out learns of a device.
  const windowEvents = sessionEvents(core, 'ipc', (event) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(EVENT_CHANNEL, event)
    // A camera plugged in while the officer is elsewhere: a desktop notification says so.
    if (event.type === 'devices.changed' && event.added.length && Notification.isSupported())
      new Notification({
        title: '留痕',
        body: `检测到设备：${event.added.map((d) => d.label).join('、')}。可在“采集”中导入。`,
      }).show()
  })
  ipcMain.handle(EVENT_SESSION_CHANNEL, (event, session: unknown) => {
    if (!validSender(event)) return false
    windowEvents.bind(session)
    return true
  })
  // A page that navigates or reloads names its session again; until then it hears nothing.
  app.on('browser-window-created', (_e, win) => {
    win.webContents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) windowEvents.bind(null)
    })
    win.on('closed', () => windowEvents.bind(null))
  })

  protocol.handle(MEDIA_SCHEME, (request) =>
    mediaResponse(request, (ticket) => core!.resolveMedia(ticket, 'ipc')),
  )

  ipcMain.handle(RPC_CHANNEL, async (event, request: unknown) => {
    if (!validSender(event)) return { ok: false, error: { code: 'FORBIDDEN' } }
    return core!.dispatch(request, 'ipc')
  })

  // 浏览…: the system dialog for one allow-listed purpose (dialogs.ts); only the chosen path goes back.
  ipcMain.handle(PICK_CHANNEL, async (event, purpose: unknown) => {
    if (!validSender(event)) return null
    return pickPath(dialog, BrowserWindow.fromWebContents(event.sender), purpose)
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
