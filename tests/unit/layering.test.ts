import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { REPO } from '../helpers/bridge.ts'

/** Belt and braces beside the ESLint rule: only electron/main and electron/preload may import `electron`. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory())
      return ['node_modules', 'out', '.git', 'test-results'].includes(e.name) ? [] : sources(p)
    return /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(e.name) ? [p] : []
  })
}

const importsElectron = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]electron(?:\/[^'"]*)?['"]/

describe('layering', () => {
  test('no file outside electron/main and electron/preload imports electron', () => {
    const offenders = sources(REPO)
      .filter((f) => !/electron[\\/](main|preload)[\\/]/.test(path.relative(REPO, f)))
      .filter((f) => importsElectron.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(REPO, f))
    expect(offenders.filter((f) => f !== path.join('tests', 'unit', 'layering.test.ts'))).toEqual([])
  })

  test('the core imports nothing from adapters or the renderer', () => {
    const core = sources(path.join(REPO, 'electron', 'core'))
    for (const f of core) {
      const text = fs.readFileSync(f, 'utf8')
      expect(text, f).not.toMatch(/from ['"][^'"]*(electron\/(main|preload|bridge|cli)|renderer)\//)
    }
  })
})
