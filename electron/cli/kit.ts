/**
 * What every command shares: the output (`Io`), calling the core as the operator, and the small parsers of
 * option values. Commands reach the core only through `call` (the contract).
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { withMessage } from '../core/core.ts'
import { openDataFolder, type DataFolder } from '../core/folder.ts'
import { defaultDataDir } from '../core/paths.ts'
import { AppError, type AppErrorValue } from '../../shared/errors.ts'
import { createI18n, type Language } from '../../shared/i18n/index.ts'
import zhCN from '../../shared/i18n/zh-CN.ts'
import type { OptionValues } from './options.ts'
import { ROLES, type Role } from '../../shared/roles.ts'
import { terminalText } from '../../shared/text-safety.ts'
import { type MethodInput, type MethodName, type MethodOutput } from '../../shared/contract.ts'
import { OUT_FILE, writeAtomicSync } from '../core/durable.ts'

/** Every option's parsed value, by name; a command is given only the ones its spec owns (the runner's strict parse). */
export type Opts = OptionValues

export interface Io {
  /** For commands where --user names who is acting (ingest), not a user being created. */
  operatorFromUser?: boolean
  json: boolean
  lang: Language
  t: ReturnType<typeof createI18n>['t']
  print(obj: Record<string, unknown>, human: string): void
  fail(error: AppErrorValue): void
}

/** The command line itself was wrong: exit code 2. */
export class UsageError extends Error {}

