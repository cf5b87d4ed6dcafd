#!/usr/bin/env node
// The CLI is TypeScript (electron/cli/main.ts); tsx compiles it on the fly so `npx liuhen` works
// straight from a checkout after `npm ci`, with no build step.
import { register } from 'tsx/esm/api'

register()
await import('../electron/cli/main.ts')
