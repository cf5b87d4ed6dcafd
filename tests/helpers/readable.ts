import type { Page } from 'playwright-core'

/*
 * Issue 20, "readable everywhere": the raw codes a page must not show a person — an ISO timestamp, a UUID, a
 * snake_case code — found in its rendered text (file names a person sees on disk are left out).
 */

const ISO = /\d{4}-\d\d-\d\dT\d\d:/g
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi
const SNAKE = /\b[a-z]+_[a-z_]+\b/g
/** What must stay as written: file names and formats a person types or sees on disk. */
const SNAKE_ALLOWED = new Set<string>([])
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
  return found
}
