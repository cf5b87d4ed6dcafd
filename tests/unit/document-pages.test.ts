import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import PDFDocument from 'pdfkit'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { pdfPageCount } from '../../electron/core/pdf-pages.ts'
import { AGENCY, testCore } from '../helpers/core.ts'
import { tempDir } from '../helpers/bridge.ts'
import { agency, newCase, type Person } from '../helpers/agency.ts'

/*
 * Issue 20: the 卷内目录 printed 页数 "pdf" (the file kind) and a blank 责任者. 页数 is now the PDF's own page count
 * read from the vault original (pdfinfo, poppler's reader, is the oracle), 责任者 the signers or else the agency.
 */

function pdfkitPdf(pages: number): Promise<Buffer> {
  const doc = new PDFDocument({ autoFirstPage: false })
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))))
  for (let i = 0; i < pages; i++) doc.addPage().text(`page ${i + 1}`)
  doc.end()
  return done
}

/**
 * A PDF 1.5 with its page objects inside a compressed object stream and a cross-reference stream, the way Word
 * and WPS save: no `/Type /Page` is visible in the file's plain bytes.
 */
function objStmPdf(pages: number): Buffer {
  // Objects 1 (catalog), 2 (page tree) and 3.. (pages) live in the object stream, object N+3.
  const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(' ')
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    ...Array.from({ length: pages }, () => '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>'),
  ]
  let header = ''
  let body = ''
  objs.forEach((o, i) => {
    header += `${i + 1} ${body.length} `
    body += `${o}\n`
  })
  const stmData = zlib.deflateSync(Buffer.from(header + body, 'latin1'))
  const stmNo = objs.length + 1
  const xrefNo = stmNo + 1
  const parts: Buffer[] = [Buffer.from('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n', 'latin1')]
  const offset = () => parts.reduce((n, b) => n + b.length, 0)
  const stmAt = offset()
  parts.push(
    Buffer.from(
      `${stmNo} 0 obj\n<< /Type /ObjStm /N ${objs.length} /First ${header.length} /Filter /FlateDecode /Length ${stmData.length} >>\nstream\n`,
      'latin1',
    ),
    stmData,
    Buffer.from('\nendstream\nendobj\n', 'latin1'),
  )
  const xrefAt = offset()
  // Cross-reference stream: type 0 for object 0, type 2 (in stream stmNo, index i) for 1..N, type 1 for the rest.
  const rows: number[][] = [[0, 0, 0xff]]
  objs.forEach((_, i) => rows.push([2, stmNo, i]))
  rows.push([1, stmAt, 0], [1, xrefAt, 0])
  const xref = Buffer.alloc(rows.length * 6)
  rows.forEach(([type, a, b], i) => {
    xref.writeUInt8(type!, i * 6)
    xref.writeUInt32BE(a!, i * 6 + 1)
    xref.writeUInt8(b!, i * 6 + 5)
  })
  const xrefData = zlib.deflateSync(xref)
  parts.push(
    Buffer.from(
      `${xrefNo} 0 obj\n<< /Type /XRef /Size ${rows.length} /W [1 4 1] /Root 1 0 R /Filter /FlateDecode /Length ${xrefData.length} >>\nstream\n`,
      'latin1',
    ),
    xrefData,
    Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'),
  )
  return Buffer.concat(parts)
}

function pdfinfoPages(file: string): number {
  const out = execFileSync('pdfinfo', [file], { encoding: 'utf8' })
  return Number(/^Pages:\s+(\d+)/m.exec(out)![1])
}

