import { AppError } from '../../shared/errors.ts'
import type { Agency, MethodOutput, ParsedInput } from '../../shared/contract.ts'
import type { Db } from './db/index.ts'
import { actorFields, auditedChange, type CallContext, type CoreDeps } from './context.ts'
import { autoImportEnabled, setAutoImport } from './devices/auto-import-setting.ts'

interface AgencyRow {
  name: string
  code: string
  created_at: string
  idle_lock_minutes: number
  max_failed_sign_ins: number
  lockout_minutes: number
}

export function findAgency(db: Db): Agency | null {
  const r = db.prepare('SELECT * FROM agency WHERE id = 1').get() as AgencyRow | undefined
  return r
    ? {
        name: r.name,
        code: r.code,
        createdAt: r.created_at,
        idleLockMinutes: r.idle_lock_minutes,
        maxFailedSignIns: r.max_failed_sign_ins,
        lockoutMinutes: r.lockout_minutes,
        autoImport: autoImportEnabled(db),
      }
    : null
}

export function getAgency(db: Db): Agency {
  const a = findAgency(db)
  if (!a) throw new AppError('NOT_INITIALIZED')
  return a
}

export function updateAgency(
  deps: CoreDeps,
  input: ParsedInput<'agency.update'>,
  ctx: CallContext,
): MethodOutput<'agency.update'> {
  const before = getAgency(deps.db)
  const after = { ...before, ...stripUndefined(input) }
  const changes: Record<string, { from: unknown; to: unknown }> = {}
  for (const k of [
    'name',
    'code',
    'idleLockMinutes',
    'maxFailedSignIns',
    'lockoutMinutes',
    'autoImport',
  ] as const) {
    if (before[k] !== after[k]) changes[k] = { from: before[k], to: after[k] }
  }
  auditedChange(
    deps,
    {
      ...actorFields(ctx.actor),
      action: 'agency.update',
      targetType: 'agency',
      targetId: before.code,
      details: changes,
    },
    () => {
      deps.db
        .prepare(
          `UPDATE agency SET name = ?, code = ?, idle_lock_minutes = ?, max_failed_sign_ins = ?, lockout_minutes = ?
           WHERE id = 1`,
        )
        .run(after.name, after.code, after.idleLockMinutes, after.maxFailedSignIns, after.lockoutMinutes)
      if (before.autoImport !== after.autoImport) setAutoImport(deps.db, after.autoImport)
    },
  )
  return getAgency(deps.db)
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
