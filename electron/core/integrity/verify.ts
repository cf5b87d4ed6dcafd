import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { IntegrityProblem, IntegrityReport, Orphan } from '../../../shared/integrity.ts'
import { AppError } from '../../../shared/errors.ts'
import type { Db } from '../db/index.ts'
import type { DataLayout } from '../paths.ts'
import { objectPath } from '../vault.ts'
import { isTempName } from '../durable.ts'
import { verifyTrail } from '../signing/checkpoints.ts'
import { verifyDetachedDigest } from '../signing/cms.ts'
import { trustAnchors } from '../signing/authority.ts'
import { notValid } from '../signing/cms.ts'
import { owedSignatures } from '../signing/owed.ts'
import { queueProblems } from '../post-commit-check.ts'
import { DELETED, SEALED, rowHash } from './seals.ts'
import { HashPool } from './hasher.ts'

/*
 * The integrity check: every vault object re-hashed against its recorded SHA-256 (on every core); every sealed
 * row against its seal and every seal against the audit event that carries it; the audit chain and its signed
 * checkpoints; every signature file against its recorded hash and, as CMS, against the record's digest. Each
 * problem names the object and the records it concerns. Reading only: what a run found is recorded by the
 * caller.
 */

export interface VerifyOptions {
  /** Share of vault objects to re-hash (1–100); the rest of the checks always run in full. */
  samplePercent?: number
  signal?: AbortSignal
  onProgress?: (p: {
    phase: 'database' | 'vault' | 'rows' | 'audit' | 'signatures'
    done: number
    total: number
  }) => void
  /** Objects at or before this SHA-256 were checked by an interrupted run: start after it. */
  after?: string | null
  /** Called after each completed batch of objects, in SHA-256 order (for resuming). */
  onCheckpoint?: (lastSha256: string, done: number, failures: IntegrityProblem[]) => void
}

function recordsOfObject(db: Db, sha256: string): string[] {
  return (
    db
      .prepare(
        'SELECT id FROM evidence WHERE sha256 = ? UNION ALL SELECT id FROM text_records WHERE sha256 = ?',
      )
      .all(sha256, sha256) as { id: string }[]
  ).map((r) => r.id)
}

export async function checkVault(
  db: Db,
  layout: DataLayout,
  opts: VerifyOptions = {},
): Promise<{ problems: IntegrityProblem[]; objects: number; bytes: number }> {
  let objects = (
    db
      .prepare(
        `SELECT sha256, size FROM evidence WHERE deleted_at IS NULL UNION SELECT sha256, size FROM text_records ORDER BY sha256`,
      )
      .all() as { sha256: string; size: number }[]
  ).filter((o) => !opts.after || o.sha256 > opts.after)
  if (opts.samplePercent && opts.samplePercent < 100) {
    const n = Math.max(1, Math.ceil((objects.length * opts.samplePercent) / 100))
    objects = objects
      .map((o) => ({ o, r: crypto.randomInt(2 ** 40) }))
      .sort((a, b) => a.r - b.r)
      .slice(0, n)
      .map((x) => x.o)
      .sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1))
  }
  const total = objects.reduce((n, o) => n + o.size, 0)
  const problems: IntegrityProblem[] = []
  const pool = new HashPool()
  let bytes = 0
  try {
    const batch = pool.size * 4
    for (let i = 0; i < objects.length; i += batch) {
      if (opts.signal?.aborted) throw new AppError('CANCELLED')
      const slice = objects.slice(i, i + batch)
      const results = await Promise.all(
        slice.map((o) =>
          pool.hash(objectPath(layout, o.sha256), (n) => {
            bytes += n
            opts.onProgress?.({ phase: 'vault', done: bytes, total })
          }),
        ),
      )
      slice.forEach((o, k) => {
        const r = results[k]!
        const base = {
          check: 'vault' as const,
          table: null,
          id: o.sha256,
          records: recordsOfObject(db, o.sha256),
        }
        if (r.error)
          problems.push({ ...base, kind: r.error === 'ENOENT' ? 'missing' : 'unreadable', detail: r.error })
        else if (r.digests.sha256 !== o.sha256)
          problems.push({
            ...base,
            kind: r.size !== o.size ? 'size_mismatch' : 'hash_mismatch',
            detail: `${r.digests.sha256} (${r.size} bytes)`,
          })
      })
      opts.onCheckpoint?.(slice[slice.length - 1]!.sha256, i + slice.length, problems)
    }
  } finally {
    await pool.close()
  }
  return { problems, objects: objects.length, bytes }
}

