import { type MethodInput, type MethodOutput } from '../../../shared/contract.ts'
import { caseProblemText } from '../../../shared/cases.ts'
import { type CommandSpec, opt, arg, SHARED } from '../runner.ts'
import { UsageError, type Opts, type Io, need, call, userIdOf, caseIdOf, simple, caseLine } from '../kit.ts'

export function cmdCaseCreate(opts: Opts, io: Io): Promise<number> {
  return simple(
    opts,
    io,
    async (core, s) => {
      const handlerIds = await Promise.all(
        need(opts, 'handlers', io.t)
          .split(',')
          .map(async (u) => (await userIdOf(core, s, u.trim()))!),
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

export function cmdCaseShow(caseNo: string | undefined, opts: Opts, io: Io): Promise<number> {
  return simple(
    opts,
    io,
    async (core, s) => call(core, 'cases.get', { caseId: await caseIdOf(core, s, caseNo, io) }, s),
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

export function cmdCaseList(opts: Opts, io: Io): Promise<number> {
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

export function cmdCaseSearch(query: string | undefined, opts: Opts, io: Io): Promise<number> {
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

export function cmdCaseCheck(caseNo: string | undefined, opts: Opts, io: Io): Promise<number> {
  return simple(
    opts,
    io,
    async (core, s) => call(core, 'cases.check', { caseId: await caseIdOf(core, s, caseNo, io) }, s),
    (r) =>
      [
        io.t(r.complete ? 'cli.caseComplete' : 'cli.caseIncomplete', {
          caseNo: r.caseNo,
          count: r.problems.length,
        }),
        ...r.problems.map((p) => `  ${caseProblemText(io.t, p)}`),
        ...r.deadlines.map(
          (d) =>
            `  ${io.t(`cases.deadline.${d.kind}`, { due: d.due })}${d.uncertain ? ` ${io.t('cases.deadlineUncertain', { years: d.unknownYears.join('、') })}` : ''}`,
        ),
      ].join('\n'),
    (r) => r.complete,
  )
}

export function cmdCaseAction(caseNo: string | undefined, opts: Opts, io: Io): Promise<number> {
  return simple(
    opts,
    io,
    async (core, s) =>
      call(
        core,
        'cases.addAction',
        {
          caseId: await caseIdOf(core, s, caseNo, io),
          actionType: need(opts, 'action', io.t),
          occurredOn: need(opts, 'on', io.t),
          ...(opts.place ? { place: opts.place } : {}),
        },
        s,
      ),
    () => io.t('cli.done'),
  )
}

export function cmdCaseUpdate(caseNo: string | undefined, opts: Opts, io: Io): Promise<number> {
  return simple(
    opts,
    io,
    async (core, s) =>
      call(
        core,
        'cases.update',
        {
          caseId: await caseIdOf(core, s, caseNo, io),
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
export function cmdCaseChange(sub: string, arg: string | undefined, opts: Opts, io: Io): Promise<number> {
  const line = (c: MethodOutput<'cases.changes'>['changes'][number]) =>
    `${c.id}  ${c.status}  ${c.caseNo}  ${c.kind}  ${c.stage ?? c.confidentiality ?? c.handlers?.map((h) => h.name).join('、') ?? ''}  ${c.requestedBy}  ${c.reason}`
  if (sub === 'changes')
    return simple(
      opts,
      io,
      async (core, s) =>
        call(core, 'cases.changes', arg ? { caseId: await caseIdOf(core, s, arg, io) } : {}, s),
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
            caseId: await caseIdOf(core, s, opts.case ?? arg, io),
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
          caseId: await caseIdOf(core, s, arg, io),
          kind: given[0]!,
          ...(opts.stage ? { stage: opts.stage as MethodInput<'cases.requestChange'>['stage'] } : {}),
          ...(opts.handlers
            ? {
                handlerIds: await Promise.all(
                  opts.handlers.split(',').map(async (u) => (await userIdOf(core, s, u.trim())) ?? u.trim()),
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

const caseNo = arg('案件编号', 'CASE_NO')
const stage = opt('办案阶段', 'the case stage', ['阶段', 'STAGE'])

export const commands: CommandSpec[] = [
  {
    path: ['case', 'create'],
    summary: { zh: '立案', en: 'open a case' },
    options: {
      type: opt('案件类型', 'the case type', ['类型', 'TYPE'], true),
      cause: opt('案由', 'the cause of action', ['案由', 'TEXT'], true),
      source: opt('案件来源（默认 ex_officio）', 'where the case came from (default ex_officio)', [
        '来源',
        'SOURCE',
      ]),
      party: opt('当事人名称', 'the party’s name', ['名称', 'NAME'], true),
      'party-kind': opt('当事人类别（默认 organisation）', 'person or organisation (default organisation)', [
        'person|organisation',
        'person|organisation',
      ]),
      'party-id': opt('当事人证件号', 'the party’s id number', ['证件号', 'ID_NO']),
      handlers: opt('承办人（逗号分隔）', 'the handlers, comma-separated', ['用户名,...', 'USER,...'], true),
      confidentiality: opt('密级', 'the confidentiality level', ['密级', 'LEVEL']),
      major: opt('重大案件', 'a major case'),
      'filed-on': opt('立案日期', 'the filing date', ['日期', 'DATE']),
    },
    run: ({ opts, io }) => cmdCaseCreate(opts, io),
  },
  {
    path: ['case', 'list'],
    summary: { zh: '列出案件', en: 'list cases' },
    options: {
      stage,
      query: opt('检索词', 'search words', ['检索词', 'TEXT']),
      limit: opt('最多条数', 'at most this many', ['条数', 'N']),
    },
    run: ({ opts, io }) => cmdCaseList(opts, io),
  },
  {
    path: ['case', 'show'],
    summary: { zh: '案件详情：文书与音像记录', en: 'a case with its written records and recordings' },
    args: [caseNo],
    options: {},
    run: ({ opts, args, io }) => cmdCaseShow(args[0], opts, io),
  },
  {
    path: ['case', 'search'],
    summary: { zh: '在案件与记录中检索', en: 'search cases and records' },
    args: [arg('检索词', 'QUERY')],
    options: {},
    run: ({ opts, args, io }) => cmdCaseSearch(args[0], opts, io),
  },
  {
    path: ['case', 'check'],
    summary: {
      zh: '案件完整性检查与期限：完整时退出码 0，否则 1',
      en: 'check a case for completeness and deadlines: exit 0 when complete, 1 otherwise',
    },
    args: [caseNo],
    options: {},
    run: ({ opts, args, io }) => cmdCaseCheck(args[0], opts, io),
  },
  {
    path: ['case', 'action'],
    summary: { zh: '记录一项执法环节', en: 'record an enforcement action' },
    args: [caseNo],
    options: {
      action: opt('执法环节', 'the action', ['环节', 'ACTION'], true),
      on: opt('日期', 'the day it happened', ['日期', 'DATE'], true),
      place: opt('地点', 'the place', ['地点', 'TEXT']),
    },
    run: ({ opts, args, io }) => cmdCaseAction(args[0], opts, io),
  },
  {
    path: ['case', 'update'],
    summary: {
      zh: '推进办案阶段、记录决定与执行日期',
      en: 'move the case on; the decision and execution dates',
    },
    args: [caseNo],
    options: {
      stage,
      'executed-on': opt('执行日期', 'the execution date', ['日期', 'DATE']),
      'decided-on': opt('决定日期', 'the decision date', ['日期', 'DATE']),
    },
    run: ({ opts, args, io }) => cmdCaseUpdate(args[0], opts, io),
  },
  {
    path: ['case', 'archive-exception'],
    summary: {
      zh: '负责人准许不完整的案件归档（例外）',
      en: 'an approver lets an incomplete case be archived (an exception)',
    },
    args: [caseNo],
    options: { reason: SHARED.reason },
    run: ({ opts, args, io }) =>
      simple(
        opts,
        io,
        async (core, s) =>
          call(
            core,
            'cases.archiveException',
            { caseId: await caseIdOf(core, s, args[0], io), reason: need(opts, 'reason', io.t) },
            s,
          ),
        (r) => caseLine(r.case),
      ),
  },
  {
    path: ['case', 'request-change'],
    summary: {
      zh: '申请重新打开案件（--stage）、更换承办人（--handlers）或降低密级（--confidentiality），由另一名负责人批准',
      en: 'ask to reopen (--stage), re-staff (--handlers) or lower (--confidentiality) a case; another approver decides',
    },
    args: [caseNo],
    options: {
      stage: opt('重新打开到的阶段', 'the stage to reopen to', ['阶段', 'STAGE']),
      handlers: opt('新的承办人（逗号分隔）', 'the new handlers, comma-separated', [
        '用户名,...',
        'USER,...',
      ]),
      confidentiality: opt('新的密级', 'the new confidentiality level', ['密级', 'LEVEL']),
      reason: SHARED.reason,
    },
    run: ({ opts, args, io }) => cmdCaseChange('request-change', args[0], opts, io),
  },
  {
    path: ['case', 'reopen'],
    summary: { zh: '申请重新开启已归档案件', en: 'ask to reopen an archived case' },
    notes: {
      zh: '批准后的更改进入补充光盘（archive image 案件编号 --supplement）。',
      en: 'Once approved, the changes go onto a supplementary disc (archive image CASE_NO --supplement).',
    },
    args: [arg('案件编号', 'CASE_NO', { optional: true })],
    options: { case: SHARED.case, reason: SHARED.reason },
    run: ({ opts, args, io }) => cmdCaseChange('reopen', args[0], opts, io),
  },
  {
    path: ['case', 'decide-change'],
    summary: { zh: '批准或驳回案件变更申请', en: 'approve or reject a change request' },
    args: [arg('申请ID', 'ID')],
    options: {
      approve: opt('批准', 'approve'),
      reject: opt('驳回', 'reject'),
      note: SHARED.note,
    },
    run: ({ opts, args, io }) => cmdCaseChange('decide-change', args[0], opts, io),
  },
  {
    path: ['case', 'changes'],
    summary: { zh: '案件变更申请', en: 'change requests' },
    args: [arg('案件编号', 'CASE_NO', { optional: true })],
    options: {},
    run: ({ opts, args, io }) => cmdCaseChange('changes', args[0], opts, io),
  },
  {
    path: ['case', 'deadlines'],
    summary: { zh: '各案件的办案期限', en: 'the cases’ deadlines' },
    options: {},
    run: ({ opts, io }) =>
      simple(
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
      ),
  },
  {
    path: ['case', 'numbering'],
    summary: {
      zh: '案件编号规则（机关简称、编号模板）',
      en: 'the case numbering (agency abbreviation, template)',
    },
    options: {
      abbr: opt('机关简称', 'the agency abbreviation', ['简称', 'ABBR']),
      template: opt('编号模板', 'the number template', ['模板', 'TEMPLATE']),
    },
    run: ({ opts, io }) =>
      simple(
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
      ),
  },
]
