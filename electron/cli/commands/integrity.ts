import path from 'node:path'
import { verifyAuditTrail, verifyFolder, verifySignatureOf } from '../../core/offline.ts'
import { jobErrorText } from '../../../shared/integrity.ts'
import { formatBeijing } from '../../../shared/datetime.ts'
import { type CommandSpec, opt, arg } from '../runner.ts'
import {
  UsageError,
  type Opts,
  type Io,
  envPassword,
  dataDirOf,
  call,
  asOperator,
  openExisting,
} from '../kit.ts'

/**
 * The integrity check from the command line: read-only and without signing in, like `audit verify`, so an
 * outside auditor can run it on a copy of the data folder. Exit 0 when everything holds, 1 otherwise.
 */
export async function cmdVerify(opts: Opts, io: Io): Promise<number> {
  const sample = opts.sample ? Number(opts.sample) : undefined
  const report = await verifyFolder(dataDirOf(opts), sample ? { samplePercent: sample } : {})
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
}

export function cmdAuditVerify(opts: Opts, io: Io): number {
  const report = verifyAuditTrail(dataDirOf(opts))
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

export async function cmdAuditCheckpoint(opts: Opts, io: Io): Promise<number> {
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

/** Read-only, no sign-in: anyone holding the data directory can check a file against its signatures. */
export async function cmdVerifySignature(file: string, opts: Opts, io: Io): Promise<number> {
  const result = await verifySignatureOf(dataDirOf(opts), file, opts.sig)
  const checks = result.checks
  const ok = checks.length > 0 && checks.every((c) => c.valid)
  io.print(
    {
      ok,
      file: path.resolve(file),
      sha256: result.sha256,
      evidenceId: result.evidenceId,
      signatures: checks,
    },
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
}

export const commands: CommandSpec[] = [
  {
    path: ['verify'],
    summary: {
      zh: '完整性校验（原始文件、数据库记录、审计日志与检查点、签名），只读、无需登录：全部通过退出码 0，否则 1',
      en: 'the integrity check (originals, sealed rows, audit trail and checkpoints, signatures), read-only, no sign-in: exit 0 when all holds, 1 otherwise',
    },
    signsIn: false,
    options: {
      sample: opt('抽查原始文件的百分比', 'check this percentage of the originals', ['百分比', 'P']),
    },
    run: ({ opts, io }) => cmdVerify(opts, io),
  },
  {
    path: ['audit', 'verify'],
    summary: {
      zh: '只读校验审计日志链及已签名的检查点：完整时退出码 0，否则 1，并指出第一个异常事件',
      en: 'verify the audit chain and the signed checkpoints read-only: exit 0 when intact, 1 naming the first bad event',
    },
    signsIn: false,
    options: {},
    run: ({ opts, io }) => cmdAuditVerify(opts, io),
  },
  {
    path: ['audit', 'checkpoint'],
    summary: {
      zh: '立即写入日志检查点（设置 LIUHEN_PIN 时签名）',
      en: 'write an audit checkpoint now (signed when LIUHEN_PIN is set)',
    },
    options: {},
    run: ({ opts, io }) => cmdAuditCheckpoint(opts, io),
  },
  {
    path: ['verify-signature'],
    summary: {
      zh: '校验文件的已登记签名（或给定的签名）：摘要、签名、证书链、时间戳、吊销状态；只读、无需登录',
      en: 'check a file against its registered signatures (or the given one): digest, signature, chain, time-stamp, revocation; read-only, no sign-in',
    },
    signsIn: false,
    args: [arg('文件', 'FILE')],
    options: { sig: opt('分离的签名文件', 'a detached signature file', ['签名.p7s', 'FILE.p7s']) },
    run: ({ opts, args, io }) => {
      if (args.length !== 1) throw new UsageError(io.t('cli.missingOption', { name: 'FILE' }))
      return cmdVerifySignature(args[0]!, opts, io)
    },
  },
]
