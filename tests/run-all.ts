import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { clockAheadTo, sweepStaleFakeTimeObjects } from './helpers/faketime.ts'

/*
 * `npm test`: typecheck, lint, build, then every unit and e2e test in one vitest run.
 * Ends with one line "Tests: N passed, N failed" that counts the tests plus any failed step.
 */

const repo = path.resolve(import.meta.dirname, '..')
const bin = (name: string) => path.join(repo, 'node_modules', '.bin', name)

interface Step {
  name: string
  cmd: string
  args: string[]
}

const steps: Step[] = [
  { name: 'typecheck (core, shared, tests)', cmd: bin('tsc'), args: ['-p', 'tsconfig.json', '--noEmit'] },
  { name: 'typecheck (renderer)', cmd: bin('tsc'), args: ['-p', 'tsconfig.web.json', '--noEmit'] },
  { name: 'lint', cmd: bin('eslint'), args: ['--max-warnings', '0', '.'] },
  { name: 'format', cmd: bin('prettier'), args: ['--check', '.', '--log-level', 'warn'] },
  {
    name: 'build',
    cmd: process.execPath,
    args: [path.join(repo, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
  },
]

const failedSteps: string[] = []

/** Runs a command with its output kept, so steps run side by side still print one after another. */
function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number | null; output: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repo, env: { ...process.env, FORCE_COLOR: '1', ...env } })
    const chunks: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => chunks.push(b))
    child.stderr.on('data', (b: Buffer) => chunks.push(b))
    child.on('error', (error) => resolve({ status: null, output: '', error }))
    child.on('close', (status) => resolve({ status, output: Buffer.concat(chunks).toString() }))
  })
}

// The static steps read the sources only, so they run side by side (about 60 s one after another on two cores).
await Promise.all(
  steps.map(async (step) => {
    const r = await run(step.cmd, step.args)
    process.stdout.write(`\n▶ ${step.name}\n${r.output}`)
    if (r.status !== 0) failedSteps.push(step.name)
  }),
)

const report = path.join(repo, 'test-results', 'vitest.json')
fs.rmSync(report, { force: true })
process.stdout.write('\n▶ unit and e2e tests\n')
const vitest = spawnSync(
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
  { cwd: repo, stdio: 'inherit' },
)

let passed = 0
let failed = 0
let skipped = 0
try {
  const r = JSON.parse(fs.readFileSync(report, 'utf8')) as {
    numPassedTests: number
    numFailedTests: number
    numPendingTests: number
    numTodoTests: number
    testResults: { name: string; assertionResults: { fullName: string; status: string }[] }[]
  }
  passed = r.numPassedTests
  failed = r.numFailedTests
  skipped = r.numPendingTests + r.numTodoTests
  // A test that cannot run its real precondition fails with a message; one that skipped is a hole, not a pass.
  for (const f of r.testResults)
    for (const a of f.assertionResults)
      if (a.status !== 'passed' && a.status !== 'failed')
        failedSteps.push(`${a.status}: ${path.relative(repo, f.name)} › ${a.fullName}`)
} catch {
  failed += 1
  failedSteps.push('vitest report missing')
}
if (vitest.status !== 0 && failed === 0) failedSteps.push('vitest')

/*
 * The tests that touch dates (deadlines, case numbers by year, statistics, grant expiry, certificate validity)
 * once more with the machine's clock years ahead: they live on the test clock (tests/helpers/clock.ts), so the
 * calendar moving on must not change a result. A missing faketime fails the run rather than skipping the check.
 */
const FAKE_DATES = ['2026-12-10', '2027-03-01', '2030-01-15']
const dateSensitive = [
  'tests/unit/cases.test.ts',
  'tests/unit/stats.test.ts',
  'tests/unit/review.test.ts',
  'tests/e2e/access-ui.test.ts',
]
// Only the tests that hold a date-bound fact (the rest of those files is not date-sensitive), to keep CI short:
// a week on (past a review deadline), the next year (case numbers by year), and years on (certificates).
const dated = [
  'submit, a refused reviewer',
  'case check flags',
  'figures computed independently',
  'counts what ingest itself flagged',
  'grant expires',
  'the access log shows',
].join('|')
await Promise.all(
  FAKE_DATES.map(async (date) => {
    let env: NodeJS.ProcessEnv
    try {
      env = clockAheadTo(date)
    } catch (e) {
      process.stdout.write(`\n▶ date-sensitive tests with the clock at ${date}\n${(e as Error).message}\n`)
      failedSteps.push(`tests at ${date}`)
      return
    }
    // A library that failed to load would leave the real clock, and the step would prove nothing.
    const seen = await run(process.execPath, ['-e', 'process.stdout.write(new Date().toISOString())'], env)
    if (!seen.output.startsWith(date)) {
      process.stdout.write(
        `\n▶ clock at ${date}: a child process read ${seen.output || seen.error?.message}\n`,
      )
      failedSteps.push(`tests at ${date}`)
      return
    }
    const r = await run(bin('vitest'), ['run', ...dateSensitive, '-t', dated], env)
    process.stdout.write(`\n▶ date-sensitive tests with the clock at ${date} (libfaketime)\n${r.output}`)
    if (r.status !== 0) failedSteps.push(`tests at ${date}`)
  }),
)

sweepStaleFakeTimeObjects()
for (const s of failedSteps) process.stdout.write(`✗ failed step: ${s}\n`)
failed += failedSteps.length
process.stdout.write(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`)
process.exit(failed ? 1 : 0)
