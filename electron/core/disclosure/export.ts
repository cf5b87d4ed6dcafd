import type { Disclosure } from '../../../shared/review.ts'
import { chinaDate } from '../cases/calendar.ts'
import { csvFile, htmlText, plainText, xmlText } from '../../../shared/text-safety.ts'

/*
 * The three shapes the agency's portal takes: JSON for a system import, CSV (with a BOM, so Excel and WPS read the
 * Chinese) for a spreadsheet, and a printable HTML page for a notice board or a manual upload. Only published
 * fields leave: no internal case number, no drafter, nothing the core did not redact.
 */

/** Dates as published: the Beijing calendar day of the recorded instant. */
const day = (iso: string) => chinaDate(new Date(iso))

const HEADERS = [
  '执法机关',
  '执法对象',
  '证件号码',
  '执法类别',
  '执法结论',
  '决定文书号',
  '决定日期',
  '公示日期',
]

function publicFields(d: Disclosure): string[] {
  return [
    d.agency,
    d.subject,
    d.subjectCode ?? '',
    d.category,
    d.conclusion,
    d.decisionNo ?? '',
    d.decidedOn,
    d.publishedAt ? day(d.publishedAt) : '',
  ]
}

export function disclosuresJson(agency: string, exportedAt: string, items: Disclosure[]): string {
  return `${JSON.stringify(
    {
      agency,
      exportedAt,
      items: items.map((d) => ({
        id: d.id,
        status: d.status === 'withdrawn' ? 'withdrawn' : 'published',
        agency: d.agency,
        subject: d.subject,
        subjectCode: d.subjectCode,
        category: d.category,
        conclusion: d.conclusion,
        decisionNo: d.decisionNo,
        decidedOn: d.decidedOn,
        publishedOn: d.publishedAt ? day(d.publishedAt) : null,
        ...(d.status === 'withdrawn'
          ? { withdrawnOn: d.withdrawnAt ? day(d.withdrawnAt) : null, withdrawGround: d.withdrawGround }
          : {}),
      })),
    },
    null,
    2,
  )}\n`
}

export function disclosuresCsv(items: Disclosure[]): string {
  // The one CSV writer (shared/text-safety.ts): a subject named "=HYPERLINK(…)" stays text on the portal.
  return csvFile([HEADERS, ...items.map(publicFields)])
}

const esc = (s: string) => xmlText(plainText(s))

export function disclosuresHtml(agency: string, exportedAt: string, items: Disclosure[]): string {
  const date = day(exportedAt)
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${esc(agency)}行政执法决定信息公示</title>
<style>
  body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", SimSun, sans-serif; margin: 2em; }
  h1 { font-size: 20px; text-align: center; }
  p.meta { text-align: center; color: #555; font-size: 12px; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; }
  th, td { border: 1px solid #888; padding: 4px 6px; vertical-align: top; }
  th { background: #eee; white-space: nowrap; }
  @media print { @page { size: A4 landscape; margin: 12mm; } body { margin: 0; } }
</style>
</head>
<body>
<h1>${esc(agency)}行政执法决定信息公示</h1>
<p class="meta">共 ${items.length} 条 &emsp; 生成日期 ${esc(date)}</p>
<table>
<thead><tr>${HEADERS.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>
${items
  .map(
    (d) =>
      `<tr>${publicFields(d)
        // Isolated: a subject's U+202E cannot reverse the columns after it.
        .map((v) => `<td>${htmlText(v)}</td>`)
        .join('')}</tr>`,
  )
  .join('\n')}
</tbody>
</table>
</body>
</html>
`
}
