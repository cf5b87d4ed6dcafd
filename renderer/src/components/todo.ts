import { useEffect, useState } from 'react'
import { contract, type MethodOutput, type TODO_KEYS } from '../../../shared/contract.ts'
import { call, onCallDone } from '../api.ts'
import { href, type PageId } from '../app/pages.ts'

/*
 * The to-do counts of the home page and the menu (todo.counts: each counted by the core over what the caller may
 * see, only for the roles whose work it is). They are asked again shortly after any call that may have changed
 * something, when the page changes and when the window comes back to the front.
 */

export type TodoKey = (typeof TODO_KEYS)[number]
export type TodoItem = MethodOutput<'todo.counts'>['items'][number]

/** Where the work behind each count is done: the page, and the filter it opens with. */
export const TODO_TARGET: Record<TodoKey, { page: PageId; query?: string }> = {
  accessToDecide: { page: 'access' },
  reviewsToDo: { page: 'review' },
  disclosuresDue: { page: 'disclosure' },
  deadlinesOverdue: { page: 'cases' },
  discsDue: { page: 'archive' },
  recordsUnfiled: { page: 'records', query: 'filter=unfiled' },
  recordsLate: { page: 'records', query: 'filter=late' },
}

export function todoHref(key: TodoKey): string {
  const target = TODO_TARGET[key]
  return href.page(target.page, target.query)
}

export function useTodoCounts(): TodoItem[] | null {
  const [items, setItems] = useState<TodoItem[] | null>(null)
  useEffect(() => {
    let stopped = false
    let timer: number | undefined
    const load = () =>
      void call('todo.counts', {}).then(
        (r) => !stopped && setItems(r.items),
        // Best effort: a count that cannot be had leaves the last one shown; the pages themselves show their errors.
        () => undefined,
      )
    const soon = () => {
      window.clearTimeout(timer)
      timer = window.setTimeout(load, 300)
    }
    load()
    const off = onCallDone((method) => {
      if (!('readOnly' in contract[method] && contract[method].readOnly)) soon()
    })
    window.addEventListener('hashchange', soon)
    window.addEventListener('focus', soon)
    return () => {
      stopped = true
      window.clearTimeout(timer)
      off()
      window.removeEventListener('hashchange', soon)
      window.removeEventListener('focus', soon)
    }
  }, [])
  return items
}
