import crypto from 'node:crypto'
import path from 'node:path'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { AppError } from '../../../shared/errors.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import type { Db } from '../db/index.ts'
import { storeFile } from '../vault.ts'
import { signSubject, unlockSigner } from '../signing/service.ts'
import { assertCanSeeCase, caseRow } from './service.ts'

/*
 * Text records (文字记录): the signed document as a file (PDF, OFD, DOCX or a scan), stored in the vault like any
 * original, hashed while copied, signed with the same PIN unlock, and audited. A correction is a new version
 * that names the one it corrects and why; the earlier version stays, unchanged, in the vault and the case.
 */

const KINDS: Record<string, 'pdf' | 'ofd' | 'docx' | 'image'> = {
  '.pdf': 'pdf',
  '.ofd': 'ofd',
  '.docx': 'docx',
  '.jpg': 'image',
  '.jpeg': 'image',
  '.png': 'image',
  '.tif': 'image',
  '.tiff': 'image',
}

interface TextRow {
  id: string
  case_id: string
  doc_type: string
  stage: 'start' | 'investigation' | 'decision' | 'execution'
  doc_no: string | null
  doc_date: string
  signers: string
  sha256: string
  size: number
  file_kind: 'pdf' | 'ofd' | 'docx' | 'image'
  original_name: string
  version: number
  previous_id: string | null
  correction_reason: string | null
  created_at: string
}

export function textRecordsOf(db: Db, caseId: string): MethodOutput<'cases.get'>['textRecords'] {
  const rows = db
    .prepare('SELECT * FROM text_records WHERE case_id = ? ORDER BY doc_date, created_at')
    .all(caseId) as TextRow[]
  const superseded = new Set(rows.map((r) => r.previous_id).filter(Boolean))
  return rows.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    docType: r.doc_type,
    docTypeName:
      (
        db.prepare('SELECT name FROM doc_types WHERE code = ?').get(r.doc_type) as
          { name: string } | undefined
      )?.name ?? r.doc_type,
    stage: r.stage,
    docNo: r.doc_no,
    docDate: r.doc_date,
    signers: JSON.parse(r.signers) as string[],
    sha256: r.sha256,
    size: r.size,
    fileKind: r.file_kind,
    originalName: r.original_name,
    version: r.version,
    previousId: r.previous_id,
    correctionReason: r.correction_reason,
    current: !superseded.has(r.id),
    signed: !!db.prepare('SELECT 1 FROM signatures WHERE text_record_id = ?').get(r.id),
    createdAt: r.created_at,
  }))
}

export async function addTextRecord(
  deps: CoreDeps,
  input: ParsedInput<'textRecords.add'>,
  ctx: CallContext,
): Promise<MethodOutput<'textRecords.add'>> {
  const actor = actorOf(ctx)
  const db = deps.db
  const previous = input.previousId
    ? (db.prepare('SELECT * FROM text_records WHERE id = ?').get(input.previousId) as TextRow | undefined)
    : undefined
  if (input.previousId && !previous) throw new AppError('NOT_FOUND')
  if (previous && !input.correctionReason) throw new AppError('VALIDATION', { fields: 'correctionReason' })
  const caseId = previous?.case_id ?? input.caseId
  if (!caseId) throw new AppError('VALIDATION', { fields: 'caseId' })
  const c = caseRow(db, caseId)
  assertCanSeeCase(db, actor, c.id)
  const docTypeCode = previous?.doc_type ?? input.docType
  const docType = db.prepare('SELECT code, stage FROM doc_types WHERE code = ?').get(docTypeCode ?? '') as
    { code: string; stage: TextRow['stage'] } | undefined
  if (!docType) throw new AppError('VALIDATION', { fields: 'docType' })
  const kind = KINDS[path.extname(input.filePath).toLowerCase()]
  if (!kind) throw new AppError('UNSUPPORTED_DOCUMENT', { name: path.basename(input.filePath) })
  // Unlock before copying, so a wrong PIN costs nothing and SM2 gets its SM3 from the same read.
  const signer = input.pin ? unlockSigner(db, actor.userId, input.pin, deps.now()) : null
  const stored = await storeFile(deps.layout, input.filePath, { sm3: signer?.algorithm === 'sm2' })
  const id = crypto.randomUUID()
  const now = deps.now().toISOString()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: previous ? 'textRecords.correct' : 'textRecords.add',
      targetType: 'text_record',
      targetId: id,
      details: {
        caseNo: c.case_no,
        docType: docType.code,
        docNo: input.docNo ?? previous?.doc_no ?? null,
        sha256: stored.sha256,
        size: stored.size,
        ...(previous ? { previousId: previous.id, reason: input.correctionReason } : {}),
      },
    },
    () => {
      db.prepare(
        `INSERT INTO text_records (id, case_id, doc_type, stage, doc_no, doc_date, signers, sha256, sm3, size,
             file_kind, original_name, version, previous_id, correction_reason, created_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        c.id,
        docType.code,
        docType.stage,
        input.docNo ?? previous?.doc_no ?? null,
        input.docDate ?? previous?.doc_date ?? now.slice(0, 10),
        JSON.stringify(input.signers ?? (previous ? JSON.parse(previous.signers) : [])),
        stored.sha256,
        stored.sm3 ?? null,
        stored.size,
        kind,
        path.basename(input.filePath),
        (previous?.version ?? 0) + 1,
        previous?.id ?? null,
        input.correctionReason ?? null,
        now,
        actor.userId,
      )
    },
  )
  if (signer)
    await signSubject(deps, signer, actor, {
      kind: 'text_record',
      id,
      sha256: stored.sha256,
      sm3: stored.sm3 ?? null,
    })
  const rec = textRecordsOf(db, c.id).find((r) => r.id === id)!
  return { textRecord: rec }
}
