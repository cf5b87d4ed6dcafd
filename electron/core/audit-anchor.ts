import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { AuditProblem } from '../../shared/contract.ts'
import { auditedChange, type CoreDeps } from './context.ts'
import type { Db } from './db/index.ts'
import { findAgency } from './agency.ts'
import { fsyncDirSync, writeAtomicSync } from './durable.ts'
import { damageRecord } from './integrity/damage.ts'

/*
 * The audit head anchored continuously. The hash chain shows any edit inside the trail but not events cut off
 * its end (or lost with a deleted `-wal`): the chain simply ends earlier. So a few seconds after audited changes
 * (and at clean shutdown) the core appends one line "the trail reached event N with hash H at time T", signed by
 * the station key, to anchor/audit-anchors.log — outside the database, one line per checkpoint, fsynced.
 * `verify` then proves the database's tail reaches the last line: a cut tail names how many events are gone
 * after which sequence number.
 *
 * The station key needs no officer's PIN: an Ed25519 key made at `init` (or at the first start of an older
 * folder), its private half encrypted under a random secret kept in the database's `meta` table and written to
 * anchor/station-key-<id>.json. Neither the database nor the key file alone gives the key; the public key
 * travels inside the hash chain (the system.initialize or audit.stationKey event), so verify never trusts a
 * key file it finds. Threat model, honestly: whoever can read the whole data folder can also sign, so an
 * insider who rewrites the database AND the log AND re-signs it is not caught by this folder alone — but every
 * backup and every archive disc carries the log as it was, and a rewritten log is no longer an extension of
 * those copies (backup refuses, verify reports it against the last backups). What it does catch: deleting
 * events with an outside SQLite client, a lost `-wal`, a cut, emptied or edited log line.
 *
 * This module is the one place that writes the log, so the single-owner lock (issue 18, item 1) can gate it.
 */

export const ANCHOR_DIR = 'anchor'
export const ANCHOR_LOG = path.join(ANCHOR_DIR, 'audit-anchors.log')
const META_KEY = 'station_key'
const ZERO = '0'.repeat(64)

export const anchorLogPath = (root: string): string => path.join(root, ANCHOR_LOG)
const keyFilePath = (root: string, keyId: string) =>
  path.join(root, ANCHOR_DIR, `station-key-${keyId.slice(0, 16)}.json`)

export interface AnchorLine {
  v: 1
  /** Line number, from 1: a line taken out of the middle breaks the numbering and the `prev` link. */
  n: number
  seq: number
  head: string
  time: string
  /** SHA-256 of the station key's SubjectPublicKeyInfo (DER). */
  key: string
  /** SHA-256 of the previous line's bytes (with its newline); zeros for the first. */
  prev: string
  sig: string
}

const signedPart = (l: Omit<AnchorLine, 'sig'>) =>
  Buffer.from(JSON.stringify(['liuhen-anchor-v1', l.n, l.seq, l.head, l.time, l.key, l.prev]), 'utf8')

const keyIdOf = (pub: crypto.KeyObject) =>
  crypto
    .createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex')

/** The key file's passphrase: the secret from the database, bound to this key. */
const passphrase = (secret: string, keyId: string) =>
  crypto.createHmac('sha256', Buffer.from(secret, 'hex')).update(`liuhen-station-key:${keyId}`).digest('hex')

/** A station key made and written to its file, not yet recorded in the database. */
export interface PreparedStationKey {
  keyId: string
  publicKeyPem: string
  /** The `meta` row's value: { keyId, secret }. */
  metaValue: string
}

/**
 * Make a station key and write its encrypted file (and an empty log, so a log deleted later is told from one
 * not yet begun). The caller records `metaValue` and the public key in one audited transaction; a crash before
 * that leaves only an unused key file.
 */
