import fs from 'node:fs'
import { runCli } from './runner.ts'
import { COMMANDS } from './commands/index.ts'

/**
 * `liuhen`: the third adapter over the core. Exit codes: 0 success, 1 the operation or check failed,
 * 2 the command line itself was wrong. With --json every line on stdout is one JSON object.
 * The commands are specs in ./commands/<group>.ts; ./runner.ts parses, prints help and dispatches.
 */
export function main(argv: string[]): Promise<number> {
  return runCli(argv, COMMANDS)
}

/*
 * `liuhen … | head`: once the reader has gone, output is dropped instead of ending the process with EPIPE — a
 * command that was changing the record (an ingest, a burn) finishes its work and its audit, it only stops talking.
 */
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e
  process.stdout.write = () => true
})
process.exitCode = await main(process.argv.slice(2))
// For the memory tests and the benchmark: the peak resident set of this process, in MiB.
if (process.env.LIUHEN_REPORT_MAXRSS) {
  process.stderr.write(`LIUHEN_MAXRSS_MB=${Math.round(process.resourceUsage().maxRSS / 1024)}\n`)
  // Bytes this process read through read(2) (Linux): lets the benchmark show what signing adds to reading.
  const rchar = /^rchar: (\d+)$/m.exec(
    fs.existsSync('/proc/self/io') ? fs.readFileSync('/proc/self/io', 'utf8') : '',
  )
  if (rchar) process.stderr.write(`LIUHEN_RCHAR=${rchar[1]}\n`)
}
