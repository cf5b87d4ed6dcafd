import fs from 'node:fs'
import path from 'node:path'

/*
 * libfaketime loaded straight through LD_PRELOAD rather than through the `faketime` wrapper. The wrapper names a
 * POSIX semaphore and a shared-memory segment after its own pid; one killed with -9 leaves them in /dev/shm, and a
 * later wrapper that is given the same pid fails with `sem_open: File exists` before the test even starts. The
 * library itself needs neither when FAKETIME is in the environment.
 */

const candidates = (): string[] => {
  const multiarch = fs.existsSync('/usr/lib')
    ? fs.readdirSync('/usr/lib').map((d) => path.join('/usr/lib', d, 'faketime', 'libfaketime.so.1'))
    : []
  return [...multiarch, '/usr/lib/faketime/libfaketime.so.1', '/usr/local/lib/faketime/libfaketime.so.1']
}

/** The library's path; throws a clear message when libfaketime is not installed (the run then fails, not skips). */
export function fakeTimeLibrary(): string {
  const found = candidates().find((p) => fs.existsSync(p))
  if (!found)
    throw new Error('libfaketime is needed (Debian: apt install faketime); libfaketime.so.1 not found')
  return found
}

/**
 * An environment whose clock runs `day` (YYYY-MM-DD, 09:00 UTC) ahead of now, as an offset in seconds: every child
 * process sees the same moving clock, where an absolute start would put each child back at the start.
 */
export function clockAheadTo(day: string, now = Date.now()): NodeJS.ProcessEnv {
  // Inside a process whose own clock is already moved (a whole suite run under libfaketime), `now` is the moved
  // time while the child's offset applies to the real one: the offset already in force is added back.
  const inherited = /^[+-]\d+$/.test(process.env.FAKETIME ?? '') ? Number(process.env.FAKETIME) : 0
  const seconds = Math.round((Date.parse(`${day}T09:00:00Z`) - now) / 1000) + inherited
  return { LD_PRELOAD: fakeTimeLibrary(), FAKETIME: `${seconds >= 0 ? '+' : ''}${seconds}` }
}

/**
 * An environment whose clock starts at `instant` and runs on from there (for a single short-lived process). The
 * library reads the start as local time, so the zone is pinned to UTC along with it.
 */
export function clockStartingAt(instant: Date): NodeJS.ProcessEnv {
  const at = instant.toISOString().slice(0, 19).replace('T', ' ')
  return { LD_PRELOAD: fakeTimeLibrary(), FAKETIME: `@${at}`, TZ: 'UTC' }
}

/**
 * The library also names a semaphore and a segment after the pid of a process that loads it; a process that
 * replaces itself with exec (env, sh) never runs the destructor that would remove them. It survives a stale one
 * (it then runs unshared), but they pile up, so a run removes those whose process is gone.
 */
export function sweepStaleFakeTimeObjects(dir = '/dev/shm'): number {
  let removed = 0
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const m = /^(?:sem\.)?faketime_(?:sem|shm)_(\d+)$/.exec(name)
    if (!m) continue
    try {
      process.kill(Number(m[1]), 0)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') continue
      fs.rmSync(path.join(dir, name), { force: true })
      removed += 1
    }
  }
  return removed
}
