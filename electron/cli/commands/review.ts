import path from 'node:path'
import type { DataFolder } from '../../core/folder.ts'
import { AppError } from '../../../shared/errors.ts'
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/contract.ts'
import { REVIEW_CHECKS, REVIEW_OPINIONS, WITHDRAW_GROUNDS } from '../../../shared/review.ts'
import { OUT_FILE, writeAtomicSync } from '../../core/durable.ts'
import { type CommandSpec, type CommandContext, opt, arg, SHARED } from '../runner.ts'
import { type OptionName } from '../options.ts'
import { UsageError, need, call, needEnv, caseIdOf, simple, userIdOf } from '../kit.ts'

/*
 * `liuhen review …` and `liuhen disclosure …`: legal review rounds and the publication of decisions, addressed by
 * case number (the latest round, the live disclosure). The PIN that signs a review record or a discussion record
 * comes from LIUHEN_PIN, like every other signing command.
 */

/** The review and disclosure commands' view of kit.ts (built by `kitOf` below from a command's context). */
export interface CliKit {
  opts: Record<string, string | boolean | undefined>
  t: (key: string, options?: Record<string, unknown>) => string
  usage(message: string): Error
  simple<T extends Record<string, unknown>>(
    body: (core: DataFolder, session: string) => Promise<T>,
    human: (r: T) => string,
  ): Promise<number>
  call<M extends MethodName>(
    core: DataFolder,
    method: M,
    input: MethodInput<M>,
    session?: string,
  ): Promise<MethodOutput<M>>
  caseId(core: DataFolder, session: string): Promise<string>
  /** A required option's value (a usage error when missing). */
  need(name: string): string
  /** The certificate PIN from LIUHEN_PIN, never from the command line. */
  pin(): string
}

type Review = MethodOutput<'review.get'>['reviews'][number]
type Disclosure = MethodOutput<'disclosure.list'>['disclosures'][number]

const list = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(/[,，、]/)
        .map((x) => x.trim())
        .filter(Boolean)
    : []

function oneOf<T extends string>(k: CliKit, name: string, allowed: readonly T[]): T {
  const v = k.need(name)
  if (!allowed.includes(v as T)) throw k.usage(k.t('cli.badValue', { name, allowed: allowed.join('|') }))
  return v as T
}

function reviewLine(k: CliKit, r: Review): string {
  return [
    `${r.caseNo}  ${k.t('review.round', { round: r.round })}  ${k.t(`review.statusName.${r.status}`)}`,
    `  ${k.t('review.due')} ${r.dueOn}${r.overdue ? ` (${k.t('review.overdue')})` : ''}${
      r.extension ? `  ${k.t(`review.extensionName.${r.extension.status}`)}` : ''
    }`,
    ...(r.reviewerName ? [`  ${k.t('review.reviewer')} ${r.reviewerName}`] : []),
    ...(r.opinion
      ? [`  ${k.t('review.opinion')} ${k.t(`review.opinionName.${r.opinion}`)}：${r.opinionText}`]
      : []),
  ].join('\n')
}

async function latestRound(k: CliKit, core: DataFolder, session: string): Promise<Review> {
  const state = await k.call(core, 'review.get', { caseId: await k.caseId(core, session) }, session)
  const last = state.reviews.at(-1)
  if (!last) throw new AppError('NOT_FOUND')
  return last
}

