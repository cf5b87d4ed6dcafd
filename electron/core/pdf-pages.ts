import zlib from 'node:zlib'

/*
 * How many pages a PDF has, read from its bytes for the 卷内目录 (页数): the page tree's /Count, or, when the root
 * cannot be told apart, the page objects themselves. Objects may sit in compressed object streams (PDF 1.5, what
 * Word and WPS write), so /ObjStm streams are inflated and read too. An incremental update appends a newer page tree:
 * the last root found wins. Read-only, never trusted for anything but a printed number: null when
 * the file does not say.
 */

const MAX_INFLATED = 64 * 1024 * 1024
const MAX_DICT = 64 * 1024

function objectStreams(pdf: Buffer): string[] {
  const out: string[] = []
  const text = pdf.toString('latin1')
  const re = /\/Type\s*\/ObjStm\b[^]*?stream\r?\n/g
  let inflated = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + m[0].length
    const end = text.indexOf('endstream', start)
    if (end < 0) break
    try {
      const body = zlib.inflateSync(pdf.subarray(start, end), { maxOutputLength: MAX_INFLATED })
      inflated += body.length
      if (inflated > MAX_INFLATED) break
      out.push(body.toString('latin1'))
    } catch {
      // A stream that is not Flate (or is damaged) tells us nothing; the rest may.
    }
    re.lastIndex = end
  }
  return out
}

/** The number of pages, or null when the bytes are not a PDF or name no page. */
export function pdfPageCount(pdf: Buffer): number | null {
  if (pdf.subarray(0, 1024).indexOf('%PDF-') < 0) return null
  const texts = [pdf.toString('latin1'), ...objectStreams(pdf)]
  // The root page tree is the /Pages node with no /Parent; its /Count is the document's page count.
  let rootCount: number | null = null
  let leaves = 0
  for (const text of texts) {
    const dicts = /\/Type\s*\/Pages?\b/g
    for (let m = dicts.exec(text); m; m = dicts.exec(text)) {
      // The dictionary the match is a key of: back to the `<<` left open before it (nested `<< >>` values such as
      // /Resources skipped), on to the `>>` that closes it. Both walks are bounded (a page dictionary is short), and
      // the next match is looked for after this dictionary: every byte is walked a bounded number of times.
      let open = -1
      for (let i = m.index - 1, depth = 0; i > 0 && i >= m.index - MAX_DICT; i--) {
        if (text[i] === '>' && text[i - 1] === '>') {
          depth++
          i--
        } else if (text[i] === '<' && text[i - 1] === '<') {
          if (depth === 0) {
            open = i - 1
            break
          }
          depth--
          i--
        }
      }
      if (open < 0) continue
      const end = Math.min(text.length - 1, open + MAX_DICT)
      let depth = 0
      let i = open
      for (; i < end; i++) {
        if (text[i] === '<' && text[i + 1] === '<') {
          depth++
          i++
        } else if (text[i] === '>' && text[i + 1] === '>') {
          depth--
          i++
          if (depth === 0) break
        }
      }
      dicts.lastIndex = Math.max(dicts.lastIndex, i + 1)
      const dict = text.slice(open, i + 1)
      if (/\/Type\s*\/Pages\b/.test(m[0])) {
        const count = /\/Count\s+(\d+)/.exec(dict)
        if (count && !/\/Parent\b/.test(dict)) rootCount = Number(count[1])
      } else leaves++
    }
  }
  if (rootCount !== null && rootCount > 0) return rootCount
  return leaves > 0 ? leaves : null
}
