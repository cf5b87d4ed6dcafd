import path from 'node:path'
import { type DataFolder } from '../../core/folder.ts'
import { AppError } from '../../../shared/errors.ts'
import { type MethodInput, type MethodOutput } from '../../../shared/contract.ts'
import { formatBeijingDate } from '../../../shared/datetime.ts'
import { type CommandSpec, type CommandContext, opt, arg, SHARED } from '../runner.ts'
import { UsageError, type Opts, type Io, need, call, writePdf, caseIdOf, simple, longRun } from '../kit.ts'

export function cmdArchive(sub: string, caseNo: string | undefined, opts: Opts, io: Io): Promise<number> {
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
                caseId: await caseIdOf(core, s, caseNo, io),
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
          const r = await call(core, 'archive.catalogue', { caseId: await caseIdOf(core, s, caseNo, io) }, s)
          const out = writePdf(opts, io, r.pdfBase64)
          return { out }
        },
        (r) => io.t('cli.rootExported', { out: r.out }),
      )
    default:
      throw new UsageError(io.t('cli.unknownCommand', { command: `archive ${sub}` }))
  }
}

export function verifyLines(io: Io, v: MethodOutput<'discs.verify'>['verify']): string {
  return [
    io.t(v.ok ? 'cli.discOk' : 'cli.discBad', { volid: v.volid || '?' }),
    `  ${io.t('cli.discMd5', { result: io.t(`cli.md5.${v.sessionMd5}`) })}`,
    `  ${io.t('cli.discFiles', { files: v.filesChecked, bytes: v.bytesChecked })}`,
    ...v.problems.slice(0, 20).map((p) => `  ${io.t(`cli.discProblem.${p.problem}`)}  ${p.path}`),
    ...(v.matchesRegistry === false ? [`  ${io.t('cli.discNotRegistry')}`] : []),
  ].join('\n')
}

/** A registered disc by the number printed on its label. */
export async function discByNo(core: DataFolder, s: string, discNo: string | undefined) {
  const d = (await call(core, 'discs.list', {}, s)).discs.find((x) => x.discNo === discNo)
  if (!d) throw new AppError('NOT_FOUND')
  return d
}