export function cmdReview(sub: string, k: CliKit): Promise<number> {
  const o = k.opts
  const show = (r: { review: Review }) => reviewLine(k, r.review)
  switch (sub) {
    case 'submit':
      return k.simple(
        async (core, s) =>
          k.call(
            core,
            'review.submit',
            {
              caseId: await k.caseId(core, s),
              basis: list(o.basis),
              proposal: k.need('proposal'),
              ...(typeof o.changes === 'string' ? { changes: o.changes } : {}),
            },
            s,
          ),
        show,
      )
    case 'assign':
      return k.simple(async (core, s) => {
        const reviewerId = await userIdOf(core, s, k.need('reviewer'))
        if (!reviewerId) throw new AppError('NOT_FOUND')
        return k.call(core, 'review.assign', { reviewId: (await latestRound(k, core, s)).id, reviewerId }, s)
      }, show)
    case 'opinion': {
      const problems = list(o.problems)
      const na = list(o.na)
      for (const p of [...problems, ...na])
        if (!(REVIEW_CHECKS as readonly string[]).includes(p))
          throw k.usage(k.t('cli.badValue', { name: 'problems/na', allowed: REVIEW_CHECKS.join(',') }))
      const checklist = REVIEW_CHECKS.map((item) => ({
        item,
        result: problems.includes(item)
          ? ('problem' as const)
          : na.includes(item)
            ? ('na' as const)
            : ('ok' as const),
      }))
      return k.simple(
        async (core, s) =>
          k.call(
            core,
            'review.opinion',
            {
              reviewId: (await latestRound(k, core, s)).id,
              checklist,
              opinion: oneOf(k, 'opinion', REVIEW_OPINIONS),
              text: k.need('text'),
              pin: k.pin(),
            },
            s,
          ),
        show,
      )
    }
    case 'extend':
      return k.simple(async (core, s) => {
        const reviewId = (await latestRound(k, core, s)).id
        if (o.approve || o.reject)
          return k.call(
            core,
            'review.decideExtension',
            { reviewId, approve: !!o.approve, ...(typeof o.note === 'string' ? { note: o.note } : {}) },
            s,
          )
        return k.call(core, 'review.extend', { reviewId, reason: k.need('reason') }, s)
      }, show)
    case 'dispute':
      return k.simple(
        async (core, s) =>
          k.call(
            core,
            'review.dispute',
            { reviewId: (await latestRound(k, core, s)).id, reason: k.need('reason') },
            s,
          ),
        show,
      )
    case 'discuss':
      return k.simple(
        async (core, s) =>
          k.call(
            core,
            'review.discuss',
            {
              reviewId: (await latestRound(k, core, s)).id,
              heldOn: k.need('on'),
              participants: list(k.need('participants')),
              conclusion: k.need('conclusion'),
              outcome: oneOf(k, 'outcome', ['proceed', 'follow_review'] as const),
              ...(typeof o.expert === 'string' ? { expertOpinion: o.expert } : {}),
              pin: k.pin(),
            },
            s,
          ),
        show,
      )
    case 'show':
      return k.simple(
        async (core, s) => k.call(core, 'review.get', { caseId: await k.caseId(core, s) }, s),
        (r) =>
          [
            r.passed
              ? k.t('review.passedNote')
              : r.required
                ? k.t('review.required')
                : k.t('review.notRequired'),
            ...r.reviews.map((x) => reviewLine(k, x)),
          ].join('\n'),
      )
    case 'list':
      return k.simple(
        async (core, s) => k.call(core, 'review.list', {}, s),
        (r) => r.reviews.map((x) => reviewLine(k, x)).join('\n') || k.t('review.none'),
      )
    default:
      throw k.usage(k.t('cli.unknownCommand', { command: `review ${sub}` }))
  }
}

function disclosureLine(k: CliKit, d: Disclosure): string {
  return `${d.caseNo}  ${k.t(`disclosure.statusName.${d.status}`)}  ${d.subject}  ${d.conclusion}  ${k.t('disclosure.due')} ${d.dueOn}${
    d.late ? ` (${k.t('disclosure.late')})` : ''
  }`
}

async function liveDisclosure(k: CliKit, core: DataFolder, session: string): Promise<Disclosure> {
  const caseId = await k.caseId(core, session)
  const d = (await k.call(core, 'disclosure.list', {}, session)).disclosures.find(
    (x) => x.caseId === caseId && x.status !== 'withdrawn',
  )
  if (!d) throw new AppError('NOT_FOUND')
  return d
}

