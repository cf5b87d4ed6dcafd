import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { METHOD_NAMES } from '../../shared/contract.ts'
import type { CoreEnv } from '../../electron/core/handlers.ts'

/*
 * One domain, two files (docs/architecture.md, "How to add … a method"): the methods of
 * shared/contract/<domain>.ts are exactly those electron/core/<domain>/handlers.ts answers, so whoever adds a
 * method knows where its handler goes, and whoever reads a handler knows where its contract is.
 */

const ROOT = path.resolve(import.meta.dirname, '../..')
const DOMAINS = fs
  .readdirSync(path.join(ROOT, 'shared/contract'))
  .filter((f) => f.endsWith('.ts') && f !== 'common.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort()

describe('the contract and the handlers by domain', () => {
  test('every domain of the contract has its handlers file answering exactly its methods', async () => {
    expect(DOMAINS.length).toBeGreaterThan(10)
    const covered: string[] = []
    for (const d of DOMAINS) {
      const contractPart = (await import(`../../shared/contract/${d}.ts`)) as Record<string, object>
      const handlersPart = (await import(`../../electron/core/${d}/handlers.ts`)) as Record<
        string,
        (env: CoreEnv) => object
      >
      // The slices only close over the environment: made over an empty one, nothing runs.
      const slice = handlersPart[`${d}Handlers`]!({} as CoreEnv)
      const methods = Object.keys(contractPart[`${d}Methods`]!).sort()
      expect(Object.keys(slice).sort(), d).toEqual(methods)
      covered.push(...methods)
    }
    expect(covered.sort()).toEqual([...METHOD_NAMES].sort())
  })
})
