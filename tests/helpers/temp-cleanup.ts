import { afterAll } from 'vitest'
import { removeTempDirs } from './bridge.ts'

/*
 * Every test file's temp folders go when the file ends. Registered before the file's own hooks, this afterAll runs
 * after them (vitest runs after-hooks in reverse), so bridges and cores are stopped first.
 */
afterAll(() => removeTempDirs())
