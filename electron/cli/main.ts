import crypto from 'node:crypto'
import { parseArgs } from 'node:util'
import path from 'node:path'
import { toErrorValue, withMessage } from '../core/core.ts'
import { openDataFolder, type DataFolder } from '../core/folder.ts'
import { liveOwner } from '../core/owner-lock.ts'
import { verifyTrailOffline } from '../core/signing/checkpoints.ts'
import { verifyIntegrity } from '../core/integrity/verify.ts'
import { recordDatabaseCheck } from '../core/integrity/damage.ts'
import { restoreFrom } from '../core/integrity/backup.ts'
import { jobErrorText } from '../../shared/integrity.ts'
import { dataLayout, defaultDataDir } from '../core/paths.ts'
import { generateTemporaryPassword } from '../core/accounts/passwords.ts'
import { APP_VERSION } from '../core/version.ts'
import { AppError, type AppErrorValue } from '../../shared/errors.ts'
import { createI18n, normalizeLanguage, type Language } from '../../shared/i18n/index.ts'
import zhCN from '../../shared/i18n/zh-CN.ts'
import { ROLES, type Role } from '../../shared/roles.ts'
import { terminalText } from '../../shared/text-safety.ts'
import type { FileResult, MethodInput, MethodName, MethodOutput, User } from '../../shared/contract.ts'
import { parseOffset } from '../core/ingest/capture-time.ts'
import { hashFile } from '../core/vault.ts'
import { openDatabaseReadOnly } from '../core/db/index.ts'
import { verifyFileSignatures } from '../core/signing/service.ts'
import { crlPath } from '../core/signing/authority.ts'
import fs from 'node:fs'
import { cmdDisclosure, cmdReview, type CliKit } from './review.ts'
import { createDemo } from './demo.ts'
import { OUT_FILE, writeAtomicSync } from '../core/durable.ts'
import { formatBeijing, formatBeijingDate } from '../../shared/datetime.ts'

/**
 * `liuhen`: the third adapter over the core. Exit codes: 0 success, 1 the operation or check failed,
 * 2 the command line itself was wrong. With --json every line on stdout is one JSON object.
 */

class UsageError extends Error {}

