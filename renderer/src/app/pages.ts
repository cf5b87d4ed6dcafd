import { type MethodName } from '../../../shared/contract.ts'
import { mayCall } from '../../../shared/may-call.ts'
import type { Role } from '../../../shared/roles.ts'

/**
 * The areas of the app and who may open them: a page opens for whoever may call one of the methods it is there to
 * serve (mayCall reads the contract's own roles, so a page follows its methods). The core checks every call
 * regardless; this only decides what the navigation offers and which page shows "access denied".
 */
export const PAGES = [
  // Administrators open 采集 for its 设备 screen only (devices.register/update/retire); importing is not theirs.
  { id: 'ingest', serves: ['devices.list'] },
  { id: 'cases', serves: ['cases.list'] },
  // 音像记录: whoever records.list answers (admins manage accounts, not evidence).
  { id: 'records', serves: ['records.list'] },
  { id: 'access', serves: ['access.list'] },
  // Handlers follow their own case's review on the case page.
  { id: 'review', serves: ['review.list'] },
  { id: 'disclosure', serves: ['disclosure.list'] },
  // Records officers build and write the discs; administrators set where and how.
  { id: 'archive', serves: ['archive.build', 'archive.setSettings'] },
  { id: 'audit', serves: ['audit.list'] },
  { id: 'stats', serves: ['stats.get'] },
  { id: 'settings', serves: ['users.list'] },
] as const satisfies readonly { id: string; serves: readonly MethodName[] }[]

export type PageId = (typeof PAGES)[number]['id']

export function canOpen(page: PageId | (typeof PAGES)[number], roles: readonly Role[]): boolean {
  const p = typeof page === 'string' ? PAGES.find((x) => x.id === page) : page
  return p !== undefined && p.serves.some((m) => mayCall(m, roles))
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
