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

export function watchDevices(
  look: () => Promise<AttachedVolume[]>,
  onChange: (change: DeviceChange) => void,
  everyMs = 3000,
): { stop(): void; tick(): Promise<void> } {
  let last: AttachedVolume[] | null = null
  let busy = false
  const tick = async () => {
    if (busy) return
    busy = true
    try {
      const now = await look()
      if (last) {
        const change = diffVolumes(last, now)
        if (change.added.length || change.removed.length) onChange(change)
      }
      last = now
    } catch {
      /* lsblk or PowerShell unavailable for a moment: try again next time */
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => void tick(), everyMs)
  timer.unref()
  void tick()
  return { stop: () => clearInterval(timer), tick }
}
