import type { MethodOutput } from '../../../shared/contract.ts'
import type { Case } from '../../../shared/cases.ts'
import { AppError } from '../../../shared/errors.ts'
import type { Db } from '../db/index.ts'

/*
 * The rows of a case file as stored, read by every part of cases/ (and by review, disclosure and archive): a leaf
 * that imports none of them, so the services and the completeness check can each use it without importing
 * one another in a circle.
 */

export interface CaseRow {
  id: string
  case_no: string
  year: number
  seq: number
  cause: string
  source: Case['source']
  type: string
  party_kind: 'person' | 'organisation'
  party_name: string
  party_id_no: string | null
  confidentiality: Case['confidentiality']
  major: number
  stage: Case['stage']
  filed_on: string | null
  decided_on: string | null
  executed_on: string | null
  archive_exception: string | null
  created_at: string
}

export function caseRow(db: Db, caseId: string): CaseRow {
  const r = db.prepare('SELECT * FROM cases WHERE id = ?').get(caseId) as CaseRow | undefined
  if (!r) throw new AppError('NOT_FOUND')
  return r
}

export interface TextRow {
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
