// Whether a built entry (out/main/cli.js, out/main/bridge.js) is at least as new as every source file the main
// build was made from, listed in out/main/cli-inputs.json (the whole main build: every entry's inputs). A stale
// or missing build answers false, and the caller runs the TypeScript sources instead: a checkout never runs
// yesterday's build by mistake.
import fs from 'node:fs'
import path from 'node:path'

export const repoRoot = path.resolve(import.meta.dirname, '..')

export function bundleIsFresh(bundle) {
  try {
    const built = fs.statSync(bundle).mtimeMs
    const inputs = JSON.parse(fs.readFileSync(path.join(repoRoot, 'out', 'main', 'cli-inputs.json'), 'utf8'))
    return inputs.length > 0 && inputs.every((f) => fs.statSync(path.join(repoRoot, f)).mtimeMs <= built)
  } catch {
    return false // no build, or a source file gone since: run the sources
  }
}
