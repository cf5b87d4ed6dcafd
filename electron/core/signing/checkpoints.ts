import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { AuditProblem, AuditVerifyReport, MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { verifyAudit } from '../audit.ts'
import { openDatabaseReadOnly } from '../db/index.ts'
import { actorFields, actorOf, auditedChange } from '../context.ts'
import type { Actor, CallContext, CoreDeps } from '../context.ts'
import type { Db } from '../db/index.ts'
import { findAgency } from '../agency.ts'
import { signDetachedDigest, verifyDetachedDigest } from './cms.ts'
import { sm3Hex } from './gm.ts'
import { trustAnchors, tsaAnchors, unlockSigner, type BatchSigner } from './authority.ts'
import { writeAtomic } from '../durable.ts'
import { tsaSettings, writeDurable } from './service.ts'
import { checkAgainstBackups, verifyAnchorLog } from '../audit-anchor.ts'
import { buildTimestampRequest, checkTimestamp, fetchTimestamp } from './tsa.ts'

/*
 * Signed checkpoints of the audit trail. A short statement "the trail had N events and its head hash was H"
 * is written to checkpoints/ as a file of its own, signed (CMS, by the officer whose key is unlocked for an
 * ingest batch or by whoever asks for one) and time-stamped when a TSA is configured. The hash chain already
 * shows any edit inside the trail; the checkpoints show the one thing it cannot: events cut off its end. They
 * are checked from the files on disk, so deleting the database rows as well does not hide the cut.
 */

export type CheckpointReason = 'ingest' | 'manual' | 'interval' | 'archive'

export function checkpointsDir(dataRoot: string): string {
  return path.join(dataRoot, 'checkpoints')
}

function statementText(agency: string, seq: number, headHash: string, time: string, reason: string): string {
  return [
    'Liuhen audit checkpoint / 留痕审计日志检查点',
    `agency: ${agency}`,
    `seq: ${seq}`,
    `head-hash: ${headHash}`,
    `time: ${time}`,
    `reason: ${reason}`,
    '',
  ].join('\n')
}

function head(db: Db): { seq: number; hash: string } | undefined {
  return db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: string } | undefined
}

