import type { Page } from 'playwright-core'

/*
 * Issue 20, "readable everywhere": the raw codes a page must not show a person — an ISO timestamp, a UUID, a
 * snake_case code, a list of codes joined by commas ("collector,fact", once on the case
 * page) — found in its rendered text (file names a person sees on disk are left out).
 */

const ISO = /\d{4}-\d\d-\d\dT\d\d:/g
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi
const SNAKE = /\b[a-z]+_[a-z_]+\b/g
/** What must stay as written: file names and formats a person types or sees on disk. */
const SNAKE_ALLOWED = new Set<string>([])
// camelCase field names are not searched for: temp folders' random suffixes (liuhen-day-foNqxN) look the same.
const CODE_LIST = /\b[a-z]+(?:,[a-z]+)+\b/g
const FILE_NAME = /[\w.-]*\.(mp4|mov|jpg|jpeg|png|wav|mp3|pdf|ofd|txt|json|csv|xml|p7s|tsr|pem)\b/gi

/** The raw codes on the page's visible text, each with a little context to find it. */
export async function rawCodesOnScreen(page: Page): Promise<string[]> {
  const text = (await page.locator('body').innerText()).replace(FILE_NAME, '')
  const found: string[] = []
  const near = (m: RegExpMatchArray) =>
    text.slice(Math.max(0, m.index! - 30), m.index! + m[0].length + 30).replace(/\s+/g, ' ')
  for (const m of text.matchAll(ISO)) found.push(`ISO: ${near(m)}`)
  for (const m of text.matchAll(UUID)) found.push(`UUID: ${near(m)}`)
  for (const m of text.matchAll(SNAKE)) if (!SNAKE_ALLOWED.has(m[0])) found.push(`code: ${near(m)}`)
  for (const m of text.matchAll(CODE_LIST)) found.push(`codes: ${near(m)}`)
  return found
}

/**
 * What makes a records officer scroll sideways on this viewport: the page itself wider than the window, or a box
 * inside it (a table's wrapper, a panel) whose content overflows it sideways. Each with the box's class and sizes.
 */
export async function sidewaysOnScreen(page: Page): Promise<string[]> {
  // The browser's own objects, typed here as far as this reads them (the tests compile without the DOM library).
  interface Box {
    scrollWidth: number
    clientWidth: number
    tagName: string
    className: string
    innerText: string
  }
  interface Browser {
    innerWidth: number
    document: { documentElement: Box; querySelectorAll(selector: string): ArrayLike<Box> }
    getComputedStyle(box: Box): { overflowX: string }
  }
  return page.evaluate(() => {
    const w = globalThis as unknown as Browser
    const found: string[] = []
    const root = w.document.documentElement
    if (root.scrollWidth > w.innerWidth + 1) found.push(`page ${root.scrollWidth} > ${w.innerWidth}`)
    for (const el of Array.from(w.document.querySelectorAll('main *, .viewer-overlay *'))) {
      const overflow = w.getComputedStyle(el).overflowX
      if (overflow !== 'auto' && overflow !== 'scroll') continue
      if (el.scrollWidth <= el.clientWidth + 1 || el.clientWidth === 0) continue
      const what = (el.innerText || '').slice(0, 40).replace(/\s+/g, ' ')
      found.push(
        `${el.tagName.toLowerCase()}.${el.className} ${el.scrollWidth} > ${el.clientWidth} (${what})`,
      )
    }
    return found
  })
}
