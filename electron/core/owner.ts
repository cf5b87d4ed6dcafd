import crypto from 'node:crypto'
import fs from 'node:fs'

/*
 * Which process owns a piece of unfinished work (a temp copy in tmp/, a staging folder, a running ingest batch).
 * Several processes may open one data folder at once — the app, a CLI command, a scheduled check — and each
 * one's start-up recovery must clean up only what a crash left behind, never what a live neighbour is doing.
 *
 * A process is named by its pid and, where the system says, its start time (Linux: /proc/<pid>/stat, field 22,
 * in clock ticks since boot), so a pid reused by an unrelated process after a crash is not taken for the owner.
 * Where there is no /proc (Windows, macOS) "the pid is alive" is the test: a reused pid can only keep a
 * leftover a little longer, never remove live work.
 */

/**
 * Start time of a process as the kernel gives it; 'gone' for a zombie (dead, not yet reaped by its parent);
 * null where it cannot be read.
 */
function startTimeOf(pid: number): string | 'gone' | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[0] === 'Z' || fields[0] === 'X') return 'gone'
    const start = fields[19] // field 22 overall: fields 3.. start at index 0
    return start && /^\d+$/.test(start) ? start : null
  } catch {
    return null
  }
}

/**
 * The owner token of any running process (a child this process started: read it before the child is reaped,
 * so its pid cannot have been reused yet).
 */
export function processToken(pid: number): string {
  const start = startTimeOf(pid)
  return `${pid}_${start === 'gone' || start === null ? 'x' : start}`
}

const SELF = processToken(process.pid)

/** This process's owner token: "<pid>_<start time>" ("<pid>_x" where the start time is unknown). */
export function selfOwner(): string {
  return SELF
}

/**
 * Whether the process an owner token names is still running. A token that cannot be parsed (work from a Liuhen
 * that did not record its owner) counts as dead: nothing live can own it.
 */
export function ownerAlive(owner: string | null | undefined): boolean {
  const m = /^(\d+)_(\d+|x)$/.exec(owner ?? '')
  if (!m) return false
  if (owner === SELF) return true
  const pid = Number(m[1])
  try {
    process.kill(pid, 0)
  } catch (e) {
    // EPERM: alive, but someone else's (another user's app on a shared folder).
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const now = startTimeOf(pid)
  if (now === 'gone') return false
  if (m[2] === 'x') return true
  // No /proc entry for a pid that answers signals: cannot tell, so keep its work.
  return now === null || now === m[2]
}

/** A name in tmp/ that carries this process as owner: "<prefix><owner>.<uuid>.part". */
export function ownedTempName(prefix = ''): string {
  return `${prefix}${SELF}.${crypto.randomUUID()}.part`
}

/** The owner a tmp/ entry's name records; null for names without one. */
export function ownerOfTempName(name: string): string | null {
  return /^(?:[a-z]+-)?(\d+_(?:\d+|x))\.[0-9a-f-]{36}\.part$/.exec(name)?.[1] ?? null
}