interface SealEvent {
  seq: number
  seals: Record<string, string>
}

/**
 * Rows against their seals, seals against the audit trail. `missingSeqs` are events the audit check found
 * gone (deleted or cut off): seals that point there are not blamed on their rows — the audit problem is the
 * finding.
 */
export function checkRows(
  db: Db,
  missingSeq: (seq: number) => boolean,
): { problems: IntegrityProblem[]; rows: number } {
  const latest = new Map<string, SealEvent & { hash: string }>()
  const events = new Map<number, Record<string, string>>()
  for (const e of db
    .prepare(`SELECT seq, details FROM audit_events WHERE details LIKE '%"seals":%' ORDER BY seq`)
    .iterate() as IterableIterator<{ seq: number; details: string }>) {
    let seals: Record<string, string> | undefined
    try {
      seals = (JSON.parse(e.details) as { seals?: Record<string, string> }).seals
    } catch {
      continue
    }
    if (!seals) continue
    events.set(e.seq, seals)
    for (const [k, hash] of Object.entries(seals)) latest.set(k, { seq: e.seq, seals, hash })
  }
  const problems: IntegrityProblem[] = []
  let rows = 0
  for (const { table, key } of SEALED) {
    const sealsOf = new Map(
      (
        db.prepare('SELECT row_key, hash, seq FROM row_seals WHERE tbl = ?').all(table) as {
          row_key: string
          hash: string
          seq: number
        }[]
      ).map((s) => [s.row_key, s]),
    )
    const records = (id: string) => (table === 'cases' || table === 'access_grants' ? [] : [id])
    const seen = new Set<string>()
    for (const row of db.prepare(`SELECT * FROM ${table}`).iterate() as IterableIterator<
      Record<string, unknown>
    >) {
      rows++
      const id = String(row[key])
      seen.add(id)
      const seal = sealsOf.get(id)
      const base = { check: 'rows' as const, table, id, records: records(id) }
      if (!seal) {
        problems.push({ ...base, kind: 'unsealed', detail: null })
        continue
      }
      const event = events.get(seal.seq)
      if (
        event !== undefined &&
        (event[`${table}/${id}`] !== seal.hash || latest.get(`${table}/${id}`)?.seq !== seal.seq)
      ) {
        problems.push({ ...base, kind: 'seal_mismatch', detail: `#${seal.seq}` })
        continue
      }
      if (event === undefined && !missingSeq(seal.seq)) {
        problems.push({ ...base, kind: 'seal_mismatch', detail: `#${seal.seq}` })
        continue
      }
      if (rowHash(table, row) !== seal.hash)
        problems.push({ ...base, kind: 'changed', detail: `#${seal.seq}` })
    }
    for (const [id, seal] of sealsOf)
      if (!seen.has(id) && seal.hash !== DELETED)
        problems.push({
          check: 'rows',
          table,
          id,
          records: records(id),
          kind: 'deleted',
          detail: `#${seal.seq}`,
        })
  }
  return { problems, rows }
}

export function checkSignatures(
  db: Db,
  layout: DataLayout,
): { problems: IntegrityProblem[]; signatures: number } {
  const sigs = db
    .prepare(
      `SELECT s.id, s.path, s.p7s_sha256, s.evidence_id, s.text_record_id,
         COALESCE(e.sha256, t.sha256) AS sha256, COALESCE(e.sm3, t.sm3) AS sm3
       FROM signatures s LEFT JOIN evidence e ON e.id = s.evidence_id LEFT JOIN text_records t ON t.id = s.text_record_id`,
    )
    .all() as {
    id: string
    path: string
    p7s_sha256: string
    evidence_id: string | null
    text_record_id: string | null
    sha256: string | null
    sm3: string | null
  }[]
  const anchors = trustAnchors(db)
  const problems: IntegrityProblem[] = []
  for (const s of sigs) {
    const base = {
      check: 'signatures' as const,
      table: 'signatures',
      id: s.id,
      records: [s.evidence_id ?? s.text_record_id ?? ''].filter(Boolean),
    }
    let p7s: Buffer
    try {
      p7s = fs.readFileSync(path.join(layout.root, s.path))
    } catch {
      problems.push({ ...base, kind: 'file_missing', detail: s.path })
      continue
    }
    if (crypto.createHash('sha256').update(p7s).digest('hex') !== s.p7s_sha256) {
      problems.push({ ...base, kind: 'file_changed', detail: s.path })
      continue
    }
    let check
    try {
      check = verifyDetachedDigest(
        p7s,
        { ...(s.sha256 ? { sha256: s.sha256 } : {}), ...(s.sm3 ? { sm3: s.sm3 } : {}) },
        anchors,
      )
    } catch {
      check = notValid()
    }
    // Integrity, not trust: the signature must fit the record; a revoked or expired certificate is no tampering.
    if (!check.digestMatches || !check.signatureValid)
      problems.push({ ...base, kind: 'invalid', detail: s.path })
  }
  // Records a signed batch registered but never signed (killed or disk full between the row and its signature).
  for (const o of owedSignatures(db))
    problems.push({
      check: 'signatures',
      kind: 'unsigned',
      table: 'evidence',
      id: o.id,
      records: [o.id],
      detail: o.batchId,
    })
  return { problems, signatures: sigs.length }
}

