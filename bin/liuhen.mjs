#!/usr/bin/env node
// `liuhen`: the built CLI (out/main/cli.js, made by `npm run build` from electron/cli/main.ts) when it is at least as
// new as every source file it was built from, listed in out/main/cli-inputs.json; otherwise the TypeScript sources
// through tsx. So a checkout works right after `npm ci` with no build, an edited checkout never runs a stale build,
// and a built one starts in well under a second instead of compiling the core on every command.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const root = path.resolve(import.meta.dirname, '..')
const bundle = path.join(root, 'out', 'main', 'cli.js')

function bundleIsFresh() {
  try {
    const built = fs.statSync(bundle).mtimeMs
    const inputs = JSON.parse(fs.readFileSync(path.join(root, 'out', 'main', 'cli-inputs.json'), 'utf8'))
    return inputs.length > 0 && inputs.every((f) => fs.statSync(path.join(root, f)).mtimeMs <= built)
  } catch {
    return false // no build, or a source file gone since: run the sources
  }
}

if (process.env.LIUHEN_CLI_FROM_SOURCE !== '1' && bundleIsFresh()) {
  await import(pathToFileURL(bundle).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../electron/cli/main.ts')
}
