import path from 'node:path'
import { AppError } from '../../../shared/errors.ts'
import { auditedChange, type CoreDeps } from '../context.ts'
import { tsaAnchors } from './authority.ts'
import { writeAtomic } from '../durable.ts'
import { tsaSettings } from './service.ts'
import { buildTimestampRequest, checkTimestamp, fetchTimestamp } from './tsa.ts'

/*
 * Time-stamps are asked for after signing, never before: ingest is not held up by a slow or absent TSA. A
 * signature waits as "pending" with a stamp_signature job queued in the transaction that registered it
 * (post-commit.ts); the queue is run after each batch, at start, every few minutes, and on demand
 * (`liuhen timestamp retry`).
 */

export interface StampRun {
  granted: number
  pending: number
  /** Why the run stopped early, when the TSA could not be reached or refused. */
  error: string | null
}

/**
 * Time-stamp one signature, if it is still waiting for one. Run twice (a crash after the token was written and
 * before the job was marked done), the second run finds it granted and changes nothing.
 */
export async function stampSignature(deps: CoreDeps, signatureId: string): Promise<void> {
  const r = deps.db
    .prepare(
      `SELECT s.id, s.path, s.ts_status, coalesce(s.evidence_id, s.text_record_id) AS evidence_id,
         coalesce(e.sha256, t.sha256) AS sha256, s.text_record_id IS NOT NULL AS is_text
       FROM signatures s LEFT JOIN evidence e ON e.id = s.evidence_id LEFT JOIN text_records t ON t.id = s.text_record_id
       WHERE s.id = ?`,
    )
    .get(signatureId) as
    | { id: string; path: string; ts_status: string; evidence_id: string; sha256: string; is_text: number }
    | undefined
  if (!r || r.ts_status !== 'pending') return
  const url = tsaSettings(deps.db).url
  if (!url) throw new AppError('TSA_UNAVAILABLE', { detail: '-' })
  let tsr: Buffer
  let info: ReturnType<typeof checkTimestamp>
  try {
    const req = buildTimestampRequest(r.sha256)
    tsr = await fetchTimestamp(url, req.der)
    info = checkTimestamp(tsr, r.sha256, tsaAnchors(deps.db), req.nonceHex)
    if (!info.imprintMatches || !info.signatureValid)
      throw new Error('TSA answered with a token that does not verify')
  } catch (e) {
    throw new AppError('TSA_UNAVAILABLE', { detail: e instanceof Error ? e.message : String(e) })
  }
  const rel = r.path.replace(/\.p7s$/, '.tsr')
  const file = path.join(deps.layout.root, rel)
  // A token left by a run that crashed before registering it was never part of the record: replace it.
  await writeAtomic(file, tsr, { replace: true })
  auditedChange(
    deps,
    {
      actorId: null,
      actorName: null,
      action: r.is_text ? 'textRecords.timestamp' : 'evidence.timestamp',
      targetType: r.is_text ? 'text_record' : 'evidence',
      targetId: r.evidence_id,
      details: { signatureId: r.id, genTime: info.genTime, serial: info.serial, tsa: info.tsaSubject },
    },
    () =>
      deps.db
        .prepare(
          "UPDATE signatures SET ts_status = 'granted', tsr_path = ?, ts_time = ? WHERE id = ? AND ts_status = 'pending'",
        )
        .run(rel, info.genTime, r.id),
  )
}

/** Signatures still waiting for a time-stamp. */
export function pendingStamps(deps: CoreDeps): number {
  return (
    deps.db.prepare("SELECT count(*) AS n FROM signatures WHERE ts_status = 'pending'").get() as { n: number }
  ).n
}
