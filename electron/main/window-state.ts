import fs from 'node:fs'
import path from 'node:path'

/*
 * The window opens where it was left: size, position and maximised state kept in the user-data folder. A saved
 * position on a monitor that is no longer there is dropped (the window is centred), and a size larger than the
 * largest screen shrinks to it, so nobody ends up with a window they cannot see.
 */

export interface WindowState {
  x?: number
  y?: number
  width: number
  height: number
  maximized: boolean
}
export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export const DEFAULT_STATE: WindowState = { width: 1280, height: 800, maximized: false }
const MIN = { width: 1024, height: 640 }

export function readWindowState(file: string): WindowState {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<WindowState>
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : undefined)
    const width = num(s.width)
    const height = num(s.height)
    const x = num(s.x)
    const y = num(s.y)
    return {
      width: width ?? DEFAULT_STATE.width,
      height: height ?? DEFAULT_STATE.height,
      maximized: s.maximized === true,
      ...(x !== undefined && y !== undefined ? { x, y } : {}),
    }
  } catch {
    return DEFAULT_STATE
  }
}

export function writeWindowState(file: string, state: WindowState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const tmp = `${file}.tmp`
  fs.writeFileSync(tmp, JSON.stringify(state))
  fs.renameSync(tmp, file)
}

/** The saved state made safe for the screens attached now (their work areas). */
export function fitWindowState(state: WindowState, workAreas: Rect[]): WindowState {
  const largest = workAreas.reduce<Rect | null>(
    (a, b) => (!a || b.width * b.height > a.width * a.height ? b : a),
    null,
  )
  const width = Math.max(MIN.width, Math.min(state.width, largest?.width ?? state.width))
  const height = Math.max(MIN.height, Math.min(state.height, largest?.height ?? state.height))
  const { x, y } = state
  // At least a 100×50 strip of the title bar on some screen, or the position is forgotten.
  const visible =
    x !== undefined &&
    y !== undefined &&
    workAreas.some(
      (a) => x + width - 100 >= a.x && x + 100 <= a.x + a.width && y >= a.y && y + 50 <= a.y + a.height,
    )
  return { width, height, maximized: state.maximized, ...(visible ? { x, y } : {}) }
}
