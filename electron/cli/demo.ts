import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Core } from '../core/core.ts'
import { createCore } from '../core/core.ts'
import { chinaDate } from '../core/cases/calendar.ts'
import { ffmpegBin } from '../core/ingest/thumbnails.ts'
import { cjkDocument } from '../core/pdf.ts'
import { AppError } from '../../shared/errors.ts'
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract.ts'
import { REVIEW_CHECKS } from '../../shared/review.ts'

/*
 * `liuhen demo --data DIR`: a sample agency a newcomer can click through — a user for every role, registered body
 * cameras, synthetic recordings made by ffmpeg, signed documents, cases at every stage (a new complaint, an
 * inspection under way, a major penalty in legal review, a decided penalty waiting for publication, and an archived
 * case with a verified disc), a pending access request. Everything goes through the same contract as the app, so
 * the demo's audit trail, seals and signatures are as real as any agency's. Sample data only: never evidence.
 */

export const DEMO_PASSWORD = 'Demo2026ok'
export const DEMO_PIN = '246810'

const USERS = [
  { username: 'jilu', displayName: '王记录', roles: ['records_officer'] },
  { username: 'lijing', displayName: '李静', roles: ['enforcement_officer'], badgeNo: '35010023' },
  { username: 'zhangwei', displayName: '张伟', roles: ['enforcement_officer'], badgeNo: '35010024' },
  { username: 'liuyang', displayName: '刘洋', roles: ['enforcement_officer'], badgeNo: '35010025' },
  { username: 'fuze', displayName: '赵负责', roles: ['approver'] },
  { username: 'fazhi', displayName: '孙法制', roles: ['legal_reviewer'] },
  { username: 'shenji', displayName: '周审计', roles: ['auditor'] },
] as const
type Who = (typeof USERS)[number]['username'] | 'admin'

export interface DemoResult {
  dataDir: string
  agency: string
  users: { username: string; displayName: string; roles: readonly string[] }[]
  password: string
  pin: string
  cases: { caseNo: string; stage: string; note: string }[]
}

const day = (base: Date, offsetDays: number) => chinaDate(new Date(base.getTime() + offsetDays * 86_400_000))
const stamp = (d: Date) => {
  const c = new Date(d.getTime() + 8 * 3_600_000).toISOString()
  return `${c.slice(0, 10).replaceAll('-', '')}${c.slice(11, 19).replaceAll(':', '')}`
}

/** A short test-pattern clip with a tone, stamped with the time it "was recorded", as a body camera writes it. */
function clip(file: string, at: Date, seconds: number, pattern: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  execFileSync(ffmpegBin(), [
    ...['-nostdin', '-v', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `${pattern}=size=640x360:rate=15:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=520:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'],
    // Like most body cameras: the local (Beijing) wall clock written as if it were UTC; registered as such below.
    ...['-metadata', `creation_time=${new Date(at.getTime() + 8 * 3_600_000).toISOString()}`, file],
  ])
}

function voice(file: string, seconds: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  execFileSync(ffmpegBin(), [
    ...['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=300:duration=${seconds}`],
    file,
  ])
}

/** A one-page document standing in for a signed scan of the real form. */
async function document(file: string, title: string, lines: string[]): Promise<void> {
  const { doc, done } = await cjkDocument(title, '留痕演示')
  doc.fontSize(18).text(title, { align: 'center' })
  doc.moveDown()
  doc.fontSize(11)
  for (const l of lines) doc.text(l).moveDown(0.4)
  doc.moveDown().fontSize(9).fillColor('#888888').text('（演示数据，非真实执法文书）')
  doc.end()
  fs.writeFileSync(file, await done)
}

