import type { Review } from '../../../shared/review.ts'
import { cjkDocument } from '../pdf.ts'

/*
 * The written review opinion (法制审核意见书, 000 §5(3)2) and the collective discussion record (集体讨论记录,
 * 000 §5(4)3) as PDFs. Each becomes a signed text record of the case, so it travels with the case file into its
 * archive package; the names of the checks and opinions are the rules' own words.
 */

export const CHECK_NAMES: Record<string, string> = {
  subject: '行政执法主体是否合法，行政执法人员是否具备执法资格',
  jurisdiction: '是否具有管辖权',
  facts: '案件事实是否清楚、证据是否充分',
  characterisation: '定性是否准确',
  basis: '适用依据是否正确',
  procedure: '程序是否合法',
  handling: '处理是否适当',
  documents: '行政执法文书是否完备、规范',
  crime: '违法行为是否涉嫌犯罪、需要移送司法机关',
  other: '其他需要合法性审核的内容',
}
export const RESULT_NAMES: Record<string, string> = { ok: '无问题', problem: '有问题', na: '不适用' }
export const OPINION_NAMES: Record<string, string> = {
  agree: '同意',
  investigate: '继续调查或不予作出行政执法决定',
  change: '变更',
  correct: '纠正',
  other: '其他意见和建议',
}

interface CaseHead {
  agency: string
  caseNo: string
  cause: string
  party: string
}

function heading(doc: PDFKit.PDFDocument, title: string, c: CaseHead) {
  doc.fontSize(17).text(c.agency, { align: 'center' })
  doc.fontSize(15).text(title, { align: 'center' })
  doc.moveDown(0.8)
  doc.fontSize(10)
  doc.text(`案件编号：${c.caseNo}`)
  doc.text(`案由：${c.cause}`)
  doc.text(`当事人：${c.party}`)
  doc.moveDown(0.5)
}

function section(doc: PDFKit.PDFDocument, title: string, body: string) {
  doc.fontSize(11).text(title)
  doc.fontSize(10).text(body || '—', { indent: 20 })
  doc.moveDown(0.5)
}

/** A preview says so on its face: printed or passed on, it cannot be taken for the signed document. */
function previewMark(doc: PDFKit.PDFDocument) {
  doc
    .fillColor('#b00020')
    .fontSize(10)
    .text('预览稿：尚未签署，不作为正式文书', { align: 'center' })
    .fillColor('black')
}

/** Where the signature goes: named as made, or, on a preview, as still to come. */
const signatureNote = (preview?: boolean) => (preview ? '签署时加电子签名' : '电子签名')

export async function reviewRecordPdf(
  c: CaseHead,
  r: Review,
  o: { basisNames: string[]; reviewer: string; submitter: string; signedOn: string; preview?: boolean },
): Promise<Buffer> {
  const { doc, done } = await cjkDocument('法制审核意见书', c.agency)
  // A preview says so on its face: printed or passed on, it cannot be taken for the signed opinion.
  if (o.preview)
    doc
      .fillColor('#b00020')
      .fontSize(10)
      .text('预览稿：尚未签署，不作为正式文书', { align: 'center' })
      .fillColor('black')
  heading(doc, '法制审核意见书', c)
  doc.text(
    `第 ${r.round} 次送审    送审人：${o.submitter}    收到材料：${r.receivedOn}    审核期限：${r.dueOn}${
      r.extension?.status === 'approved' ? '（已经批准延长 10 个工作日）' : ''
    }`,
  )
  doc.moveDown(0.5)
  section(doc, '一、审核依据（属于本机关法制审核目录清单的情形）', o.basisNames.join('\n'))
  section(doc, '二、重大行政执法决定建议', r.proposal)
  if (r.changes) section(doc, '根据上次审核意见所作处理', r.changes)
  // Full digests: the opinion names exactly the materials it was given.
  doc.fontSize(11).text('三、送审材料')
  doc.fontSize(8)
  for (const [i, m] of r.materials.entries())
    doc.text(`${i + 1}. ${m.name}\n    SHA-256 ${m.sha256}`, { indent: 20 })
  if (!r.materials.length) doc.text('—', { indent: 20 })
  doc.moveDown(0.5)
  doc.fontSize(11).text('四、审核内容')
  doc.fontSize(9)
  for (const [i, item] of (r.checklist ?? []).entries())
    doc.text(
      `（${i + 1}）${CHECK_NAMES[item.item] ?? item.item}：${RESULT_NAMES[item.result] ?? item.result}${
        item.note ? `。${item.note}` : ''
      }`,
      { indent: 20 },
    )
  doc.moveDown(0.5)
  section(doc, `五、审核意见：${OPINION_NAMES[r.opinion ?? ''] ?? ''}`, r.opinionText ?? '')
  doc.moveDown(1)
  doc.fontSize(10).text(`法制审核人员：${o.reviewer}（${signatureNote(o.preview)}）    日期：${o.signedOn}`, {
    align: 'right',
  })
  doc.end()
  return done
}

export async function discussionRecordPdf(
  c: CaseHead,
  r: Review,
  d: {
    heldOn: string
    participants: string[]
    expertOpinion?: string
    conclusion: string
    outcome: 'proceed' | 'follow_review'
    chair: string
    preview?: boolean
  },
): Promise<Buffer> {
  const { doc, done } = await cjkDocument('集体讨论记录', c.agency)
  if (d.preview) previewMark(doc)
  heading(doc, '重大行政执法决定集体讨论记录', c)
  doc.text(`讨论日期：${d.heldOn}    主持人：${d.chair}`)
  doc.text(`参加人员：${d.participants.join('、')}`)
  doc.moveDown(0.5)
  section(doc, '一、重大行政执法决定建议', r.proposal)
  section(
    doc,
    `二、法制审核意见（第 ${r.round} 次）：${OPINION_NAMES[r.opinion ?? ''] ?? ''}`,
    r.opinionText ?? '',
  )
  section(doc, '三、承办机构的不同意见', r.dispute ?? '')
  if (d.expertOpinion) section(doc, '四、专家、法律顾问或第三方论证意见', d.expertOpinion)
  section(
    doc,
    `${d.expertOpinion ? '五' : '四'}、集体讨论决定：${d.outcome === 'proceed' ? '按承办机构意见作出决定' : '采纳法制审核意见，退回承办机构处理后重新送审'}`,
    d.conclusion,
  )
  doc.moveDown(1)
  doc.text(`参加人员签名：${d.participants.join('、')}`)
  doc.text(`负责人：${d.chair}（${signatureNote(d.preview)}）    日期：${d.heldOn}`, { align: 'right' })
  doc.end()
  return done
}
