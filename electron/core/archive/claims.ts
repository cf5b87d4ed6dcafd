import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../../shared/errors.ts'
import type { DataLayout } from '../paths.ts'
import { ownerAlive, selfOwner } from '../owner.ts'
import { writeAtomicSync } from '../durable.ts'

/*
 * Claims on outputs outside the data folder. A disc image, a copy onto another disc or a burn into a drive is
 * written where the user asked, not in tmp/, so its name cannot carry its owner the way tmp/ names do. Before the
 * first byte the writer records a claim in tmp/claims/ — the target, its own owner token, and later the xorriso
 * child that does the writing — and removes it only after the result is registered (or cleaned away on failure).
 *
 * A claim lets a rerun after `kill -9` tell its own leftovers from a file someone else put there: a target
 * claimed by a dead owner may be removed (a half image) or taken over (a complete one, checked before it is
 * registered); an unclaimed existing target is never touched (TARGET_EXISTS); a target a live process claims is
 * refused (TARGET_BUSY). The claim also names the dead owner's xorriso child, which the next claimant kills if it
 * still runs: where the child could not be tied to its parent's death (no `setpriv` on Linux, macOS) it would
 * otherwise keep writing into the very file the rerun is about to clean.
 *
 * Claims live in tmp/claims/, whose entries do not end in `.part`: start-up recovery (cleanTemp) leaves them for
 * the rerun that knows what the target is. Claims never say anything about evidence; losing one only means a
 * leftover must be removed by hand.
 */

export interface ClaimRecord {
  target: string
  owner: string
  /** Owner token (pid and start time) of the xorriso child writing the target, while one runs. */
  child?: string
  /** What was being written there (the volume id of the image). */
  volid?: string
}

export interface Claim {
  /** The claim a dead owner left on this target, if any: the target holds its leftovers, or its finished work. */
  readonly stale: ClaimRecord | null
  /** Record the child process writing the target (see runXorriso's onSpawn). */
  child(token: string): void
  /** Drop the claim: the target is registered, or was removed. */
  release(): void
}

const claimsDir = (layout: DataLayout) => path.join(layout.tmp, 'claims')

function claimFile(layout: DataLayout, target: string): string {
  return path.join(
    claimsDir(layout),
    `${crypto.createHash('sha256').update(target).digest('hex').slice(0, 32)}.json`,
  )
}

function readClaim(file: string): ClaimRecord | null {
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as ClaimRecord
    return typeof c.target === 'string' && typeof c.owner === 'string' ? c : null
  } catch {
    return null
  }
}

/** Kill a dead owner's xorriso if it still runs (its pid and start time must both match: pids are reused). */
function killOrphan(token: string | undefined): void {
  if (!token || !ownerAlive(token)) return
  try {
    process.kill(Number(token.split('_')[0]), 'SIGKILL')
  } catch {
    /* gone meanwhile */
  }
}

/**
 * Claim `target` for this process. Throws TARGET_BUSY while another live process holds a claim on it. A claim
 * left by a dead owner is returned as `stale`, after its orphaned child (if any) has been killed.
 */
export function claimOutput(layout: DataLayout, target: string, extra: { volid?: string } = {}): Claim {
  const file = claimFile(layout, target)
  const prior = readClaim(file)
  // Our own process too: one process writing one target twice at once (two jobs in the app) is as wrong.
  if (prior && prior.target === target && ownerAlive(prior.owner))
    throw new AppError('TARGET_BUSY', { path: target.replace(/^stdio:/, '') })
  const stale = prior && prior.target === target ? prior : null
  killOrphan(stale?.child)
  const record: ClaimRecord = { target, owner: selfOwner(), ...extra }
  const write = (replace: boolean) => writeAtomicSync(file, JSON.stringify(record), { replace, mode: 0o600 })
  if (stale) fs.rmSync(file, { force: true })
  // Never replacing: of two processes claiming at the same moment one finds the other's claim there (EEXIST).
  try {
    write(false)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new AppError('TARGET_BUSY', { path: target.replace(/^stdio:/, '') })
    throw e
  }
  let released = false
  return {
    stale,
    child(token) {
      if (released) return
      record.child = token
      write(true)
    },
    release() {
      released = true
      fs.rmSync(file, { force: true })
    },
  }
}

/** Claims of dead owners on targets the database has registered since: leftovers of a kill after the commit. */
export function dropRegisteredClaims(layout: DataLayout, registered: (target: string) => boolean): void {
  let names: string[]
  try {
    names = fs.readdirSync(claimsDir(layout))
  } catch {
    return
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue
    const file = path.join(claimsDir(layout), name)
    const c = readClaim(file)
    if (c && !ownerAlive(c.owner) && registered(c.target)) {
      killOrphan(c.child)
      fs.rmSync(file, { force: true })
    }
  }
}
