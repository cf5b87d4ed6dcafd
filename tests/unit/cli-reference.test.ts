import fs from 'node:fs'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { COMMANDS } from '../../electron/cli/commands/index.ts'
import { commandHelp, groupHelp, optionsOf, runCli } from '../../electron/cli/runner.ts'
import { CLI_DOC, withReference } from '../../electron/cli/reference.ts'
import { createI18n } from '../../shared/i18n/index.ts'

/** Run the CLI in this process; what it printed, and its exit code. */
async function cli(argv: string[]) {
  let out = ''
  let err = ''
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true))
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true))
  try {
    const code = await runCli(argv, COMMANDS)
    return { code, out, err }
  } finally {
    o.mockRestore()
    e.mockRestore()
  }
}

describe('the CLI as a table of commands', () => {
  const env = process.env.LIUHEN_LANG
  afterEach(() => {
    if (env === undefined) delete process.env.LIUHEN_LANG
    else process.env.LIUHEN_LANG = env
  })

  test('docs/cli.md’s command reference is what the specs generate (npm run -s docs:cli)', () => {
    const page = fs.readFileSync(CLI_DOC, 'utf8')
    expect(page, 'docs/cli.md is stale: run npm run -s docs:cli').toBe(withReference(page))
  })

  test('every command has its own words, a summary and help text in both languages', () => {
    const seen = new Set<string>()
    for (const c of COMMANDS) {
      const words = c.path.join(' ')
      expect(seen.has(words), words).toBe(false)
      seen.add(words)
      expect(c.summary.zh && c.summary.en, words).toBeTruthy()
      for (const [name, o] of Object.entries(optionsOf(c)))
        expect(o.help.zh && o.help.en, `${words} --${name}`).toBeTruthy()
    }
    // A group is never a command itself: `liuhen case` is the group's help.
    for (const c of COMMANDS)
      if (c.path.length > 1) expect(seen.has(c.path[0]!), c.path.join(' ')).toBe(false)
  })

  test('--help prints the command’s own options, in the language asked for', async () => {
    const zh = await cli(['case', 'create', '--help'])
    expect(zh.code).toBe(0)
    expect(zh.out).toContain('--party-kind')
    expect(zh.out).toContain('当事人名称')
    expect(zh.out).not.toContain('--holiday')
    const en = await cli(['init', '--help', '--lang', 'en'])
    expect(en.out).toContain('--agency-code CODE')
    expect(en.out).toContain('the agency’s code')
    expect(en.out).not.toContain('--as ')
    const t = createI18n('en').t
    for (const c of COMMANDS) {
      const help = commandHelp(c, 'en', t)
      for (const name of Object.keys(optionsOf(c))) expect(help, c.path.join(' ')).toContain(`--${name}`)
    }
  })

  test('a group’s --help lists its commands; the main --help lists every command', async () => {
    const g = await cli(['case', '--help'])
    expect(g.code).toBe(0)
    expect(g.out).toBe(`${groupHelp('case', COMMANDS, 'zh-CN', createI18n('zh-CN').t)}\n`)
    for (const c of COMMANDS.filter((x) => x.path[0] === 'case')) expect(g.out).toContain(c.path.join(' '))
    // A group without a command is a usage error, as a missing command is.
    expect((await cli(['disc'])).code).toBe(2)
    const all = await cli(['--help'])
    expect(all.code).toBe(0)
    for (const c of COMMANDS) expect(all.out).toContain(c.path.join(' '))
    expect((await cli([])).code).toBe(2)
  })

  test('an option another command owns is refused with a translated error and exit code 2', async () => {
    const zh = await cli(['init', '--holiday'])
    expect(zh.code).toBe(2)
    expect(zh.err).toContain('命令「init」没有选项 --holiday')
    process.env.LIUHEN_LANG = 'en'
    const en = await cli(['calendar', 'set', '--agency', 'X'])
    expect(en.code).toBe(2)
    expect(en.err).toContain('The command "calendar set" has no option --agency')
    const json = await cli(['user', 'list', '--json', '--stage', 'x'])
    expect(json.code).toBe(2)
    expect(JSON.parse(json.out.trim())).toMatchObject({ ok: false, error: { code: 'USAGE' } })
    // Unknown words stay an unknown command.
    const unknown = await cli(['case', 'frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain('case frobnicate')
  })
})
