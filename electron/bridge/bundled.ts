import workerPath from '../core/worker.ts?modulePath'
import { bundledCoreWorkerFactory } from '../core/host.ts'
import { runBridge } from './run.ts'

// The bridge from the build (out/main/bridge.js): no TypeScript compiled at start, in this thread or the core's.
await runBridge(bundledCoreWorkerFactory(workerPath), import.meta.url)