export function prepareStationKey(root: string): PreparedStationKey {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519')
  const keyId = keyIdOf(publicKey)
  const secret = crypto.randomBytes(32).toString('hex')
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const file = {
    format: 'liuhen-station-key-v1',
    keyId,
    publicKey: publicKeyPem,
    encryptedPrivateKey: privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: passphrase(secret, keyId) })
      .toString(),
  }
  fs.mkdirSync(path.join(root, ANCHOR_DIR), { recursive: true, mode: 0o700 })
  writeAtomicSync(keyFilePath(root, keyId), JSON.stringify(file, null, 2))
  const log = anchorLogPath(root)
  if (!fs.existsSync(log)) {
    fs.closeSync(fs.openSync(log, 'a', 0o600))
    fsyncDirSync(path.dirname(log))
  }
  return { keyId, publicKeyPem, metaValue: JSON.stringify({ keyId, secret }) }
}

/** Record a prepared key (inside the caller's transaction): the secret in meta. */
export function recordStationKey(db: Db, key: PreparedStationKey): void {
  db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(META_KEY, key.metaValue)
}

interface StationKey {
  keyId: string
  privateKey: crypto.KeyObject
}

function loadStationKey(db: Db, root: string): StationKey | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(META_KEY) as
    { value: string } | undefined
  if (!row) return null
  try {
    const { keyId, secret } = JSON.parse(row.value) as { keyId: string; secret: string }
    const file = JSON.parse(fs.readFileSync(keyFilePath(root, keyId), 'utf8')) as {
      encryptedPrivateKey: string
    }
    const privateKey = crypto.createPrivateKey({
      key: file.encryptedPrivateKey,
      format: 'pem',
      passphrase: passphrase(secret, keyId),
    })
    if (keyIdOf(crypto.createPublicKey(privateKey)) !== keyId) return null
    return { keyId, privateKey }
  } catch {
    return null
  }
}

/**
 * The folder's station key, made now (one audited event naming its public key) when this folder has none yet
 * or its key file is gone or unreadable. Null for a folder not yet initialised.
 */
export function ensureStationKey(deps: CoreDeps): StationKey | null {
  if (!findAgency(deps.db)) return null
  const have = loadStationKey(deps.db, deps.layout.root)
  // A database that failed its check takes no new writes (integrity/damage.ts), a new key's event included.
  if (have || damageRecord(deps.layout)) return have
  const previous = (
    deps.db.prepare('SELECT value FROM meta WHERE key = ?').get(META_KEY) as { value: string } | undefined
  )?.value
  const key = prepareStationKey(deps.layout.root)
  auditedChange(
    deps,
    {
      actorId: null,
      actorName: null,
      action: 'audit.stationKey',
      targetType: 'system',
      targetId: key.keyId,
      details: {
        keyId: key.keyId,
        publicKey: key.publicKeyPem,
        replaces: previous ? ((JSON.parse(previous) as { keyId?: string }).keyId ?? null) : null,
      },
    },
    () => recordStationKey(deps.db, key),
  )
  return loadStationKey(deps.db, deps.layout.root)
}

/** The complete lines of a log and whether a torn fragment (a write cut by a crash or full disk) follows. */
function splitLog(bytes: Buffer): { lines: Buffer[]; torn: number } {
  const lines: Buffer[] = []
  let start = 0
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, start)) {
    lines.push(bytes.subarray(start, i + 1))
    start = i + 1
  }
  return { lines, torn: bytes.length - start }
}

const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex')

/** The last complete line of the log (read from its end), and where a torn fragment begins. */
function logTail(fd: number): { last: AnchorLine | null; lastBytes: Buffer | null; end: number } {
  const size = fs.fstatSync(fd).size
  let window = 4096
  for (;;) {
    const from = Math.max(0, size - window)
    const buf = Buffer.alloc(size - from)
    fs.readSync(fd, buf, 0, buf.length, from)
    const lastNl = buf.lastIndexOf(10)
    const end = lastNl === -1 ? from : from + lastNl + 1
    if (lastNl === -1 && from === 0) return { last: null, lastBytes: null, end: 0 }
    const prevNl = lastNl > 0 ? buf.lastIndexOf(10, lastNl - 1) : -1
    if (prevNl !== -1 || from === 0) {
      const lastBytes = buf.subarray(prevNl + 1, lastNl + 1)
      let last: AnchorLine | null = null
      try {
        last = JSON.parse(lastBytes.toString('utf8')) as AnchorLine
      } catch {
        last = null
      }
      return { last, lastBytes, end }
    }
    window *= 4
  }
}

