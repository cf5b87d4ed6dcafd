import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/bridge.ts'
import { clockAheadTo, clockStartingAt, sweepStaleFakeTimeObjects } from '../helpers/faketime.ts'

/*
 * `npm test` moves the machine's clock for its dated step with libfaketime loaded directly (issue 16): a step
 * whose clock did not move would prove nothing, and one killed with -9 must not break the next run.
 */

const readDate = (env: NodeJS.ProcessEnv, viaShell = false) => {
  const js = 'process.stdout.write(new Date().toISOString())'
  // Not this process's own moved clock, when the whole suite runs under libfaketime (the loaded rounds do).
  const { LD_PRELOAD: _preload, FAKETIME: _faketime, ...own } = process.env
  const r = viaShell
    ? spawnSync('sh', ['-c', `"${process.execPath}" -e '${js}'`], {
        env: { ...own, ...env },
        encoding: 'utf8',
      })
    : spawnSync(process.execPath, ['-e', js], { env: { ...own, ...env }, encoding: 'utf8' })
  expect(r.status, r.stderr).toBe(0)
  return r.stdout
}

describe('the moved clock of the dated step', () => {
  test('a child, and a child of a shell, read the date given', () => {
    expect(readDate(clockAheadTo('2030-01-15'))).toMatch(/^2030-01-15T/)
    expect(readDate(clockAheadTo('2027-03-01'), true)).toMatch(/^2027-03-01T/)
    expect(readDate(clockStartingAt(new Date('2026-12-01T10:00:00Z')))).toMatch(/^2026-12-01T10:0/)
    // Control: without the environment the child reads the machine's own date.
    expect(readDate({})).not.toMatch(/^2030-01-15T/)
  })

  test('a semaphore left by a process that is gone is removed; one of a live process stays', () => {
    const dir = tempDir('liuhen-shm-')
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    })
    const gone = dead.stdout
    const live = String(process.pid)
    const names = [`sem.faketime_sem_${gone}`, `faketime_shm_${gone}`, `sem.faketime_sem_${live}`, 'other_1']
    for (const n of names) fs.writeFileSync(path.join(dir, n), '')
    expect(sweepStaleFakeTimeObjects(dir)).toBe(2)
    expect(fs.readdirSync(dir).sort()).toEqual(['other_1', `sem.faketime_sem_${live}`])
  })
})
