import { generateTemporaryPassword } from '../../core/accounts/passwords.ts'
import { terminalText } from '../../../shared/text-safety.ts'
import { type User } from '../../../shared/contract.ts'
import { type CommandSpec, opt } from '../runner.ts'
import {
  type Opts,
  type Io,
  parseRoles,
  need,
  envPassword,
  call,
  asOperator,
  rolesText,
  openExisting,
} from '../kit.ts'

export async function cmdUserAdd(opts: Opts, io: Io): Promise<number> {
  const username = need(opts, 'user', io.t)
  const displayName = need(opts, 'name', io.t)
  const roles = parseRoles(need(opts, 'roles', io.t), io.t)
  const given = envPassword('LIUHEN_NEW_PASSWORD')
  const generated = given ? null : generateTemporaryPassword()
  const core = await openExisting(opts)
  try {
    const { user } = await asOperator(core, opts, io, (s) =>
      call(
        core,
        'users.create',
        {
          username,
          displayName,
          roles,
          ...(opts.badge ? { badgeNo: opts.badge } : {}),
          initialPassword: given ?? generated!,
        },
        s,
      ),
    )
    io.print(
      { ok: true, user, ...(generated ? { initialPassword: generated } : {}) },
      io.t('cli.userAdded', {
        username: user.username,
        name: user.displayName,
        roles: rolesText(user.roles, io),
      }) + (generated ? `\n${io.t('cli.generatedPassword', { password: generated })}` : ''),
    )
    return 0
  } finally {
    await core.close()
  }
}

export async function cmdUserList(opts: Opts, io: Io): Promise<number> {
  const core = await openExisting(opts)
  try {
    const { users } = await asOperator(core, opts, io, (s) => call(core, 'users.list', {}, s))
    if (io.json) {
      for (const u of users) io.print(u, '')
    } else {
      const line = (u: User) =>
        [
          u.username.padEnd(16),
          u.displayName,
          `[${rolesText(u.roles, io)}]`,
          u.badgeNo ? `${io.t('settings.badgeNo')} ${u.badgeNo}` : '',
          u.disabled ? io.t('settings.disabled') : '',
        ]
          .filter(Boolean)
          .join('  ')
      process.stdout.write(terminalText(users.map(line).join('\n')) + '\n')
    }
    return 0
  } finally {
    await core.close()
  }
}

export const commands: CommandSpec[] = [
  {
    path: ['user', 'add'],
    summary: {
      zh: '新增用户；新用户的初始密码取自 LIUHEN_NEW_PASSWORD，未设置时生成并显示一次',
      en: 'add a user; the initial password comes from LIUHEN_NEW_PASSWORD or is generated and printed once',
    },
    notes: {
      zh: '角色可写代码（enforcement_officer、records_officer、approver、legal_reviewer、auditor、admin）、中文名或简写（officer、records、reviewer）。',
      en: 'Roles by id (enforcement_officer, records_officer, approver, legal_reviewer, auditor, admin), Chinese name, or short form (officer, records, reviewer).',
    },
    options: {
      user: opt('新用户的用户名', 'the new user’s username', ['用户名', 'USER'], true),
      name: opt('姓名', 'the user’s name', ['姓名', 'NAME'], true),
      roles: opt(
        '角色（代码或中文名，逗号分隔）',
        'roles by id or Chinese name, comma-separated',
        ['角色1,角色2', 'ROLE,...'],
        true,
      ),
      badge: opt('执法证号', 'the enforcement badge number', ['执法证号', 'BADGE']),
    },
    run: ({ opts, io }) => cmdUserAdd(opts, io),
  },
  {
    path: ['user', 'list'],
    summary: { zh: '列出用户', en: 'list users' },
    options: {},
    run: ({ opts, io }) => cmdUserList(opts, io),
  },
]
