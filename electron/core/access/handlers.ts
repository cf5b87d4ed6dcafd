import type { CoreEnv, Handlers } from '../handlers.ts'
import * as access from './requests.ts'
import { setAccessPolicy } from './gate.ts'
import { exportRecords } from './export.ts'

/** access.* (shared/contract/access.ts). */
export function accessHandlers({ deps }: CoreEnv) {
  return {
    'access.request': (i, ctx) => access.requestAccess(deps, i, ctx),
    'access.approve': (i, ctx) => access.approveRequest(deps, i, ctx),
    'access.reject': (i, ctx) => access.rejectRequest(deps, i, ctx),
    'access.revoke': (i, ctx) => access.revokeGrant(deps, i, ctx),
    'access.list': (_i, ctx) => access.listAccess(deps, ctx),
    'access.policy': (i, ctx) => setAccessPolicy(deps, i, ctx),
    'access.log': (i, ctx) => access.accessLog(deps, i, ctx),
    'access.export': (i, ctx) => exportRecords(deps, i, ctx),
    'access.register': (i, ctx) => access.accessRegister(deps, i, ctx),
  } satisfies Partial<Handlers>
}
