import { AppError } from '../../../shared/errors.ts'
import type { Actor, Channel, CoreDeps } from '../context.ts'
import type { Db } from '../db/index.ts'
import { register, runPostCommit } from '../post-commit.ts'
import { signEvidence, tsaSettings, unlockSigner } from './service.ts'
import { stampSignature } from './timestamps.ts'

/*
 * The signing work that follows a commit (post-commit.ts):
 * - sign_record (subject: evidence id, user: the officer whose key signs): queued with the evidence row by a
 *   signed ingest; run right after that commit with the key still unlocked, or, when that did not happen (a
 *   kill, a full disk), the next time the officer unlocks their key (a signed ingest, `liuhen sign owed`).
 * - stamp_signature (subject: signature id): queued with the signature row when a TSA is set; needs no PIN.
 */

let registered = false

export function registerSigningJobs(): void {
  if (registered) return
  registered = true
  register('sign_record', {
    needsKey: true,
    async run(deps, job, key) {
      const row = deps.db
        .prepare(
          `SELECT id, sha256, sm3, deleted_at,
             EXISTS (SELECT 1 FROM signatures s WHERE s.evidence_id = evidence.id) AS signed
           FROM evidence WHERE id = ?`,
        )
        .get(job.subject) as
        | { id: string; sha256: string; sm3: string | null; deleted_at: string | null; signed: number }
        | undefined
      // Signed already (the job ran before and the mark was lost), or nothing left to sign.
      if (!row || row.signed || row.deleted_at || !key) return
      // SM2 signs the SM3 taken during the copy, never a second read of the original.
      if (key.signer.algorithm === 'sm2' && !row.sm3) throw new AppError('SIGN_DIGEST_MISSING')
      await signEvidence(deps, key.signer, key.actor, { id: row.id, sha256: row.sha256, sm3: row.sm3 })
    },
  })
  register('stamp_signature', {
    stopKindOnError: true,
    runnable: (deps) => tsaSettings(deps.db).url !== null,
    run: (deps, job) => stampSignature(deps, job.subject),
  })
}

/** Records waiting for this officer's signature. */
export function owedTo(db: Db, userId: string): number {
  return (
    db
      .prepare(
        "SELECT count(*) AS n FROM post_commit_jobs WHERE kind = 'sign_record' AND user_id = ? AND done_at IS NULL",
      )
      .get(userId) as { n: number }
  ).n
}

/**
 * `liuhen sign owed` and the app's 补签 button: the officer's key, unlocked by the PIN now, signs everything
 * queued for it, failed tries included (the PIN entered now is the retry they wait for).
 */
export async function signOwed(
  deps: CoreDeps,
  actor: Actor,
  pin: string,
  channel: Channel,
): Promise<{ signed: number; failed: number; remaining: number }> {
  const signer = unlockSigner(deps, actor, pin, channel)
  const r = await runPostCommit(deps, {
    kinds: ['sign_record'],
    keys: new Map([[actor.userId, { signer, actor }]]),
    ignoreBackoff: true,
  })
  return { signed: r.done, failed: r.failed, remaining: owedTo(deps.db, actor.userId) }
}
