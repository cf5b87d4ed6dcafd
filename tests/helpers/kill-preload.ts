import fs from 'node:fs'

/*
 * Test-only (loaded with --import, never part of a build): SIGKILL this process right after it has put the
 * LIUHEN_TEST_KILL_NTH-th file whose final name matches LIUHEN_TEST_KILL_AFTER in place (durable.ts's link or
 * rename) — the moment between a file the record needs and the row that registers it, which a random kill
 * rarely hits. The kill is the kernel's: nothing after it runs, no handler, no flush.
 */

const pattern = process.env.LIUHEN_TEST_KILL_AFTER ? new RegExp(process.env.LIUHEN_TEST_KILL_AFTER) : null
const nth = Number(process.env.LIUHEN_TEST_KILL_NTH) || 1
let seen = 0

function after(target: fs.PathLike): void {
  if (pattern && pattern.test(String(target)) && ++seen === nth) process.kill(process.pid, 'SIGKILL')
}

if (pattern) {
  const { link, rename } = fs.promises
  fs.promises.link = async (from, to) => {
    await link(from, to)
    after(to)
  }
  fs.promises.rename = async (from, to) => {
    await rename(from, to)
    after(to)
  }
}
