import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron'
import { CSP } from '../../shared/csp.ts'
import type { WindowState } from './window-state.ts'

/*
 * The shell's security settings as plain values, so tests check them without an Electron binary (this module
 * imports only Electron's types). index.ts applies them.
 */

export { CSP }

/** The renderer is a web page with one door (the preload's `invoke`): no Node, no remote anything. */
export function webPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  }
}

export function windowOptions(state: WindowState, preload: string): BrowserWindowConstructorOptions {
  return {
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: 1024,
    minHeight: 640,
    title: '留痕',
    show: false,
    backgroundColor: '#f3f5f8',
    webPreferences: webPreferences(preload),
  }
}

/**
 * Where the window may go: nowhere. The app is one page with hash routes (which are not navigations); a link to
 * anything else, a dropped file, a redirect — all refused.
 */
export function navigationAllowed(_url: string): boolean {
  return false
}

/** Camera, microphone, notifications, geolocation, clipboard, …: the page asks, the answer is no. */
export function permissionAllowed(_permission: string): boolean {
  return false
}

/** Headers for every response the window loads (dev server, custom protocol): the CSP, no sniffing. */
export function securityHeaders(existing: Record<string, string[]> | undefined): Record<string, string[]> {
  return {
    ...existing,
    'Content-Security-Policy': [CSP],
    'X-Content-Type-Options': ['nosniff'],
  }
}
