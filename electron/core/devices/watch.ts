import type { AttachedVolume } from './detect.ts'

/*
 * Plug and unplug: the removable volumes are looked at every few seconds (in the core's worker, never on the UI
 * thread) and a change is announced as a `devices.changed` event — the window shows it wherever the officer is,
 * the Electron shell raises a desktop notification. The first look only sets the baseline.
 */

export interface DeviceChange {
  added: { identity: string; label: string; mountPoint: string }[]
  removed: { identity: string; label: string }[]
}

export function diffVolumes(before: AttachedVolume[], after: AttachedVolume[]): DeviceChange {
  const had = new Map(before.map((v) => [v.identity, v]))
  const has = new Map(after.map((v) => [v.identity, v]))
  const name = (v: AttachedVolume) => v.label || v.model || v.mountPoint
  return {
    added: after
      .filter((v) => !had.has(v.identity))
      .map((v) => ({ identity: v.identity, label: name(v), mountPoint: v.mountPoint })),
    removed: before
      .filter((v) => !has.has(v.identity))
      .map((v) => ({ identity: v.identity, label: name(v) })),
  }
}

/**
 * Watch the attached volumes: every `everyMs`, or only when `tick()` is called (`everyMs` null: the tests' camera
 * station, plugged in by a folder appearing, with no timer racing the test's own writes).
 */
export function watchDevices(
  look: () => Promise<AttachedVolume[]>,
  onChange: (change: DeviceChange) => void,
  everyMs: number | null = 3000,
): { stop(): void; tick(): Promise<void> } {
  let last: AttachedVolume[] | null = null
  let running: Promise<void> | null = null
  const once = async () => {
    try {
      const now = await look()
      if (last) {
        const change = diffVolumes(last, now)
        if (change.added.length || change.removed.length) onChange(change)
      }
      last = now
    } catch {
      /* lsblk or PowerShell unavailable for a moment: try again next time */
    }
  }
  // One look at a time; a caller arriving during one waits for it and then looks again, so what it is told is the
  // volumes as they are now (it once returned at once while the timer's look ran, and a plugged-in camera went unseen).
  const tick = async (): Promise<void> => {
    while (running) await running
    running = once().finally(() => (running = null))
    return running
  }
  const timer =
    everyMs === null
      ? null
      : setInterval(() => {
          if (!running) void tick()
        }, everyMs)
  timer?.unref()
  void tick()
  return { stop: () => timer && clearInterval(timer), tick }
}
