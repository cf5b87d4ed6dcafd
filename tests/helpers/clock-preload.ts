/*
 * Test-only clock for the processes a test starts (the CLI, the bridge and its core worker), loaded with
 * `--import` after tsx. It is never part of a build, so production has no switch that could forge an audit time.
 *
 * The clock reads LIUHEN_TEST_NOW + (wall time − LIUHEN_TEST_CLOCK_ORIGIN) + the milliseconds written in
 * LIUHEN_TEST_CLOCK_FILE: one timeline for every process of a test file, running at real speed from the
 * instant the test chose, never backwards from one process to the next, and moved forward by the test writing
 * the file (read on every reading, so the very next call sees a move). Because it is an offset from the wall
 * clock, it holds under `faketime` as well: whatever the machine's date, the test lives at LIUHEN_TEST_NOW.
 */
import fs from 'node:fs'

const start = Date.parse(process.env.LIUHEN_TEST_NOW ?? '')
const origin = Number(process.env.LIUHEN_TEST_CLOCK_ORIGIN)
const file = process.env.LIUHEN_TEST_CLOCK_FILE

if (Number.isFinite(start) && Number.isFinite(origin)) {
  const RealDate = Date
  const realNow = RealDate.now.bind(RealDate)
  const advanced = (): number => {
    if (!file) return 0
    try {
      return Number(fs.readFileSync(file, 'utf8')) || 0
    } catch {
      return 0
    }
  }
  const now = () => start + (realNow() - origin) + advanced()
  // A Proxy, not a subclass: Date.prototype, instanceof and Date.UTC/parse stay the real ones, and dates
  // Node makes internally (fs.Stats) are still `instanceof Date`.
  const TestDate = new Proxy(RealDate, {
    construct: (target, args, newTarget) =>
      Reflect.construct(target, args.length ? args : [now()], newTarget),
    apply: () => new RealDate(now()).toString(),
    get: (target, key, receiver) => (key === 'now' ? now : Reflect.get(target, key, receiver)),
  })
  globalThis.Date = TestDate
}