export function makeIo(json: boolean, lang: Language): Io {
  const t = createI18n(lang).t
  return {
    json,
    lang,
    t,
    // Human text carries stored data (names, file names, a camera's model): ESC, CR and bidi controls in it
    // are shown as escapes, never sent to the terminal. JSON escapes control characters itself.
    print(obj, human) {
      process.stdout.write(json ? `${JSON.stringify(obj)}\n` : `${terminalText(human)}\n`)
    },
    fail(error) {
      const e = withMessage(error, lang)
      if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: e })}\n`)
      else process.stderr.write(`${terminalText(e.message)}\n`)
    },
  }
}

/** Role ids, their Chinese names, and a few short forms people will type. */
export function parseRoles(list: string, t: Io['t']): Role[] {
  const aliases: Record<string, Role> = {
    officer: 'enforcement_officer',
    records: 'records_officer',
    reviewer: 'legal_reviewer',
  }
  for (const r of ROLES) {
    aliases[r] = r
    aliases[r.replace(/_/g, '-')] = r
    aliases[zhCN.roles[r]] = r
  }
  const roles = list
    .split(/[,，、]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const r = aliases[s] ?? aliases[s.toLowerCase()]
      if (!r) throw new UsageError(t('cli.unknownRole', { role: s }))
      return r
    })
  if (!roles.length) throw new UsageError(t('cli.missingOption', { name: 'roles' }))
  return [...new Set(roles)]
}

export function need(opts: Opts, name: keyof Opts, t: Io['t']): string {
  const v = opts[name]
  if (typeof v !== 'string' || !v.trim()) throw new UsageError(t('cli.missingOption', { name }))
  return v
}

/** An empty variable counts as unset. */
export function envPassword(
  name: 'LIUHEN_PASSWORD' | 'LIUHEN_NEW_PASSWORD' | 'LIUHEN_CA_PASSPHRASE' | 'LIUHEN_PIN',
): string | undefined {
  return process.env[name] || undefined
}

export function dataDirOf(opts: Opts): string {
  return opts.data ? path.resolve(opts.data) : defaultDataDir()
}

/** Call the core and unwrap, turning an error value into a thrown AppError for the one catch in main. */
export async function call<M extends MethodName>(
  core: DataFolder,
  method: M,
  input: MethodInput<M>,
  session?: string,
): Promise<MethodOutput<M>> {
  const r = await core.dispatch({ method, input, session }, 'cli')
  if (!r.ok) throw new AppError(r.error.code, r.error.params)
  return r.value as MethodOutput<M>
}

/** Sign the operator in (LIUHEN_PASSWORD), run `fn`, sign out: CLI work is audited like any other. */
export async function asOperator<T>(
  core: DataFolder,
  opts: Opts,
  io: Io,
  fn: (session: string) => Promise<T>,
): Promise<T> {
  const password = envPassword('LIUHEN_PASSWORD')
  if (!password) throw new UsageError(io.t('cli.passwordMissing'))
  // Without a name, the core signs in its default operator for the CLI (the earliest active administrator).
  const username =
    opts.as ??
    (opts.user && io.operatorFromUser ? opts.user : undefined) ??
    (process.env.LIUHEN_USER || undefined)
  const signed = await call(core, 'auth.signIn', { ...(username ? { username } : {}), password })
  if (signed.mustChangePassword && !io.json) {
    process.stderr.write(`${io.t('cli.mustChangeWarning', { username: signed.user.username })}\n`)
  }
  try {
    return await fn(signed.session)
  } finally {
    await call(core, 'auth.signOut', {}, signed.session).catch(() => undefined)
  }
}

export function rolesText(roles: readonly Role[], io: Io): string {
  return roles.map((r) => io.t(`roles.${r}`)).join(io.t('validation.fieldSep'))
}

/**
 * The data folder for one command: this process owns it for the command's run when nobody else does (and serves
 * other processes meanwhile), or every call goes to the process that owns it (the app, another command).
 */
export async function openExisting(opts: Opts): Promise<DataFolder> {
  const folder = await openDataFolder({ dataDir: dataDirOf(opts), create: false })
  // For the tests and for support: which of the two this run was.
  if (process.env.LIUHEN_REPORT_ROLE) process.stderr.write(`LIUHEN_ROLE=${folder.role}\n`)
  return folder
}

/** The id of a user name given on the command line (users.find, as the signed-in operator `s`). */
export async function userIdOf(
  core: DataFolder,
  s: string,
  username: string | undefined,
): Promise<string | undefined> {
  if (!username) return undefined
  return (await call(core, 'users.find', { username }, s)).userId
}

export function needEnv(name: 'LIUHEN_CA_PASSPHRASE' | 'LIUHEN_PIN', io: Io): string {
  const v = envPassword(name)
  if (!v) throw new UsageError(io.t('cli.envMissing', { name }))
  return v
}

/** Save a PDF the core made to --out; returns the absolute path written. */
export function writePdf(opts: Opts, io: Io, pdfBase64: string): string {
  const out = path.resolve(need(opts, 'out', io.t))
  writeAtomicSync(out, Buffer.from(pdfBase64, 'base64'), OUT_FILE)
  return out
}

/** The id of a case number given on the command line (cases.find, as the signed-in operator `s`). */
export async function caseIdOf(
  core: DataFolder,
  s: string,
  caseNo: string | undefined,
  io: Io,
): Promise<string> {
  if (!caseNo) throw new UsageError(io.t('cli.missingOption', { name: 'CASE_NO' }))
  return (await call(core, 'cases.find', { caseNo }, s)).caseId
}

/** Run one core call as the operator and print its result; for the case commands' plain shapes. */
export async function simple<T extends Record<string, unknown>>(
  opts: Opts,
  io: Io,
  body: (core: DataFolder, s: string) => Promise<T>,
  human: (r: T) => string,
  ok: (r: T) => boolean = () => true,
): Promise<number> {
  const core = await openExisting(opts)
  try {
    const r = await asOperator(core, opts, io, (s) => body(core, s))
    io.print(r, human(r))
    return ok(r) ? 0 : 1
  } finally {
    await core.close()
  }
}

export function caseLine(c: MethodOutput<'cases.create'>['case']): string {
  return `${c.caseNo}  ${c.typeName}  ${c.cause}  ${c.party.name}  ${c.stage}  ${c.handlers.map((h) => h.name).join('、')}`
}

/**
 * A long archive run from the command line: progress on stderr (humans only; --json keeps stdout to results),
 * Ctrl-C cancels it cleanly through archive.cancel.
 */
export async function longRun<T>(
  core: DataFolder,
  s: string,
  io: Io,
  opts: Opts,
  work: (jobId: string) => Promise<T>,
) {
  const jobId = crypto.randomUUID()
  const off = core.subscribe(s, 'cli', (e) => {
    if (e.type !== 'archive.progress' || e.jobId !== jobId || opts.json || !process.stderr.isTTY) return
    const pct = e.total > 0 ? Math.floor((e.done / e.total) * 100) : 0
    const eta = e.etaSeconds === null ? '' : ` ${io.t('cli.eta', { minutes: Math.ceil(e.etaSeconds / 60) })}`
    process.stderr.write(`\r${io.t(`cli.phase.${e.phase}`)} ${pct}%${eta}    `)
  })
  const cancel = () => void call(core, 'archive.cancel', { jobId }, s).catch(() => undefined)
  process.once('SIGINT', cancel)
  try {
    return await work(jobId)
  } finally {
    process.removeListener('SIGINT', cancel)
    off()
    if (!opts.json && process.stderr.isTTY) process.stderr.write('\n')
  }
}

/** A time given on the command line: ISO 8601, or a date (00:00 Beijing time). */
export function when(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00+08:00` : value
}