/**
 * Append a line for the current head unless the last line already names it. Inside an IMMEDIATE transaction:
 * SQLite's write lock orders the appends of every process on this folder, so line numbers and links never fork.
 */
export function anchorHead(deps: CoreDeps, key: StationKey): AnchorLine | null {
  // Already anchored (every CLI command's start, mostly): no write lock taken. Checked again under the lock.
  if (anchored(deps)) return null
  return deps.db
    .transaction(() => {
      const h = deps.db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as
        { seq: number; hash: string } | undefined
      if (!h) return null
      const file = anchorLogPath(deps.layout.root)
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
      const created = !fs.existsSync(file)
      const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600)
      try {
        const tail = logTail(fd)
        if (tail.last && tail.last.seq === h.seq && tail.last.head === h.hash) return null
        // A fragment after the last newline was never a whole line (the write was cut): it is dropped.
        if (fs.fstatSync(fd).size !== tail.end) fs.ftruncateSync(fd, tail.end)
        const body: Omit<AnchorLine, 'sig'> = {
          v: 1,
          n: (tail.last?.n ?? 0) + 1,
          seq: h.seq,
          head: h.hash,
          time: deps.now().toISOString(),
          key: key.keyId,
          prev: tail.lastBytes ? sha256(tail.lastBytes) : ZERO,
        }
        const line: AnchorLine = {
          ...body,
          sig: crypto.sign(null, signedPart(body), key.privateKey).toString('base64'),
        }
        const bytes = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8')
        try {
          fs.writeSync(fd, bytes, 0, bytes.length, tail.end)
          fs.fsyncSync(fd)
        } catch (e) {
          // A full disk: leave the log as it was (or with a fragment the next append drops).
          try {
            fs.ftruncateSync(fd, tail.end)
          } catch {
            /* the next append drops the fragment */
          }
          throw e
        }
        if (created) fsyncDirSync(path.dirname(file))
        return line
      } finally {
        fs.closeSync(fd)
      }
    })
    .immediate()
}

function anchored(deps: CoreDeps): boolean {
  const h = deps.db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: string } | undefined
  if (!h) return true
  let fd: number
  try {
    fd = fs.openSync(anchorLogPath(deps.layout.root), 'r')
  } catch {
    return false
  }
  try {
    const { last } = logTail(fd)
    return !!last && last.seq === h.seq && last.head === h.hash
  } finally {
    fs.closeSync(fd)
  }
}

export interface AnchorTimers {
  set(fn: () => void, ms: number): unknown
  clear(handle: unknown): void
}

const realTimers: AnchorTimers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms)
    t.unref()
    return t
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
}

/**
 * Batches anchoring: the first audited change after a line schedules one write `delayMs` later (not pushed back
 * by later changes, so under steady load lines are at most `delayMs` apart and never one per event); `close`
 * writes the last one. Failures (a full disk) are logged and retried at the next change or at close.
 */
export class AuditAnchor {
  private timer: unknown = null
  private key: StationKey | null = null
  private closed = false
  private readonly delayMs: number
  private readonly timers: AnchorTimers

  constructor(
    private readonly deps: CoreDeps,
    opts: { delayMs?: number; timers?: AnchorTimers } = {},
  ) {
    this.delayMs = opts.delayMs ?? 2_000
    this.timers = opts.timers ?? realTimers
  }

