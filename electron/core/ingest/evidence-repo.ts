import crypto from 'node:crypto'
import type { Db } from '../db/index.ts'
import type { Evidence, EvidenceFlag } from '../../../shared/ingest.ts'
import type { MediaType } from '../../../shared/media.ts'
import { indexRecord } from '../cases/search.ts'

/** Repository for evidence items and the source paths that held them. */

export interface EvidenceRow {
  id: string
  sha256: string
  size: number
  media_type: MediaType
  original_name: string
  ingested_at: string
  ingested_by: string
  batch_id: string
  device_id: string
  collector_user_id: string | null
  capture_start: string | null
  capture_end: string | null
  capture_source: string
  capture_precision: string
  clock_offset_ms: number
  duration_ms: number | null
  metadata: string
  flags: string
  late_reason: string | null
  case_no: string | null
  place: string | null
  fact: string | null
  /** SM3 of the content, taken during the copy when the batch signed with SM2. */
  sm3: string | null
}

function parse<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}

export function toEvidence(db: Db, r: EvidenceRow): Evidence {
  const meta = parse<{ location?: Evidence['location']; info?: Evidence['info'] }>(r.metadata, {})
  const sources = db
    .prepare('SELECT rel_path, device_id, batch_id FROM evidence_sources WHERE evidence_id = ? ORDER BY id')
    .all(r.id) as { rel_path: string; device_id: string; batch_id: string }[]
  return {
    id: r.id,
    sha256: r.sha256,
    size: r.size,
    mediaType: r.media_type,
    originalName: r.original_name,
    ingestedAt: r.ingested_at,
    ingestedBy: r.ingested_by,
    batchId: r.batch_id,
    deviceId: r.device_id,
    collectorUserId: r.collector_user_id,
    captureStart: r.capture_start,
    captureEnd: r.capture_end,
    captureSource: r.capture_source,
    capturePrecision: r.capture_precision,
    clockOffsetMs: r.clock_offset_ms,
    durationMs: r.duration_ms,
    location: meta.location ?? null,
    info: meta.info ?? {},
    flags: parse<EvidenceFlag[]>(r.flags, []),
    lateReason: r.late_reason,
    // The case it is filed in now (its tags); before tagging, the number typed at ingest.
    caseNo:
      (
        db
          .prepare(
            'SELECT c.case_no FROM record_tags t JOIN cases c ON c.id = t.case_id WHERE t.evidence_id = ?',
          )
          .get(r.id) as { case_no: string } | undefined
      )?.case_no ?? r.case_no,
    place: r.place,
    fact: r.fact,
    sources: sources.map((s) => ({ relPath: s.rel_path, deviceId: s.device_id, batchId: s.batch_id })),
  }
}

export function findEvidenceBySha(db: Db, sha256: string): EvidenceRow | undefined {
  return db.prepare('SELECT * FROM evidence WHERE sha256 = ?').get(sha256) as EvidenceRow | undefined
}

export function findEvidence(db: Db, id: string): EvidenceRow | undefined {
  return db.prepare('SELECT * FROM evidence WHERE id = ?').get(id) as EvidenceRow | undefined
}

/** The cheap pre-check: this device already gave us this path with this size and mtime. */
export function knownSource(
  db: Db,
  deviceId: string,
  relPath: string,
  size: number,
  mtimeMs: number,
): { evidenceId: string; sha256: string } | undefined {
  return db
    .prepare(
      `SELECT e.id AS evidenceId, e.sha256 AS sha256 FROM evidence_sources s JOIN evidence e ON e.id = s.evidence_id
       WHERE s.device_id = ? AND s.rel_path = ? AND s.size = ? AND s.mtime_ms = ? LIMIT 1`,
    )
    .get(deviceId, relPath, size, mtimeMs) as { evidenceId: string; sha256: string } | undefined
}

export interface NewEvidence {
  sha256: string
  size: number
  mediaType: MediaType
  originalName: string
  ingestedAt: string
  ingestedBy: string
  batchId: string
  deviceId: string
  collectorUserId: string | null
  captureStart: string | null
  captureEnd: string | null
  captureSource: string
  capturePrecision: string
  clockOffsetMs: number
  durationMs: number | null
  metadata: Record<string, unknown>
  flags: EvidenceFlag[]
  lateReason: string | null
  caseNo: string | null
  place: string | null
  fact: string | null
  sm3?: string | null
}

export function insertEvidence(db: Db, e: NewEvidence): string {
  const id = crypto.randomUUID()
  db.prepare(
    `INSERT INTO evidence (id, sha256, size, media_type, original_name, ingested_at, ingested_by, batch_id, device_id,
       collector_user_id, capture_start, capture_end, capture_source, capture_precision, clock_offset_ms, duration_ms,
       metadata, flags, late_reason, case_no, place, fact, sm3)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    e.sha256,
    e.size,
    e.mediaType,
    e.originalName,
    e.ingestedAt,
    e.ingestedBy,
    e.batchId,
    e.deviceId,
    e.collectorUserId,
    e.captureStart,
    e.captureEnd,
    e.captureSource,
    e.capturePrecision,
    e.clockOffsetMs,
    e.durationMs,
    JSON.stringify(e.metadata),
    JSON.stringify(e.flags),
    e.lateReason,
    e.caseNo,
    e.place,
    e.fact,
    e.sm3 ?? null,
  )
  // Found by file name (and what came with it) on the recordings page before anyone tags it.
  indexRecord(db, id)
  return id
}

export function insertSource(
  db: Db,
  s: {
    evidenceId: string
    batchId: string
    deviceId: string
    relPath: string
    size: number
    mtimeMs: number
    seenAt: string
  },
): void {
  db.prepare(
    `INSERT OR IGNORE INTO evidence_sources (evidence_id, batch_id, device_id, rel_path, size, mtime_ms, seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(s.evidenceId, s.batchId, s.deviceId, s.relPath, s.size, s.mtimeMs, s.seenAt)
}

export function listEvidence(db: Db, q: { limit: number; batchId?: string | undefined }): Evidence[] {
  const rows = (
    q.batchId
      ? db
          .prepare('SELECT * FROM evidence WHERE batch_id = ? ORDER BY ingested_at DESC, id LIMIT ?')
          .all(q.batchId, q.limit)
      : db.prepare('SELECT * FROM evidence ORDER BY ingested_at DESC, id LIMIT ?').all(q.limit)
  ) as EvidenceRow[]
  return rows.map((r) => toEvidence(db, r))
}
