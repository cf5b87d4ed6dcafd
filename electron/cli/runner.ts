import { parseArgs } from 'node:util'
import { toErrorValue } from '../core/core.ts'
import { AppError } from '../../shared/errors.ts'
import { normalizeLanguage, type Language } from '../../shared/i18n/index.ts'
import { terminalText } from '../../shared/text-safety.ts'
import { APP_VERSION } from '../core/version.ts'
import { makeIo, UsageError, type Io, type Opts } from './kit.ts'
import { OPTION_TYPES, type OptionName } from './options.ts'

/**
 * The CLI's one runner: finds the command whose words start the command line, parses the rest strictly against
 * that command's own options (`node:util.parseArgs`; an option another command owns is refused, exit 2), prints
 * `--help` for a command or a group from the specs, and runs it. docs/cli.md's command reference is generated
 * from the same specs (`cliReference`, `npm run -s docs:cli`).
 */

/** Text in both languages: Chinese first. */
export interface Bilingual {
  zh: string
  en: string
}

export interface OptionSpec {
  help: Bilingual
  /** What the value is, in the usage line (`--out FILE`); strings only. */
  value?: Bilingual
  /** Shown in the usage line as required (the command refuses to run without it). */
  required?: boolean
}

export interface ArgSpec {
  name: Bilingual
  optional?: boolean
  /** Any number of them (`record tag ID…`). */
  many?: boolean
}

export interface CommandContext {
  opts: Opts
  /** The positional arguments after the command's words. */
  args: string[]
  io: Io
}

export interface CommandSpec {
  /** The command's words: `['case', 'create']`. */
  path: readonly string[]
  summary: Bilingual
  /** More than the summary: shown under it in --help and in docs/cli.md. */
  notes?: Bilingual
  args?: readonly ArgSpec[]
  options: Partial<Record<OptionName, OptionSpec>>
  /** The command signs in as the operator (--as, LIUHEN_USER, LIUHEN_PASSWORD). Default true. */
  signsIn?: boolean
  run(ctx: CommandContext): Promise<number> | number
}

/** Options every command takes. */
const COMMON: Partial<Record<OptionName, OptionSpec>> = {
  data: {
    value: { zh: '目录', en: 'DIR' },
    help: {
      zh: '数据目录（默认为本机的默认数据目录）',
      en: 'the data folder (default: this computer’s default)',
    },
  },
  json: { help: { zh: '每行输出一个 JSON 对象', en: 'one JSON object per line on stdout' } },
  lang: { value: { zh: 'zh-CN|en', en: 'zh-CN|en' }, help: { zh: '输出语言', en: 'language of the output' } },
  help: { help: { zh: '显示此命令的用法', en: 'show this command’s usage' } },
  version: { help: { zh: '显示版本', en: 'print the version' } },
}

const OPERATOR: Partial<Record<OptionName, OptionSpec>> = {
  as: {
    value: { zh: '用户名', en: 'USER' },
    help: {
      zh: '以此用户登录（默认 LIUHEN_USER，再默认最早的在用系统管理员）；密码取自 LIUHEN_PASSWORD',
      en: 'sign in as this user (default LIUHEN_USER, then the earliest active administrator); password from LIUHEN_PASSWORD',
    },
  },
}

export function optionsOf(spec: CommandSpec): Partial<Record<OptionName, OptionSpec>> {
  return { ...spec.options, ...(spec.signsIn === false ? {} : OPERATOR), ...COMMON }
}

const pick = (b: Bilingual, lang: Language) => (lang === 'en' ? b.en : b.zh)
const words = (spec: CommandSpec) => spec.path.join(' ')

function argText(a: ArgSpec, lang: Language): string {
  const n = pick(a.name, lang) + (a.many ? '…' : '')
  return a.optional || a.many ? `[${n}]` : n
}

function optionText(name: OptionName, o: OptionSpec, lang: Language): string {
  const v =
    OPTION_TYPES[name].type === 'string' ? ` ${o.value ? pick(o.value, lang) : name.toUpperCase()}` : ''
  return `--${name}${v}`
}

/** `case create --type TYPE --cause TEXT … [--major]`: the command's words, arguments and own options. */
export function usageLine(spec: CommandSpec, lang: Language): string {
  const opts = Object.entries(spec.options) as [OptionName, OptionSpec][]
  return [
    'liuhen',
    ...spec.path,
    ...(spec.args ?? []).map((a) => argText(a, lang)),
    ...opts.map(([n, o]) => (o.required ? optionText(n, o, lang) : `[${optionText(n, o, lang)}]`)),
  ].join(' ')
}

