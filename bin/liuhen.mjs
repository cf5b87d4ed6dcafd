#!/usr/bin/env node
// `liuhen`: the built CLI (out/main/cli.js, made by `npm run build` from electron/cli/main.ts) when it is at least as
// new as every source file it was built from (bundle-fresh.mjs); otherwise the TypeScript sources through tsx. So a
// checkout works right after `npm ci` with no build, an edited checkout never runs a stale build, and a built one
// starts in well under a second instead of compiling the core on every command.
import { runBuiltOrSource } from './bundle-fresh.mjs'

await runBuiltOrSource('out/main/cli.js', new URL('../electron/cli/main.ts', import.meta.url).href)
