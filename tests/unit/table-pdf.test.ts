import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { tablePdf } from '../../electron/core/pdf.ts'
import { tempDir } from '../helpers/bridge.ts'

/*
 * The printed tables (调阅登记表, 统计, 完整性报告, 卷内目录) read back with poppler, a reader we did not write: the
 * column titles head every page, no word stands below the bottom margin or above the top one, and a cell longer
 * than a page is carried over whole — every numbered piece of it is there, in order.
 */

const dir = tempDir('liuhen-table-pdf-')
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const COLUMNS = [
  { title: '序号', width: 40 },
  { title: '名称', width: 175 },
  { title: '说明', width: 300 },
]
const pieces = Array.from({ length: 1500 }, (_, i) => `第${String(i + 1).padStart(4, '0')}段`)
const LONG = pieces.map((p, i) => (i % 40 === 39 ? `${p}\n` : p)).join('')

async function printed(rows: string[][]): Promise<{ file: string; pages: number }> {
  const pdf = await tablePdf({
    agency: '福州市医疗保障局',
    title: '测试表',
    scope: '全部',
    generatedAt: '2026-12-04 09:00',
    columns: COLUMNS,
    rows,
    footer: '表尾说明',
  })
  const file = path.join(dir, `t-${rows.length}.pdf`)
  fs.writeFileSync(file, pdf)
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1])
  return { file, pages }
}

const pageText = (file: string, n: number) =>
  execFileSync('pdftotext', ['-f', String(n), '-l', String(n), file, '-'], { encoding: 'utf8' })

/** Every word's box on every page, in points, as poppler places it. */
function words(file: string): { page: number; height: number; yMin: number; yMax: number; text: string }[] {
  const html = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' })
  const out: { page: number; height: number; yMin: number; yMax: number; text: string }[] = []
  let page = 0
  let height = 0
  for (const line of html.split('\n')) {
    const p = /<page width="[\d.]+" height="([\d.]+)">/.exec(line)
    if (p) {
      page++
      height = Number(p[1])
      continue
    }
    const w = /<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*)<\/word>/.exec(line)
    if (w) out.push({ page, height, yMin: Number(w[1]), yMax: Number(w[2]), text: w[3]! })
  }
  return out
}

describe('tablePdf', () => {
  test('many rows: the column titles head every page and no word leaves the margins', async () => {
    const rows = Array.from({ length: 160 }, (_, i) => [String(i + 1), `记录${i + 1}`, `说明文字 ${i + 1}`])
    const { file, pages } = await printed(rows)
    expect(pages).toBeGreaterThan(2)
    for (let n = 1; n <= pages; n++) {
      const text = pageText(file, n)
      for (const c of COLUMNS) expect(text, `page ${n}`).toContain(c.title)
    }
    const all = words(file)
    expect(all.length).toBeGreaterThan(400)
    for (const w of all) {
      expect(w.yMax, `${w.text} on page ${w.page}`).toBeLessThanOrEqual(w.height - 40 + 1)
      expect(w.yMin, `${w.text} on page ${w.page}`).toBeGreaterThanOrEqual(40 - 1)
    }
    // Every row is there, once.
    const text = Array.from({ length: pages }, (_, i) => pageText(file, i + 1)).join('\n')
    for (let i = 1; i <= 160; i++) expect(text.split(`记录${i}\n`).length - 1, `记录${i}`).toBe(1)
  })

  test('a cell longer than a page is carried over, marked （续）, with nothing lost', async () => {
    const { file, pages } = await printed([
      ['1', '短', '短说明'],
      ['2', '长说明', LONG],
      ['3', '其后', '最后一行'],
    ])
    expect(pages).toBeGreaterThan(3)
    for (const w of words(file))
      expect(w.yMax, `${w.text} on page ${w.page}`).toBeLessThanOrEqual(w.height - 40 + 1)
    const texts = Array.from({ length: pages }, (_, i) => pageText(file, i + 1))
    for (const [n, t] of texts.entries())
      for (const c of COLUMNS) expect(t, `page ${n + 1}`).toContain(c.title)
    expect(texts.slice(1).some((t) => t.includes('（续）'))).toBe(true)
    const joined = texts
      .map((t) => t.replace(/\s+/g, '').replaceAll('序号名称说明', '').replaceAll('（续）', ''))
      .join('')
    let at = 0
    for (const p of pieces) {
      const found = joined.indexOf(p, at)
      expect(found, p).toBeGreaterThanOrEqual(0)
      at = found + p.length
    }
    expect(joined.indexOf('最后一行')).toBeGreaterThan(at)
    expect(joined).toContain('表尾说明')
  })
})
