import { tsCoreWorkerFactory } from '../core/host.ts'
import { runBridge } from './run.ts'

// The bridge from TypeScript sources (through tsx): a checkout with no build, and a test run after editing.
await runBridge(tsCoreWorkerFactory(), import.meta.url)