function optionLines(spec: CommandSpec, lang: Language): string[] {
  const entries = Object.entries(optionsOf(spec)) as [OptionName, OptionSpec][]
  const left = entries.map(([n, o]) => optionText(n, o, lang))
  const width = Math.min(32, Math.max(...left.map((l) => l.length)) + 2)
  return entries.map(([, o], i) => {
    const l = left[i]!
    const text = pick(o.help, lang) + (o.required ? (lang === 'en' ? ' (required)' : '（必填）') : '')
    return l.length + 2 > width ? `  ${l}\n  ${' '.repeat(width)}${text}` : `  ${l.padEnd(width)}${text}`
  })
}

/** `liuhen case create --help`. */
export function commandHelp(spec: CommandSpec, lang: Language, t: Io['t']): string {
  return [
    `${t('cli.helpUsage')}${usageLine(spec, lang)}`,
    '',
    pick(spec.summary, lang),
    ...(spec.notes ? ['', pick(spec.notes, lang)] : []),
    '',
    t('cli.helpOptions'),
    ...optionLines(spec, lang),
  ].join('\n')
}

function listLines(specs: readonly CommandSpec[], lang: Language): string[] {
  const width = Math.min(28, Math.max(...specs.map((s) => words(s).length)) + 4)
  return specs.map((s) => {
    const w = words(s)
    return w.length + 4 > width
      ? `  ${w}\n  ${' '.repeat(width)}${pick(s.summary, lang)}`
      : `  ${w.padEnd(width)}${pick(s.summary, lang)}`
  })
}

/** `liuhen case --help`: the group's commands. */
export function groupHelp(group: string, specs: readonly CommandSpec[], lang: Language, t: Io['t']): string {
  const mine = specs.filter((s) => s.path[0] === group)
  return [
    `${t('cli.helpUsage')}liuhen ${group} <${t('cli.helpCommand')}> [${t('cli.helpOptionsWord')}]`,
    '',
    t('cli.helpCommands'),
    ...listLines(mine, lang),
    '',
    t('cli.helpMore', { command: `${group} <${t('cli.helpCommand')}>` }),
  ].join('\n')
}

/** `liuhen --help`: every command, then what all of them share. */
export function mainHelp(specs: readonly CommandSpec[], lang: Language, t: Io['t']): string {
  return [
    `${t('cli.helpUsage')}liuhen <${t('cli.helpCommand')}> [${t('cli.helpOptionsWord')}]`,
    '',
    t('cli.helpCommands'),
    ...listLines(specs, lang),
    '',
    t('cli.usageNotes'),
    '',
    t('cli.helpMore', { command: `<${t('cli.helpCommand')}>` }),
  ].join('\n')
}

/** The longest command whose words begin `positionals`. */
function findCommand(specs: readonly CommandSpec[], positionals: string[]): CommandSpec | undefined {
  let best: CommandSpec | undefined
  for (const s of specs)
    if (s.path.every((w, i) => positionals[i] === w) && (!best || s.path.length > best.path.length)) best = s
  return best
}

/** The language and --json of a command line before it is parsed: the errors of parsing it speak that language. */
function early(argv: string[]): { json: boolean; lang: Language } {
  let lang = process.env.LIUHEN_LANG
  argv.forEach((a, i) => {
    if (a === '--lang') lang = argv[i + 1]
    else if (a.startsWith('--lang=')) lang = a.slice('--lang='.length)
  })
  return { json: argv.includes('--json'), lang: normalizeLanguage(lang) }
}

function strictParse(spec: CommandSpec, argv: string[], t: Io['t']) {
  const options = Object.fromEntries(
    Object.keys(optionsOf(spec)).map((n) => [n, OPTION_TYPES[n as OptionName]]),
  ) as Partial<typeof OPTION_TYPES>
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    const option = /'(-[^']*)'/.exec(err.message)?.[1]
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option)
      throw new UsageError(t('cli.unknownOption', { option, command: words(spec) }))
    throw new UsageError(t('cli.badOption', { reason: err.message }))
  }
}

