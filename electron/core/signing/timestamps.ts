import path from 'node:path'
import { auditedChange, type CoreDeps } from '../context.ts'
import { tsaAnchors } from './authority.ts'
import { writeAtomic } from '../durable.ts'
import { tsaSettings } from './service.ts'
import { buildTimestampRequest, checkTimestamp, fetchTimestamp } from './tsa.ts'

/*
 * Time-stamps are asked for after signing, never before: ingest is not held up by a slow or absent TSA. A
 * signature waits as "pending" until a token is granted; the queue is retried after each batch, at start and
 * every few minutes, and on demand (`liuhen timestamp retry`).
 */

export interface StampRun {
  granted: number
  pending: number
  /** Why the run stopped early, when the TSA could not be reached or refused. */
  error: string | null
}

export async function stampPending(deps: CoreDeps, limit = 500): Promise<StampRun> {
  const url = tsaSettings(deps.db).url
  const rows = deps.db
    .prepare(
      `SELECT s.id, s.path, coalesce(s.evidence_id, s.text_record_id) AS evidence_id,
         coalesce(e.sha256, t.sha256) AS sha256, s.text_record_id IS NOT NULL AS is_text
       FROM signatures s LEFT JOIN evidence e ON e.id = s.evidence_id LEFT JOIN text_records t ON t.id = s.text_record_id
       WHERE s.ts_status = 'pending' ORDER BY s.signed_at LIMIT ?`,
    )
    .all(limit) as { id: string; path: string; evidence_id: string; sha256: string; is_text: number }[]
  const run: StampRun = { granted: 0, pending: rows.length, error: null }
  if (!url || !rows.length) return run
  for (const r of rows) {
    let tsr: Buffer
    let info: ReturnType<typeof checkTimestamp>
    try {
      const req = buildTimestampRequest(r.sha256)
      tsr = await fetchTimestamp(url, req.der)
      info = checkTimestamp(tsr, r.sha256, tsaAnchors(deps.db), req.nonceHex)
      if (!info.imprintMatches || !info.signatureValid)
        throw new Error('TSA answered with a token that does not verify')
    } catch (e) {
      // One failure means the service is down or misconfigured: the rest would fail the same way.
      run.error = e instanceof Error ? e.message : String(e)
      break
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
          .prepare("UPDATE signatures SET ts_status = 'granted', tsr_path = ?, ts_time = ? WHERE id = ?")
          .run(rel, info.genTime, r.id),
    )
    run.granted++
    run.pending--
  }
  return run
}
