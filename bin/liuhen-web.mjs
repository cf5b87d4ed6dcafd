#!/usr/bin/env node
// `npm run web` and the e2e tests' bridge: the built bridge (out/main/bridge.js, its core worker bundled too) when
// the build is fresh (bundle-fresh.mjs), otherwise the TypeScript sources through tsx — as bin/liuhen.mjs does for
// the CLI. From the build nothing is compiled at start, in the bridge's thread or the core's.
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { bundleIsFresh, repoRoot } from './bundle-fresh.mjs'

const bundle = path.join(repoRoot, 'out', 'main', 'bridge.js')

if (process.env.LIUHEN_CLI_FROM_SOURCE !== '1' && bundleIsFresh(bundle)) {
  await import(pathToFileURL(bundle).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../electron/bridge/cli.ts')
}
