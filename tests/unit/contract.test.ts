import { describe, expect, test } from 'vitest'
import { contract, METHOD_NAMES } from '../../shared/contract.ts'
import { ERROR_CODES } from '../../shared/errors.ts'
import { ROLES } from '../../shared/roles.ts'
import zhCN from '../../shared/i18n/zh-CN.ts'
import en from '../../shared/i18n/en.ts'
import { createI18n, translateError } from '../../shared/i18n/index.ts'
import { testCore } from '../helpers/core.ts'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}

/** Every object key an input schema names, nested ones included (zod 4 keeps a schema's parts in _zod.def). */
function inputKeys(schema: unknown, out: Set<string>, depth = 0): void {
  type Def = Record<string, unknown> & { type?: string; shape?: Record<string, unknown>; options?: unknown[] }
  const def = (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def
  if (!def || depth > 8) return
  if (def.type === 'object' && def.shape)
    for (const [k, v] of Object.entries(def.shape)) {
      out.add(k)
      inputKeys(v, out, depth + 1)
    }
  for (const part of ['innerType', 'element', 'in', 'out', 'left', 'right', 'valueType'])
    if (def[part]) inputKeys(def[part], out, depth + 1)
  for (const o of def.options ?? []) inputKeys(o, out, depth + 1)
}

describe('contract', () => {
  test('zh-CN and en carry exactly the same keys', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
  })

  test('every error code has a Chinese and an English message', () => {
    expect(ERROR_CODES.length).toBeGreaterThan(50)
    for (const lang of ['zh-CN', 'en'] as const) {
      const t = createI18n(lang).t
      for (const code of ERROR_CODES) {
        const msg = translateError(t, { code })
        expect(msg, `${lang} ${code}`).not.toContain('errors.')
        expect(msg.length).toBeGreaterThan(3)
      }
    }
    expect(translateError(createI18n('zh-CN').t, { code: 'FORBIDDEN' })).toBe(
      '您无权执行此操作。如需查看非本人承办案件的材料，请在“调阅”页提出调阅申请；如需其他权限，请联系系统管理员。',
    )
  })

  test('every input a method takes has a label in both languages, and a refused input is named by it', async () => {
    const names = new Set<string>()
    for (const m of METHOD_NAMES) inputKeys(contract[m].input, names)
    expect(names.size).toBeGreaterThan(150)
    for (const lang of [zhCN, en])
      for (const k of names) expect((lang.fields as Record<string, string>)[k], k).toBeTruthy()
    // What the core itself sends back, nested paths included, read as a records officer reads it.
    const { core, adminSession } = testCore()
    const admin = await adminSession()
    const r = await core.dispatch(
      { method: 'users.create', input: { username: '', displayName: 7, roles: ['nobody'] }, session: admin },
      'test',
    )
    core.close()
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('VALIDATION')
    const zh = translateError(createI18n('zh-CN').t, r.error)
    expect(zh).toMatch(/^输入不符合要求：/)
    expect(zh).toContain('用户名')
    expect(zh).toContain('角色')
    expect(zh).not.toMatch(/[A-Za-z]/)
    expect(translateError(createI18n('en').t, r.error)).toContain('User name')
    // A path no label knows is still not shown as it is.
    expect(
      translateError(createI18n('zh-CN').t, {
        code: 'VALIDATION',
        params: { fields: 'items.3.zzFoo, (input)' },
      }),
    ).toBe('输入不符合要求：项目、其他输入项')
  })

  test('every state-changing method has a translated audit action name', () => {
    const t = createI18n('zh-CN')
    for (const m of [
      'system.initialize',
      'auth.signIn',
      'users.create',
      'users.update',
      'agency.update',
      'audit.verify',
    ]) {
      expect(t.exists(`actions.${m}`), m).toBe(true)
    }
  })

  test('every method answers a malformed input with VALIDATION, not a crash', async () => {
    const { core, adminSession, userSession } = testCore()
    const admin = await adminSession()
    // Someone holding every role, so that each method gets as far as checking its input.
    const everyone = await userSession(admin, 'allroles', [...ROLES])
    expect(METHOD_NAMES.length).toBeGreaterThan(100)
    for (const method of METHOD_NAMES) {
      if (contract[method].access === 'public' && method === 'system.info') continue
      const r = await core.dispatch({ method, input: { unexpected: 1 }, session: everyone.session }, 'test')
      // auth.signOut/lock take no input, so an extra key is still a validation error (strict objects).
      expect(r.ok, method).toBe(false)
      if (!r.ok) expect(r.error.code, method).toBe('VALIDATION')
    }
    core.close()
  })

  test('unknown methods, prototype keys and non-objects are typed errors', async () => {
    const { core } = testCore()
    for (const req of [
      null,
      42,
      'x',
      [],
      { method: '__proto__' },
      { method: 'constructor' },
      { method: 'toString' },
      { method: 7 },
    ]) {
      const r = await core.dispatch(req, 'test')
      expect(r.ok).toBe(false)
      if (!r.ok) expect(['BAD_REQUEST', 'UNKNOWN_METHOD']).toContain(r.error.code)
    }
    core.close()
  })
})
