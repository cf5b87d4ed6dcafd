import path from 'node:path'
import fs from 'node:fs'
import { withMessage } from '../../core/core.ts'
import { AppError } from '../../../shared/errors.ts'
import { terminalText } from '../../../shared/text-safety.ts'
import { type FileResult } from '../../../shared/contract.ts'
import { parseOffset } from '../../core/ingest/capture-time.ts'
import { type CommandSpec, opt, arg, SHARED } from '../runner.ts'
import {
  UsageError,
  type Opts,
  type Io,
  need,
  envPassword,
  call,
  asOperator,
  openExisting,
  userIdOf,
  caseIdOf,
  simple,
} from '../kit.ts'

/**
 * Import one folder or several: each its own job, all started at once and run by the core's bounded pool as
 * the 采集 page runs docked devices; each file's result as it comes, then one summary per job (and, with several,
 * a last line with their totals).
 */
export async function cmdIngest(sources: string[], opts: Opts, io: Io): Promise<number> {
  const core = await openExisting(opts)
  try {
    return await asOperator(core, opts, io, async (s) => {
      const jobIds = new Set<string>()
      let starting = true
      const pending: { jobId: string; result: FileResult }[] = []
      const print = (r: FileResult) => io.print(r as unknown as Record<string, unknown>, humanResult(r, io))
      const showProgress = !io.json && process.stderr.isTTY && sources.length === 1
      const off = core.subscribe(s, 'cli', (e) => {
        if (e.type === 'ingest.progress' && showProgress && jobIds.has(e.progress.jobId)) {
          const p = e.progress
          const pct = p.bytesTotal ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 100
          const mb = (n: number) => (n / 1048576).toFixed(0)
          process.stderr.write(
            `\r${pct}%  ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB  ${mb(p.bytesPerSecond)} MB/s  ETA ${p.etaSeconds ?? '?'} s   `,
          )
        }
        if (e.type !== 'ingest.file') return
        if (showProgress) process.stderr.write('\r\x1b[K')
        if (starting) pending.push({ jobId: e.jobId, result: e.result })
        else if (jobIds.has(e.jobId)) print(e.result)
      })
      const caseId = opts.case ? await caseIdOf(core, s, opts.case, io) : undefined
      const collectorUserId = opts.collector ? await userIdOf(core, s, opts.collector) : undefined
      const started: { jobId: string; batchId: string }[] = []
      for (const source of sources) {
        const job = await call(
          core,
          'ingest.start',
          {
            sourceRoot: path.resolve(source),
            ...(opts.device ? { deviceId: opts.device } : {}),
            ...(collectorUserId ? { collectorUserId } : {}),
            // --case names a case: the recordings are filed into it (each through the tagging gate).
            ...(caseId ? { caseId } : {}),
            ...(opts.place ? { place: opts.place } : {}),
            ...(opts.fact ? { fact: opts.fact } : {}),
            ...(opts['late-reason'] ? { lateReason: opts['late-reason'] } : {}),
            ...(process.env.LIUHEN_PIN ? { signingPin: process.env.LIUHEN_PIN } : {}),
          },
          s,
        )
        jobIds.add(job.jobId)
        started.push(job)
      }
      starting = false
      for (const p of pending.splice(0)) if (jobIds.has(p.jobId)) print(p.result)
      for (const job of started) await core.waitForJob(job.jobId)
      off()
      await core.thumbnailsIdle()
      // Time-stamps are asked for once the batch is in; a TSA that does not answer leaves them pending.
      const timestamps = await call(core, 'timestamps.retry', {}, s)
      const { jobs } = await call(core, 'ingest.jobs', {}, s)
      let failed = false
      const totals = { files: 0, stored: 0, duplicate: 0, already: 0, failed: 0, skipped: 0, bytesCopied: 0 }
      for (const job of started) {
        const progress = jobs.find((j) => j.progress.jobId === job.jobId)?.progress
        // The core always ends a job with a summary; should it ever not, this is a failed ingest, not a crash.
        if (!progress?.summary) throw new AppError('INTERNAL', { ref: 'ingest' })
        const summary = progress.summary
        for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += summary[k]
        io.print(
          {
            summary: true,
            batchId: job.batchId,
            ...(sources.length > 1 ? { sourceRoot: progress.sourceRoot } : {}),
            ...summary,
            timestampsPending: timestamps.pending,
          },
          io.t('cli.ingestSummary', { ...summary }),
        )
        failed ||= summary.failed > 0 || progress.state === 'failed'
      }
      if (sources.length > 1)
        io.print(
          { summary: true, jobs: started.length, ...totals, timestampsPending: timestamps.pending },
          io.t('cli.ingestTotals', { jobs: started.length, ...totals }),
        )
      return failed ? 1 : 0
    })
  } finally {
    await core.close()
  }
}