const OPTIONS = {
  data: { type: 'string' },
  json: { type: 'boolean', default: false },
  lang: { type: 'string' },
  as: { type: 'string' },
  agency: { type: 'string' },
  'agency-code': { type: 'string' },
  admin: { type: 'string' },
  'admin-name': { type: 'string' },
  user: { type: 'string' },
  name: { type: 'string' },
  roles: { type: 'string' },
  badge: { type: 'string' },
  case: { type: 'string' },
  device: { type: 'string' },
  place: { type: 'string' },
  fact: { type: 'string' },
  collector: { type: 'string' },
  'late-reason': { type: 'string' },
  identity: { type: 'string' },
  path: { type: 'string' },
  label: { type: 'string' },
  officer: { type: 'string' },
  clock: { type: 'string' },
  'utc-offset': { type: 'string' },
  'clock-offset-ms': { type: 'string' },
  out: { type: 'string' },
  sig: { type: 'string' },
  years: { type: 'string' },
  algorithm: { type: 'string' },
  type: { type: 'string' },
  cause: { type: 'string' },
  source: { type: 'string' },
  party: { type: 'string' },
  'party-kind': { type: 'string' },
  'party-id': { type: 'string' },
  handlers: { type: 'string' },
  confidentiality: { type: 'string' },
  major: { type: 'boolean', default: false },
  'filed-on': { type: 'string' },
  stage: { type: 'string' },
  action: { type: 'string' },
  on: { type: 'string' },
  full: { type: 'boolean', default: false },
  'capture-start': { type: 'string' },
  batch: { type: 'string' },
  query: { type: 'string' },
  'doc-type': { type: 'string' },
  'doc-no': { type: 'string' },
  'doc-date': { type: 'string' },
  signers: { type: 'string' },
  file: { type: 'string' },
  'executed-on': { type: 'string' },
  'decided-on': { type: 'string' },
  limit: { type: 'string' },
  abbr: { type: 'string' },
  holiday: { type: 'boolean', default: false },
  records: { type: 'string' },
  kind: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'purpose-text': { type: 'string' },
  'view-only': { type: 'boolean', default: false },
  note: { type: 'string' },
  year: { type: 'string' },
  template: { type: 'string' },
  chain: { type: 'string' },
  purpose: { type: 'string' },
  serial: { type: 'string' },
  reason: { type: 'string' },
  id: { type: 'string' },
  p12: { type: 'string' },
  media: { type: 'string' },
  image: { type: 'string' },
  copy: { type: 'string' },
  retention: { type: 'string' },
  location: { type: 'string' },
  disc: { type: 'string' },
  capacity: { type: 'string' },
  'inspect-months': { type: 'string' },
  'sample-percent': { type: 'string' },
  sample: { type: 'string' },
  quarter: { type: 'string' },
  url: { type: 'string' },
  ca: { type: 'string' },
  basis: { type: 'string' },
  proposal: { type: 'string' },
  changes: { type: 'string' },
  reviewer: { type: 'string' },
  opinion: { type: 'string' },
  text: { type: 'string' },
  problems: { type: 'string' },
  na: { type: 'string' },
  approve: { type: 'boolean', default: false },
  supplement: { type: 'boolean', default: false },
  reject: { type: 'boolean', default: false },
  participants: { type: 'string' },
  conclusion: { type: 'string' },
  outcome: { type: 'string' },
  expert: { type: 'string' },
  'decision-no': { type: 'string' },
  format: { type: 'string' },
  ground: { type: 'string' },
  pdf: { type: 'string' },
  level: { type: 'string' },
  named: { type: 'string' },
  version: { type: 'boolean', short: 'v', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

type Opts = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values']

interface Io {
  /** For commands where --user names who is acting (ingest), not a user being created. */
  operatorFromUser?: boolean
  json: boolean
  lang: Language
  t: ReturnType<typeof createI18n>['t']
  print(obj: Record<string, unknown>, human: string): void
  fail(error: AppErrorValue): void
}

function makeIo(json: boolean, lang: Language): Io {
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
function parseRoles(list: string, t: Io['t']): Role[] {
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

function need(opts: Opts, name: keyof Opts, t: Io['t']): string {
  const v = opts[name]
  if (typeof v !== 'string' || !v.trim()) throw new UsageError(t('cli.missingOption', { name }))
  return v
}

/** An empty variable counts as unset. */
function envPassword(
  name: 'LIUHEN_PASSWORD' | 'LIUHEN_NEW_PASSWORD' | 'LIUHEN_CA_PASSPHRASE' | 'LIUHEN_PIN',
): string | undefined {
  return process.env[name] || undefined
}

function dataDirOf(opts: Opts): string {
  return opts.data ? path.resolve(opts.data) : defaultDataDir()
}

/** Call the core and unwrap, turning an error value into a thrown AppError for the one catch in main. */
async function call<M extends MethodName>(
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
async function asOperator<T>(
  core: DataFolder,
  opts: Opts,
  io: Io,
  fn: (session: string) => Promise<T>,
): Promise<T> {
  const password = envPassword('LIUHEN_PASSWORD')
  if (!password) throw new UsageError(io.t('cli.passwordMissing'))
  const username =
    opts.as ??
    (opts.user && io.operatorFromUser ? opts.user : undefined) ??
    process.env.LIUHEN_USER ??
    (await firstAdmin(core))
  const signed = await call(core, 'auth.signIn', { username, password })
  if (signed.mustChangePassword && !io.json) {
    process.stderr.write(`${io.t('cli.mustChangeWarning', { username })}\n`)
  }
  try {
    return await fn(signed.session)
  } finally {
    await call(core, 'auth.signOut', {}, signed.session).catch(() => undefined)
  }
}

async function firstAdmin(core: DataFolder): Promise<string> {
  const name = await core.firstActiveAdmin()
  if (!name) throw new AppError('NOT_FOUND')
  return name
}

function rolesText(roles: readonly Role[], io: Io): string {
  return roles.map((r) => io.t(`roles.${r}`)).join(io.t('validation.fieldSep'))
}

async function cmdInit(opts: Opts, io: Io): Promise<number> {
  const dir = dataDirOf(opts)
  const agencyName = need(opts, 'agency', io.t)
  const agencyCode = need(opts, 'agency-code', io.t)
  const admin = need(opts, 'admin', io.t)
  const given = envPassword('LIUHEN_PASSWORD')
  const generated = given ? null : generateTemporaryPassword()
  // Creating a folder's agency is for a process that has the folder to itself.
  const core = await openDataFolder({ dataDir: dir, create: true }, { exclusive: true })
  try {
    const r = await call(core, 'system.initialize', {
      agencyName,
      agencyCode,
      adminUsername: admin,
      adminDisplayName: opts['admin-name'] ?? admin,
      adminPassword: given ?? generated!,
    })
    io.print(
      {
        ok: true,
        dataDir: dir,
        agency: { name: agencyName, code: agencyCode },
        adminUserId: r.adminUserId,
        admin,
        ...(generated ? { initialPassword: generated } : {}),
      },
      io.t('cli.initDone', { agency: agencyName, code: agencyCode, dir, admin }) +
        (generated ? `\n${io.t('cli.generatedPassword', { password: generated })}` : ''),
    )
    return 0
  } finally {
    await core.close()
  }
}

/**
 * The data folder for one command: this process owns it for the command's run when nobody else does (and serves
 * other processes meanwhile), or every call goes to the process that owns it (the app, another command).
 */
async function openExisting(opts: Opts): Promise<DataFolder> {
  const folder = await openDataFolder({ dataDir: dataDirOf(opts), create: false })
  // For the tests and for support: which of the two this run was.
  if (process.env.LIUHEN_REPORT_ROLE) process.stderr.write(`LIUHEN_ROLE=${folder.role}\n`)
  return folder
}

async function cmdUserAdd(opts: Opts, io: Io): Promise<number> {
  const username = need(opts, 'user', io.t)
  const displayName = need(opts, 'name', io.t)
  const roles = parseRoles(need(opts, 'roles', io.t), io.t)
  const given = envPassword('LIUHEN_NEW_PASSWORD')
  const generated = given ? null : generateTemporaryPassword()
  const core = await openExisting(opts)
  try {
    const { user } = await asOperator(core, opts, io, (s) =>
      call(
        core,
        'users.create',
        {
          username,
          displayName,
          roles,
          ...(opts.badge ? { badgeNo: opts.badge } : {}),
          initialPassword: given ?? generated!,
        },
        s,
      ),
    )
    io.print(
      { ok: true, user, ...(generated ? { initialPassword: generated } : {}) },
      io.t('cli.userAdded', {
        username: user.username,
        name: user.displayName,
        roles: rolesText(user.roles, io),
      }) + (generated ? `\n${io.t('cli.generatedPassword', { password: generated })}` : ''),
    )
    return 0
  } finally {
    await core.close()
  }
}

async function cmdUserList(opts: Opts, io: Io): Promise<number> {
  const core = await openExisting(opts)
  try {
    const { users } = await asOperator(core, opts, io, (s) => call(core, 'users.list', {}, s))
    if (io.json) {
      for (const u of users) io.print(u, '')
    } else {
      const line = (u: User) =>
        [
          u.username.padEnd(16),
          u.displayName,
          `[${rolesText(u.roles, io)}]`,
          u.badgeNo ? `${io.t('settings.badgeNo')} ${u.badgeNo}` : '',
          u.disabled ? io.t('settings.disabled') : '',
        ]
          .filter(Boolean)
          .join('  ')
      process.stdout.write(terminalText(users.map(line).join('\n')) + '\n')
    }
    return 0
  } finally {
    await core.close()
  }
}

/**
 * The integrity check from the command line: read-only and without signing in, like `audit verify`, so an
 * outside auditor can run it on a copy of the data folder. Exit 0 when everything holds, 1 otherwise.
 */
async function cmdVerify(opts: Opts, io: Io): Promise<number> {
  const layout = dataLayout(dataDirOf(opts))
  let db: ReturnType<typeof openDatabaseReadOnly>
  try {
    db = openDatabaseReadOnly(layout.db)
  } catch (e) {
    // Too damaged to open at all (page 1 gone): that too is a finding the core must honour.
    if (e instanceof AppError && (e.code === 'DB_DAMAGED' || e.code === 'DB_UNREADABLE'))
      recordDatabaseCheck(
        layout,
        [{ check: 'database', kind: 'damaged', table: null, id: 'liuhen.db', records: [], detail: null }],
        new Date(),
      )
    throw e
  }
  try {
    const sample = opts.sample ? Number(opts.sample) : undefined
    const report = await verifyIntegrity(
      db,
      layout,
      () => new Date(),
      sample ? { samplePercent: sample } : {},
    )
    // The finding about the database file itself is kept outside it: the core refuses writes until cleared.
    recordDatabaseCheck(layout, report.problems, new Date())
    const orphans = report.orphans ?? []
    const c = report.checked
    io.print(
      report,
      [
        io.t(report.ok ? 'cli.integrityOk' : 'cli.integrityBad', { count: report.problems.length }),
        `  ${io.t('cli.integrityChecked', { ...c, gb: (c.bytes / 1e9).toFixed(2) })}`,
        ...report.problems.map(
          (p) =>
            `  ${io.t(`cli.integrityCheck.${p.check}`)}  ${p.table ? `${p.table} ` : ''}${p.id}  ${io.t(`cli.integrityKind.${p.kind}`, { defaultValue: p.kind, count: p.count, seq: p.id })}${p.records.length ? `  (${p.records.join(', ')})` : ''}${p.check === 'database' && p.detail ? `  ${p.detail}` : ''}${p.check === 'queue' && p.detail ? `  ${jobErrorText(p.detail, io.t)}` : ''}`,
        ),
        ...(orphans.length
          ? [
              io.t('cli.orphans', { count: orphans.length }),
              ...orphans.map((o) => `  ${io.t(`cli.orphanKind.${o.kind}`)}  ${o.path}`),
            ]
          : []),
      ].join('\n'),
    )
    return report.ok ? 0 : 1
  } finally {
    db.close()
  }
}

function cmdAuditVerify(opts: Opts, io: Io): number {
  const layout = dataLayout(dataDirOf(opts))
  const report = verifyTrailOffline(layout.root, layout.db)
  const bad = report.firstBad
  io.print(
    report,
    bad
      ? io.t('cli.auditBroken', {
          seq: bad.seq,
          id: bad.id ? ` (${bad.id})` : '',
          reason: io.t(`audit.reason.${bad.reason}`, { count: bad.count, seq: bad.seq }),
          count: report.problems.length,
        })
      : io.t('cli.auditOk', { count: report.checked, seq: report.headSeq }),
  )
  return report.ok ? 0 : 1
}

async function userIdOf(core: DataFolder, username: string | undefined): Promise<string | undefined> {
  if (!username) return undefined
  const id = await core.userIdByName(username)
  if (!id) throw new AppError('NOT_FOUND')
  return id
}

async function cmdIngest(source: string, opts: Opts, io: Io): Promise<number> {
  const core = await openExisting(opts)
  try {
    return await asOperator(core, opts, io, async (s) => {
      const results: FileResult[] = []
      let jobId = ''
      const pending: FileResult[] = []
      const print = (r: FileResult) => {
        results.push(r)
        io.print(r as unknown as Record<string, unknown>, humanResult(r, io))
      }
      const showProgress = !io.json && process.stderr.isTTY
      const off = core.subscribe(s, 'cli', (e) => {
        if (e.type === 'ingest.progress' && showProgress && e.progress.jobId === jobId) {
          const p = e.progress
          const pct = p.bytesTotal ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 100
          const mb = (n: number) => (n / 1048576).toFixed(0)
          process.stderr.write(
            `\r${pct}%  ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB  ${mb(p.bytesPerSecond)} MB/s  ETA ${p.etaSeconds ?? '?'} s   `,
          )
        }
        if (e.type !== 'ingest.file') return
        if (showProgress) process.stderr.write('\r\x1b[K')
        if (!jobId) pending.push(e.result)
        else if (e.jobId === jobId) print(e.result)
      })
      const started = await call(
        core,
        'ingest.start',
        {
          sourceRoot: path.resolve(source),
          ...(opts.device ? { deviceId: opts.device } : {}),
          ...(opts.collector ? { collectorUserId: await userIdOf(core, opts.collector) } : {}),
          // --case names a case: the recordings are filed into it (each through the tagging gate).
          ...(opts.case ? { caseId: await caseIdOf(core, opts.case, io) } : {}),
          ...(opts.place ? { place: opts.place } : {}),
          ...(opts.fact ? { fact: opts.fact } : {}),
          ...(opts['late-reason'] ? { lateReason: opts['late-reason'] } : {}),
          ...(process.env.LIUHEN_PIN ? { signingPin: process.env.LIUHEN_PIN } : {}),
        },
        s,
      )
      jobId = started.jobId
      for (const r of pending.splice(0)) print(r)
      await core.waitForJob(jobId)
      off()
      await core.thumbnailsIdle()
      // Time-stamps are asked for once the batch is in; a TSA that does not answer leaves them pending.
      const timestamps = await call(core, 'timestamps.retry', {}, s)
      const { jobs } = await call(core, 'ingest.jobs', {}, s)
      const progress = jobs.find((j) => j.progress.jobId === jobId)?.progress
      // The core always ends a job with a summary; should it ever not, this is a failed ingest, not a crash.
      if (!progress?.summary) throw new AppError('INTERNAL', { ref: 'ingest' })
      const summary = progress.summary
      io.print(
        { summary: true, batchId: started.batchId, ...summary, timestampsPending: timestamps.pending },
        io.t('cli.ingestSummary', { ...summary }),
      )
      return summary.failed > 0 || progress.state === 'failed' ? 1 : 0
    })
  } finally {
    await core.close()
  }
}

function humanResult(r: FileResult, io: Io): string {
  const status = io.t(`ingest.status.${r.status}`)
  const why = r.error
    ? ` — ${withMessage(r.error, io.lang).message}`
    : r.skipReason
      ? ` — ${io.t(`ingest.skip.${r.skipReason}`)}`
      : ''
  const flags = r.flags.length
    ? ` [${r.flags.map((f) => io.t(`ingest.flag.${f}`)).join(io.t('validation.fieldSep'))}]`
    : ''
  const sha = r.sha256 ? ` ${r.sha256}` : ''
  const filing = !r.filing
    ? ''
    : r.filing.filed
      ? ` ${io.t('cli.filed')}`
      : ` ${io.t('cli.unfiled')}：${r.filing.error ? withMessage(r.filing.error, io.lang).message : ''}`
  return `${status}  ${r.relPath}${sha}${flags}${why}${filing}`
}

async function cmdDeviceList(opts: Opts, io: Io): Promise<number> {
  const core = await openExisting(opts)
  try {
    const { devices, attached } = await asOperator(core, opts, io, (s) => call(core, 'devices.list', {}, s))
    if (io.json) {
      for (const d of devices) io.print({ registered: true, ...d }, '')
      for (const v of attached) io.print({ attached: true, ...v }, '')
    } else {
      for (const d of devices)
        process.stdout.write(`${terminalText(`${d.id}  ${d.kind}  ${d.label}  ${d.identity}`)}\n`)
      for (const v of attached)
        process.stdout.write(
          `${terminalText(`${io.t('cli.attached')}  ${v.mountPoint}  ${v.identity}  ${v.label || v.model}${v.deviceId ? '' : `  (${io.t('cli.unregistered')})`}`)}\n`,
        )
    }
    return 0
  } finally {
    await core.close()
  }
}

async function cmdDeviceRegister(opts: Opts, io: Io): Promise<number> {
  const folder = opts.path ? path.resolve(opts.path) : null
  const identity = opts.identity ?? (folder ? `folder:${fs.realpathSync(folder)}` : undefined)
  if (!identity) throw new UsageError(io.t('cli.missingOption', { name: 'identity' }))
  const offset = opts['utc-offset'] ? parseOffset(opts['utc-offset']) : null
  if (opts['utc-offset'] && offset === null)
    throw new UsageError(io.t('cli.badOption', { reason: '--utc-offset +08:00' }))
  if (opts.clock && opts.clock !== 'local' && opts.clock !== 'utc')
    throw new UsageError(io.t('cli.badOption', { reason: '--clock local|utc' }))
  const core = await openExisting(opts)
  try {
    const { device } = await asOperator(core, opts, io, async (s) =>
      call(
        core,
        'devices.register',
        {
          kind: folder && !opts.identity ? 'folder' : 'usb',
          identity,
          label: opts.label ?? (folder ? path.basename(folder) : identity),
          ...(opts.officer ? { officerUserId: await userIdOf(core, opts.officer) } : {}),
          ...(opts.clock ? { clockMode: opts.clock as 'local' | 'utc' } : {}),
          ...(offset !== null ? { utcOffsetMin: offset } : {}),
          ...(opts['clock-offset-ms'] ? { clockOffsetMs: Math.trunc(Number(opts['clock-offset-ms'])) } : {}),
        },
        s,
      ),
    )
    io.print({ ok: true, device }, io.t('cli.deviceRegistered', { id: device.id, label: device.label }))
    return 0
  } finally {
    await core.close()
  }
}

function needEnv(name: 'LIUHEN_CA_PASSPHRASE' | 'LIUHEN_PIN', io: Io): string {
  const v = envPassword(name)
  if (!v) throw new UsageError(io.t('cli.envMissing', { name }))
  return v
}

async function cmdCaInit(opts: Opts, io: Io): Promise<number> {
  const passphrase = needEnv('LIUHEN_CA_PASSPHRASE', io)
  const core = await openExisting(opts)
  try {
    const { certificate } = await asOperator(core, opts, io, (s) =>
      call(
        core,
        'ca.init',
        {
          passphrase,
          ...(opts.name ? { commonName: opts.name } : {}),
          ...(opts.algorithm ? { algorithm: opts.algorithm as 'rsa' | 'sm2' } : {}),
        },
        s,
      ),
    )
    io.print(
      { ok: true, certificate },
      io.t('cli.caCreated', { subject: certificate.subject, serial: certificate.serial }),
    )
    return 0
  } finally {
    await core.close()
  }
}

async function cmdCaIssue(opts: Opts, io: Io): Promise<number> {
  const rootPassphrase = needEnv('LIUHEN_CA_PASSPHRASE', io)
  const pin = needEnv('LIUHEN_PIN', io)
  const username = need(opts, 'user', io.t)
  const core = await openExisting(opts)
  try {
    const userId = (await userIdOf(core, username))!
    const { certificate } = await asOperator(core, opts, io, (s) =>
      call(
        core,
        'ca.issue',
        { userId, rootPassphrase, pin, ...(opts.years ? { years: Number(opts.years) } : {}) },
        s,
      ),
    )
    io.print(
      { ok: true, certificate },
      io.t('cli.certIssued', { subject: certificate.subject, notAfter: certificate.notAfter }),
    )
    return 0
  } finally {
    await core.close()
  }
}

async function cmdCaExportRoot(opts: Opts, io: Io): Promise<number> {
  const out = need(opts, 'out', io.t)
  const core = await openExisting(opts)
  try {
    const { pem } = await asOperator(core, opts, io, (s) => call(core, 'ca.exportRoot', {}, s))
    writeAtomicSync(out, pem, OUT_FILE)
    io.print({ ok: true, out: path.resolve(out) }, io.t('cli.rootExported', { out: path.resolve(out) }))
    return 0
  } finally {
    await core.close()
  }
}

async function cmdCertList(opts: Opts, io: Io): Promise<number> {
  const core = await openExisting(opts)
  try {
    const { certificates } = await asOperator(core, opts, io, (s) => call(core, 'certs.list', {}, s))
    for (const c of certificates) {
      const { certPem: _pem, ...rest } = c
      io.print(
        rest,
        `${c.kind}  ${c.subject}  ${c.serial}  ${formatBeijingDate(c.notAfter)}${c.revokedAt ? '  revoked' : ''}`,
      )
    }
    return 0
  } finally {
    await core.close()
  }
}

/** Read-only, no sign-in: anyone holding the data directory can check a file against its signatures. */
async function cmdVerifySignature(file: string, opts: Opts, io: Io): Promise<number> {
  for (const f of [file, ...(opts.sig ? [opts.sig] : [])])
    if (!fs.existsSync(f) || !fs.statSync(f).isFile())
      throw new AppError('NOT_A_FILE', { path: path.resolve(f) })
  const layout = dataLayout(dataDirOf(opts))
  const db = openDatabaseReadOnly(layout.db)
  try {
    const { sha256 } = opts.sig ? { sha256: null } : await hashFile(file)
    const byHash = sha256
      ? (db.prepare('SELECT id FROM evidence WHERE sha256 = ?').get(sha256) as { id: string } | undefined)
      : undefined
    const result = await verifyFileSignatures(
      db,
      layout,
      file,
      byHash?.id ?? null,
      opts.sig ? path.resolve(opts.sig) : undefined,
    )
    const ev =
      byHash ??
      (db.prepare('SELECT id FROM evidence WHERE sha256 = ?').get(result.sha256) as
        { id: string } | undefined)
    const checks = result.checks
    const ok = checks.length > 0 && checks.every((c) => c.valid)
    io.print(
      { ok, file: path.resolve(file), sha256: result.sha256, evidenceId: ev?.id ?? null, signatures: checks },
      checks.length
        ? checks
            .map((c) =>
              [
                io.t(c.valid ? 'cli.sigValid' : 'cli.sigInvalid', {
                  signer: c.signerSubject ?? '?',
                  time: c.signingTime ?? '?',
                  sig: c.sig,
                }),
                `  ${io.t(`verify.timestamp.${c.timestamp.status}`, { time: c.timestamp.time ?? '', tsa: c.timestamp.tsa ?? '' })}`,
                `  ${io.t(`verify.revocation.${c.revocation.status}`, { time: formatBeijing(c.revocation.revokedAt) })}`,
              ].join('\n'),
            )
            .join('\n')
        : io.t('cli.sigNone', { sha256: result.sha256 }),
    )
    return ok ? 0 : 1
  } finally {
    db.close()
  }
}

/** Save a PDF the core made to --out; returns the absolute path written. */
function writePdf(opts: Opts, io: Io, pdfBase64: string): string {
  const out = path.resolve(need(opts, 'out', io.t))
  writeAtomicSync(out, Buffer.from(pdfBase64, 'base64'), OUT_FILE)
  return out
}

async function caseIdOf(core: DataFolder, caseNo: string | undefined, io: Io): Promise<string> {
  if (!caseNo) throw new UsageError(io.t('cli.missingOption', { name: 'CASE_NO' }))
  const id = await core.caseIdByNo(caseNo)
  if (!id) throw new AppError('NOT_FOUND')
  return id
}

/** Run one core call as the operator and print its result; for the case commands' plain shapes. */
async function simple<T extends Record<string, unknown>>(
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

function caseLine(c: MethodOutput<'cases.create'>['case']): string {
  return `${c.caseNo}  ${c.typeName}  ${c.cause}  ${c.party.name}  ${c.stage}  ${c.handlers.map((h) => h.name).join('、')}`
}

function cmdCaseCreate(opts: Opts, io: Io): Promise<number> {
  return simple(
    opts,
    io,
    async (core, s) => {
      const handlerIds = await Promise.all(
        need(opts, 'handlers', io.t)
          .split(',')
          .map(async (u) => (await userIdOf(core, u.trim()))!),
      )
      return call(
        core,
        'cases.create',
        {
          type: need(opts, 'type', io.t),
          cause: need(opts, 'cause', io.t),
          source: (opts.source ?? 'ex_officio') as MethodInput<'cases.create'>['source'],
          party: {
            kind: (opts['party-kind'] ?? 'organisation') as 'person' | 'organisation',
            name: need(opts, 'party', io.t),
            ...(opts['party-id'] ? { idNo: opts['party-id'] } : {}),
          },
          handlerIds,
          ...(opts.confidentiality
            ? { confidentiality: opts.confidentiality as MethodInput<'cases.create'>['confidentiality'] }
            : {}),
          major: opts.major,
          ...(opts['filed-on'] ? { filedOn: opts['filed-on'] } : {}),
        },
        s,
      )
    },
    (r) => io.t('cli.caseCreated', { caseNo: r.case.caseNo }),
  )
}

function cmdCaseShow(caseNo: string | undefined, opts: Opts, io: Io): Promise<number> {
  return simple(
    opts,
    io,
    async (core, s) => call(core, 'cases.get', { caseId: await caseIdOf(core, caseNo, io) }, s),
    (r) =>
      [
        caseLine(r.case),
        ...r.textRecords.map(
          (d) =>
            `  ${d.docTypeName}  ${d.docNo ?? ''}  ${d.docDate}  v${d.version}${d.current ? '' : ' (已更正)'}`,
        ),
        ...r.records.map(
          (e) =>
            `  ${e.originalName}  ${e.tags.actionType ?? ''}  ${e.tags.captureStart ?? ''}  ${e.tags.place ?? ''}  ${e.tags.fact ?? ''}`,
        ),
      ].join('\n'),
  )
}

function cmdCaseList(opts: Opts, io: Io): Promise<number> {
  return simple(
    opts,
    io,
    async (core, s) =>
      call(
        core,
        'cases.list',
        {
          ...(opts.stage ? { stage: opts.stage as MethodInput<'cases.list'>['stage'] } : {}),
          ...(opts.query ? { query: opts.query } : {}),
          ...(opts.limit ? { limit: Number(opts.limit) } : {}),
        },
        s,
      ),
    (r) => [...r.cases.map(caseLine), io.t('cli.caseTotal', { total: r.total })].join('\n'),
  )
}

function cmdCaseSearch(query: string | undefined, opts: Opts, io: Io): Promise<number> {
  if (!query) throw new UsageError(io.t('cli.missingOption', { name: 'QUERY' }))
  return simple(
    opts,
    io,
    async (core, s) => ({
      ...(await call(core, 'cases.list', { query, limit: 50 }, s)),
      ...(await call(core, 'records.search', { query, limit: 50 }, s)),
    }),
    (r) =>
      [
        ...r.cases.map(caseLine),
        ...r.records.map((e) => `  ${e.caseNo ?? '—'}  ${e.originalName}  ${e.place ?? ''}  ${e.fact ?? ''}`),
      ].join('\n'),
  )
}

function cmdCaseCheck(caseNo: string | undefined, opts: Opts, io: Io): Promise<number> {
  return simple(
    opts,
    io,
    async (core, s) => call(core, 'cases.check', { caseId: await caseIdOf(core, caseNo, io) }, s),
    (r) =>
      [
        io.t(r.complete ? 'cli.caseComplete' : 'cli.caseIncomplete', {
          caseNo: r.caseNo,
          count: r.problems.length,
        }),
        ...r.problems.map(
          (p) =>
            `  ${io.t(`cases.problem.${p.kind}`, { name: p.subjectName ?? '', detail: p.detail ?? '' })}`,
        ),
        ...r.deadlines.map(
          (d) =>
            `  ${io.t(`cases.deadline.${d.kind}`, { due: d.due })}${d.uncertain ? ` ${io.t('cases.deadlineUncertain', { years: d.unknownYears.join('、') })}` : ''}`,
        ),
      ].join('\n'),
    (r) => r.complete,
  )
}

function cmdCaseAction(caseNo: string | undefined, opts: Opts, io: Io): Promise<number> {
  return simple(
    opts,
    io,
    async (core, s) =>
      call(
        core,
        'cases.addAction',
        {
          caseId: await caseIdOf(core, caseNo, io),
          actionType: need(opts, 'action', io.t),
          occurredOn: need(opts, 'on', io.t),
          ...(opts.place ? { place: opts.place } : {}),
        },
        s,
      ),
    () => io.t('cli.done'),
  )
}

function cmdCaseUpdate(caseNo: string | undefined, opts: Opts, io: Io): Promise<number> {
  return simple(
    opts,
    io,
    async (core, s) =>
      call(
        core,
        'cases.update',
        {
          caseId: await caseIdOf(core, caseNo, io),
          ...(opts.stage ? { stage: opts.stage as MethodInput<'cases.update'>['stage'] } : {}),
          ...(opts['executed-on'] ? { executedOn: opts['executed-on'] } : {}),
          ...(opts['decided-on'] ? { decidedOn: opts['decided-on'] } : {}),
        },
        s,
      ),
    (r) => caseLine(r.case),
  )
}

/** Reopen, re-staff or lower a case: one asks (`case request-change`), another approver decides. */
function cmdCaseChange(sub: string, arg: string | undefined, opts: Opts, io: Io): Promise<number> {
  const line = (c: MethodOutput<'cases.changes'>['changes'][number]) =>
    `${c.id}  ${c.status}  ${c.caseNo}  ${c.kind}  ${c.stage ?? c.confidentiality ?? c.handlers?.map((h) => h.name).join('、') ?? ''}  ${c.requestedBy}  ${c.reason}`
  if (sub === 'changes')
    return simple(
      opts,
      io,
      async (core, s) => call(core, 'cases.changes', arg ? { caseId: await caseIdOf(core, arg, io) } : {}, s),
      (r) => r.changes.map(line).join('\n'),
    )
  if (sub === 'decide-change') {
    if (!arg) throw new UsageError(io.t('cli.missingOption', { name: 'ID' }))
    if (opts.approve === opts.reject)
      throw new UsageError(io.t('cli.missingOption', { name: 'approve|reject' }))
    return simple(
      opts,
      io,
      async (core, s) =>
        call(
          core,
          'cases.decideChange',
          { changeId: arg, approve: opts.approve, ...(opts.note ? { note: opts.note } : {}) },
          s,
        ),
      (r) => `${line(r.change)}\n${caseLine(r.case)}`,
    )
  }
  if (sub === 'reopen')
    // An archived (frozen) case opened for changes again; decided like every change (`case decide-change`).
    return simple(
      opts,
      io,
      async (core, s) =>
        call(
          core,
          'cases.requestChange',
          {
            caseId: await caseIdOf(core, opts.case ?? arg, io),
            kind: 'reopen_archived',
            reason: need(opts, 'reason', io.t),
          },
          s,
        ),
      (r) => io.t('cli.changeRequested', { id: r.change.id, caseNo: r.change.caseNo }),
    )
  const kinds = [
    opts.stage && 'reopen',
    opts.handlers && 'handlers',
    opts.confidentiality && 'confidentiality',
  ]
  const given = kinds.filter(Boolean) as ('reopen' | 'handlers' | 'confidentiality')[]
  if (given.length !== 1)
    throw new UsageError(io.t('cli.missingOption', { name: 'stage|handlers|confidentiality' }))
  return simple(
    opts,
    io,
    async (core, s) =>
      call(
        core,
        'cases.requestChange',
        {
          caseId: await caseIdOf(core, arg, io),
          kind: given[0]!,
          ...(opts.stage ? { stage: opts.stage as MethodInput<'cases.requestChange'>['stage'] } : {}),
          ...(opts.handlers
            ? {
                handlerIds: await Promise.all(
                  opts.handlers.split(',').map(async (u) => (await userIdOf(core, u.trim())) ?? u.trim()),
                ),
              }
            : {}),
          ...(opts.confidentiality
            ? {
                confidentiality:
                  opts.confidentiality as MethodInput<'cases.requestChange'>['confidentiality'],
              }
            : {}),
          reason: need(opts, 'reason', io.t),
        },
        s,
      ),
    (r) => io.t('cli.changeRequested', { id: r.change.id, caseNo: r.change.caseNo }),
  )
}

function cmdRecordTag(ids: string[], opts: Opts, io: Io): Promise<number> {
  return simple(
    opts,
    io,
    async (core, s) =>
      call(
        core,
        'records.tag',
        {
          ...(ids.length ? { evidenceIds: ids } : {}),
          ...(opts.batch ? { batchId: opts.batch } : {}),
          tags: {
            ...(opts.case ? { caseId: await caseIdOf(core, opts.case, io) } : {}),
            ...(opts.stage ? { stage: opts.stage as 'start' } : {}),
            ...(opts.action ? { actionType: opts.action } : {}),
            ...(opts.full ? { fullRecording: true } : {}),
            ...(opts.place ? { place: opts.place } : {}),
            ...(opts.fact ? { fact: opts.fact } : {}),
            ...(opts['capture-start'] ? { captureStart: opts['capture-start'] } : {}),
            ...(opts.collector
              ? {
                  collectorIds: await Promise.all(
                    opts.collector.split(',').map(async (u) => (await userIdOf(core, u.trim()))!),
                  ),
                }
              : {}),
          },
          ...(opts.reason ? { reason: opts.reason } : {}),
        },
        s,
      ),
    (r) => io.t('cli.tagged', { ...r }),
  )
}

/** `record set-time 记录ID 2026-11-20T08:30:15+08:00 --reason 理由`: a capture-time correction, a new version. */
function cmdRecordSetTime(
  evidenceId: string | undefined,
  captureStart: string | undefined,
  opts: Opts,
  io: Io,
): Promise<number> {
  if (!evidenceId || !captureStart) throw new UsageError(io.t('cli.missingOption', { name: 'time' }))
  const reason = need(opts, 'reason', io.t)
  return simple(
    opts,
    io,
    (core, s) => call(core, 'evidence.setCaptureTime', { evidenceId, captureStart, reason }, s),
    (r) =>
      io.t('cli.captureTimeSet', {
        name: r.evidence.originalName,
        time: r.evidence.captureStart ?? '—',
        version: r.versions.length,
        original: r.versions[0]?.captureStart ?? '—',
      }),
  )
}

function cmdRecordAddText(caseNo: string | undefined, opts: Opts, io: Io): Promise<number> {
  const pin = envPassword('LIUHEN_PIN')
  return simple(
    opts,
    io,
    async (core, s) =>
      call(
        core,
        'textRecords.add',
        {
          caseId: await caseIdOf(core, caseNo, io),
          docType: need(opts, 'doc-type', io.t),
          filePath: path.resolve(need(opts, 'file', io.t)),
          ...(opts['doc-no'] ? { docNo: opts['doc-no'] } : {}),
          ...(opts['doc-date'] ? { docDate: opts['doc-date'] } : {}),
          ...(opts.signers ? { signers: opts.signers.split(',') } : {}),
          ...(pin ? { pin } : {}),
        },
        s,
      ),
    (r) => io.t('cli.textAdded', { name: r.textRecord.docTypeName, sha256: r.textRecord.sha256 }),
  )
}

/** A time given on the command line: ISO 8601, or a date (00:00 Beijing time). */
function when(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00+08:00` : value
}

function cmdAccess(sub: string, arg: string | undefined, opts: Opts, io: Io): Promise<number> {
  if (['approve', 'reject', 'revoke'].includes(sub) && !arg)
    throw new UsageError(io.t('cli.missingOption', { name: 'ID' }))
  const records = opts.records ? opts.records.split(',').map((x) => x.trim()) : undefined
  switch (sub) {
    case 'request':
      return simple(
        opts,
        io,
        async (core, s) =>
          call(
            core,
            'access.request',
            {
              caseId: await caseIdOf(core, opts.case, io),
              ...(records ? { recordIds: records } : {}),
              purpose: (opts.purpose ?? 'case_review') as MethodInput<'access.request'>['purpose'],
              ...(opts['purpose-text'] ? { purposeText: opts['purpose-text'] } : {}),
              kind: (opts.kind ?? 'view') as 'view' | 'export',
              startsAt: when(opts.from ?? new Date().toISOString()),
              endsAt: when(need(opts, 'to', io.t)),
            },
            s,
          ),
        (r) => io.t('cli.accessRequested', { id: r.request.id, caseNo: r.request.caseNo }),
      )
    case 'approve':
      return simple(
        opts,
        io,
        async (core, s) =>
          call(
            core,
            'access.approve',
            {
              requestId: arg!,
              ...(records ? { recordIds: records } : {}),
              ...(opts.from ? { startsAt: when(opts.from) } : {}),
              ...(opts.to ? { endsAt: when(opts.to) } : {}),
              ...(opts['view-only'] ? { viewOnly: true } : {}),
              ...(opts.note ? { note: opts.note } : {}),
            },
            s,
          ),
        (r) =>
          io.t('cli.accessGranted', { id: r.grant.id, holder: r.grant.holderName, until: r.grant.endsAt }),
      )
    case 'reject':
      return simple(
        opts,
        io,
        async (core, s) =>
          call(core, 'access.reject', { requestId: arg!, reason: need(opts, 'reason', io.t) }, s),
        () => io.t('cli.done'),
      )
    case 'revoke':
      return simple(
        opts,
        io,
        async (core, s) =>
          call(core, 'access.revoke', { grantId: arg!, reason: need(opts, 'reason', io.t) }, s),
        () => io.t('cli.done'),
      )
    case 'list':
      return simple(
        opts,
        io,
        async (core, s) => call(core, 'access.list', {}, s),
        (r) =>
          [
            ...r.requests.map(
              (q) =>
                `${q.id}  ${q.status}  ${q.caseNo}  ${q.requesterName}  ${q.kind}  ${formatBeijing(q.endsAt)}`,
            ),
            ...r.grants.map(
              (g) =>
                `${g.id}  ${g.status}  ${g.caseNo}  ${g.holderName}  ${g.kind}  ${formatBeijing(g.endsAt)}`,
            ),
          ].join('\n'),
      )
    case 'register':
      return simple(
        opts,
        io,
        async (core, s) => {
          const r = await call(
            core,
            'access.register',
            {
              ...(opts.case ? { caseId: await caseIdOf(core, opts.case, io) } : {}),
              ...(opts.from ? { from: when(opts.from) } : {}),
              ...(opts.to ? { to: when(opts.to) } : {}),
            },
            s,
          )
          const out = writePdf(opts, io, r.pdfBase64)
          return { out, rows: r.rows }
        },
        (r) => io.t('cli.rootExported', { out: r.out }),
      )
    case 'policy':
      // Who the agency names for each level above 一般; with --level and --named, set that level's list.
      return simple(
        opts,
        io,
        async (core, s) =>
          call(
            core,
            'access.policy',
            opts.level
              ? {
                  named: {
                    [opts.level]: await Promise.all(
                      (opts.named ?? '')
                        .split(',')
                        .map((u) => u.trim())
                        .filter(Boolean)
                        .map(async (u) => (await userIdOf(core, u)) ?? u),
                    ),
                  },
                }
              : {},
            s,
          ),
        (r) =>
          Object.entries(r.named)
            .map(([level, ids]) => `${level}  ${ids.length ? ids.join(',') : io.t('cli.levelClosed')}`)
            .join('\n'),
      )
    case 'log':
      return simple(
        opts,
        io,
        async (core, s) =>
          call(
            core,
            'access.log',
            {
              ...(opts.case ? { caseId: await caseIdOf(core, opts.case, io) } : {}),
              ...(opts.user ? { userId: (await userIdOf(core, opts.user))! } : {}),
              ...(opts.from ? { from: when(opts.from) } : {}),
              ...(opts.to ? { to: when(opts.to) } : {}),
            },
            s,
          ),
        (r) =>
          r.entries
            .map(
              (e) =>
                `${formatBeijing(e.at)}  ${e.userName ?? ''}  ${e.action}  ${e.evidenceId ?? ''}  ${e.basis ?? ''} ${e.grantId ?? ''}`,
            )
            .join('\n'),
      )
    default:
      throw new UsageError(io.t('cli.unknownCommand', { command: `access ${sub}` }))
  }
}

async function cmdAuditCheckpoint(opts: Opts, io: Io): Promise<number> {
  const pin = envPassword('LIUHEN_PIN')
  const core = await openExisting(opts)
  try {
    const r = await asOperator(core, opts, io, (s) => call(core, 'audit.checkpoint', pin ? { pin } : {}, s))
    io.print({ ok: true, ...r }, io.t('cli.checkpointWritten', { seq: r.seq, file: r.file ?? '-' }))
    return 0
  } finally {
    await core.close()
  }
}

async function cmdCaImport(opts: Opts, io: Io): Promise<number> {
  const file = need(opts, 'chain', io.t)
  const purpose = (opts.purpose ?? 'signing') as 'signing' | 'tsa'
  const pem = fs.readFileSync(file, 'utf8')
  const core = await openExisting(opts)
  try {
    const { added } = await asOperator(core, opts, io, (s) => call(core, 'ca.import', { purpose, pem }, s))
    io.print(
      { ok: true, added },
      io.t('cli.anchorsImported', { count: added.length, list: added.join('; ') }),
    )
    return 0
  } finally {
    await core.close()
  }
}

async function cmdCertImport(opts: Opts, io: Io): Promise<number> {
  const file = need(opts, 'p12', io.t)
  const username = need(opts, 'user', io.t)
  const pin = needEnv('LIUHEN_PIN', io)
  const core = await openExisting(opts)
  try {
    const userId = (await userIdOf(core, username))!
    const { certificate } = await asOperator(core, opts, io, (s) =>
      call(core, 'certs.import', { userId, pin, pkcs12Base64: fs.readFileSync(file).toString('base64') }, s),
    )
    io.print(
      { ok: true, certificate },
      io.t('cli.certIssued', { subject: certificate.subject, notAfter: certificate.notAfter }),
    )
    return 0
  } finally {
    await core.close()
  }
}

async function cmdCaRevoke(opts: Opts, io: Io): Promise<number> {
  const serial = need(opts, 'serial', io.t)
  const reason = (opts.reason ?? 'unspecified') as MethodInput<'ca.revoke'>['reason']
  const rootPassphrase = envPassword('LIUHEN_CA_PASSPHRASE')
  const core = await openExisting(opts)
  try {
    const r = await asOperator(core, opts, io, (s) =>
      call(core, 'ca.revoke', { serial, reason, ...(rootPassphrase ? { rootPassphrase } : {}) }, s),
    )
    io.print(
      { ok: true, ...r },
      io.t('cli.certRevoked', { subject: r.certificate.subject, crl: r.crlPath ?? '-' }),
    )
    return 0
  } finally {
    await core.close()
  }
}

function cmdCaExportCrl(opts: Opts, io: Io): number {
  const out = need(opts, 'out', io.t)
  const layout = dataLayout(dataDirOf(opts))
  const src = crlPath(layout)
  if (!fs.existsSync(src)) throw new AppError('NOT_INITIALIZED')
  writeAtomicSync(out, fs.readFileSync(src), OUT_FILE)
  io.print({ ok: true, out: path.resolve(out) }, io.t('cli.rootExported', { out: path.resolve(out) }))
  return 0
}

async function cmdTimestampConfig(opts: Opts, io: Io): Promise<number> {
  const core = await openExisting(opts)
  try {
    const settings = await asOperator(core, opts, io, async (s) => {
      if (opts.ca) await call(core, 'ca.import', { purpose: 'tsa', pem: fs.readFileSync(opts.ca, 'utf8') }, s)
      return call(
        core,
        'signing.setSettings',
        { tsaUrl: opts.url && opts.url !== 'none' ? opts.url : null },
        s,
      )
    })
    io.print({ ok: true, ...settings }, io.t('cli.tsaConfigured', { url: settings.tsaUrl ?? '-' }))
    return 0
  } finally {
    await core.close()
  }
}

/** `liuhen sign owed --user U` (PIN in LIUHEN_PIN): sign what is queued for U's key, then ask for time-stamps. */
async function cmdSignOwed(opts: Opts, io: Io): Promise<number> {
  const core = await openExisting(opts)
  try {
    const pin = needEnv('LIUHEN_PIN', io)
    const r = await asOperator(core, opts, io, async (s) => {
      const signed = await call(core, 'signing.signOwed', { pin }, s)
      const stamps = await call(core, 'timestamps.retry', {}, s)
      return { ...signed, timestampsPending: stamps.pending }
    })
    io.print({ ok: r.remaining === 0, ...r }, io.t('cli.signedOwed', { ...r }))
    return r.remaining === 0 ? 0 : 1
  } finally {
    core.close()
  }
}

async function cmdTimestampRetry(opts: Opts, io: Io): Promise<number> {
  const core = await openExisting(opts)
  try {
    const r = await asOperator(core, opts, io, (s) => call(core, 'timestamps.retry', {}, s))
    io.print({ ok: r.error === null, ...r }, io.t('cli.tsaRetried', { ...r, error: r.error ?? '' }))
    return r.error === null ? 0 : 1
  } finally {
    await core.close()
  }
}

/**
 * A long archive run from the command line: progress on stderr (humans only; --json keeps stdout to results),
 * Ctrl-C cancels it cleanly through archive.cancel.
 */
async function longRun<T>(
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

function cmdArchive(sub: string, caseNo: string | undefined, opts: Opts, io: Io): Promise<number> {
  switch (sub) {
    case 'image':
      return simple(
        opts,
        io,
        async (core, s) =>
          longRun(core, s, io, opts, async (jobId) =>
            call(
              core,
              'archive.image',
              {
                caseId: await caseIdOf(core, caseNo, io),
                media: (opts.media ?? 'dvd') as MethodInput<'archive.image'>['media'],
                outDir: path.resolve(need(opts, 'out', io.t)),
                jobId,
                ...(process.env.LIUHEN_PIN ? { pin: process.env.LIUHEN_PIN } : {}),
                ...(opts.supplement ? { supplement: true } : {}),
              },
              s,
            ),
          ),
        (r) =>
          [
            ...(r.volumes[0]?.supplement ? [`补充归档 第${r.volumes[0].supplement}次`] : []),
            io.t('cli.imagesMade', { count: r.volumes.length, media: r.media }),
            ...r.volumes.map(
              (v) => `  ${v.index}/${v.count}  ${v.image}  ${v.imageBytes}  md5 ${v.sessionMd5}`,
            ),
          ].join('\n'),
      )
    case 'settings':
      return simple(
        opts,
        io,
        async (core, s) => {
          const capacities = Object.fromEntries(
            (opts.capacity ?? '')
              .split(',')
              .filter(Boolean)
              .map((kv) => kv.split('='))
              .map(([k, v]) => [k!.trim(), Number(v)]),
          )
          const inspection =
            opts['inspect-months'] || opts['sample-percent']
              ? {
                  ...(await call(core, 'archive.settings', {}, s)).inspection,
                  ...(opts['inspect-months'] ? { intervalMonths: Number(opts['inspect-months']) } : {}),
                  ...(opts['sample-percent'] ? { samplePercent: Number(opts['sample-percent']) } : {}),
                }
              : undefined
          if (inspection || Object.keys(capacities).length)
            await call(
              core,
              'archive.setSettings',
              {
                ...(inspection ? { inspection } : {}),
                ...(Object.keys(capacities).length
                  ? { capacities: capacities as MethodInput<'archive.setSettings'>['capacities'] }
                  : {}),
              },
              s,
            )
          return call(core, 'archive.settings', {}, s)
        },
        (r) =>
          [
            io.t('cli.inspectionPolicy', { ...r.inspection }),
            ...Object.entries(r.capacities).map(([k, v]) => `  ${k}  ${v}`),
          ].join('\n'),
      )
    case 'catalogue':
      return simple(
        opts,
        io,
        async (core, s) => {
          const r = await call(core, 'archive.catalogue', { caseId: await caseIdOf(core, caseNo, io) }, s)
          const out = writePdf(opts, io, r.pdfBase64)
          return { out }
        },
        (r) => io.t('cli.rootExported', { out: r.out }),
      )
    default:
      throw new UsageError(io.t('cli.unknownCommand', { command: `archive ${sub}` }))
  }
}

function verifyLines(io: Io, v: MethodOutput<'discs.verify'>['verify']): string {
  return [
    io.t(v.ok ? 'cli.discOk' : 'cli.discBad', { volid: v.volid || '?' }),
    `  ${io.t('cli.discMd5', { result: io.t(`cli.md5.${v.sessionMd5}`) })}`,
    `  ${io.t('cli.discFiles', { files: v.filesChecked, bytes: v.bytesChecked })}`,
    ...v.problems.slice(0, 20).map((p) => `  ${io.t(`cli.discProblem.${p.problem}`)}  ${p.path}`),
    ...(v.matchesRegistry === false ? [`  ${io.t('cli.discNotRegistry')}`] : []),
  ].join('\n')
}

/** A registered disc by the number printed on its label. */
async function discByNo(core: DataFolder, s: string, discNo: string | undefined) {
  const d = (await call(core, 'discs.list', {}, s)).discs.find((x) => x.discNo === discNo)
  if (!d) throw new AppError('NOT_FOUND')
  return d
}

/** Removal of originals whose retention has ended: one person asks, another decides. */
function cmdVault(sub: string, arg: string | undefined, opts: Opts, io: Io): Promise<number> {
  const line = (r: MethodOutput<'vault.deletions'>['requests'][number]) =>
    `${r.id}  ${r.evidenceId}  ${r.status}  ${r.expiredOn.slice(0, 10)}  ${r.reason}`
  switch (sub) {
    case 'request-delete':
      return simple(
        opts,
        io,
        async (core, s) =>
          call(
            core,
            'vault.requestDeletion',
            { evidenceId: arg ?? '', reason: need(opts, 'reason', io.t) },
            s,
          ),
        (r) => line(r.request),
      )
    case 'approve-delete':
    case 'reject-delete':
      return simple(
        opts,
        io,
        async (core, s) =>
          call(
            core,
            'vault.decideDeletion',
            {
              requestId: arg ?? '',
              approve: sub === 'approve-delete',
              ...(opts.note ? { note: opts.note } : {}),
            },
            s,
          ),
        (r) => line(r.request),
      )
    case 'deletions':
      return simple(
        opts,
        io,
        async (core, s) => call(core, 'vault.deletions', {}, s),
        (r) => r.requests.map(line).join('\n') || io.t('cli.none'),
      )
    default:
      throw new UsageError(io.t('cli.unknownCommand', { command: `vault ${sub}` }))
  }
}

function cmdDisc(sub: string, target: string | undefined, opts: Opts, io: Io): Promise<number> {
  const needTarget = () => {
    if (!target) throw new UsageError(io.t('cli.missingOption', { name: 'TARGET' }))
    return /^(\/dev\/|stdio:)/.test(target) ? target : path.resolve(target)
  }
  switch (sub) {
    case 'burn':
      return simple(
        opts,
        io,
        async (core, s) =>
          longRun(core, s, io, opts, (jobId) =>
            call(
              core,
              'discs.burn',
              {
                target: needTarget(),
                image: path.resolve(need(opts, 'image', io.t)),
                copy: (opts.copy ?? 'A') as 'A',
                retention: (opts.retention ?? 'permanent') as 'permanent',
                ...(opts.location ? { location: opts.location } : {}),
                jobId,
              },
              s,
            ),
          ).then((r) => ({ ok: r.verify.ok, ...r })),
        (r) =>
          `${io.t('cli.discWritten', { discNo: r.disc.discNo, status: r.disc.status })}\n${verifyLines(io, r.verify)}`,
        (r) => r.ok,
      )
    case 'verify':
      return simple(
        opts,
        io,
        async (core, s) =>
          longRun(core, s, io, opts, (jobId) =>
            call(
              core,
              'discs.verify',
              { target: needTarget(), ...(opts.disc ? { discNo: opts.disc } : {}), jobId },
              s,
            ),
          ).then((r) => ({ ok: r.verify.ok, ...r })),
        (r) => verifyLines(io, r.verify),
        (r) => r.ok,
      )
    case 'list':
      return simple(
        opts,
        io,
        async (core, s) =>
          call(core, 'discs.list', target ? { caseId: await caseIdOf(core, target, io) } : {}, s),
        (r) =>
          r.discs
            .map(
              (d) =>
                `${d.discNo}  ${d.caseNo}  ${d.volume}/${d.volumes}  ${d.copy}  ${d.media}  ${d.status}  ${d.retention}  ${d.location ?? ''}  ${formatBeijingDate(d.lastCheckedAt)}`,
            )
            .join('\n') || io.t('cli.none'),
      )
    case 'drives':
      return simple(
        opts,
        io,
        async (core, s) => call(core, 'discs.drives', {}, s),
        (r) =>
          r.drives
            .map((d) => `${d.device}  ${d.vendor} ${d.model}  ${d.media}  ${d.status}  ${d.freeBytes ?? ''}`)
            .join('\n') || io.t('cli.noDrives'),
      )
    case 'inspections':
      return simple(
        opts,
        io,
        async (core, s) => call(core, 'discs.inspections', {}, s),
        (r) =>
          [
            io.t('cli.inspectionsDue', { count: r.due.length, months: r.policy.intervalMonths }),
            ...r.due.map(
              (d) => `  ${d.discNo}  ${d.caseNo}  ${d.location ?? ''}  ${formatBeijingDate(d.lastCheckedAt)}`,
            ),
            io.t('cli.inspectionsFailed', { count: r.failed.length }),
            ...r.failed.map((d) => `  ${d.discNo}  ${d.caseNo}  ${d.location ?? ''}`),
          ].join('\n'),
      )
    case 'update':
      return simple(
        opts,
        io,
        async (core, s) => {
          const d = await discByNo(core, s, target)
          return call(
            core,
            'discs.update',
            {
              discId: d.id,
              ...(opts.location !== undefined ? { location: opts.location } : {}),
              ...(opts.retention ? { retention: opts.retention as 'permanent' } : {}),
            },
            s,
          )
        },
        (r) => `${r.disc.discNo}  ${r.disc.location ?? ''}  ${r.disc.retention}`,
      )
    case 'label':
      return simple(
        opts,
        io,
        async (core, s) => {
          const d = await discByNo(core, s, target)
          const r = await call(core, 'discs.label', { discId: d.id }, s)
          const out = writePdf(opts, io, r.pdfBase64)
          return { out }
        },
        (r) => io.t('cli.rootExported', { out: r.out }),
      )
    default:
      throw new UsageError(io.t('cli.unknownCommand', { command: `disc ${sub}` }))
  }
}

export async function main(argv: string[]): Promise<number> {
  let io = makeIo(argv.includes('--json'), normalizeLanguage(process.env.LIUHEN_LANG))
  try {
    const { values: opts, positionals } = (() => {
      try {
        return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
      } catch (e) {
        throw new UsageError(io.t('cli.badOption', { reason: e instanceof Error ? e.message : String(e) }))
      }
    })()
    if (opts.lang) io = makeIo(opts.json, normalizeLanguage(opts.lang))
    if (opts.version) {
      io.print({ version: APP_VERSION }, `liuhen ${APP_VERSION}`)
      return 0
    }
    if (positionals[0] === 'verify-signature') {
      if (positionals.length !== 2) throw new UsageError(io.t('cli.missingOption', { name: 'FILE' }))
      return await cmdVerifySignature(positionals[1]!, opts, io)
    }
    if (positionals[0] === 'ingest') {
      if (positionals.length !== 2) throw new UsageError(io.t('cli.missingOption', { name: 'SOURCE_DIR' }))
      return await cmdIngest(positionals[1]!, opts, { ...io, operatorFromUser: true })
    }
    if (
      positionals[0] === 'case' &&
      ['show', 'check', 'search', 'action', 'update', 'archive-exception'].includes(positionals[1] ?? '')
    ) {
      const arg = positionals[2]
      switch (positionals[1]) {
        case 'archive-exception':
          return await simple(
            opts,
            io,
            async (core, s) =>
              call(
                core,
                'cases.archiveException',
                { caseId: await caseIdOf(core, arg, io), reason: need(opts, 'reason', io.t) },
                s,
              ),
            (r) => caseLine(r.case),
          )
        case 'show':
          return await cmdCaseShow(arg, opts, io)
        case 'check':
          return await cmdCaseCheck(arg, opts, io)
        case 'search':
          return await cmdCaseSearch(arg, opts, io)
        case 'action':
          return await cmdCaseAction(arg, opts, io)
        default:
          return await cmdCaseUpdate(arg, opts, io)
      }
    }
    if (
      positionals[0] === 'case' &&
      ['request-change', 'decide-change', 'changes', 'reopen'].includes(positionals[1] ?? '')
    )
      return await cmdCaseChange(positionals[1]!, positionals[2], opts, io)
    if (positionals[0] === 'access' && positionals[1])
      return await cmdAccess(positionals[1], positionals[2], opts, io)
    if (positionals[0] === 'archive' && positionals[1] && positionals[1] !== 'build')
      return await cmdArchive(positionals[1], positionals[2], opts, io)
    if (positionals[0] === 'disc' && positionals[1])
      return await cmdDisc(positionals[1], positionals[2], opts, io)
    if ((positionals[0] === 'review' || positionals[0] === 'disclosure') && positionals[1]) {
      const kit: CliKit = {
        opts,
        t: io.t,
        usage: (m) => new UsageError(m),
        simple: (body, human) => simple(opts, io, body, human),
        call,
        caseId: (core) => caseIdOf(core, opts.case ?? positionals[2], io),
        need: (name) => need(opts, name as keyof Opts, io.t),
        pin: () => needEnv('LIUHEN_PIN', io),
      }
      return await (positionals[0] === 'review' ? cmdReview : cmdDisclosure)(positionals[1], kit)
    }
    if (positionals[0] === 'vault' && positionals[1])
      return await cmdVault(positionals[1], positionals[2], opts, io)
    if (positionals[0] === 'archive' && positionals[1] === 'build') {
      const caseNo = positionals[2]
      return await simple(
        opts,
        io,
        async (core, s) =>
          call(
            core,
            'archive.build',
            {
              caseId: await caseIdOf(core, caseNo, io),
              outDir: path.resolve(need(opts, 'out', io.t)),
              ...(process.env.LIUHEN_PIN ? { pin: process.env.LIUHEN_PIN } : {}),
            },
            s,
          ),
        (r) => io.t('cli.bagBuilt', { ...r }),
      )
    }
    if (positionals[0] === 'export') {
      const caseNo = positionals[1]
      return await simple(
        opts,
        io,
        async (core, s) =>
          call(
            core,
            'access.export',
            {
              caseId: await caseIdOf(core, caseNo, io),
              outDir: path.resolve(need(opts, 'out', io.t)),
              ...(opts.records ? { recordIds: opts.records.split(',').map((x) => x.trim()) } : {}),
            },
            s,
          ),
        (r) => io.t('cli.exported', { ...r }),
      )
    }
    if (positionals[0] === 'record' && positionals[1] === 'tag')
      return await cmdRecordTag(positionals.slice(2), opts, io)
    if (positionals[0] === 'record' && positionals[1] === 'set-time')
      return await cmdRecordSetTime(positionals[2], positionals[3], opts, io)
    if (positionals[0] === 'record' && positionals[1] === 'late-reason')
      return await simple(
        opts,
        io,
        (core, s) =>
          call(
            core,
            'evidence.setLateReason',
            { evidenceId: need(opts, 'id', io.t), reason: need(opts, 'reason', io.t) },
            s,
          ),
        (r) => io.t('cli.lateReasonSet', { name: r.evidence.originalName }),
      )
    if (positionals[0] === 'record' && positionals[1] === 'add-text')
      return await cmdRecordAddText(positionals[2], opts, io)
    const command = positionals.join(' ')
    if (opts.help || !command) {
      process.stdout.write(`${io.t('cli.usage')}\n`)
      return opts.help ? 0 : 2
    }
    switch (command) {
      case 'init':
        return await cmdInit(opts, io)
      case 'user add':
        return await cmdUserAdd(opts, io)
      case 'user list':
        return await cmdUserList(opts, io)
      case 'audit verify':
        return cmdAuditVerify(opts, io)
      case 'verify':
        return await cmdVerify(opts, io)
      case 'sign owed':
        // --user names the officer whose key signs: the operator, as for ingest.
        return await cmdSignOwed(opts, { ...io, operatorFromUser: true })
      case 'stats':
        return await simple(
          opts,
          io,
          async (core, s) => {
            const period = {
              year: Number(need(opts, 'year', io.t)),
              ...(opts.quarter ? { quarter: Number(opts.quarter) } : {}),
            }
            if (opts.pdf)
              writeAtomicSync(
                path.resolve(opts.pdf),
                Buffer.from((await call(core, 'stats.pdf', period, s)).pdfBase64, 'base64'),
                OUT_FILE,
              )
            return call(core, 'stats.get', period, s)
          },
          (r) => JSON.stringify(r, null, 2),
        )
      case 'demo': {
        const r = await createDemo(dataDirOf(opts), (line) => {
          if (!io.json) process.stderr.write(`… ${terminalText(line)}\n`)
        })
        io.print(
          { ok: true, ...r },
          [
            io.t('cli.demoDone', { agency: r.agency, dir: r.dataDir, password: r.password, pin: r.pin }),
            ...r.users.map(
              (u) =>
                `  ${u.username.padEnd(9)} ${u.displayName}  ${u.roles.map((x) => io.t(`roles.${x}`)).join('、')}`,
            ),
            ...r.cases.map((c) => `  ${c.caseNo}  ${c.note}`),
          ].join('\n'),
        )
        return 0
      }
      case 'backup':
        return await simple(
          opts,
          io,
          async (core, s) => call(core, 'backup.run', { target: path.resolve(need(opts, 'to', io.t)) }, s),
          (r) => io.t('cli.backupDone', { ...r }),
        )
      case 'restore': {
        // A restore writes a whole data folder: never one another process is working in.
        const owner = liveOwner(dataLayout(dataDirOf(opts)))
        if (owner) throw new AppError('DATA_DIR_IN_USE', { pid: owner.pid || '?' })
        const r = await restoreFrom(path.resolve(need(opts, 'from', io.t)), dataDirOf(opts))
        io.print(r, io.t('cli.restored', { ...r }))
        return 0
      }
      case 'case create':
        return await cmdCaseCreate(opts, io)
      case 'case list':
        return await cmdCaseList(opts, io)
      case 'case deadlines':
        return await simple(
          opts,
          io,
          async (core, s) => call(core, 'cases.deadlines', {}, s),
          (r) =>
            [
              ...r.items.map(
                (d) =>
                  `${d.caseNo}  ${io.t(`cases.deadline.${d.kind}`, { due: d.due })}${d.overdue ? '  !' : ''}`,
              ),
            ].join('\n'),
        )
      case 'calendar set':
        return await simple(
          opts,
          io,
          async (core, s) =>
            call(
              core,
              'calendar.set',
              {
                ...(opts.on ? { date: opts.on } : {}),
                ...(opts.on ? { working: !opts.holiday } : {}),
                ...(opts.year ? { confirmYear: Number(opts.year) } : {}),
                ...(opts.reason ? { note: opts.reason } : {}),
              },
              s,
            ),
          () => io.t('cli.done'),
        )
      case 'case numbering':
        return await simple(
          opts,
          io,
          async (core, s) =>
            call(
              core,
              'cases.numbering',
              {
                ...(opts.abbr ? { abbr: opts.abbr } : {}),
                ...(opts.template ? { template: opts.template } : {}),
              },
              s,
            ),
          (r) => io.t('cli.numbering', { ...r }),
        )
      case 'audit checkpoint':
        return await cmdAuditCheckpoint(opts, io)
      case 'device list':
        return await cmdDeviceList(opts, io)
      case 'device register':
        return await cmdDeviceRegister(opts, io)
      case 'ca init':
        return await cmdCaInit(opts, io)
      case 'ca issue':
        return await cmdCaIssue(opts, io)
      case 'ca export-root':
        return await cmdCaExportRoot(opts, io)
      case 'ca export-crl':
        return cmdCaExportCrl(opts, io)
      case 'ca import':
        return await cmdCaImport(opts, io)
      case 'ca revoke':
        return await cmdCaRevoke(opts, io)
      case 'ca renew':
        return await cmdCaIssue(opts, io)
      case 'cert import':
        return await cmdCertImport(opts, io)
      case 'timestamp config':
        return await cmdTimestampConfig(opts, io)
      case 'timestamp retry':
        return await cmdTimestampRetry(opts, io)
      case 'cert list':
        return await cmdCertList(opts, io)
      default:
        throw new UsageError(io.t('cli.unknownCommand', { command }))
    }
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

/*
 * `liuhen … | head`: once the reader has gone, output is dropped instead of ending the process with EPIPE — a
 * command that was changing the record (an ingest, a burn) finishes its work and its audit, it only stops talking.
 */
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e
  process.stdout.write = () => true
})
process.exitCode = await main(process.argv.slice(2))
// For the memory tests and the benchmark: the peak resident set of this process, in MiB.
if (process.env.LIUHEN_REPORT_MAXRSS) {
  process.stderr.write(`LIUHEN_MAXRSS_MB=${Math.round(process.resourceUsage().maxRSS / 1024)}\n`)
  // Bytes this process read through read(2) (Linux): lets the benchmark show what signing adds to reading.
  const rchar = /^rchar: (\d+)$/m.exec(
    fs.existsSync('/proc/self/io') ? fs.readFileSync('/proc/self/io', 'utf8') : '',
  )
  if (rchar) process.stderr.write(`LIUHEN_RCHAR=${rchar[1]}\n`)
}
