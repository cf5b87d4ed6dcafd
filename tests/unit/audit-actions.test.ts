import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import en from '../../shared/i18n/en.ts'
import zhCN from '../../shared/i18n/zh-CN.ts'
import { REPO } from '../helpers/bridge.ts'

/*
 * The audit trail is read by people: every action the core writes into it has a name in Chinese and in English,
 * so the 审计 page never shows a raw key such as `cases.update`. The actions are found in the core's source —
 * every `action:` line and every access-gate call that may log an allowed access — so a new one without a name fails here.
 */

function actionsInCore(): string[] {
  const found = new Set<string>()
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (p.endsWith('.ts'))
        for (const line of fs.readFileSync(p, 'utf8').split('\n')) {
          if (
            !/\baction:|gate(Record|Archive|Text)\(/.test(line) ||
            /action = @action|refused: action/.test(line)
          )
            continue
          for (const m of line.matchAll(/'([a-z][A-Za-z]+\.[a-z][A-Za-z]+)'/g)) found.add(m[1]!)
        }
    }
  }
  walk(path.join(REPO, 'electron', 'core'))
  return [...found].sort()
}

describe('audit action names', () => {
  test('every action the core records has a Chinese and an English name', () => {
    const actions = actionsInCore()
    expect(actions.length).toBeGreaterThan(60)
    const zh = zhCN.actions as Record<string, string>
    const enNames = en.actions as Record<string, string>
    expect(actions.filter((a) => !zh[a])).toEqual([])
    expect(actions.filter((a) => !enNames[a])).toEqual([])
  })
})
