import fs from 'node:fs'
import { AppError } from '../../shared/errors.ts'
import { plainText } from '../../shared/text-safety.ts'

/*
 * Printable forms (调阅登记表, 卷内目录, disc labels): A4, with a subset of a CJK font embedded (pdfkit +
 * fontkit), so they print the same on any machine. The font is the system's Noto Sans CJK
 * (Debian fonts-noto-cjk), or one given in LIUHEN_CJK_FONT; a packaged app ships its own in resources/.
 */

const FONT_CANDIDATES: [string, string | undefined][] = [
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular'],
  ['/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', 'NotoSerifCJKsc-Regular'],
  ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', 'WenQuanYiMicroHei'],
  ['C:\\Windows\\Fonts\\simsun.ttc', 'SimSun'],
  ['C:\\Windows\\Fonts\\msyh.ttc', 'MicrosoftYaHei'],
]

function cjkFont(): [string, string | undefined] {
  const own = process.env.LIUHEN_CJK_FONT
  if (own && fs.existsSync(own)) return [own, process.env.LIUHEN_CJK_FONT_NAME]
  const found = FONT_CANDIDATES.find(([f]) => fs.existsSync(f))
  if (!found) throw new AppError('FONT_MISSING')
  return found
}

export async function cjkDocument(
  title: string,
  author: string,
): Promise<{ doc: PDFKit.PDFDocument; done: Promise<Buffer> }> {
  const [file, name] = cjkFont()
  // Loaded on first use: pdfkit and fontkit unpack their tables at load, a third of a CLI command's start-up
  // for the many commands that never print.
  const { default: PDFDocument } = await import('pdfkit')
  // No default standard font (Helvetica): every PDF here is set in the embedded CJK font registered below.
  const doc = new PDFDocument({
    size: 'A4',
    margin: 40,
    font: null as unknown as string,
    info: { Title: plainText(title), Author: plainText(author) },
  })
  // Every string set in any of our PDFs passes here: PDFKit lays text out without the bidi algorithm, so a bidi
  // control typed into a name or cause is dropped rather than drawn, and so are control characters.
  const text = doc.text.bind(doc) as (...args: unknown[]) => PDFKit.PDFDocument
  doc.text = ((t: unknown, ...rest: unknown[]) =>
    text(typeof t === 'string' ? plainText(t, { keepNewlines: true }) : t, ...rest)) as typeof doc.text
  doc.registerFont('cjk', file, name)
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))))
  doc.font('cjk')
  return { doc, done }
}

/**
 * A titled table over as many pages as it needs; column widths in points (A4 leaves 515 between margins). Every
 * page begins with the column titles, and a row too tall for what is left of a page is carried on to the next
 * (its cells cut where the text still fits, marked （续） there), so no row runs past the bottom margin and no text
 * is dropped, however long a cell is.
 */
export async function tablePdf(opts: {
  agency: string
  title: string
  scope: string
  generatedAt: string
  columns: { title: string; width: number }[]
  rows: string[][]
  footer: string
}): Promise<Buffer> {
  const { doc, done } = await cjkDocument(opts.title, opts.agency)
  doc.fontSize(16).text(opts.title, { align: 'center' })
  doc.moveDown(0.3)
  doc.fontSize(9).text(`${opts.agency}    ${opts.scope}    ${opts.generatedAt}`, { align: 'center' })
  doc.moveDown(0.8)
  const widths = opts.columns.map((c) => c.width)
  const left = doc.page.margins.left
  const bottom = () => doc.page.height - doc.page.margins.bottom - 20
  const PAD = 3
  const heightOf = (text: string, i: number) => doc.heightOfString(text, { width: widths[i]! - 2 * PAD })
  const rowHeight = (cells: string[]) => Math.max(...cells.map((c, i) => heightOf(c, i))) + 2 * PAD

  const drawCells = (cells: string[], bold: boolean) => {
    const height = rowHeight(cells)
    const y = doc.y
    let x = left
    cells.forEach((c, i) => {
      doc.rect(x, y, widths[i]!, height).stroke('#888888')
      // Bounded by the cell's own box: without a height pdfkit would start a page of its own for a tall text.
      doc
        .fillColor(bold ? '#000000' : '#222222')
        .text(c, x + PAD, y + PAD, { width: widths[i]! - 2 * PAD, height: height - PAD })
      x += widths[i]!
    })
    doc.x = left
    doc.y = y + height
  }
  const header = () =>
    drawCells(
      opts.columns.map((c) => c.title),
      true,
    )
  const newPage = () => {
    doc.addPage()
    header()
  }
  /** The longest start of `text` that fits in `room` points of cell `i` (whole text when it all fits). */
  const fitting = (text: string, i: number, room: number): number => {
    if (heightOf(text, i) + 2 * PAD <= room) return text.length
    let lo = 0
    let hi = text.length
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      if (heightOf(text.slice(0, mid), i) + 2 * PAD <= room) lo = mid
      else hi = mid - 1
    }
    // Not between the halves of a surrogate pair (an emoji typed into a note).
    return lo > 0 && /[\uD800-\uDBFF]/.test(text[lo - 1]!) ? lo - 1 : lo
  }
  const CONTINUED = '（续）'
  const drawRow = (cells: string[]) => {
    let rest = cells
    for (;;) {
      const room = bottom() - doc.y
      if (rowHeight(rest) <= room) return drawCells(rest, false)
      // A row that would fit on a fresh page goes there whole; only a row taller than a page is cut.
      const fullRoom = bottom() - doc.page.margins.top - rowHeight(opts.columns.map((c) => c.title))
      if (rowHeight(rest) <= fullRoom || room < 3 * (doc.currentLineHeight() + 2 * PAD)) {
        newPage()
        if (rowHeight(rest) <= bottom() - doc.y) return drawCells(rest, false)
        continue
      }
      const cut = rest.map((c, i) => fitting(c, i, room - doc.currentLineHeight()))
      if (cut.every((n) => n === 0)) throw new Error('tablePdf: a column too narrow for one character')
      drawCells(
        rest.map((c, i) => (cut[i]! < c.length ? c.slice(0, cut[i]) : c)),
        false,
      )
      rest = rest.map((c, i) => (cut[i]! < c.length ? CONTINUED + c.slice(cut[i]) : ''))
      newPage()
    }
  }
  doc.fontSize(8)
  header()
  for (const r of opts.rows) drawRow(r)
  doc.moveDown(1)
  if (doc.y > bottom()) doc.addPage()
  doc.fontSize(8).fillColor('#444444').text(opts.footer, left, doc.y)
  doc.end()
  return done
}
