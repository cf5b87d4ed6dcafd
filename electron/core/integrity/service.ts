import crypto from 'node:crypto'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import type { IntegrityProblem, IntegrityReport } from '../../../shared/integrity.ts'
import type { CallContext, CoreDeps } from '../context.ts'
import { actorFields, auditedChange } from '../context.ts'
import { readMeta, readSetting, writeMeta, writeSetting } from '../meta.ts'
import { tablePdf } from '../pdf.ts'
import { verifyIntegrity } from './verify.ts'
import { backupTo } from './backup.ts'
import type { Jobs } from '../jobs.ts'
import { recordDatabaseCheck } from './damage.ts'
import { getAgency } from '../agency.ts'
import { formatBeijing } from '../../../shared/datetime.ts'
import { createI18n } from '../../../shared/i18n/index.ts'
import { jobErrorText } from '../../../shared/integrity.ts'
import { refuseOutputInDataFolder } from '../ingest/source-guard.ts'

const zh = createI18n('zh-CN')

/*
 * Integrity runs from the app: recorded in fixity_runs so a long one resumes after a restart or a cancel,
 * summarised in the audit trail, the last report kept for the 审计 page and its PDF. A background schedule runs
 * sampled (or full) checks on the agency's interval.
 */

export interface Schedule {
  /** Hours between scheduled checks; 0 turns the schedule off. */
  intervalHours: number
  /** Share of vault objects re-hashed by a scheduled check (100 = all). */
  samplePercent: number
}
export const DEFAULT_SCHEDULE: Schedule = { intervalHours: 24 * 7, samplePercent: 100 }

interface RunRow {
  id: string
  kind: 'full' | 'sample'
  last_sha256: string | null
  failures: string
  done: number
}