export function cmdDisclosure(sub: string, k: CliKit): Promise<number> {
  const o = k.opts
  const show = (r: { disclosure: Disclosure }) => disclosureLine(k, r.disclosure)
  switch (sub) {
    case 'draft':
      return k.simple(
        async (core, s) =>
          k.call(
            core,
            'disclosure.draft',
            {
              caseId: await k.caseId(core, s),
              conclusion: k.need('conclusion'),
              ...(typeof o['decision-no'] === 'string' ? { decisionNo: o['decision-no'] } : {}),
            },
            s,
          ),
        show,
      )
    case 'approve':
      return k.simple(
        async (core, s) =>
          k.call(core, 'disclosure.approve', { disclosureId: (await liveDisclosure(k, core, s)).id }, s),
        show,
      )
    case 'withdraw':
      return k.simple(
        async (core, s) =>
          k.call(
            core,
            'disclosure.withdraw',
            {
              disclosureId: (await liveDisclosure(k, core, s)).id,
              ground: oneOf(k, 'ground', WITHDRAW_GROUNDS),
              reason: k.need('reason'),
            },
            s,
          ),
        show,
      )
    case 'export': {
      const out = path.resolve(k.need('out'))
      return k.simple(
        async (core, s) => {
          const r = await k.call(
            core,
            'disclosure.export',
            {
              format: oneOf(k, 'format', ['json', 'csv', 'html'] as const),
              ...(typeof o.from === 'string' ? { from: o.from } : {}),
              ...(typeof o.to === 'string' ? { to: o.to } : {}),
            },
            s,
          )
          writeAtomicSync(out, r.content, OUT_FILE)
          return { count: r.count, file: out }
        },
        (r) => k.t('disclosure.exported', r),
      )
    }
    case 'list':
      return k.simple(
        async (core, s) => k.call(core, 'disclosure.list', {}, s),
        (r) =>
          [
            ...r.disclosures.map((d) => disclosureLine(k, d)),
            ...r.pending.map(
              (p) =>
                `${p.caseNo}  ${k.t('disclosure.pending')}  ${k.t('disclosure.due')} ${p.dueOn}${p.overdue ? ` (${k.t('disclosure.overdue')})` : ''}`,
            ),
          ].join('\n') || k.t('disclosure.none'),
      )
    default:
      throw k.usage(k.t('cli.unknownCommand', { command: `disclosure ${sub}` }))
  }
}

/** The kit these commands take, built from the CLI's shared helpers. */
function kitOf({ opts, args, io }: CommandContext): CliKit {
  return {
    opts,
    t: io.t,
    usage: (m) => new UsageError(m),
    simple: (body, human) => simple(opts, io, body, human),
    call,
    caseId: (core, s) => caseIdOf(core, s, opts.case ?? args[0], io),
    need: (name) => need(opts, name as OptionName, io.t),
    pin: () => needEnv('LIUHEN_PIN', io),
  }
}

const caseNo = arg('案件编号', 'CASE_NO', { optional: true })
const theCase = SHARED.case
const review =
  (name: string) =>
  (ctx: CommandContext): Promise<number> =>
    cmdReview(name, kitOf(ctx))
const disclosure =
  (name: string) =>
  (ctx: CommandContext): Promise<number> =>
    cmdDisclosure(name, kitOf(ctx))

