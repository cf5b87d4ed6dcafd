import type { Role } from '../../../shared/roles.ts'

/**
 * The areas of the app and who may open them. The core checks every call regardless;
 * this only decides what the navigation offers and which page shows "access denied".
 */
export const PAGES = [
  // Administrators open 采集 for its 设备 screen only (devices.register/update/retire); importing is not theirs.
  { id: 'ingest', roles: ['records_officer', 'enforcement_officer', 'admin'] },
  { id: 'cases', roles: 'any' },
  // 音像记录: whoever records.list answers (admins manage accounts, not evidence).
  {
    id: 'records',
    roles: ['records_officer', 'enforcement_officer', 'approver', 'legal_reviewer', 'auditor'],
  },
  { id: 'access', roles: 'any' },
  // Handlers follow their own case's review on the case page.
  { id: 'review', roles: ['legal_reviewer', 'approver', 'records_officer', 'auditor'] },
  { id: 'disclosure', roles: ['records_officer', 'approver', 'auditor'] },
  { id: 'archive', roles: ['records_officer', 'admin'] },
  { id: 'audit', roles: ['auditor', 'admin'] },
  { id: 'stats', roles: 'any' },
  { id: 'settings', roles: ['admin'] },
] as const satisfies readonly { id: string; roles: 'any' | readonly Role[] }[]

export type PageId = (typeof PAGES)[number]['id']

export function canOpen(page: (typeof PAGES)[number], roles: readonly Role[]): boolean {
  return page.roles === 'any' || page.roles.some((r) => roles.includes(r))
}

/**
 * The app's addresses, built in one place (hash history: #/<page>/<sub>?<query>). A link is written as
 * `href.case(id)`, never as a string typed on the spot, so a renamed page cannot leave a dead link behind.
 */
export const href = {
  page: (id: PageId, query?: string) => `#/${id}${query ? `?${query}` : ''}`,
  /** A page's own tab: #/ingest/devices. */
  tab: (id: PageId, tab: string) => `#/${id}/${encodeURIComponent(tab)}`,
  case: (caseId: string) => `#/cases/${encodeURIComponent(caseId)}`,
}

/** Where the address points now: the page and what follows it (#/cases/<id> gives page "cases", sub "<id>"). */
export function routeOf(hash: string): { page: string; sub: string } {
  const [pathPart = ''] = hash.replace(/^#\/?/, '').split('?')
  const [page = '', ...rest] = pathPart.split('/')
  return { page, sub: rest.map((p) => decodeURIComponent(p)).join('/') }
}
