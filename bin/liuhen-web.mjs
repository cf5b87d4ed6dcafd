#!/usr/bin/env node
// `npm run web` and the e2e tests' bridge: the built bridge (out/main/bridge.js, its core worker bundled too) when
// the build is fresh (bundle-fresh.mjs), otherwise the TypeScript sources through tsx — as bin/liuhen.mjs does for
// the CLI. From the build nothing is compiled at start, in the bridge's thread or the core's.
import { runBuiltOrSource } from './bundle-fresh.mjs'

await runBuiltOrSource('out/main/bridge.js', new URL('../electron/bridge/cli.ts', import.meta.url).href)
