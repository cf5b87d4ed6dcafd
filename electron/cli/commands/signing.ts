import path from 'node:path'
import fs from 'node:fs'
import { type MethodInput, type MethodOutput } from '../../../shared/contract.ts'
import type { DataFolder } from '../../core/folder.ts'
import { revocationList } from '../../core/offline.ts'
import { OUT_FILE, writeAtomicSync } from '../../core/durable.ts'
import { formatBeijingDate } from '../../../shared/datetime.ts'
import { type CommandSpec, opt, SHARED } from '../runner.ts'
import {
  type Opts,
  type Io,
  need,
  envPassword,
  dataDirOf,
  call,
  asOperator,
  openExisting,
  userIdOf,
  needEnv,
} from '../kit.ts'

export async function cmdCaInit(opts: Opts, io: Io): Promise<number> {
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

/** ca issue / cert import: a certificate for the user --user names, made by `make` as the operator, printed. */
async function certificateFor(
  opts: Opts,
  io: Io,
  make: (
    core: DataFolder,
    s: string,
    userId: string,
  ) => Promise<Pick<MethodOutput<'ca.issue'>, 'certificate'>>,
): Promise<number> {
  const username = need(opts, 'user', io.t)
  const core = await openExisting(opts)
  try {
    const { certificate } = await asOperator(core, opts, io, async (s) =>
      make(core, s, (await userIdOf(core, s, username))!),
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

export async function cmdCaIssue(opts: Opts, io: Io): Promise<number> {
  const rootPassphrase = needEnv('LIUHEN_CA_PASSPHRASE', io)
  const pin = needEnv('LIUHEN_PIN', io)
  return certificateFor(opts, io, (core, s, userId) =>
    call(
      core,
      'ca.issue',
      { userId, rootPassphrase, pin, ...(opts.years ? { years: Number(opts.years) } : {}) },
      s,
    ),
  )
}

export async function cmdCaExportRoot(opts: Opts, io: Io): Promise<number> {
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

export async function cmdCertList(opts: Opts, io: Io): Promise<number> {
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

export async function cmdCaImport(opts: Opts, io: Io): Promise<number> {
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

export async function cmdCertImport(opts: Opts, io: Io): Promise<number> {
  const file = need(opts, 'p12', io.t)
  const pin = needEnv('LIUHEN_PIN', io)
  return certificateFor(opts, io, (core, s, userId) =>
    call(core, 'certs.import', { userId, pin, pkcs12Base64: fs.readFileSync(file).toString('base64') }, s),
  )
}

export async function cmdCaRevoke(opts: Opts, io: Io): Promise<number> {
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

export function cmdCaExportCrl(opts: Opts, io: Io): number {
  const out = need(opts, 'out', io.t)
  writeAtomicSync(out, revocationList(dataDirOf(opts)), OUT_FILE)
  io.print({ ok: true, out: path.resolve(out) }, io.t('cli.rootExported', { out: path.resolve(out) }))
  return 0
}

export async function cmdTimestampConfig(opts: Opts, io: Io): Promise<number> {
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
export async function cmdSignOwed(opts: Opts, io: Io): Promise<number> {
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

export async function cmdTimestampRetry(opts: Opts, io: Io): Promise<number> {
  const core = await openExisting(opts)
  try {
    const r = await asOperator(core, opts, io, (s) => call(core, 'timestamps.retry', {}, s))
    io.print({ ok: r.error === null, ...r }, io.t('cli.tsaRetried', { ...r, error: r.error ?? '' }))
    return r.error === null ? 0 : 1
  } finally {
    await core.close()
  }
}

const issue = {
  user: opt('领取证书的用户', 'the user the certificate is for', ['用户名', 'USER'], true),
  years: opt('有效年数', 'years of validity', ['年数', 'N']),
}

export const commands: CommandSpec[] = [
  {
    path: ['ca', 'init'],
    summary: {
      zh: '创建机关根证书（根证书口令取自 LIUHEN_CA_PASSPHRASE）',
      en: 'create the agency root (passphrase from LIUHEN_CA_PASSPHRASE)',
    },
    notes: {
      zh: 'RSA-3072/SHA-256 或 SM2/SM3（系统管理员）。',
      en: 'RSA-3072/SHA-256 or SM2/SM3 (administrator).',
    },
    options: {
      name: opt('根证书名称', 'the root’s common name', ['名称', 'NAME']),
      algorithm: opt('算法', 'the algorithm', ['rsa|sm2', 'rsa|sm2']),
    },
    run: ({ opts, io }) => cmdCaInit(opts, io),
  },
  {
    path: ['ca', 'issue'],
    summary: {
      zh: '为执法人员签发证书（根证书口令取自 LIUHEN_CA_PASSPHRASE，证书 PIN 取自 LIUHEN_PIN）',
      en: 'issue a user’s certificate (root passphrase from LIUHEN_CA_PASSPHRASE, PIN from LIUHEN_PIN)',
    },
    options: issue,
    run: ({ opts, io }) => cmdCaIssue(opts, io),
  },
  {
    path: ['ca', 'renew'],
    summary: { zh: '为用户换发证书（同 ca issue）', en: 'renew a user’s certificate (as ca issue)' },
    options: issue,
    run: ({ opts, io }) => cmdCaIssue(opts, io),
  },
  {
    path: ['ca', 'import'],
    summary: {
      zh: '导入外部 CA 证书链作为信任锚',
      en: 'import an outside CA chain as trust anchors',
    },
    options: {
      chain: opt('PEM 证书链文件', 'the PEM chain file', ['CA.pem', 'CA.pem'], true),
      purpose: opt('用途', 'what it is trusted for', ['signing|tsa', 'signing|tsa']),
    },
    run: ({ opts, io }) => cmdCaImport(opts, io),
  },
  {
    path: ['ca', 'revoke'],
    summary: {
      zh: '吊销证书并更新吊销列表（有 LIUHEN_CA_PASSPHRASE 时签发新的 CRL）',
      en: 'revoke a certificate (a new CRL is signed when LIUHEN_CA_PASSPHRASE is set)',
    },
    options: {
      serial: opt('证书序列号', 'the certificate serial', ['序列号', 'SERIAL'], true),
      reason: opt('吊销原因', 'the revocation reason', ['原因', 'REASON']),
    },
    run: ({ opts, io }) => cmdCaRevoke(opts, io),
  },
  {
    path: ['ca', 'export-root'],
    summary: { zh: '导出机关根证书（PEM）', en: 'export the agency root certificate (PEM)' },
    options: { out: SHARED.out },
    run: ({ opts, io }) => cmdCaExportRoot(opts, io),
  },
  {
    path: ['ca', 'export-crl'],
    summary: { zh: '导出吊销列表（无需登录）', en: 'export the revocation list (no sign-in)' },
    signsIn: false,
    options: { out: SHARED.out },
    run: ({ opts, io }) => cmdCaExportCrl(opts, io),
  },
  {
    path: ['cert', 'list'],
    summary: { zh: '列出证书', en: 'list certificates' },
    notes: {
      zh: '状态：valid、expiring、expired、revoked。',
      en: 'Status: valid, expiring, expired, revoked.',
    },
    options: {},
    run: ({ opts, io }) => cmdCertList(opts, io),
  },
  {
    path: ['cert', 'import'],
    summary: {
      zh: '为用户导入 PKCS#12 证书（PIN 取自 LIUHEN_PIN）',
      en: 'import a PKCS#12 certificate for a user (PIN from LIUHEN_PIN)',
    },
    notes: {
      zh: '证书须能链接到已导入的信任锚，否则拒绝。',
      en: 'Refused unless it chains to a trust anchor.',
    },
    options: {
      user: SHARED.user,
      p12: opt('PKCS#12 文件', 'the PKCS#12 file', ['文件.p12', 'FILE.p12'], true),
    },
    run: ({ opts, io }) => cmdCertImport(opts, io),
  },
  {
    path: ['timestamp', 'config'],
    summary: { zh: '设置 RFC 3161 时间戳服务', en: 'configure the RFC 3161 time-stamp service' },
    options: {
      url: opt('时间戳服务地址（none 为不使用）', 'the service URL (none: no service)', ['地址', 'URL']),
      ca: opt('时间戳服务的根证书', 'the time-stamp service’s root', ['根证书.pem', 'CA.pem']),
    },
    run: ({ opts, io }) => cmdTimestampConfig(opts, io),
  },
  {
    path: ['timestamp', 'retry'],
    summary: { zh: '重新申请待补的时间戳', en: 'ask again for the time-stamps still owed' },
    options: {},
    run: ({ opts, io }) => cmdTimestampRetry(opts, io),
  },
  {
    path: ['sign', 'owed'],
    summary: {
      zh: '用该用户的签名 PIN（LIUHEN_PIN）补签应由其签名而未签的记录：全部签完时退出码 0',
      en: 'sign what is queued for the user’s key (PIN from LIUHEN_PIN): exit 0 when nothing is left',
    },
    notes: {
      zh: '记录与其签名之间程序被中止或磁盘已满时，签名会欠下；补签后再申请时间戳。',
      en: 'A signature is owed when the process was killed or the disk was full between a record and its signature; time-stamps are asked for afterwards.',
    },
    options: { user: opt('签名人（操作员）', 'whose key signs (the operator)', ['用户名', 'USER']) },
    // --user names the officer whose key signs: the operator, as for ingest.
    run: ({ opts, io }) => cmdSignOwed(opts, { ...io, operatorFromUser: true }),
  },
]
