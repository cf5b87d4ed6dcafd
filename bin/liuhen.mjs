#!/usr/bin/env node
// `liuhen`: the built CLI (out/main/cli.js, made by `npm run build` from electron/cli/main.ts) when it is at least as
// new as every source file it was built from (bundle-fresh.mjs); otherwise the TypeScript sources through tsx. So a
// checkout works right after `npm ci` with no build, an edited checkout never runs a stale build, and a built one
// starts in well under a second instead of compiling the core on every command.
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { bundleIsFresh, repoRoot } from './bundle-fresh.mjs'

const bundle = path.join(repoRoot, 'out', 'main', 'cli.js')

if (process.env.LIUHEN_CLI_FROM_SOURCE !== '1' && bundleIsFresh(bundle)) {
  await import(pathToFileURL(bundle).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../electron/cli/main.ts')
}