export function humanResult(r: FileResult, io: Io): string {
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

export async function cmdDeviceList(opts: Opts, io: Io): Promise<number> {
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

export async function cmdDeviceRegister(opts: Opts, io: Io): Promise<number> {
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
          ...(opts.officer ? { officerUserId: await userIdOf(core, s, opts.officer) } : {}),
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

export function cmdRecordTag(ids: string[], opts: Opts, io: Io): Promise<number> {
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
            ...(opts.case ? { caseId: await caseIdOf(core, s, opts.case, io) } : {}),
            ...(opts.stage ? { stage: opts.stage as 'start' } : {}),
            ...(opts.action ? { actionType: opts.action } : {}),
            ...(opts.full ? { fullRecording: true } : {}),
            ...(opts.place ? { place: opts.place } : {}),
            ...(opts.fact ? { fact: opts.fact } : {}),
            ...(opts['capture-start'] ? { captureStart: opts['capture-start'] } : {}),
            ...(opts.collector
              ? {
                  collectorIds: await Promise.all(
                    opts.collector.split(',').map(async (u) => (await userIdOf(core, s, u.trim()))!),
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
export function cmdRecordSetTime(
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

export function cmdRecordAddText(caseNo: string | undefined, opts: Opts, io: Io): Promise<number> {
  const pin = envPassword('LIUHEN_PIN')
  return simple(
    opts,
    io,
    async (core, s) =>
      call(
        core,
        'textRecords.add',
        {
          caseId: await caseIdOf(core, s, caseNo, io),
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

const tagOptions = {
  place: opt('地点', 'the place', ['地点', 'TEXT']),
  fact: opt('证明事项', 'what the recording proves', ['证明事项', 'TEXT']),
}

export const commands: CommandSpec[] = [
  {
    path: ['ingest'],
    summary: {
      zh: '以 --user 的身份从设备或文件夹导入（密码取自 LIUHEN_PASSWORD）；给出多个目录时各为一个导入任务，同时开始，如采集站；设置 LIUHEN_PIN 时对每个新文件签名；有文件失败时退出码 1',
      en: 'import a device or folder as --user (password in LIUHEN_PASSWORD); several folders are each their own job, started at once as at a collection station; with LIUHEN_PIN set each new item is signed; exit 1 if any file failed',
    },
    notes: {
      zh: '--json 时每个源文件输出一个 JSON 对象（relPath、sha256、size、status：stored/duplicate/already/failed/skipped、flags、error 或 skipReason、带时区的 captureStart/captureEnd、metadata），最后是汇总对象；不带 --json 时在终端显示进度。',
      en: 'With --json: one JSON object per source file (relPath, sha256, size, status stored/duplicate/already/failed/skipped, flags, error or skipReason, captureStart/captureEnd as ISO 8601 with offset, metadata), then a summary object. Without --json, a progress line on the terminal.',
    },
    args: [arg('源目录', 'SOURCE_DIR', { many: true })],
    options: {
      user: opt('导入人（操作员）', 'who imports (the operator)', ['用户名', 'USER']),
      case: opt('把导入的记录归入此案件', 'file the recordings into this case', ['案件编号', 'CASE_NO']),
      device: opt('已登记设备的 ID', 'the registered device’s id', ['设备ID', 'ID']),
      ...tagOptions,
      collector: opt('采集人用户名', 'the collecting officer’s username', ['用户名', 'USER']),
      'late-reason': opt(
        '拍摄 24 小时后才导入的文件的说明',
        'the reason for files captured more than 24 hours ago',
        ['说明', 'TEXT'],
      ),
    },
    run: ({ opts, args, io }) => {
      if (args.length < 1) throw new UsageError(io.t('cli.missingOption', { name: 'SOURCE_DIR' }))
      // One registered device names one source; several folders are each their own job.
      if (args.length > 1 && opts.device) throw new UsageError(io.t('cli.oneSourcePerDevice'))
      return cmdIngest(args, opts, { ...io, operatorFromUser: true })
    },
  },
  {
    path: ['device', 'list'],
    summary: {
      zh: '已登记的设备与当前连接的可移动卷',
      en: 'registered devices and the removable volumes attached now',
    },
    options: {},
    run: ({ opts, io }) => cmdDeviceList(opts, io),
  },
  {
    path: ['device', 'register'],
    summary: {
      zh: '登记执法记录仪（按卷标识）或导入用的文件夹（--path）',
      en: 'register a body camera (by volume identity) or a folder to import from (--path)',
    },
    options: {
      identity: opt('卷标识', 'the volume identity', ['标识', 'ID']),
      path: opt('作为设备的文件夹', 'a folder to register as a device', ['目录', 'DIR']),
      label: opt('显示名称', 'the label shown', ['名称', 'TEXT']),
      officer: opt('配发给的执法人员', 'the officer it is issued to', ['用户名', 'USER']),
      clock: opt('设备时钟记录的是本地时间还是 UTC', 'whether the device clock keeps local time or UTC', [
        'local|utc',
        'local|utc',
      ]),
      'utc-offset': opt('设备时钟的时区偏移', 'the device clock’s UTC offset', ['+08:00', '+08:00']),
      'clock-offset-ms': opt('设备时钟的已知偏差（毫秒）', 'the device clock’s known error (ms)', [
        '毫秒',
        'MS',
      ]),
    },
    run: ({ opts, io }) => cmdDeviceRegister(opts, io),
  },
  {
    path: ['record', 'tag'],
    summary: {
      zh: '为记录（或整批导入，--batch）标注案件、阶段、执法环节、地点等',
      en: 'tag records (or a whole import batch, --batch) with case, stage, action, place and more',
    },
    args: [arg('记录ID', 'RECORD_ID', { many: true })],
    options: {
      batch: opt('导入批次 ID', 'an import batch id', ['批次ID', 'BATCH_ID']),
      case: SHARED.case,
      stage: opt('办案阶段', 'the case stage', ['阶段', 'STAGE']),
      action: opt('执法环节', 'the enforcement action', ['环节', 'ACTION']),
      full: opt('全程记录', 'a full-process recording'),
      ...tagOptions,
      'capture-start': opt('拍摄开始时间', 'when capture started', ['时间', 'TIME']),
      collector: opt('采集人（逗号分隔）', 'collectors, comma-separated', ['用户名,...', 'USER,...']),
      reason: SHARED.reasonOptional,
    },
    run: ({ opts, args, io }) => cmdRecordTag(args, opts, io),
  },
  {
    path: ['record', 'set-time'],
    summary: {
      zh: '更正拍摄时间：原读数保留，更正作为新版本记入审计日志',
      en: 'correct the capture time: the original reading is kept, the correction is a new, audited version',
    },
    notes: {
      zh: '时间如 2026-11-20T08:30:15+08:00；导入时的读数保留为第 1 版（见 docs/capture-time.md）。',
      en: 'TIME like 2026-11-20T08:30:15+08:00; the reading at ingest stays as version 1 (docs/capture-time.md).',
    },
    args: [arg('记录ID', 'RECORD_ID'), arg('时间', 'TIME')],
    options: { reason: SHARED.reason },
    run: ({ opts, args, io }) => cmdRecordSetTime(args[0], args[1], opts, io),
  },
  {
    path: ['record', 'late-reason'],
    summary: {
      zh: '补充或更正迟延导入的说明',
      en: 'give or correct the reason a recording was imported late',
    },
    options: { id: opt('记录 ID', 'the record id', ['记录ID', 'RECORD_ID'], true), reason: SHARED.reason },
    run: ({ opts, io }) =>
      simple(
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
      ),
  },
  {
    path: ['record', 'add-text'],
    summary: {
      zh: '向案件添加文书记录（设置 LIUHEN_PIN 时签名）',
      en: 'add a written record to a case (signed when LIUHEN_PIN is set)',
    },
    args: [arg('案件编号', 'CASE_NO')],
    options: {
      'doc-type': opt('文书类型', 'the document type', ['类型', 'TYPE'], true),
      file: opt('文书文件', 'the document file', ['文件', 'FILE'], true),
      'doc-no': opt('文号', 'the document number', ['文号', 'NO']),
      'doc-date': opt('文书日期', 'the document date', ['日期', 'DATE']),
      signers: opt('签名人（逗号分隔）', 'signers, comma-separated', ['姓名,...', 'NAME,...']),
    },
    run: ({ opts, args, io }) => cmdRecordAddText(args[0], opts, io),
  },
]