export async function runCli(argv: string[], specs: readonly CommandSpec[]): Promise<number> {
  const first = early(argv)
  let io = makeIo(first.json, first.lang)
  try {
    // Only to find the command's words; the command's own options are parsed strictly below.
    const loose = parseArgs({ args: argv, options: OPTION_TYPES, allowPositionals: true, strict: false })
    const positionals = loose.positionals
    const spec = findCommand(specs, positionals)
    if (!spec) {
      const group = positionals[0]
      if (group && positionals.length === 1 && specs.some((s) => s.path[0] === group)) {
        process.stdout.write(`${terminalText(groupHelp(group, specs, io.lang, io.t))}\n`)
        return loose.values.help ? 0 : 2
      }
      if (positionals.length)
        throw new UsageError(io.t('cli.unknownCommand', { command: positionals.join(' ') }))
      if (loose.values.version && !loose.values.help) {
        io.print({ version: APP_VERSION }, `liuhen ${APP_VERSION}`)
        return 0
      }
      for (const a of argv)
        if (
          a.startsWith('-') &&
          !['--help', '-h', '--json', '--version', '-v'].includes(a) &&
          !a.startsWith('--lang')
        )
          throw new UsageError(io.t('cli.unknownOption', { option: a, command: 'liuhen' }))
      process.stdout.write(`${terminalText(mainHelp(specs, io.lang, io.t))}\n`)
      return loose.values.help ? 0 : 2
    }
    const { values, positionals: all } = strictParse(spec, argv, io.t)
    const opts = values as Opts
    if (opts.lang) io = makeIo(opts.json, normalizeLanguage(opts.lang))
    if (opts.help) {
      process.stdout.write(`${terminalText(commandHelp(spec, io.lang, io.t))}\n`)
      return 0
    }
    if (opts.version) {
      io.print({ version: APP_VERSION }, `liuhen ${APP_VERSION}`)
      return 0
    }
    const args = all.slice(spec.path.length)
    const allowed = spec.args ?? []
    if (!allowed.some((a) => a.many) && args.length > allowed.length)
      throw new UsageError(io.t('cli.unknownCommand', { command: all.join(' ') }))
    return await spec.run({ opts, args, io })
  } catch (e) {
    if (e instanceof UsageError) {
      if (io.json)
        process.stdout.write(
          `${JSON.stringify({ ok: false, error: { code: 'USAGE', message: e.message } })}\n`,
        )
      else process.stderr.write(`${terminalText(e.message)}\n`)
      return 2
    }
    if (e instanceof AppError) {
      io.fail(e.toValue())
      return 1
    }
    io.fail(toErrorValue(e))
    return 1
  }
}

/** docs/cli.md's command reference, in both languages, from the specs. */
export function cliReference(specs: readonly CommandSpec[]): string {
  const out: string[] = []
  const groups = [...new Set(specs.map((s) => s.path[0]!))]
  for (const g of groups) {
    out.push(`### \`liuhen ${g}\``, '')
    for (const s of specs.filter((x) => x.path[0] === g)) {
      out.push(`#### \`${usageLine(s, 'en')}\``, '', s.summary.zh, '', s.summary.en, '')
      if (s.notes) out.push(s.notes.zh, '', s.notes.en, '')
      for (const [n, o] of Object.entries(s.options) as [OptionName, OptionSpec][])
        out.push(
          `- \`${optionText(n, o, 'en')}\`${o.required ? ' (required / 必填)' : ''}: ${o.help.zh} / ${o.help.en}`,
        )
      if (Object.keys(s.options).length) out.push('')
    }
  }
  return out.join('\n').trimEnd() + '\n'
}

/** An option's help: `opt('理由', 'the reason', ['理由', 'TEXT'], true)`. */
export function opt(zh: string, en: string, value?: readonly [string, string], required = false): OptionSpec {
  return {
    help: { zh, en },
    ...(value ? { value: { zh: value[0], en: value[1] } } : {}),
    ...(required ? { required } : {}),
  }
}

export const arg = (zh: string, en: string, more: Omit<ArgSpec, 'name'> = {}): ArgSpec => ({
  name: { zh, en },
  ...more,
})

/** Options several groups share, worded once. */
export const SHARED = {
  reason: opt('理由', 'the reason', ['理由', 'TEXT'], true),
  reasonOptional: opt('理由', 'the reason', ['理由', 'TEXT']),
  note: opt('意见', 'a note', ['意见', 'TEXT']),
  out: opt('写入的文件', 'the file to write', ['文件', 'FILE'], true),
  outDir: opt('写入的目录', 'the folder to write into', ['目录', 'DIR'], true),
  case: opt('案件编号', 'the case number', ['案件编号', 'CASE_NO']),
  caseRequired: opt('案件编号', 'the case number', ['案件编号', 'CASE_NO'], true),
  from: opt('起始日期或时间', 'from this date or time', ['日期', 'DATE']),
  to: opt('截止日期或时间', 'up to this date or time', ['日期', 'DATE']),
  user: opt('用户名', 'the username', ['用户名', 'USER'], true),
} satisfies Record<string, OptionSpec>