/** Removal of originals whose retention has ended: one person asks, another decides. */
export function cmdVault(sub: string, arg: string | undefined, opts: Opts, io: Io): Promise<number> {
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

export function cmdDisc(sub: string, target: string | undefined, opts: Opts, io: Io): Promise<number> {
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
          call(core, 'discs.list', target ? { caseId: await caseIdOf(core, s, target, io) } : {}, s),
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

const caseNo = arg('案件编号', 'CASE_NO')
const target = arg('刻录机或映像文件', 'TARGET')
const discNo = arg('光盘编号', 'DISC_NO')
const retention = opt('保管期限', 'the retention', ['permanent|30y|10y', 'permanent|30y|10y'])
const location = opt('存放位置', 'where the disc is kept', ['位置', 'TEXT'])
const archive =
  (name: string) =>
  ({ opts, args, io }: CommandContext) =>
    cmdArchive(name, args[0], opts, io)
const disc =
  (name: string) =>
  ({ opts, args, io }: CommandContext) =>
    cmdDisc(name, args[0], opts, io)
const vault =
  (name: string) =>
  ({ opts, args, io }: CommandContext) =>
    cmdVault(name, args[0], opts, io)

export const commands: CommandSpec[] = [
  {
    path: ['archive', 'build'],
    summary: {
      zh: '案件的 BagIt 档案包（完整的案件，或经负责人例外准许；设置 LIUHEN_PIN 时签名）',
      en: 'the case’s BagIt archive package (complete cases, or with an approver’s exception; signed with LIUHEN_PIN)',
    },
    args: [caseNo],
    options: { out: SHARED.outDir },
    run: ({ opts, args, io }) =>
      simple(
        opts,
        io,
        async (core, s) =>
          call(
            core,
            'archive.build',
            {
              caseId: await caseIdOf(core, s, args[0], io),
              outDir: path.resolve(need(opts, 'out', io.t)),
              ...(process.env.LIUHEN_PIN ? { pin: process.env.LIUHEN_PIN } : {}),
            },
            s,
          ),
        (r) => io.t('cli.bagBuilt', { ...r }),
      ),
  },
  {
    path: ['archive', 'image'],
    summary: {
      zh: '把案件分盘，每盘写一个 ISO 映像（LIUHEN_PIN 签名标签清单）；--supplement 只含自上次归档以来的变化',
      en: 'plan the case onto discs, one ISO per disc (LIUHEN_PIN signs each tag manifest); --supplement: only what changed since',
    },
    args: [caseNo],
    options: {
      media: opt('光盘类型（默认 dvd）', 'the disc type (default dvd)', [
        'cd|dvd|dvd-dl|bd25|bd50|bd100',
        'cd|dvd|dvd-dl|bd25|bd50|bd100',
      ]),
      out: SHARED.outDir,
      supplement: opt('补充归档', 'a supplement to the case’s discs'),
    },
    run: archive('image'),
  },
  {
    path: ['archive', 'catalogue'],
    summary: { zh: '卷内目录（PDF）', en: 'the file catalogue (PDF)' },
    args: [caseNo],
    options: { out: SHARED.out },
    run: archive('catalogue'),
  },
  {
    path: ['archive', 'settings'],
    summary: {
      zh: '光盘容量与定期检查（设置：系统管理员）',
      en: 'disc capacities and the inspection schedule (setting them: administrator)',
    },
    options: {
      capacity: opt('光盘容量', 'disc capacities', ['dvd=字节,...', 'dvd=BYTES,...']),
      'inspect-months': opt('检查周期（月）', 'months between inspections', ['月数', 'N']),
      'sample-percent': opt('每次抽查的百分比', 'percentage checked each time', ['百分比', 'P']),
    },
    run: archive('settings'),
  },
  {
    path: ['disc', 'burn'],
    summary: {
      zh: '把映像写入刻录机或新的映像文件，校验并登记光盘（校验失败时退出码 1，登记为不合格）',
      en: 'write the image to a drive or a new image file, check it, register the disc (exit 1 if the check failed)',
    },
    args: [target],
    options: {
      image: opt('ISO 映像', 'the ISO image', ['ISO', 'ISO'], true),
      copy: opt('副本（默认 A）', 'the copy (default A)', ['A|B|C', 'A|B|C']),
      retention,
      location,
    },
    run: disc('burn'),
  },
  {
    path: ['disc', 'verify'],
    summary: {
      zh: '校验光盘或映像（登记过的光盘记录结果）',
      en: 'check a disc or image (recorded for a registered disc)',
    },
    args: [target],
    options: { disc: opt('光盘编号', 'the disc number', ['光盘编号', 'NO']) },
    run: disc('verify'),
  },
  {
    path: ['disc', 'list'],
    summary: { zh: '光盘登记', en: 'the disc registry' },
    args: [arg('案件编号', 'CASE_NO', { optional: true })],
    options: {},
    run: disc('list'),
  },
  {
    path: ['disc', 'drives'],
    summary: { zh: '光盘刻录机', en: 'disc drives' },
    options: {},
    run: disc('drives'),
  },
  {
    path: ['disc', 'inspections'],
    summary: { zh: '待检查与检查未通过的光盘', en: 'discs due for inspection and discs that failed' },
    options: {},
    run: disc('inspections'),
  },
  {
    path: ['disc', 'update'],
    summary: { zh: '光盘的存放位置与保管期限', en: 'where a disc is kept, its retention' },
    args: [discNo],
    options: { location, retention },
    run: disc('update'),
  },
  {
    path: ['disc', 'label'],
    summary: { zh: '光盘标签（PDF）', en: 'the disc label (PDF)' },
    args: [discNo],
    options: { out: SHARED.out },
    run: disc('label'),
  },
  {
    path: ['vault', 'request-delete'],
    summary: {
      zh: '申请删除保管期限届满的原始文件（另一人审批，留存墓碑记录）',
      en: 'ask to remove an original past its retention (another person decides; a tombstone is kept)',
    },
    args: [arg('记录ID', 'RECORD_ID')],
    options: { reason: SHARED.reason },
    run: vault('request-delete'),
  },
  {
    path: ['vault', 'approve-delete'],
    summary: { zh: '批准删除申请', en: 'approve a removal request' },
    args: [arg('申请ID', 'REQUEST_ID')],
    options: { note: SHARED.note },
    run: vault('approve-delete'),
  },
  {
    path: ['vault', 'reject-delete'],
    summary: { zh: '驳回删除申请', en: 'reject a removal request' },
    args: [arg('申请ID', 'REQUEST_ID')],
    options: { note: SHARED.note },
    run: vault('reject-delete'),
  },
  {
    path: ['vault', 'deletions'],
    summary: { zh: '删除申请', en: 'removal requests' },
    options: {},
    run: vault('deletions'),
  },
]