export async function createDemo(
  dataDir: string,
  log: (line: string) => void = () => undefined,
  /** Tests give the demo their clock; `liuhen demo` runs on the computer's. */
  now?: () => Date,
): Promise<DemoResult> {
  const dir = path.resolve(dataDir)
  if (fs.existsSync(path.join(dir, 'liuhen.db'))) throw new AppError('ALREADY_INITIALIZED')
  const core = createCore({ dataDir: dir, create: true, ...(now ? { now } : {}) })
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'liuhen-demo-'))
  try {
    return await build(core, dir, work, log, now?.() ?? new Date())
  } finally {
    core.close()
    fs.rmSync(work, { recursive: true, force: true })
  }
}

async function build(
  core: Core,
  dir: string,
  work: string,
  log: (line: string) => void,
  now: Date,
): Promise<DemoResult> {
  const sessions = new Map<Who, string>()
  const ids = new Map<Who, string>()
  async function call<M extends MethodName>(
    who: Who | null,
    method: M,
    input: MethodInput<M>,
  ): Promise<MethodOutput<M>> {
    const r = await core.dispatch({ method, input, session: who ? sessions.get(who) : undefined }, 'cli')
    if (!r.ok) throw new AppError(r.error.code, r.error.params)
    return r.value as MethodOutput<M>
  }
  const agency = '示范市医疗保障局'

  log('机关与用户 / agency and users')
  const init = await call(null, 'system.initialize', {
    agencyName: agency,
    agencyCode: 'SFYBJ',
    adminUsername: 'admin',
    adminDisplayName: '陈建国',
    adminPassword: 'Chushi2026a',
  })
  ids.set('admin', init.adminUserId)
  const signIn = async (who: Who, initial: string) => {
    const s = await call(null, 'auth.signIn', { username: who, password: initial })
    sessions.set(who, s.session)
    await call(who, 'auth.changePassword', { currentPassword: initial, newPassword: DEMO_PASSWORD })
  }
  await signIn('admin', 'Chushi2026a')
  await call('admin', 'cases.numbering', { abbr: '示医保' })
  for (const u of USERS) {
    const { user } = await call('admin', 'users.create', {
      ...u,
      roles: [...u.roles],
      initialPassword: 'Linshi2026x',
    })
    ids.set(u.username, user.id)
    await signIn(u.username, 'Linshi2026x')
  }
  const id = (who: Who) => ids.get(who)!

  log('证书 / certificates')
  await call('admin', 'ca.init', { passphrase: 'DemoRoot2026', commonName: `${agency}演示根证书` })
  for (const who of ['jilu', 'lijing', 'fuze', 'fazhi'] as const)
    await call('admin', 'ca.issue', { userId: id(who), rootPassphrase: 'DemoRoot2026', pin: DEMO_PIN })

  log('执法记录仪与音像记录 / body cameras and recordings')
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000)
  const cams = [
    { folder: path.join(work, 'ZD-01'), label: '执法记录仪 ZD-01', officer: 'lijing' as const },
    { folder: path.join(work, 'ZD-02'), label: '执法记录仪 ZD-02', officer: 'zhangwei' as const },
  ]
  const shots: Record<string, { cam: number; hours: number; seconds: number; pattern: string }> = {
    inspect1: { cam: 0, hours: 20, seconds: 6, pattern: 'testsrc2' },
    inspect2: { cam: 0, hours: 19.5, seconds: 5, pattern: 'smptebars' },
    sealing: { cam: 0, hours: 8, seconds: 8, pattern: 'testsrc' },
    notify: { cam: 1, hours: 6, seconds: 5, pattern: 'rgbtestsrc' },
    service: { cam: 1, hours: 4, seconds: 4, pattern: 'testsrc2' },
    closed: { cam: 1, hours: 2, seconds: 5, pattern: 'smptehdbars' },
  }
  const names: Record<string, string> = {}
  Object.entries(shots).forEach(([key, s], i) => {
    const at = hoursAgo(s.hours)
    const name = `ZD_${stamp(at)}_${String(i + 1).padStart(4, '0')}.MP4`
    names[key] = name
    clip(path.join(cams[s.cam]!.folder, 'DCIM', '100MEDIA', name), at, s.seconds, s.pattern)
  })
  voice(path.join(cams[1]!.folder, 'RECORD', `REC_${stamp(hoursAgo(3))}.WAV`), 6)
  const evidence: Record<string, string> = {}
  for (const cam of cams) {
    const { device } = await call('jilu', 'devices.register', {
      kind: 'folder',
      identity: cam.folder,
      label: cam.label,
      officerUserId: id(cam.officer),
      clockMode: 'local',
    })
    const { jobId } = await call('jilu', 'ingest.start', {
      sourceRoot: cam.folder,
      deviceId: device.id,
      collectorUserId: id(cam.officer),
      signingPin: DEMO_PIN,
    })
    await core.waitForJob(jobId)
    const job = (await call('jilu', 'ingest.jobs', {})).jobs.find((j) => j.progress.jobId === jobId)!
    for (const r of job.results) if (r.evidenceId) evidence[path.basename(r.relPath)] = r.evidenceId
  }
  const rec = (key: string) => evidence[names[key]!]!
  const wav = Object.keys(evidence).find((n) => n.endsWith('.WAV'))!

  const docs = path.join(work, 'docs')
  fs.mkdirSync(docs)
  async function addDoc(caseId: string, docType: string, title: string, lines: string[], who: Who = 'jilu') {
    const file = path.join(docs, `${title}-${caseId.slice(0, 8)}.pdf`)
    await document(file, title, lines)
    await call(who, 'textRecords.add', {
      caseId,
      docType,
      filePath: file,
      pin: DEMO_PIN,
      docDate: day(now, -1),
    })
  }
  const tag = (evidenceIds: string[], tags: MethodInput<'records.tag'>['tags']) =>
    call('jilu', 'records.tag', { evidenceIds, tags })
  const newCase = async (input: Omit<MethodInput<'cases.create'>, 'handlerIds'>, handlers: Who[]) =>
    (await call('jilu', 'cases.create', { ...input, handlerIds: handlers.map(id) })).case
  const summary: DemoResult['cases'] = []

  log('案件 / cases')
  // 1. A complaint just filed.
  const c1 = await newCase(
    {
      type: 'penalty',
      cause: '群众举报某诊所涉嫌挂床住院骗取医保基金',
      source: 'complaint',
      party: { kind: 'organisation', name: '示范市某某诊所', idNo: '91350100M000100Y43' },
      filedOn: day(now, -1),
    },
    ['liuyang', 'zhangwei'],
  )
  summary.push({ caseNo: c1.caseNo, stage: 'start', note: '刚立案的投诉举报案件' })

  // 2. An inspection under way: two recordings of the on-site inspection and its record.
  const c2 = await newCase(
    {
      type: 'inspection',
      cause: '定点零售药店医保基金使用情况日常检查',
      source: 'ex_officio',
      party: { kind: 'organisation', name: '示范市康宁大药房' },
      filedOn: day(now, -3),
    },
    ['lijing', 'zhangwei'],
  )
  await call('jilu', 'cases.update', { caseId: c2.id, stage: 'investigation' })
  await call('lijing', 'cases.addAction', {
    caseId: c2.id,
    actionType: 'onsite_inspection',
    occurredOn: day(now, -1),
    place: '示范市康宁大药房',
  })
  await tag([rec('inspect1'), rec('inspect2')], {
    caseId: c2.id,
    stage: 'investigation',
    actionType: 'onsite_inspection',
    fullRecording: true,
    place: '示范市鼓楼区康宁大药房营业厅',
    fact: '现场检查药品进销存与医保结算记录',
    collectorIds: [id('lijing'), id('zhangwei')],
  })
  await addDoc(c2.id, 'onsite_record', '现场笔录', [
    '检查地点：示范市鼓楼区康宁大药房',
    '检查人员：李静、张伟',
  ])
  summary.push({ caseNo: c2.caseNo, stage: 'investigation', note: '调查取证中，已标注现场检查录像' })

  // 3. A major penalty in legal review, assigned to the reviewer.
  const c3 = await newCase(
    {
      type: 'penalty',
      cause: '某医院虚构医疗服务骗取医保基金',
      source: 'complaint',
      party: { kind: 'organisation', name: '示范市仁和医院' },
      major: true,
      filedOn: day(now, -20),
    },
    ['lijing', 'zhangwei'],
  )
  await call('jilu', 'cases.update', { caseId: c3.id, stage: 'decision' })
  await call('lijing', 'cases.addAction', { caseId: c3.id, actionType: 'sealing', occurredOn: day(now, -1) })
  await tag([rec('sealing')], {
    caseId: c3.id,
    stage: 'investigation',
    actionType: 'sealing',
    fullRecording: true,
    place: '示范市仁和医院住院部',
    fact: '资料封存全过程',
    collectorIds: [id('lijing'), id('zhangwei')],
  })
  await addDoc(c3.id, 'filing_approval', '立案审批表', ['案由：虚构医疗服务骗取医保基金'])
  await addDoc(c3.id, 'inquiry_record', '询问笔录', ['被询问人：医院医保办负责人'])
  await addDoc(c3.id, 'rights_notice', '事先告知书', ['拟责令退回医保基金 12.6 万元，并处罚款 25.2 万元'])
  const r3 = await call('jilu', 'review.submit', {
    caseId: c3.id,
    basis: ['large_amount'],
    proposal: '责令退回医保基金 12.6 万元，并处罚款 25.2 万元',
  })
  await call('fazhi', 'review.assign', { reviewId: r3.review.id, reviewerId: id('fazhi') })
  summary.push({ caseNo: c3.caseNo, stage: 'decision', note: '重大执法决定，法制审核中（孙法制）' })

  // 4. A penalty decided after a passed review, served, its disclosure waiting for the head's approval.
  const c4 = await newCase(
    {
      type: 'penalty',
      cause: '定点药店串换药品违规结算',
      source: 'ex_officio',
      party: { kind: 'person', name: '张三丰', idNo: '11010519491231002X' },
      major: true,
      filedOn: day(now, -40),
    },
    ['zhangwei', 'liuyang'],
  )
  await call('jilu', 'cases.update', { caseId: c4.id, stage: 'decision' })
  await call('zhangwei', 'cases.addAction', {
    caseId: c4.id,
    actionType: 'notify_opinion',
    occurredOn: day(now, -1),
  })
  await tag([rec('notify')], {
    caseId: c4.id,
    stage: 'decision',
    actionType: 'notify_opinion',
    fullRecording: true,
    place: '示范市医疗保障局询问室',
    fact: '告知拟作出的处罚决定及陈述申辩权利',
    collectorIds: [id('zhangwei'), id('liuyang')],
  })
  const r4 = await call('jilu', 'review.submit', {
    caseId: c4.id,
    basis: ['large_amount'],
    proposal: '责令退回医保基金 3.2 万元，并处罚款 6.4 万元',
  })
  await call('fazhi', 'review.assign', { reviewId: r4.review.id, reviewerId: id('fazhi') })
  await call('fazhi', 'review.opinion', {
    reviewId: r4.review.id,
    checklist: REVIEW_CHECKS.map((item) => ({ item, result: 'ok' as const })),
    opinion: 'agree',
    text: '事实清楚，证据确凿，适用法律正确，程序合法，处理适当，同意。',
    pin: DEMO_PIN,
  })
  await call('jilu', 'cases.update', { caseId: c4.id, decidedOn: day(now, -1), stage: 'execution' })
  await addDoc(c4.id, 'decision_document', '行政处罚决定书', ['责令退回医保基金 3.2 万元，并处罚款 6.4 万元'])
  await call('zhangwei', 'cases.addAction', {
    caseId: c4.id,
    actionType: 'direct_service',
    occurredOn: day(now, 0),
  })
  await tag([rec('service')], {
    caseId: c4.id,
    stage: 'execution',
    actionType: 'direct_service',
    fullRecording: true,
    place: '当事人经营场所',
    fact: '直接送达行政处罚决定书',
    collectorIds: [id('zhangwei')],
  })
  await call('jilu', 'disclosure.draft', {
    caseId: c4.id,
    conclusion:
      '张三丰（身份证号 11010519491231002X）串换药品违规结算，责令退回医保基金 3.2 万元，并处罚款 6.4 万元。',
    decisionNo: c4.caseNo,
  })
  summary.push({ caseNo: c4.caseNo, stage: 'execution', note: '已决定并送达，公示待负责人审批' })

  // 5. An inspection closed and archived: a disc image written and verified, registered as copy A.
  const c5 = await newCase(
    {
      type: 'inspection',
      cause: '定点医疗机构年度监督检查',
      source: 'ex_officio',
      party: { kind: 'organisation', name: '示范市安康门诊部' },
      filedOn: day(now, -12),
    },
    ['lijing', 'liuyang'],
  )
  await call('lijing', 'cases.addAction', {
    caseId: c5.id,
    actionType: 'onsite_inspection',
    occurredOn: day(now, -1),
  })
  await tag([rec('closed'), evidence[wav]!], {
    caseId: c5.id,
    stage: 'investigation',
    actionType: 'onsite_inspection',
    fullRecording: true,
    place: '示范市安康门诊部',
    fact: '现场检查未发现违规问题',
    collectorIds: [id('lijing'), id('liuyang')],
  })
  await addDoc(c5.id, 'onsite_record', '现场笔录', ['检查结论：未发现违法违规行为'])
  await call('jilu', 'cases.update', { caseId: c5.id, executedOn: day(now, 0), stage: 'execution' })
  await call('fuze', 'cases.archiveException', {
    caseId: c5.id,
    reason: '检查未发现违法行为，无需作出处理决定，按规定归档',
  })
  await call('jilu', 'cases.update', { caseId: c5.id, stage: 'closed' })
  // Beside the data folder, never in it: the core writes no image, package or export into a data folder.
  const besides = `${dir}-demo-discs`
  const discs =
    fs.existsSync(besides) && fs.readdirSync(besides).length ? fs.mkdtempSync(`${besides}-`) : besides
  fs.mkdirSync(discs, { recursive: true })
  const images = await call('jilu', 'archive.image', {
    caseId: c5.id,
    media: 'dvd',
    outDir: path.join(discs, 'images'),
    pin: DEMO_PIN,
  })
  await call('jilu', 'discs.burn', {
    target: path.join(discs, `${c5.caseNo.replace(/[〔〕]/g, '_')}_A套.iso`),
    image: images.volumes[0]!.image,
    copy: 'A',
    retention: '30y',
    location: '档案室 A 柜 1 层',
  })
  summary.push({
    caseNo: c5.caseNo,
    stage: 'closed',
    note: `已结案，档案光盘已写入并校验（映像文件在 ${discs}）`,
  })

  log('调阅申请 / an access request')
  await call('liuyang', 'access.request', {
    caseId: c2.id,
    purpose: 'case_review',
    purposeText: '案卷评查需要查看现场检查录像',
    kind: 'view',
    startsAt: now.toISOString(),
    endsAt: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
  })
  await core.thumbnailsIdle()
  for (const who of sessions.keys()) await call(who, 'auth.signOut', {})
  return {
    dataDir: dir,
    agency,
    users: [{ username: 'admin', displayName: '陈建国', roles: ['admin'] }, ...USERS],
    password: DEMO_PASSWORD,
    pin: DEMO_PIN,
    cases: summary,
  }
}
