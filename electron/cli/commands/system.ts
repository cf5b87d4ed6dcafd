import path from 'node:path'
import { openDataFolder } from '../../core/folder.ts'
import { restoreFolder } from '../../core/offline.ts'
import { generateTemporaryPassword } from '../../core/accounts/passwords.ts'
import { terminalText } from '../../../shared/text-safety.ts'
import { createDemo } from '../demo.ts'
import { OUT_FILE, writeAtomicSync } from '../../core/durable.ts'
import { type CommandSpec, opt } from '../runner.ts'
import { type Opts, type Io, need, envPassword, dataDirOf, call, simple } from '../kit.ts'

export async function cmdInit(opts: Opts, io: Io): Promise<number> {
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

export const commands: CommandSpec[] = [
  {
    path: ['init'],
    summary: {
      zh: '初始化数据目录：创建机关及其第一位系统管理员（目录已初始化时失败）；管理员初始密码取自 LIUHEN_PASSWORD，未设置时生成并显示一次',
      en: 'create the agency and its first administrator (fails if the folder is already initialised); the initial password comes from LIUHEN_PASSWORD or is generated and printed once',
    },
    signsIn: false,
    options: {
      agency: opt('机关名称', 'the agency’s name', ['机关名称', 'NAME'], true),
      'agency-code': opt('机关代码', 'the agency’s code', ['代码', 'CODE'], true),
      admin: opt('管理员用户名', 'the administrator’s username', ['用户名', 'USER'], true),
      'admin-name': opt('管理员姓名（默认同用户名）', 'the administrator’s name (default: the username)', [
        '姓名',
        'NAME',
      ]),
    },
    run: ({ opts, io }) => cmdInit(opts, io),
  },
  {
    path: ['demo'],
    summary: {
      zh: '在空目录中创建演示机关：各角色用户（密码 Demo2026ok，PIN 246810）、执法记录仪、合成的音像记录、各阶段案件、待审批的调阅申请和已归档的案件',
      en: 'create a demo agency in an empty folder: users for every role (password Demo2026ok, PIN 246810), body cameras, synthetic recordings, cases at every stage, a pending access request, an archived case',
    },
    signsIn: false,
    options: {},
    run: async ({ opts, io }) => {
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
    },
  },
  {
    path: ['backup'],
    summary: {
      zh: '在线备份（数据库快照、原始文件增量复制；系统管理员）',
      en: 'consistent online backup, incremental for files (administrator)',
    },
    options: { to: opt('备份目录', 'the backup folder', ['备份目录', 'BACKUP_DIR'], true) },
    run: ({ opts, io }) =>
      simple(
        opts,
        io,
        async (core, s) => call(core, 'backup.run', { target: path.resolve(need(opts, 'to', io.t)) }, s),
        (r) => io.t('cli.backupDone', { ...r }),
      ),
  },
  {
    path: ['restore'],
    summary: {
      zh: '从备份恢复到新的数据目录（--data；该目录不得正被其他程序使用）',
      en: 'restore a backup into a new data folder (--data; refused while another process uses it)',
    },
    signsIn: false,
    options: { from: opt('备份目录', 'the backup folder', ['备份目录', 'BACKUP_DIR'], true) },
    run: async ({ opts, io }) => {
      // A restore writes a whole data folder: never one another process is working in (offline.ts refuses it).
      const r = await restoreFolder(path.resolve(need(opts, 'from', io.t)), dataDirOf(opts))
      io.print(r, io.t('cli.restored', { ...r }))
      return 0
    },
  },
  {
    path: ['stats'],
    summary: {
      zh: '年度或季度执法统计；--pdf 另存为 A4 报告',
      en: 'enforcement statistics of a year or quarter; --pdf also writes the A4 report',
    },
    options: {
      year: opt('年份', 'the year', ['年份', 'YEAR'], true),
      quarter: opt('季度（1–4）', 'the quarter (1–4)', ['季度', 'Q']),
      pdf: opt('另存 PDF 报告的文件', 'also write the report to this PDF', ['文件', 'FILE']),
    },
    run: ({ opts, io }) =>
      simple(
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
      ),
  },
  {
    path: ['calendar', 'set'],
    summary: {
      zh: '工作日历：把某日设为工作日或节假日（--holiday），或确认某年的日历',
      en: 'the working calendar: make a day a working day or a holiday (--holiday), or confirm a year',
    },
    options: {
      on: opt('日期', 'the day', ['日期', 'DATE']),
      holiday: opt('该日为节假日（默认为工作日）', 'the day is a holiday (default: a working day)'),
      year: opt('确认该年的日历', 'confirm this year’s calendar', ['年份', 'YEAR']),
      reason: opt('说明', 'a note', ['说明', 'TEXT']),
    },
    run: ({ opts, io }) =>
      simple(
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
      ),
  },
]
