import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { AppError } from '../../../shared/errors.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import type { Db } from '../db/index.ts'
import { storeFile } from '../vault.ts'
import { safeFileName, type DataLayout } from '../paths.ts'
import { signSubject, unlockSigner } from '../signing/service.ts'
import { caseRow, textRecordsOf, type TextRow } from './repo.ts'
import { gateCase, gateText } from '../access/gate.ts'
import { objectPath } from '../vault.ts'
import { assertDecisionAllowed } from '../review/gate.ts'
import type { Uploads } from '../files/uploads.ts'
import { insideDataFolder } from '../ingest/source-guard.ts'

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

export async function addTextRecord(
  deps: CoreDeps,
  input: ParsedInput<'textRecords.add'>,
  ctx: CallContext,
  uploads: Pick<Uploads, 'isOwnStaged' | 'release'>,
): Promise<MethodOutput<'textRecords.add'>> {
  const actor = actorOf(ctx)
  const db = deps.db
  // Correcting a document needs a filing basis on it; adding one, on the case. Unknown ids answer as forbidden.
  if (input.previousId) gateText(deps, ctx, input.previousId, 'file', 'textRecords.add')
  const previous = input.previousId
    ? (db.prepare('SELECT * FROM text_records WHERE id = ?').get(input.previousId) as TextRow | undefined)
    : undefined
  if (previous && !input.correctionReason) throw new AppError('VALIDATION', { fields: 'correctionReason' })
  const caseId = previous?.case_id ?? input.caseId
  if (!caseId) throw new AppError('VALIDATION', { fields: 'caseId' })
  gateCase(deps, ctx, caseId, 'file', 'textRecords.add')
  const c = caseRow(db, caseId)
  const docTypeCode = previous?.doc_type ?? input.docType
  const docType = db.prepare('SELECT code, stage FROM doc_types WHERE code = ?').get(docTypeCode ?? '') as
    { code: string; stage: TextRow['stage'] } | undefined
  if (!docType) throw new AppError('VALIDATION', { fields: 'docType' })
  if (docType.code === 'decision_document' && !previous) assertDecisionAllowed(db, c)
  const kind = KINDS[path.extname(input.filePath).toLowerCase()]
  if (!kind) throw new AppError('UNSUPPORTED_DOCUMENT', { name: path.basename(input.filePath) })
  // A path is not a basis: the data folder holds other cases' thumbnails, previews and other officers' uploads
  // under ordinary names, and registered here they would open through this case. Only one's own upload passes.
  const ownUpload = uploads.isOwnStaged(input.filePath, actor.userId)
  if (!ownUpload && insideDataFolder(deps.layout, input.filePath))
    throw new AppError('DOCUMENT_IN_DATA_FOLDER', { name: path.basename(input.filePath) })
  // Unlock before copying, so a wrong PIN costs nothing and SM2 gets its SM3 from the same read.
  const signer = input.pin ? unlockSigner(deps, actor, input.pin, ctx.channel) : null
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
    () =>
      insertTextRecord(db, {
        id,
        caseId: c.id,
        docType: docType.code,
        stage: docType.stage,
        docNo: input.docNo ?? previous?.doc_no ?? null,
        docDate: input.docDate ?? previous?.doc_date ?? now.slice(0, 10),
        signers: input.signers ?? (previous ? (JSON.parse(previous.signers) as string[]) : []),
        stored,
        kind,
        originalName: path.basename(input.filePath),
        version: (previous?.version ?? 0) + 1,
        previousId: previous?.id ?? null,
        correctionReason: input.correctionReason ?? null,
        createdAt: now,
        createdBy: actor.userId,
      }),
  )
  if (signer)
    await signSubject(deps, signer, actor, {
      kind: 'text_record',
      id,
      sha256: stored.sha256,
      sm3: stored.sm3 ?? null,
    })
  // A document uploaded from a browser page is in the vault now; its staged copy goes.
  if (ownUpload) await uploads.release(input.filePath)
  const rec = textRecordsOf(db, c.id).find((r) => r.id === id)!
  return { textRecord: rec }
}