/**
 * The database file itself: SQLite's own page-by-page check and the foreign keys. A zeroed or torn page is
 * named here (SQLite's text, with the table whose tree it belongs to), before any other phase reads from it.
 */
export function checkDatabase(db: Db): IntegrityProblem[] {
  const problems: IntegrityProblem[] = []
  const base = { check: 'database' as const, records: [] }
  let trees = new Map<number, string>()
  const damaged = (text: string) => {
    const tree = /Tree (\d+) /.exec(text)?.[1]
    const page = /[Pp]age (\d+)/.exec(text)?.[1]
    problems.push({
      ...base,
      kind: 'damaged',
      table: trees.get(Number(tree ?? page)) ?? null,
      id: page ? `page ${page}` : 'liuhen.db',
      detail: text,
    })
  }
  try {
    trees = new Map(
      (
        db.prepare('SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0').all() as {
          name: string
          rootpage: number
        }[]
      ).map((t) => [t.rootpage, t.name]),
    )
    // Rows are read one by one: on a badly damaged page SQLite names it in a row, then fails the statement.
    for (const line of db
      .prepare('PRAGMA integrity_check(100)')
      .pluck()
      .iterate() as IterableIterator<string>)
      for (const part of line.split('\n'))
        if (part && part !== 'ok' && !part.startsWith('*** in database')) damaged(part)
  } catch (e) {
    if (!problems.length) damaged(sqliteText(e))
    return problems
  }
  try {
    for (const fk of db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[])
      problems.push({
        ...base,
        kind: 'foreign_key',
        table: fk.table,
        id: String(fk.rowid),
        detail: fk.parent,
      })
  } catch (e) {
    damaged(sqliteText(e))
  }
  return problems
}

const sqliteText = (e: unknown): string =>
  `${(e as { code?: string } | null)?.code ?? ''} ${e instanceof Error ? e.message : String(e)}`.trim()

/**
 * Files in the vault and the signature folder that no row names: left by a crash between the file and its row,
 * or put there from outside. Reported, never deleted — they may be the only copy of something.
 */
export function findOrphans(db: Db, layout: DataLayout): Orphan[] {
  const orphans: Orphan[] = []
  const rel = (f: string) => path.relative(layout.root, f)
  const named = new Set(
    db.prepare('SELECT sha256 FROM evidence UNION SELECT sha256 FROM text_records').pluck().all() as string[],
  )
  for (const f of walkFiles(layout.vault)) {
    const name = path.basename(f)
    if (isTempName(name)) orphans.push({ kind: 'temp', path: rel(f) })
    else if (!named.has(name)) orphans.push({ kind: 'vault', path: rel(f) })
  }
  const files = new Set<string>()
  for (const s of db.prepare('SELECT path, tsr_path FROM signatures').all() as {
    path: string
    tsr_path: string | null
  }[]) {
    for (const p of [
      s.path,
      s.path.replace(/\.p7s$/, '.sm2-signed-attrs.der'),
      s.path.replace(/\.p7s$/, '.sm2-signature.der'),
      s.tsr_path,
    ])
      if (p) files.add(path.normalize(p))
  }
  for (const f of walkFiles(layout.signatures)) {
    const r = rel(f)
    if (r.startsWith(path.join('signatures', 'crl') + path.sep)) continue
    if (isTempName(path.basename(f))) orphans.push({ kind: 'temp', path: r })
    else if (!files.has(r)) orphans.push({ kind: r.endsWith('.tsr') ? 'timestamp' : 'signature', path: r })
  }
  return orphans
}

function* walkFiles(dir: string): Generator<string> {
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const e of entries) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) yield* walkFiles(p)
    else if (e.isFile()) yield p
  }
}