/** Write a checkpoint of the current head, unless one of the same head already exists. */
export async function writeCheckpoint(
  deps: CoreDeps,
  opts: { signer: BatchSigner | null; actor: Actor | null; reason: CheckpointReason },
): Promise<{ seq: number; file: string } | null> {
  const h = head(deps.db)
  const agency = findAgency(deps.db)
  if (!h || !agency) return null
  if (deps.db.prepare('SELECT 1 FROM audit_checkpoints WHERE seq = ?').get(h.seq)) return null
  const now = deps.now()
  const base = path.join(checkpointsDir(deps.layout.root), String(h.seq).padStart(12, '0'))
  const statement =
    leftoverStatement(`${base}.txt`, h) ??
    Buffer.from(
      statementText(`${agency.name} (${agency.code})`, h.seq, h.hash, now.toISOString(), opts.reason),
    )
  await writeDurable(`${base}.txt`, statement)
  if (opts.signer) {
    const digestHex =
      opts.signer.algorithm === 'sm2'
        ? sm3Hex(statement)
        : crypto.createHash('sha256').update(statement).digest('hex')
    const signed = signDetachedDigest({
      digestHex,
      signerCertPem: opts.signer.certPem,
      chainPems: opts.signer.chainPems,
      key: opts.signer.key,
      signingTime: now,
    })
    // A leftover signature over this very statement (same crash) stays; another one is never replaced.
    if (!signatureFits(`${base}.p7s`, statement, deps.db)) await writeDurable(`${base}.p7s`, signed.p7s)
  }
  let tsStatus: 'none' | 'pending' | 'granted' = tsaSettings(deps.db).url ? 'pending' : 'none'
  if (tsStatus === 'pending' && (await stampStatement(deps, `${base}.txt`))) tsStatus = 'granted'
  const id = crypto.randomUUID()
  auditedChange(
    deps,
    {
      ...actorFields(opts.actor ?? undefined),
      action: 'audit.checkpoint',
      targetType: 'checkpoint',
      targetId: id,
      details: {
        seq: h.seq,
        headHash: h.hash,
        reason: opts.reason,
        signed: !!opts.signer,
        timestamp: tsStatus,
      },
    },
    () =>
      deps.db
        .prepare(
          `INSERT INTO audit_checkpoints (id, seq, head_hash, created_at, reason, path, cert_id, ts_status)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          h.seq,
          h.hash,
          now.toISOString(),
          opts.reason,
          path.relative(deps.layout.root, `${base}.txt`),
          opts.signer?.certId ?? null,
          tsStatus,
        ),
  )
  return { seq: h.seq, file: `${base}.txt` }
}

/**
 * A statement of this same head already on disk with no row: a run that crashed (or hit a full disk) after
 * writing it. It is reused as it is, so the rerun registers it instead of failing on the existing file. A
 * statement of the same seq with another head hash is not ours to replace — the trail was cut and rewritten —
 * and writing over it would hide exactly that; the write below then refuses (EEXIST).
 */
function leftoverStatement(file: string, h: { seq: number; hash: string }): Buffer | null {
  let text: Buffer
  try {
    text = fs.readFileSync(file)
  } catch {
    return null
  }
  const seq = Number(/^seq: (\d+)$/m.exec(text.toString())?.[1] ?? NaN)
  const headHash = /^head-hash: ([0-9a-f]{64})$/m.exec(text.toString())?.[1]
  return seq === h.seq && headHash === h.hash ? text : null
}

function signatureFits(p7sFile: string, statement: Buffer, db: Db): boolean {
  if (!fs.existsSync(p7sFile)) return false
  try {
    const sha256 = crypto.createHash('sha256').update(statement).digest('hex')
    return verifyDetachedDigest(
      fs.readFileSync(p7sFile),
      { sha256, sm3: sm3Hex(statement) },
      trustAnchors(db),
    ).valid
  } catch {
    return false
  }
}

/** Ask the TSA for a token over one statement; false (and nothing written) when it does not answer. */
async function stampStatement(deps: CoreDeps, statementFile: string): Promise<boolean> {
  const url = tsaSettings(deps.db).url
  if (!url) return false
  const sha = crypto.createHash('sha256').update(fs.readFileSync(statementFile)).digest('hex')
  try {
    const req = buildTimestampRequest(sha)
    const tsr = await fetchTimestamp(url, req.der, 5_000)
    const info = checkTimestamp(tsr, sha, tsaAnchors(deps.db), req.nonceHex)
    if (!info.imprintMatches || !info.signatureValid) return false
    // An unregistered token from a crashed run is replaced: only the registered state counts.
    await writeAtomic(statementFile.replace(/\.txt$/, '.tsr'), tsr, { replace: true })
    return true
  } catch {
    return false
  }
}

/** Retry time-stamps of checkpoints written while the TSA was away. */
export async function stampPendingCheckpoints(deps: CoreDeps): Promise<number> {
  const rows = deps.db
    .prepare("SELECT id, path FROM audit_checkpoints WHERE ts_status = 'pending' ORDER BY seq")
    .all() as { id: string; path: string }[]
  let granted = 0
  for (const r of rows) {
    if (!(await stampStatement(deps, path.join(deps.layout.root, r.path)))) break
    auditedChange(
      deps,
      {
        actorId: null,
        actorName: null,
        action: 'audit.checkpointStamped',
        targetType: 'checkpoint',
        targetId: r.id,
      },
      () => deps.db.prepare("UPDATE audit_checkpoints SET ts_status = 'granted' WHERE id = ?").run(r.id),
    )
    granted++
  }
  return granted
}

/**
 * Check every checkpoint statement on disk against the trail: its event must still be there with the same
 * hash (else the trail was cut or rewritten), and its signature and time-stamp must verify.
 */
export function verifyCheckpoints(
  db: Db,
  dataRoot: string,
  hashAt: (seq: number) => string | null,
): { checked: number; problems: AuditProblem[] } {
  const dir = checkpointsDir(dataRoot)
  const problems: AuditProblem[] = []
  let checked = 0
  if (!fs.existsSync(dir)) return { checked, problems }
  const anchors = trustAnchors(db)
  const tsa = tsaAnchors(db)
  for (const name of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.txt'))
    .sort()) {
    checked++
    const file = path.join(dir, name)
    const text = fs.readFileSync(file)
    const seq = Number(/^seq: (\d+)$/m.exec(text.toString())?.[1] ?? NaN)
    const headHash = /^head-hash: ([0-9a-f]{64})$/m.exec(text.toString())?.[1] ?? null
    const id = `checkpoints/${name}`
    if (!Number.isInteger(seq) || !headHash) {
      problems.push({ seq: 0, id, reason: 'checkpoint_invalid' })
      continue
    }
    const actual = hashAt(seq)
    if (actual === null) problems.push({ seq, id, reason: 'truncated' })
    else if (actual !== headHash) problems.push({ seq, id, reason: 'checkpoint_mismatch' })
    const sha256 = crypto.createHash('sha256').update(text).digest('hex')
    const p7s = file.replace(/\.txt$/, '.p7s')
    if (fs.existsSync(p7s)) {
      let valid = false
      try {
        valid = verifyDetachedDigest(fs.readFileSync(p7s), { sha256, sm3: sm3Hex(text) }, anchors).valid
      } catch {
        valid = false
      }
      if (!valid) problems.push({ seq, id: `${id.slice(0, -4)}.p7s`, reason: 'checkpoint_invalid' })
    }
    const tsr = file.replace(/\.txt$/, '.tsr')
    if (fs.existsSync(tsr)) {
      let valid = false
      try {
        const t = checkTimestamp(fs.readFileSync(tsr), sha256, tsa)
        valid = t.imprintMatches && t.signatureValid
      } catch {
        valid = false
      }
      if (!valid) problems.push({ seq, id: `${id.slice(0, -4)}.tsr`, reason: 'checkpoint_invalid' })
    }
  }
  return { checked, problems }
}

/**
 * The whole trail check: the hash chain, then the signed checkpoints and the station-signed anchor log against
 * it (is the tail still where the log last saw it?), and the log against the copies the backups took.
 */
export function verifyTrail(db: Db, dataRoot: string, now: Date): AuditVerifyReport {
  const report = verifyAudit(db, now)
  const hashOf = db.prepare('SELECT hash FROM audit_events WHERE seq = ?')
  const hashAt = (seq: number) => (hashOf.get(seq) as { hash: string } | undefined)?.hash ?? null
  const cp = verifyCheckpoints(db, dataRoot, hashAt)
  const anchors = verifyAnchorLog(db, dataRoot, { seq: report.headSeq, hash: report.headHash }, hashAt)
  const problems = [
    ...report.problems,
    ...cp.problems,
    ...anchors.problems,
    ...checkAgainstBackups(db, dataRoot),
  ]
  return {
    ...report,
    checkpoints: cp.checked + anchors.lines,
    problems,
    firstBad: problems[0] ?? null,
    ok: problems.length === 0,
  }
}

/** The same, read-only and without signing in (`liuhen audit verify`). */
export function verifyTrailOffline(
  dataRoot: string,
  dbFile: string,
  now: Date = new Date(),
): AuditVerifyReport {
  const db = openDatabaseReadOnly(dbFile)
  try {
    return verifyTrail(db, dataRoot, now)
  } finally {
    db.close()
  }
}

/**
 * Verify the audit chain of a data directory without signing in and without changing anything. It lives here,
 * beside the checkpoint verifier that opens the file the same way, so audit.ts needs only the Db type and takes no
 * part in an import cycle through db/index.ts.
 */
export function verifyAuditOffline(dbFile: string, now: Date = new Date()): AuditVerifyReport {
  const db = openDatabaseReadOnly(dbFile)
  try {
    return verifyAudit(db, now)
  } finally {
    db.close()
  }
}

/**
 * audit.checkpoint: a checkpoint of the trail's head now, signed with the caller's key when a PIN is given (else
 * only time-stamped, if a TSA is set).
 */
export async function checkpointNow(
  deps: CoreDeps,
  i: ParsedInput<'audit.checkpoint'>,
  ctx: CallContext,
): Promise<MethodOutput<'audit.checkpoint'>> {
  const actor = actorOf(ctx)
  const signer = i.pin ? unlockSigner(deps, actor, i.pin, ctx.channel) : null
  const written = await writeCheckpoint(deps, { signer, actor, reason: 'manual' })
  const row = deps.db
    .prepare('SELECT seq, ts_status FROM audit_checkpoints ORDER BY seq DESC LIMIT 1')
    .get() as { seq: number; ts_status: 'none' | 'pending' | 'granted' } | undefined
  return {
    written: written !== null,
    seq: row?.seq ?? 0,
    signed: signer !== null,
    timestamp: row?.ts_status ?? 'none',
    file: written ? path.relative(deps.layout.root, written.file) : null,
  }
}

/** audit.verify: the trail checked; who checked it, and what they found, is itself part of the trail. */
export function verifyTrailAudited(deps: CoreDeps, ctx: CallContext): AuditVerifyReport {
  const report = verifyTrail(deps.db, deps.layout.root, deps.now())
  auditedChange(
    deps,
    {
      ...actorFields(ctx.actor),
      action: 'audit.verify',
      details: { ok: report.ok, checked: report.checked, firstBad: report.firstBad },
    },
    () => undefined,
  )
  return report
}
