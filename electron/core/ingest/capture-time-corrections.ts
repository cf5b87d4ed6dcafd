import { AppError } from '../../../shared/errors.ts'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import type { CaptureTimeVersion } from '../../../shared/ingest.ts'
import { gateRecord } from '../access/gate.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import type { Db } from '../db/index.ts'
import { formatWithOffset } from './capture-time.ts'
import { findEvidence, toEvidence } from './evidence-repo.ts'

/*
 * A records officer corrects a capture time (a camera's clock was wrong, the readings conflicted). The file's own
 * reading is never lost: it stays in the record's metadata (rawCaptureStart, timeReadings) and becomes version 1
 * of the capture time with the first correction; each correction is a further version with who, when and why, in
 * the same transaction as its audit event. The record then shows the corrected time (source "corrected").
 */

interface VersionRow {
  version: number
  capture_start: string | null
  capture_end: string | null
  source: string
  reason: string | null
  set_by: string | null
  set_at: string
}

function toVersion(r: VersionRow): CaptureTimeVersion {
  return {
    version: r.version,
    captureStart: r.capture_start,
    captureEnd: r.capture_end,
    source: r.source,
    reason: r.reason,
    setBy: r.set_by,
    setAt: r.set_at,
  }
}

function versionsOf(db: Db, evidenceId: string): VersionRow[] {
  return db
    .prepare('SELECT * FROM capture_time_versions WHERE evidence_id = ? ORDER BY version')
    .all(evidenceId) as VersionRow[]
}

/** The offset an ISO 8601 time was written with, in minutes: the officer's "+08:00" stays as typed. */
function offsetOf(iso: string): number {
  const m = /(Z|([+-])(\d{2}):(\d{2}))$/i.exec(iso)
  if (!m || m[1]!.toUpperCase() === 'Z') return 0
  return (m[2] === '-' ? -1 : 1) * (+m[3]! * 60 + +m[4]!)
}

export function evidenceSetCaptureTime(
  deps: CoreDeps,
  input: ParsedInput<'evidence.setCaptureTime'>,
  ctx: CallContext,
): MethodOutput<'evidence.setCaptureTime'> {
  const actor = actorOf(ctx)
  // The capture time is part of the record's filing: the same basis as tagging it or giving a late reason.
  gateRecord(deps, ctx, input.evidenceId, 'file', 'evidence.setCaptureTime')
  const ev = findEvidence(deps.db, input.evidenceId)
  if (!ev) throw new AppError('NOT_FOUND')
  const startMs = Date.parse(input.captureStart)
  const now = deps.now()
  // The same bounds as ingest's plausibility check: not before 2000, not beyond tomorrow.
  if (!(startMs >= Date.UTC(2000, 0, 1)) || startMs > now.getTime() + 24 * 3600_000)
    throw new AppError('VALIDATION', { fields: 'captureStart' })
  const offset = offsetOf(input.captureStart)
  const captureStart = formatWithOffset(startMs, offset)
  const captureEnd = formatWithOffset(startMs + Math.max(0, ev.duration_ms ?? 0), offset)
  const flags = (JSON.parse(ev.flags) as string[]).filter(
    (f) => f !== 'time_conflict' && f !== 'implausible_time',
  )
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'evidence.setCaptureTime',
      targetType: 'evidence',
      targetId: ev.id,
      details: {
        captureStart: { from: ev.capture_start, to: captureStart },
        captureSource: { from: ev.capture_source, to: 'corrected' },
        reason: input.reason,
      },
    },
    () => {
      const existing = versionsOf(deps.db, ev.id)
      const insert = deps.db.prepare(
        `INSERT INTO capture_time_versions
           (evidence_id, version, capture_start, capture_end, source, reason, set_by, set_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      if (!existing.length)
        // Version 1 is the reading at ingest, kept as it was.
        insert.run(ev.id, 1, ev.capture_start, ev.capture_end, ev.capture_source, null, null, ev.ingested_at)
      const next = (existing.at(-1)?.version ?? 1) + 1
      insert.run(
        ev.id,
        next,
        captureStart,
        captureEnd,
        'corrected',
        input.reason,
        actor.userId,
        now.toISOString(),
      )
      deps.db
        .prepare(
          `UPDATE evidence SET capture_start = ?, capture_end = ?, capture_source = 'corrected',
             capture_precision = 'second', flags = ? WHERE id = ?`,
        )
        .run(captureStart, captureEnd, JSON.stringify(flags), ev.id)
    },
  )
  return {
    evidence: toEvidence(deps.db, findEvidence(deps.db, ev.id)!),
    versions: versionsOf(deps.db, ev.id).map(toVersion),
  }
}

export function evidenceCaptureTimeHistory(
  deps: CoreDeps,
  input: ParsedInput<'evidence.captureTimeHistory'>,
  ctx: CallContext,
): MethodOutput<'evidence.captureTimeHistory'> {
  gateRecord(deps, ctx, input.evidenceId, 'meta', 'evidence.captureTimeHistory')
  const ev = findEvidence(deps.db, input.evidenceId)
  if (!ev) throw new AppError('NOT_FOUND')
  const rows = versionsOf(deps.db, ev.id)
  // Never corrected: the reading at ingest is the only version.
  if (!rows.length)
    return {
      versions: [
        {
          version: 1,
          captureStart: ev.capture_start,
          captureEnd: ev.capture_end,
          source: ev.capture_source,
          reason: null,
          setBy: null,
          setAt: ev.ingested_at,
        },
      ],
    }
  return { versions: rows.map(toVersion) }
}