  /** At start (initialised folder) and right after `init`: the key exists, the current head is anchored. */
  start(): void {
    try {
      this.key = ensureStationKey(this.deps)
    } catch (e) {
      // A read-only copy of a data folder cannot take a key: it is checked, not anchored.
      console.error('[liuhen] station key unavailable', e)
      this.key = null
    }
    this.flush()
  }

  /** An audited change committed. */
  noteChange(): void {
    if (this.closed || this.timer !== null) return
    this.timer = this.timers.set(() => {
      this.timer = null
      this.flush()
    }, this.delayMs)
  }

  /** Anchor the head now; returns the line written, if any. */
  flush(): AnchorLine | null {
    if (this.timer !== null) {
      this.timers.clear(this.timer)
      this.timer = null
    }
    if (!this.key) return null
    try {
      return anchorHead(this.deps, this.key)
    } catch (e) {
      console.error('[liuhen] audit anchor not written', e)
      return null
    }
  }

  close(): void {
    this.flush()
    this.closed = true
  }
}

/* ---------- checking ---------- */

/** Station public keys by id, as the hash chain names them (never as a key file claims). */
function stationKeys(db: Db): Map<string, crypto.KeyObject> {
  const keys = new Map<string, crypto.KeyObject>()
  for (const r of db
    .prepare(
      `SELECT details FROM audit_events WHERE action IN ('system.initialize', 'audit.stationKey') ORDER BY seq`,
    )
    .pluck()
    .iterate() as IterableIterator<string>) {
    try {
      const d = JSON.parse(r) as { stationKey?: { publicKey?: string }; publicKey?: string }
      const pem = d.stationKey?.publicKey ?? d.publicKey
      if (!pem) continue
      const pub = crypto.createPublicKey(pem)
      keys.set(keyIdOf(pub), pub)
    } catch {
      /* an unreadable key names nothing */
    }
  }
  return keys
}

const MAX_LINE_PROBLEMS = 20

export interface AnchorCheck {
  lines: number
  problems: AuditProblem[]
  /** Seq of the last valid line (0 when none). */
  lastSeq: number
}

/**
 * Check the log against the trail: every line well-formed, numbered, linked and signed by a key the chain
 * names; every anchored event still there with the anchored hash; and the database's tail reaching the last
 * line. `hashAt` reads the trail in the caller's snapshot.
 */
export function verifyAnchorLog(
  db: Db,
  root: string,
  head: { seq: number; hash: string },
  hashAt: (seq: number) => string | null,
): AnchorCheck {
  const file = anchorLogPath(root)
  const id = (n: number) => `${ANCHOR_LOG.split(path.sep).join('/')}:${n}`
  const problems: AuditProblem[] = []
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file)
  } catch {
    // No log: fine for a folder that never had a key (older, or a copy made before it). Once the database
    // holds a key, a missing log was removed.
    const hasKey = !!db.prepare('SELECT 1 FROM meta WHERE key = ?').get(META_KEY) || stationKeys(db).size > 0
    if (hasKey)
      problems.push({ seq: head.seq, id: ANCHOR_LOG.split(path.sep).join('/'), reason: 'anchor_missing' })
    return { lines: 0, problems, lastSeq: 0 }
  }
  const keys = stationKeys(db)
  const { lines } = splitLog(bytes)
  let prev = ZERO
  let lastSeq = 0
  let lastN = 0
  let invalid = 0
  let mismatched = 0
  lines.forEach((raw, i) => {
    const n = i + 1
    let line: AnchorLine | null = null
    try {
      line = JSON.parse(raw.toString('utf8')) as AnchorLine
    } catch {
      line = null
    }
    const pub = line ? keys.get(String(line.key)) : undefined
    const ok =
      !!line &&
      !!pub &&
      line.v === 1 &&
      line.n === n &&
      line.prev === prev &&
      Number.isInteger(line.seq) &&
      line.seq >= lastSeq &&
      /^[0-9a-f]{64}$/.test(String(line.head)) &&
      typeof line.sig === 'string' &&
      crypto.verify(null, signedPart(line), pub, Buffer.from(line.sig, 'base64'))
    prev = sha256(raw)
    if (!ok || !line) {
      if (invalid++ < MAX_LINE_PROBLEMS)
        problems.push({ seq: Number(line?.seq) || 0, id: id(n), reason: 'anchor_invalid' })
      return
    }
    lastSeq = line.seq
    lastN = n
    if (line.seq > head.seq) return
    const actual = hashAt(line.seq)
    // An event gone from inside the trail is the chain check's finding; a different hash is a rewrite.
    if (actual !== null && actual !== line.head && mismatched++ < MAX_LINE_PROBLEMS)
      problems.push({ seq: line.seq, id: id(n), reason: 'anchor_mismatch' })
  })
  if (lastSeq > head.seq)
    problems.push({ seq: head.seq, id: id(lastN), reason: 'anchor_truncated', count: lastSeq - head.seq })
  return { lines: lines.length, problems, lastSeq }
}

