import fs from 'node:fs'
import { AppError } from '../../../shared/errors.ts'
import type { CoreDeps } from '../context.ts'
import { cjkDocument, tablePdf } from '../pdf.ts'
import { tagsOf } from '../cases/tags.ts'
import { textRecordsOf } from '../cases/repo.ts'
import { discById } from './discs.ts'
import { getAgency } from '../agency.ts'
import { formatBeijing } from '../../../shared/datetime.ts'
import { objectPath } from '../vault.ts'
import { pdfPageCount } from '../pdf-pages.ts'

const MM = 72 / 25.4
const local = (iso: string) => formatBeijing(iso)

/**
 * A disc's label, printed to scale on A4: the disc face (118 mm, 41 mm hub for printable discs) and the
 * 120 × 120 mm case insert, both with the registry's label text; the insert also lists the disc's files.
 */
export async function discLabelPdf(deps: CoreDeps, discId: string): Promise<Buffer> {
  const d = discById(deps, discId)
  const vol = deps.db.prepare('SELECT manifest FROM archive_volumes WHERE volid = ?').get(d.volid) as {
    manifest: string
  }
  const { doc, done } = await cjkDocument(`光盘标签 ${d.discNo}`, d.label.split('\n')[0] ?? '')
  const lines = d.label.split('\n')
  const cx = doc.page.width / 2
  const cy = 40 + 59 * MM
  doc.circle(cx, cy, 59 * MM).stroke('#888888')
  doc.circle(cx, cy, 20.5 * MM).stroke('#bbbbbb')
  doc.fillColor('#000000').fontSize(10)
  doc.text(lines[0] ?? '', cx - 45 * MM, cy - 50 * MM, { width: 90 * MM, align: 'center' })
  doc.fontSize(11).text(lines[1] ?? '', cx - 45 * MM, cy - 40 * MM, { width: 90 * MM, align: 'center' })
  doc.fontSize(9)
  doc.text(lines[2] ?? '', cx - 45 * MM, cy + 24 * MM, { width: 90 * MM, align: 'center' })
  doc.text(lines[3] ?? '', cx - 45 * MM, cy + 31 * MM, { width: 90 * MM, align: 'center' })
  doc.fontSize(7).fillColor('#555555')
  doc.text('沿外圈剪下', cx - 20 * MM, cy + 61 * MM, { width: 40 * MM, align: 'center' })

  const top = cy + 70 * MM
  const left = cx - 60 * MM
  doc.rect(left, top, 120 * MM, 120 * MM).stroke('#888888')
  doc.fillColor('#000000').fontSize(10)
  doc.text(lines.join('\n'), left + 5 * MM, top + 5 * MM, { width: 110 * MM })
  doc.moveDown(0.5).fontSize(6.5).fillColor('#333333')
  const files = vol.manifest
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(66))
    .filter((p) => !/\.(p7s|tsr|der)$/.test(p))
  const shown = files.slice(0, 40)
  doc.text(
    [
      ...shown,
      ...(files.length > shown.length ? [`…… 共 ${files.length} 个文件，详见盘内 index.html`] : []),
    ].join('\n'),
    left + 5 * MM,
    doc.y,
    { width: 110 * MM, height: 120 * MM - (doc.y - top) - 4 * MM, ellipsis: true },
  )
  doc.end()
  return done
}

/** 页数 of a document: a PDF's own page count read from the vault original, a scan image is one page. */
async function pagesOf(deps: CoreDeps, kind: string, sha256: string): Promise<string> {
  if (kind === 'image') return '1'
  if (kind !== 'pdf') return ''
  try {
    const n = pdfPageCount(await fs.promises.readFile(objectPath(deps.layout, sha256)))
    return n === null ? '' : String(n)
  } catch {
    return '' // a missing original is the integrity check's to report, not the table of contents'
  }
}

/**
 * 卷内目录: the case file's table of contents, text records first in stage order, then the audio/video records
 * in order of capture, each with the discs that carry it.
 */
export async function cataloguePdf(deps: CoreDeps, caseId: string): Promise<Buffer> {
  const db = deps.db
  const c = db.prepare('SELECT case_no, cause, party_name FROM cases WHERE id = ?').get(caseId) as
    { case_no: string; cause: string; party_name: string } | undefined
  if (!c) throw new AppError('NOT_FOUND')
  const agency = getAgency(db).name
  const volumes = db
    .prepare(
      `SELECT v.idx, v.count, v.manifest, group_concat(d.disc_no, ' ') AS discs FROM archive_volumes v
       LEFT JOIN discs d ON d.volume_id = v.id AND d.status = 'good'
       WHERE v.case_id = ? AND v.set_id = (SELECT set_id FROM archive_volumes WHERE case_id = ?
         ORDER BY created_at DESC LIMIT 1)
       GROUP BY v.id ORDER BY v.idx`,
    )
    .all(caseId, caseId) as { idx: number; count: number; manifest: string; discs: string | null }[]
  const where = (sha256: string) =>
    volumes
      .filter((v) => v.manifest.includes(`${sha256}  `))
      .map((v) => `第${v.idx}盘${v.discs ? `（${v.discs}）` : ''}`)
      .join('、') || '未刻录'
  const rows: string[][] = []
  for (const d of textRecordsOf(db, caseId))
    rows.push([
      String(rows.length + 1),
      d.docNo ?? '',
      // 责任者 (DA/T 22): who made the document — its signers when recorded, else the agency that issued it.
      d.signers.length ? d.signers.join('、') : agency,
      `${d.docTypeName}${d.version > 1 ? `（第${d.version}版）` : ''}`,
      d.docDate,
      await pagesOf(deps, d.fileKind, d.sha256),
      where(d.sha256),
    ])
  const recs = db
    .prepare(
      `SELECT e.id, e.sha256, e.original_name, e.duration_ms, e.media_type FROM record_tags t
       JOIN evidence e ON e.id = t.evidence_id WHERE t.case_id = ? ORDER BY t.capture_start, e.ingested_at`,
    )
    .all(caseId) as {
    id: string
    sha256: string
    original_name: string
    duration_ms: number | null
    media_type: string
  }[]
  for (const e of recs) {
    const t = tagsOf(db, e.id)
    const collectors = t.collectorIds
      .map(
        (u) =>
          (
            db.prepare('SELECT display_name FROM users WHERE id = ?').get(u) as
              { display_name: string } | undefined
          )?.display_name ?? u,
      )
      .join('、')
    const dur = e.duration_ms
      ? `${Math.floor(e.duration_ms / 60000)}分${Math.round((e.duration_ms % 60000) / 1000)}秒`
      : e.media_type
    rows.push([
      String(rows.length + 1),
      '',
      collectors,
      `${t.fact ?? ''}${t.place ? `（${t.place}）` : ''} ${e.original_name}`.trim(),
      t.captureStart ? local(t.captureStart).slice(0, 10) : '',
      dur,
      where(e.sha256),
    ])
  }
  return tablePdf({
    agency,
    title: '卷内目录',
    scope: `${c.case_no}  ${c.cause}  当事人：${c.party_name}`,
    generatedAt: `制表时间 ${local(deps.now().toISOString())}`,
    columns: [
      { title: '序号', width: 30 },
      { title: '文号', width: 80 },
      { title: '责任者', width: 70 },
      { title: '题名', width: 145 },
      { title: '日期', width: 60 },
      { title: '页数/时长', width: 50 },
      { title: '备注（所在光盘）', width: 80 },
    ],
    rows,
    footer: `共 ${rows.length} 件。音像记录的哈希值、签名和时间戳见各光盘的 manifest-sha256.txt 与 index.html。`,
  })
}
