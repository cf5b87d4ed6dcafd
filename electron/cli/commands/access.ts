import path from 'node:path'
import { type MethodInput } from '../../../shared/contract.ts'
import { formatBeijing } from '../../../shared/datetime.ts'
import { type CommandSpec, type CommandContext, opt, arg, SHARED } from '../runner.ts'
import {
  UsageError,
  type Opts,
  type Io,
  need,
  call,
  userIdOf,
  writePdf,
  caseIdOf,
  simple,
  when,
} from '../kit.ts'

export function cmdAccess(sub: string, arg: string | undefined, opts: Opts, io: Io): Promise<number> {
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
              caseId: await caseIdOf(core, s, opts.case, io),
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
              ...(opts.case ? { caseId: await caseIdOf(core, s, opts.case, io) } : {}),
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
                        .map(async (u) => (await userIdOf(core, s, u)) ?? u),
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
              ...(opts.case ? { caseId: await caseIdOf(core, s, opts.case, io) } : {}),
              ...(opts.user ? { userId: (await userIdOf(core, s, opts.user))! } : {}),
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

const id = arg('申请或授权ID', 'ID')
const records = opt('限于这些记录（逗号分隔）', 'only these records, comma-separated', [
  '记录ID,...',
  'ID,...',
])
const sub =
  (name: string) =>
  ({ opts, args, io }: CommandContext) =>
    cmdAccess(name, args[0], opts, io)

export const commands: CommandSpec[] = [
  {
    path: ['access', 'request'],
    summary: { zh: '申请调阅或导出案件的记录', en: 'ask to view or export a case’s records' },
    options: {
      case: SHARED.caseRequired,
      records,
      purpose: opt('用途（默认 case_review）', 'the purpose (default case_review)', ['用途', 'PURPOSE']),
      'purpose-text': opt('用途说明', 'the purpose in words', ['说明', 'TEXT']),
      kind: opt('查看或导出（默认 view）', 'view or export (default view)', ['view|export', 'view|export']),
      from: opt('起始时间（默认现在）', 'from (default now)', ['日期', 'DATE']),
      to: opt('截止时间', 'until', ['日期', 'DATE'], true),
    },
    run: sub('request'),
  },
  {
    path: ['access', 'approve'],
    summary: {
      zh: '批准调阅申请（可缩小范围与期限）',
      en: 'approve an access request (narrowing it if need be)',
    },
    args: [id],
    options: {
      records,
      from: SHARED.from,
      to: SHARED.to,
      'view-only': opt('只许查看，不许导出', 'view only, no export'),
      note: SHARED.note,
    },
    run: sub('approve'),
  },
  {
    path: ['access', 'reject'],
    summary: { zh: '驳回调阅申请', en: 'reject an access request' },
    args: [id],
    options: { reason: SHARED.reason },
    run: sub('reject'),
  },
  {
    path: ['access', 'revoke'],
    summary: { zh: '撤销调阅授权', en: 'revoke an access grant' },
    args: [id],
    options: { reason: SHARED.reason },
    run: sub('revoke'),
  },
  {
    path: ['access', 'list'],
    summary: { zh: '调阅申请与授权', en: 'access requests and grants' },
    options: {},
    run: sub('list'),
  },
  {
    path: ['access', 'register'],
    summary: { zh: '调阅登记表（PDF）', en: 'the access register (PDF)' },
    options: { case: SHARED.case, from: SHARED.from, to: SHARED.to, out: SHARED.out },
    run: sub('register'),
  },
  {
    path: ['access', 'policy'],
    summary: {
      zh: '涉密案件的指定人员（系统管理员）；不带 --level 时显示（未指定人员的密级一律不能打开）',
      en: 'who the agency names for each confidentiality level above 一般 (administrator); without --level, show them',
    },
    options: {
      level: opt('密级', 'the level', [
        'privacy|trade_secret|state_secret',
        'privacy|trade_secret|state_secret',
      ]),
      named: opt('指定人员（逗号分隔）', 'the named users, comma-separated', ['用户名,...', 'USER,...']),
    },
    run: sub('policy'),
  },
  {
    path: ['access', 'log'],
    summary: { zh: '记录访问日志', en: 'the record access log' },
    options: {
      case: SHARED.case,
      user: opt('用户名', 'the username', ['用户名', 'USER']),
      from: SHARED.from,
      to: SHARED.to,
    },
    run: sub('log'),
  },
  {
    path: ['export'],
    summary: { zh: '按授权导出案件的记录', en: 'export a case’s records under a grant' },
    args: [arg('案件编号', 'CASE_NO')],
    options: { out: SHARED.outDir, records },
    run: ({ opts, args, io }) =>
      simple(
        opts,
        io,
        async (core, s) =>
          call(
            core,
            'access.export',
            {
              caseId: await caseIdOf(core, s, args[0], io),
              outDir: path.resolve(need(opts, 'out', io.t)),
              ...(opts.records ? { recordIds: opts.records.split(',').map((x) => x.trim()) } : {}),
            },
            s,
          ),
        (r) => io.t('cli.exported', { ...r }),
      ),
  },
]
