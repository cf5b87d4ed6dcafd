import { useCallback, useEffect, useRef, useState } from 'react'

/*
 * A long list drawn a window at a time: rows of one fixed height in a scrolling box, and only the rows in view
 * (plus a margin) in the DOM, so ten thousand loaded recordings cost no more to draw than thirty. `nearEnd` fires
 * when the window comes close to the last loaded row, to fetch the next page — and again when a fetch that was
 * running then ends (`busy`): a list scrolled to its end while a page loaded would otherwise wait for a scroll that,
 * at the bottom already, never comes (records-ui under load stopped so, one page short).
 */

export const OVERSCAN = 8

export function useRowWindow(count: number, rowHeight: number, nearEnd: () => void, busy = false) {
  const box = useRef<HTMLDivElement | null>(null)
  const [view, setView] = useState({ top: 0, height: 600 })
  useEffect(() => {
    const el = box.current
    if (!el) return
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight })
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  const onScroll = useCallback(() => {
    const el = box.current
    if (el) setView({ top: el.scrollTop, height: el.clientHeight })
  }, [])
  const first = Math.max(0, Math.floor(view.top / rowHeight) - OVERSCAN)
  const last = Math.min(count, Math.ceil((view.top + view.height) / rowHeight) + OVERSCAN)
  const near = last >= count - OVERSCAN
  useEffect(() => {
    if (near && !busy) nearEnd()
  }, [near, count, busy, nearEnd])
  /** Back to the top (a new search or filter). */
  const reset = useCallback(() => {
    if (box.current) box.current.scrollTop = 0
    setView((v) => ({ ...v, top: 0 }))
  }, [])
  return {
    box,
    onScroll,
    first,
    last,
    before: first * rowHeight,
    after: Math.max(0, (count - last) * rowHeight),
    reset,
  }
}