const TEXT_MIME: Record<TextRow['file_kind'], string> = {
  pdf: 'application/pdf',
  ofd: 'application/ofd',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  image: 'image/*',
}
const IMAGE_MIME: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
}
/** Documents larger than this are not sent whole over IPC/JSON; a streamed ticket is the way for those. */
export const TEXT_OPEN_MAX_BYTES = 64 * 1024 * 1024

/**
 * A document's bytes for the in-app viewer: through the same gate as a recording (view), the opening written to
 * the access log with its basis like media.open. The bytes are the vault original, re-hashed on the way out so a
 * damaged copy is never shown as the signed document.
 */
export async function openTextRecord(
  deps: CoreDeps,
  input: ParsedInput<'textRecords.open'>,
  ctx: CallContext,
): Promise<MethodOutput<'textRecords.open'>> {
  gateText(deps, ctx, input.textRecordId, 'view', 'textRecords.open')
  const r = deps.db.prepare('SELECT * FROM text_records WHERE id = ?').get(input.textRecordId) as TextRow
  if (r.size > TEXT_OPEN_MAX_BYTES) throw new AppError('TOO_LARGE_TO_OPEN', { size: r.size })
  const bytes = await fs.promises.readFile(objectPath(deps.layout, r.sha256))
  if (crypto.createHash('sha256').update(bytes).digest('hex') !== r.sha256)
    throw new AppError('CONTENT_DAMAGED', { name: r.original_name })
  const mime =
    r.file_kind === 'image'
      ? (IMAGE_MIME[path.extname(r.original_name).toLowerCase()] ?? 'application/octet-stream')
      : TEXT_MIME[r.file_kind]
  return {
    textRecordId: r.id,
    fileName: r.original_name,
    mime,
    sha256: r.sha256,
    dataBase64: bytes.toString('base64'),
  }
}

/** The row of a text record; the caller's audited change wraps it. */
export function insertTextRecord(
  db: Db,
  r: {
    id: string
    caseId: string
    docType: string
    stage: TextRow['stage']
    docNo: string | null
    docDate: string
    signers: string[]
    stored: { sha256: string; sm3?: string | null; size: number }
    kind: TextRow['file_kind']
    originalName: string
    version: number
    previousId: string | null
    correctionReason: string | null
    createdAt: string
    createdBy: string
  },
): void {
  db.prepare(
    `INSERT INTO text_records (id, case_id, doc_type, stage, doc_no, doc_date, signers, sha256, sm3, size,
       file_kind, original_name, version, previous_id, correction_reason, created_at, created_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    r.id,
    r.caseId,
    r.docType,
    r.stage,
    r.docNo,
    r.docDate,
    JSON.stringify(r.signers),
    r.stored.sha256,
    r.stored.sm3 ?? null,
    r.stored.size,
    r.kind,
    r.originalName,
    r.version,
    r.previousId,
    r.correctionReason,
    r.createdAt,
    r.createdBy,
  )
}

/**
 * A document the core itself wrote (a review opinion, a discussion record) stored in the vault like any original:
 * through a temporary file, so it is hashed (and SM3-digested for an SM2 signer) by the same streaming path.
 */
export async function storeGenerated(
  layout: DataLayout,
  bytes: Buffer,
  name: string,
  sm3: boolean,
): Promise<{ sha256: string; sm3?: string | null; size: number }> {
  await fs.promises.mkdir(layout.tmp, { recursive: true })
  const tmp = path.join(layout.tmp, `${crypto.randomUUID()}-${safeFileName(name)}`)
  try {
    // Inside the try: a write cut short by a full disk leaves no temp file behind either.
    await fs.promises.writeFile(tmp, bytes)
    return await storeFile(layout, tmp, { sm3 })
  } finally {
    await fs.promises.rm(tmp, { force: true })
  }
}