export const commands: CommandSpec[] = [
  {
    path: ['review', 'submit'],
    summary: { zh: '送法制审核（本案最新一轮）', en: 'submit the case for legal review (its latest round)' },
    args: [caseNo],
    options: {
      case: theCase,
      basis: opt('须审核的情形代码（逗号分隔）', 'the grounds for review, comma-separated', [
        '代码,...',
        'CODE,...',
      ]),
      proposal: opt('决定建议', 'the proposed decision', ['建议', 'TEXT'], true),
      changes: opt('所作处理', 'what was changed', ['说明', 'TEXT']),
    },
    run: review('submit'),
  },
  {
    path: ['review', 'assign'],
    summary: {
      zh: '分配审核人员（不得分配给参与过本案的人员）',
      en: 'assign the reviewer (never someone who worked on the case)',
    },
    args: [caseNo],
    options: { case: theCase, reviewer: opt('审核人员', 'the reviewer', ['用户名', 'USER'], true) },
    run: review('assign'),
  },
  {
    path: ['review', 'opinion'],
    summary: {
      zh: '逐项审核并签署书面意见（PIN 取自 LIUHEN_PIN；未列出的审核项为无问题）',
      en: 'the checklist and the signed written opinion (PIN from LIUHEN_PIN; unlisted points are fine)',
    },
    args: [caseNo],
    options: {
      case: theCase,
      opinion: opt(
        '审核意见',
        'the opinion',
        ['agree|investigate|change|correct|other', 'agree|investigate|change|correct|other'],
        true,
      ),
      text: opt('书面意见', 'the written opinion', ['意见', 'TEXT'], true),
      problems: opt('有问题的审核项（逗号分隔）', 'points with a problem, comma-separated', [
        'facts,...',
        'facts,...',
      ]),
      na: opt('不适用的审核项（逗号分隔）', 'points that do not apply, comma-separated', [
        'crime,...',
        'crime,...',
      ]),
    },
    run: review('opinion'),
  },
  {
    path: ['review', 'extend'],
    summary: {
      zh: '延期一次：审核人员以 --reason 申请，另一人以 --approve 或 --reject 决定',
      en: 'one extension: the reviewer asks (--reason), someone else decides (--approve or --reject)',
    },
    args: [caseNo],
    options: {
      case: theCase,
      reason: SHARED.reasonOptional,
      approve: opt('批准延期', 'approve the extension'),
      reject: opt('不批准延期', 'refuse the extension'),
      note: SHARED.note,
    },
    run: review('extend'),
  },
  {
    path: ['review', 'dispute'],
    summary: { zh: '对审核意见提出异议', en: 'disagree with the opinion' },
    args: [caseNo],
    options: { case: theCase, reason: SHARED.reason },
    run: review('dispute'),
  },
  {
    path: ['review', 'discuss'],
    summary: {
      zh: '集体讨论记录（PIN 取自 LIUHEN_PIN）',
      en: 'the collective discussion record (PIN from LIUHEN_PIN)',
    },
    args: [caseNo],
    options: {
      case: theCase,
      on: opt('讨论日期', 'the day it was held', ['日期', 'DATE'], true),
      participants: opt(
        '参加人员（逗号分隔）',
        'the participants, comma-separated',
        ['甲,乙,丙', 'A,B,C'],
        true,
      ),
      conclusion: opt('结论', 'the conclusion', ['结论', 'TEXT'], true),
      outcome: opt('结果', 'the outcome', ['proceed|follow_review', 'proceed|follow_review'], true),
      expert: opt('专家意见', 'an expert’s opinion', ['意见', 'TEXT']),
    },
    run: review('discuss'),
  },
  {
    path: ['review', 'show'],
    summary: { zh: '本案的审核轮次', en: 'the case’s review rounds' },
    args: [caseNo],
    options: { case: theCase },
    run: review('show'),
  },
  {
    path: ['review', 'list'],
    summary: { zh: '法制审核工作清单', en: 'the legal office’s worklist' },
    options: {},
    run: review('list'),
  },
  {
    path: ['disclosure', 'draft'],
    summary: {
      zh: '起草执法决定公示（身份证号等自动脱敏）',
      en: 'draft the publication of a decision (id numbers and the like redacted)',
    },
    args: [caseNo],
    options: {
      case: theCase,
      conclusion: opt('执法结论', 'the conclusion', ['结论', 'TEXT'], true),
      'decision-no': opt('决定文号', 'the decision number', ['文号', 'NO']),
    },
    run: disclosure('draft'),
  },
  {
    path: ['disclosure', 'approve'],
    summary: { zh: '负责人批准公示（另一人）', en: 'approve the publication (another person)' },
    args: [caseNo],
    options: { case: theCase },
    run: disclosure('approve'),
  },
  {
    path: ['disclosure', 'withdraw'],
    summary: { zh: '撤下公示', en: 'withdraw a publication' },
    args: [caseNo],
    options: {
      case: theCase,
      ground: opt('撤下理由类别', 'the ground', ['revoked|unlawful|redo', 'revoked|unlawful|redo'], true),
      reason: SHARED.reason,
    },
    run: disclosure('withdraw'),
  },
  {
    path: ['disclosure', 'export'],
    summary: { zh: '导出供门户网站发布的文件', en: 'the file for the portal' },
    options: {
      format: opt('格式', 'the format', ['json|csv|html', 'json|csv|html'], true),
      out: SHARED.out,
      from: SHARED.from,
      to: SHARED.to,
    },
    run: disclosure('export'),
  },
  {
    path: ['disclosure', 'list'],
    summary: { zh: '公示与待公示的决定', en: 'publications and decisions still to publish' },
    options: {},
    run: disclosure('list'),
  },
]