/**
 * Is `older` (a backup's or a disc's copy of the log) still the beginning of `current`? A log shorter than the
 * copy, or one whose lines differ from it, was cut or rewritten after the copy was made.
 */
export function logExtends(current: Buffer, older: Buffer): 'extends' | 'shorter' | 'diverged' {
  const done = splitLog(older).lines.reduce((n, l) => n + l.length, 0)
  const prefix = older.subarray(0, done)
  if (current.length >= prefix.length)
    return current.subarray(0, prefix.length).equals(prefix) ? 'extends' : 'diverged'
  return prefix.subarray(0, current.length).equals(current) ? 'shorter' : 'diverged'
}

/** The log's complete lines that anchor events up to `seq` (what a snapshot of the database holds). */
export function logUpTo(root: string, seq: number): Buffer {
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(anchorLogPath(root))
  } catch {
    return Buffer.alloc(0)
  }
  const keep: Buffer[] = []
  for (const l of splitLog(bytes).lines) {
    let s = Infinity
    try {
      s = Number((JSON.parse(l.toString('utf8')) as AnchorLine).seq)
    } catch {
      /* a bad line: kept, for verify to report */
      s = -1
    }
    if (s > seq) break
    keep.push(l)
  }
  return Buffer.concat(keep)
}

/** The station public keys in the chain, PEM, for the copies that carry the log (backups, discs). */
export function stationPublicKeysPem(db: Db): string {
  return [...stationKeys(db).values()]
    .map((k) => k.export({ type: 'spki', format: 'pem' }).toString())
    .join('')
}

/**
 * Compare the log with the copies the backups took (the targets named by backup.run events that are still
 * reachable): a copy that is not the beginning of this log shows it was cut or rewritten after that backup.
 */
export function checkAgainstBackups(db: Db, root: string): AuditProblem[] {
  let current: Buffer
  try {
    current = fs.readFileSync(anchorLogPath(root))
  } catch {
    current = Buffer.alloc(0)
  }
  const problems: AuditProblem[] = []
  const targets = new Set<string>()
  for (const d of db
    .prepare(`SELECT details FROM audit_events WHERE action = 'backup.run' ORDER BY seq DESC LIMIT 50`)
    .pluck()
    .iterate() as IterableIterator<string>) {
    try {
      const t = (JSON.parse(d) as { target?: unknown }).target
      if (typeof t === 'string') targets.add(path.resolve(t))
    } catch {
      /* not ours to judge here */
    }
  }
  for (const t of targets) {
    if (path.resolve(t) === path.resolve(root)) continue
    let copy: Buffer
    try {
      copy = fs.readFileSync(anchorLogPath(t))
    } catch {
      continue
    }
    if (logExtends(current, copy) !== 'extends') problems.push({ seq: 0, id: t, reason: 'anchor_rewritten' })
  }
  return problems
}