export async function runVerify(
  deps: CoreDeps,
  input: { samplePercent?: number | undefined; resume?: boolean | undefined },
  ctx: CallContext | null,
  opts: {
    signal?: AbortSignal
    onProgress?: (p: { phase: string; done: number; total: number }) => void
  } = {},
): Promise<IntegrityReport> {
  const db = deps.db
  const sample = input.samplePercent && input.samplePercent < 100 ? input.samplePercent : undefined
  // A full run interrupted earlier continues after the last object it finished.
  const open = input.resume
    ? (db
        .prepare(
          `SELECT * FROM fixity_runs WHERE finished_at IS NULL AND kind = 'full' ORDER BY started_at DESC`,
        )
        .get() as RunRow | undefined)
    : undefined
  const runId = open?.id ?? crypto.randomUUID()
  const total = (
    db
      .prepare(
        'SELECT COUNT(*) AS n FROM (SELECT sha256 FROM evidence WHERE deleted_at IS NULL UNION SELECT sha256 FROM text_records)',
      )
      .get() as { n: number }
  ).n
  if (!open)
    db.prepare(
      'INSERT INTO fixity_runs (id, kind, started_at, started_by, total) VALUES (?, ?, ?, ?, ?)',
    ).run(runId, sample ? 'sample' : 'full', deps.now().toISOString(), ctx?.actor?.userId ?? null, total)
  const earlier = open ? (JSON.parse(open.failures) as IntegrityProblem[]) : []
  const report = await verifyIntegrity(db, deps.layout, deps.now, {
    ...(sample ? { samplePercent: sample } : {}),
    ...(open?.last_sha256 ? { after: open.last_sha256 } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    onCheckpoint: (last, done, failures) =>
      db
        .prepare('UPDATE fixity_runs SET last_sha256 = ?, done = ?, failures = ? WHERE id = ?')
        .run(last, (open?.done ?? 0) + done, JSON.stringify([...earlier, ...failures]), runId),
  })
  recordDatabaseCheck(deps.layout, report.problems, deps.now())
  // What the interrupted part of a resumed run found still counts.
  if (earlier.length) {
    report.problems = [...earlier, ...report.problems]
    report.ok = false
  }
  auditedChange(
    deps,
    {
      ...actorFields(ctx?.actor),
      action: 'integrity.verify',
      targetType: 'system',
      targetId: runId,
      details: {
        ok: report.ok,
        scope: report.scope,
        objects: report.checked.objects,
        rows: report.checked.rows,
        problems: report.problems.length,
        first: report.problems.slice(0, 5).map((p) => `${p.check}:${p.table ?? ''}:${p.id}`),
      },
    },
    () => {
      db.prepare('UPDATE fixity_runs SET finished_at = ? WHERE id = ?').run(deps.now().toISOString(), runId)
      writeMeta(db, 'integrity.lastReport', JSON.stringify(report))
    },
  )
  return report
}

export function lastReport(deps: CoreDeps): IntegrityReport | null {
  const raw = readMeta(deps.db, 'integrity.lastReport')
  return raw ? (JSON.parse(raw) as IntegrityReport) : null
}

export function schedule(deps: CoreDeps): Schedule {
  return readSetting(deps.db, 'integrity.schedule', DEFAULT_SCHEDULE)
}

export function setSchedule(deps: CoreDeps, i: ParsedInput<'integrity.setSchedule'>, ctx: CallContext) {
  auditedChange(
    deps,
    {
      ...actorFields(ctx.actor),
      action: 'integrity.schedule',
      targetType: 'system',
      targetId: 'schedule',
      details: i,
    },
    () => writeSetting(deps.db, 'integrity.schedule', i),
  )
  return schedule(deps)
}

/** Whether a scheduled check is due now. */
export function scheduledDue(deps: CoreDeps): boolean {
  const s = schedule(deps)
  if (!s.intervalHours) return false
  const last = deps.db.prepare('SELECT MAX(started_at) AS t FROM fixity_runs').get() as { t: string | null }
  return !last.t || deps.now().getTime() - new Date(last.t).getTime() >= s.intervalHours * 3_600_000
}

const CHECK_NAMES = {
  vault: '原始文件',
  rows: '数据库记录',
  audit: '审计日志',
  signatures: '电子签名',
  database: '数据库文件',
  queue: '待办事项',
} as const
const KIND_NAMES: Record<string, string> = {
  hash_mismatch: '内容与登记的哈希不符',
  size_mismatch: '大小与登记不符',
  missing: '缺失',
  unreadable: '无法读取',
  changed: '在本系统之外被修改',
  unsealed: '在本系统之外被添加',
  deleted: '在本系统之外被删除',
  seal_mismatch: '封存值与审计日志不符',
  damaged: '数据库页面损坏',
  foreign_key: '记录引用了不存在的记录',
  phase_failed: '数据库文件损坏，无法检查',
  prev_mismatch: '与前一条的哈希链接断开',
  truncated: '末尾被截断',
  checkpoint_mismatch: '与已签名检查点不符',
  checkpoint_invalid: '检查点签名无效',
  file_changed: '签名文件被替换或修改',
  file_missing: '签名文件缺失',
  invalid: '签名与记录内容不符',
  job_failed: '提交后应完成的工作多次失败，仍在重试',
  job_overdue: '提交后应完成的工作超过 24 小时仍未完成',
}

export async function reportPdf(deps: CoreDeps): Promise<MethodOutput<'integrity.reportPdf'>> {
  const r = lastReport(deps)
  const agency = getAgency(deps.db).name
  const local = (iso: string) => formatBeijing(iso)
  const rows: string[][] = r
    ? r.problems.map((p, i) => [
        String(i + 1),
        CHECK_NAMES[p.check],
        `${p.table ? `${p.table} ` : ''}${p.id}`,
        KIND_NAMES[p.kind] ?? p.kind,
        p.records.join('\n') || '—',
        p.check === 'queue' ? jobErrorText(p.detail, zh.t) : (p.detail ?? ''),
      ])
    : []
  const c = r?.checked
  const pdf = await tablePdf({
    agency,
    title: '完整性校验报告',
    scope: r
      ? `${r.ok ? '全部通过' : `发现 ${r.problems.length} 处问题`}  ${r.scope === 'full' ? '全量' : '抽样'}校验  ${local(r.startedAt)} — ${local(r.finishedAt)}`
      : '尚未校验',
    generatedAt: `制表时间 ${local(deps.now().toISOString())}`,
    columns: [
      { title: '序号', width: 30 },
      { title: '校验项', width: 60 },
      { title: '对象', width: 130 },
      { title: '问题', width: 95 },
      { title: '涉及记录', width: 110 },
      { title: '说明', width: 90 },
    ],
    rows,
    footer: c
      ? `校验范围：原始文件 ${c.objects} 个（${(c.bytes / 1e9).toFixed(2)} GB，逐字节重算 SHA-256）；数据库记录 ${c.rows} 行（与审计日志中的封存值比对）；审计日志 ${c.auditEvents} 条及已签名检查点 ${c.checkpoints} 个；电子签名 ${c.signatures} 个。${r!.ok ? '未发现问题。' : ''}`
      : '',
  })
  return { pdfBase64: pdf.toString('base64') }
}

/** The last report, and whether an interrupted full run can be resumed. */
export function last(deps: CoreDeps): MethodOutput<'integrity.last'> {
  return {
    report: lastReport(deps),
    resumable: !!deps.db
      .prepare(`SELECT 1 FROM fixity_runs WHERE finished_at IS NULL AND kind = 'full'`)
      .get(),
  }
}

/** A consistent backup into `i.target`, run as a job of the integrity runner (progress, cancel); audited. */
export function backup(
  deps: CoreDeps,
  jobs: Jobs,
  i: ParsedInput<'backup.run'>,
  ctx: CallContext,
): Promise<MethodOutput<'backup.run'>> {
  refuseOutputInDataFolder(deps.layout, i.target, { backup: true })
  return jobs.run(i.jobId, async (o) => {
    const r = await backupTo(deps.db, deps.layout, i.target, o.onProgress, o.signal)
    auditedChange(
      deps,
      {
        ...actorFields(ctx.actor),
        action: 'backup.run',
        targetType: 'system',
        targetId: 'backup',
        details: { ...r },
      },
      () => undefined,
    )
    return r
  })
}