/** The whole check. */
export async function verifyIntegrity(
  db: Db,
  layout: DataLayout,
  now: () => Date,
  opts: VerifyOptions = {},
): Promise<IntegrityReport> {
  const startedAt = now().toISOString()
  opts.onProgress?.({ phase: 'database', done: 0, total: 1 })
  const database = checkDatabase(db)
  // On a damaged file any later phase may hit the bad page: that phase is reported, the others still run.
  const phaseFailed: IntegrityProblem[] = []
  const guarded = async <T>(phase: string, run: () => T | Promise<T>, empty: T): Promise<T> => {
    try {
      return await run()
    } catch (e) {
      if (e instanceof AppError || !/^SQLITE_/.test(String((e as { code?: unknown }).code))) throw e
      phaseFailed.push({
        check: 'database',
        kind: 'phase_failed',
        table: null,
        id: phase,
        records: [],
        detail: sqliteText(e),
      })
      return empty
    }
  }
  const vault = await guarded('vault', () => checkVault(db, layout, opts), {
    problems: [],
    objects: 0,
    bytes: 0,
  })
  // The trail, the rows and the signatures are read in one snapshot: another process writing meanwhile (an
  // ingest in the app) must not look like a cut tail (a row sealed by an event newer than the trail read) or a
  // missing signature. Synchronous, so the transaction never spans an await on a shared connection.
  const { trail, auditProblems, rows, sigs, queue } = await guarded(
    'audit',
    () => db.transaction(() => readChecks(db, layout, now, opts))(),
    {
      trail: {
        ok: true,
        checked: 0,
        checkpoints: 0,
        headSeq: 0,
        problems: [],
        firstBad: null,
      } as unknown as ReturnType<typeof verifyTrail>,
      auditProblems: [],
      rows: { problems: [], rows: 0 },
      sigs: { problems: [], signatures: 0 },
      queue: [],
    },
  )
  const orphans = await guarded('orphans', () => findOrphans(db, layout), [])
  const problems: IntegrityProblem[] = [
    ...database,
    ...phaseFailed,
    ...vault.problems,
    ...rows.problems,
    ...auditProblems.map((p) => ({
      check: 'audit' as const,
      kind: p.reason,
      table: 'audit_events',
      id: String(p.seq),
      records: [],
      detail: p.id,
      ...(p.count !== undefined ? { count: p.count } : {}),
    })),
    ...sigs.problems,
    ...queue,
  ]
  return {
    ok: problems.length === 0,
    startedAt,
    finishedAt: now().toISOString(),
    scope: opts.samplePercent && opts.samplePercent < 100 ? 'sample' : 'full',
    checked: {
      objects: vault.objects,
      bytes: vault.bytes,
      rows: rows.rows,
      auditEvents: trail.checked,
      checkpoints: trail.checkpoints,
      signatures: sigs.signatures,
    },
    problems,
    audit: { ok: auditProblems.length === 0, problems: auditProblems },
    database: { ok: database.length === 0 && phaseFailed.length === 0 },
    orphans,
  }
}

/** The checks that read only the database (and small files): the audit trail, sealed rows, signatures. */
function readChecks(db: Db, layout: DataLayout, now: () => Date, opts: VerifyOptions) {
  opts.onProgress?.({ phase: 'audit', done: 0, total: 1 })
  const trail = verifyTrail(db, layout.root, now())
  const seqs = db.prepare('SELECT seq FROM audit_events ORDER BY seq').pluck().all() as number[]
  const present = new Set(seqs)
  const head = seqs.length ? seqs[seqs.length - 1]! : 0
  const auditProblems = [...trail.problems]
  let beyondHead = 0
  const missingSeq = (seq: number) => {
    if (seq > head) {
      beyondHead = Math.max(beyondHead, seq)
      return true
    }
    return !present.has(seq)
  }
  opts.onProgress?.({ phase: 'rows', done: 0, total: 1 })
  const rows = checkRows(db, missingSeq)
  // Seals pointing past the last event prove the tail was cut, even where no checkpoint shows it.
  if (beyondHead && !auditProblems.some((p) => p.reason === 'truncated' || p.reason === 'anchor_truncated'))
    auditProblems.push({ seq: head + 1, id: null, reason: 'truncated' })
  opts.onProgress?.({ phase: 'signatures', done: 0, total: 1 })
  const sigs = checkSignatures(db, layout)
  const queue = queueProblems(db, now())
  return { trail, auditProblems, rows, sigs, queue }
}
