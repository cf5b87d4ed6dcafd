// Whether a built entry (out/main/cli.js, out/main/bridge.js) is at least as new as every source file the main
// build was made from, listed in out/main/cli-inputs.json (the whole main build: every entry's inputs). A stale
// or missing build answers false, and the caller runs the TypeScript sources instead: a checkout never runs
// yesterday's build by mistake.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

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

/**
 * Run a built entry when fresh (and LIUHEN_CLI_FROM_SOURCE is not 1), else its TypeScript source through tsx: the
 * one choice both launchers make. `bundle` is relative to the repository, `source` a URL the caller resolved.
 */
export async function runBuiltOrSource(bundle, source) {
  const built = path.join(repoRoot, bundle)
  if (process.env.LIUHEN_CLI_FROM_SOURCE !== '1' && bundleIsFresh(built)) {
    await import(pathToFileURL(built).href)
  } else {
    const { register } = await import('tsx/esm/api')
    register()
    await import(source)
  }
}