describe('a PDF’s page count, from its bytes', () => {
  test('pdfkit documents of 1, 3 and 12 pages count as pdfinfo counts them', async () => {
    const dir = tempDir()
    let checked = 0
    for (const n of [1, 3, 12]) {
      const file = path.join(dir, `${n}.pdf`)
      fs.writeFileSync(file, await pdfkitPdf(n))
      expect(pdfPageCount(fs.readFileSync(file))).toBe(pdfinfoPages(file))
      expect(pdfinfoPages(file)).toBe(n)
      checked++
    }
    expect(checked).toBe(3)
  })

  test('pages inside a compressed object stream are counted (pdfinfo agrees it is a valid 4-page file)', () => {
    const file = path.join(tempDir(), 'objstm.pdf')
    fs.writeFileSync(file, objStmPdf(4))
    expect(fs.readFileSync(file).includes('/Type /Page')).toBe(false)
    expect(pdfinfoPages(file)).toBe(4)
    expect(pdfPageCount(fs.readFileSync(file))).toBe(4)
  })

  test('the root is found when nested dictionaries come before /Type (Resources inline, as Word writes them)', () => {
    const pdf = Buffer.from(
      '%PDF-1.4\n2 0 obj << /Resources << /Font << /F1 5 0 R >> >> /Kids [3 0 R 4 0 R] /Type /Pages /Count 2 >> endobj\n' +
        '3 0 obj << /Resources << /ProcSet [/PDF] >> /Parent 2 0 R /Type /Page >> endobj\n' +
        '4 0 obj << /Parent 2 0 R /Type /Page >> endobj\n%%EOF\n',
    )
    expect(pdfPageCount(pdf)).toBe(2)
    // Without its /Count the pages themselves are counted.
    expect(pdfPageCount(Buffer.from(pdf.toString('latin1').replace('/Count 2', '')))).toBe(2)
  })

  test('what is not a PDF, or a PDF naming no page, has no count; a hostile stream does not hang it', () => {
    expect(pdfPageCount(Buffer.from('PK\u0003\u0004 an OFD zip'))).toBeNull()
    expect(pdfPageCount(Buffer.from('%PDF-1.4\n% 现场检查笔录\n%%EOF\n'))).toBeNull()
    // An unterminated dictionary and an object stream that is not Flate: no throw, no count.
    expect(pdfPageCount(Buffer.from('%PDF-1.4\n<< /Type /Pages /Count 3 << <<'))).toBe(3)
    expect(
      pdfPageCount(Buffer.from('%PDF-1.5\n1 0 obj << /Type /ObjStm /N 1 >>\nstream\nnot zlib\nendstream')),
    ).toBeNull()
    // 4 MB of unclosed page dictionaries: every walk is bounded and resumes after the last, so it ends (no count
    // a person could trust, but a number, not a hang).
    const hostile = Buffer.from(`%PDF-1.4\n${'<< /Type /Page '.repeat(280_000)}`)
    expect(pdfPageCount(hostile)).toBeGreaterThan(0)
  })
})

describe('卷内目录: 页数 and 责任者', () => {
  const t = testCore()
  afterAll(() => t.core.close())
  let p: Record<'jilu' | 'lijing' | 'zhangwei', Person>
  let caseId = ''

  beforeAll(async () => {
    ;({ p } = await agency(t, {
      jilu: ['records_officer'],
      lijing: ['enforcement_officer'],
      zhangwei: ['enforcement_officer'],
    }))
    caseId = await newCase(t, p.jilu, [p.lijing, p.zhangwei])
  })

  test('a 3-page document corrected by a 2-page one: each version with its own page count; signers or the agency', async () => {
    const dir = tempDir()
    const first = path.join(dir, '立案审批表.pdf')
    fs.writeFileSync(first, await pdfkitPdf(3))
    const v1 = (
      await t.call(
        'textRecords.add',
        {
          caseId,
          docType: 'filing_approval',
          filePath: first,
          docNo: '闽医保立〔2026〕7号',
          docDate: '2026-11-20',
        },
        p.jilu.session,
      )
    ).textRecord
    const second = path.join(dir, '立案审批表-更正.pdf')
    fs.writeFileSync(second, await pdfkitPdf(2))
    await t.call(
      'textRecords.add',
      { previousId: v1.id, correctionReason: '当事人名称错字', filePath: second },
      p.jilu.session,
    )
    const scan = path.join(dir, '现场照片.png')
    // The smallest PNG: a scan is one page.
    fs.writeFileSync(
      scan,
      Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
        'base64',
      ),
    )
    await t.call(
      'textRecords.add',
      { caseId, docType: 'onsite_record', filePath: scan, signers: ['李静', '张伟'], docDate: '2026-11-21' },
      p.lijing.session,
    )

    const { pdfBase64 } = await t.call('archive.catalogue', { caseId }, p.jilu.session)
    const file = path.join(dir, '卷内目录.pdf')
    fs.writeFileSync(file, Buffer.from(pdfBase64, 'base64'))
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
    const line = (needle: string) => {
      const l = text.split('\n').find((x) => x.includes(needle))
      expect(l, `a catalogue line with ${needle}:\n${text}`).toBeDefined()
      return l!
    }
    const v1Line = line('立案审批表 ')
    const v2Line = line('（第2版）')
    const scanLine = line('现场笔录')
    // 页数 is the number of pages, never the file kind.
    expect(text).not.toMatch(/\bpdf\b/)
    expect(v1Line).toMatch(/\s3\s/)
    expect(v2Line).toMatch(/\s2\s/)
    expect(scanLine).toMatch(/\s1\s/)
    // 责任者: the agency for an unsigned document, the signers where recorded.
    expect(v1Line).toContain(AGENCY.agencyName)
    expect(scanLine).toContain('李静、张伟')
  })
})
