// Over 600 lines: one BagIt writer (payload, both manifests, tag files, index.html) whose one-pass digests must agree.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { CaseCheck } from '../../../shared/cases.ts'
import { AppError } from '../../../shared/errors.ts'
import type { CoreDeps } from '../context.ts'
import { objectPath, recordDigests } from '../vault.ts'
import { HashPool } from '../integrity/hasher.ts'
import { thumbnailPath } from '../ingest/thumbnails.ts'
import { trustAnchors, tsaAnchors, type BatchSigner } from '../signing/authority.ts'
import { signDetachedDigest } from '../signing/cms.ts'
import { sm3Hex } from '../signing/gm.ts'
import { tagsOf } from '../cases/tags.ts'
import { textRecordsOf } from '../cases/repo.ts'
import { getAgency } from '../agency.ts'
import { caseReviews } from '../review/service.ts'
import { caseDisclosures } from '../disclosure/service.ts'
import { safeFileName } from '../paths.ts'
import { logUpTo, stationPublicKeysPem } from '../audit-anchor.ts'
import { htmlText, plainText, tagValue, xmlText } from '../../../shared/text-safety.ts'
import { formatBeijing } from '../../../shared/datetime.ts'
import { placeholders } from '../db/where.ts'

/*
 * A case's archive package as a BagIt 1.0 bag (RFC 8493): the originals, bit-identical, grouped by stage under
 * data/, each with its signature and time-stamp; per-record metadata as JSON and XML; the case's audit extract;
 * the trust anchors. manifest-sha256/-sha512 cover the payload, tagmanifest-sha256 the tag files, among them an
 * offline index.html and a Chinese README.txt. Every payload byte is read once, both digests taken as it is copied.
 */

const STAGE_DIRS: Record<string, string> = {
  start: '1-程序启动',
  investigation: '2-调查取证',
  decision: '3-审查决定',
  execution: '4-送达执行',
}

/** One file of the bag: its bytes are either in hand (small files) or a vault object (originals). */
export interface BagFile {
  rel: string
  size: number
  sha256: string
  sha512: string
  source?: string
  bytes?: Buffer
  /** The recording this file belongs to (the original and its signatures): the unit media planning moves. */
  evidenceId?: string
}

/** A bag described in full before any payload byte is read: the digests of originals are known from ingest. */
export interface AssembledBag {
  caseId: string
  caseNo: string
  /** The case type's code: serials run per type and year, so a disc's volume id needs both. */
  caseType: string
  year: number
  seq: number
  payload: BagFile[]
  /** Tag files in writing order, the tag manifest and its signature last. */
  tags: { name: string; bytes: Buffer }[]
  payloadBytes: number
  signed: boolean
}

/** Which of a case's recordings one volume carries, when a case spans several discs. */
export interface VolumeSpec {
  index: number
  count: number
  /** evidence id → volume number (1-based) for every recording of the case. */
  placement: Map<string, number>
}

/**
 * A supplementary package (补充归档 第N次): after an archived case was reopened and changed, a bag of only what
 * changed — originals no good disc holds, the case's metadata as it is now, the audit events since the discs —
 * and data/metadata/supplement.json naming the discs it supplements by their numbers and manifest hashes.
 */
export interface SupplementSpec {
  number: number
  reopenId: string | null
  reopening: {
    changeId: string
    reason: string
    requestedBy: string
    decidedBy: string | null
    decidedAt: string | null
  } | null
  /** The audit event up to which the good discs hold the case. */
  sinceSeq: number
  base: {
    discNo: string
    copy: string
    writtenAt: string
    volid: string
    volume: number
    volumes: number
    supplement: number | null
    manifestSha256: string
    tagmanifestSha256: string
    sessionMd5: string
  }[]
  /** SHA-256 of every payload file on those discs. */
  archived: Set<string>
  changes: {
    seq: number
    ts: string
    actor: string | null
    action: string
    targetType: string | null
    targetId: string | null
  }[]
}

const digestsOf = (b: Buffer) => ({
  size: b.length,
  sha256: crypto.createHash('sha256').update(b).digest('hex'),
  sha512: crypto.createHash('sha512').update(b).digest('hex'),
})

/**
 * SHA-512 of vault objects for manifest-sha512: computed the first time an archive needs them, on every core,
 * and remembered (objects never change). Ingest does not take it: on a small machine it would cost ingest a
 * quarter of its speed, for a digest only archive bags need. Reading the originals here also warms the page
 * cache for xorriso, which reads them next.
 */
async function sha512sOf(deps: CoreDeps, sha256s: string[]): Promise<Map<string, string>> {
  const known = new Map<string, string>()
  const get = deps.db.prepare('SELECT sha512 FROM vault_digests WHERE sha256 = ?')
  for (const s of new Set(sha256s)) {
    const r = get.get(s) as { sha512: string } | undefined
    if (r) known.set(s, r.sha512)
  }
  const missing = [...new Set(sha256s)].filter((s) => !known.has(s))
  if (!missing.length) return known
  const pool = new HashPool()
  try {
    const results = await Promise.all(
      missing.map((s) => pool.hash(objectPath(deps.layout, s), undefined, ['sha256', 'sha512'])),
    )
    // IMMEDIATE, as every writing transaction (see auditedChange): waits for another process's writer.
    deps.db
      .transaction(() => {
        missing.forEach((s, i) => {
          const r = results[i]!
          // A damaged original is not described with a digest of the damage.
          if (r.error || r.digests.sha256 !== s) throw new AppError('VERIFY_FAILED')
          recordDigests(deps.db, { sha256: s, sha512: r.digests.sha512! })
          known.set(s, r.digests.sha512!)
        })
      })
      .immediate()
  } finally {
    await pool.close()
  }
  return known
}

/** XML text: escaped, and what XML 1.0 cannot hold (C0 controls typed into a cause) as U+FFFD. */
const xml = xmlText

/** Joliet allows 103 UTF-16 units per name: keep the extension, cut the stem, leave room for ".sm2-signature.der". */
function shortName(name: string): string {
  const safe = safeFileName(name)
  if (safe.length <= 80) return safe
  const ext = path.extname(safe).slice(0, 10)
  return safe.slice(0, 80 - ext.length) + ext
}

/**
 * Describe the bag for one case (or one volume of it). Small files are made in memory; originals stay in the
 * vault and are named by path, so a disc image can take them straight from there.
 */
export async function assembleBag(
  deps: CoreDeps,
  caseId: string,
  check: CaseCheck,
  opts: { signer?: BatchSigner | null; volume?: VolumeSpec; supplement?: SupplementSpec } = {},
): Promise<AssembledBag> {
  const sup = opts.supplement
  /** On a supplement, an original already on a good disc is named, not carried again. */
  const carried = (sha256: string) => !sup || !sup.archived.has(sha256)
  const db = deps.db
  const c = db.prepare('SELECT * FROM cases WHERE id = ?').get(caseId) as
    | {
        id: string
        case_no: string
        cause: string
        party_name: string
        stage: string
        type: string
        year: number
        seq: number
      }
    | undefined
  if (!c) throw new AppError('NOT_FOUND')
  const agency = getAgency(db)
  const vol = opts.volume
  const payload: BagFile[] = []
  const addBytes = (rel: string, bytes: Buffer | string, evidenceId?: string) => {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes)
    payload.push({ rel, bytes: b, ...digestsOf(b), ...(evidenceId ? { evidenceId } : {}) })
  }
  const used = new Set<string>()
  const unique = (dir: string, name: string, sha: string) => {
    let n = `${dir}/${shortName(name)}`
    while (used.has(n)) n = `${dir}/${sha.slice(0, 8)}_${shortName(name)}`
    used.add(n)
    return n
  }
  const sidecar = (from: string | null) =>
    from && fs.existsSync(path.join(deps.layout.root, from))
      ? fs.readFileSync(path.join(deps.layout.root, from))
      : null

  // Recordings, by stage, each with its signatures; on a volume only those planned onto it.
  const records = (
    db
      .prepare(
        `SELECT t.evidence_id FROM record_tags t JOIN evidence e ON e.id = t.evidence_id
         WHERE t.case_id = ? AND e.deleted_at IS NULL ORDER BY t.capture_start, e.ingested_at, e.id`,
      )
      .all(caseId) as { evidence_id: string }[]
  ).map((r) => r.evidence_id)
  const docs = textRecordsOf(db, caseId)
  const sha512 = await sha512sOf(deps, [
    ...(records.length
      ? (
          db
            .prepare(`SELECT sha256 FROM evidence WHERE id IN (${placeholders(records.length)})`)
            .all(...records) as { sha256: string }[]
        ).map((r) => r.sha256)
      : []),
    ...docs.map((d) => d.sha256),
  ])
  const recordMeta: Record<string, unknown>[] = []
  for (const id of records) {
    const e = db
      .prepare(
        `SELECT e.*, d.label AS device_label, d.identity AS device_identity, u.display_name AS ingested_by_name
         FROM evidence e JOIN devices d ON d.id = e.device_id JOIN users u ON u.id = e.ingested_by WHERE e.id = ?`,
      )
      .get(id) as {
      sha256: string
      size: number
      media_type: string
      original_name: string
      ingested_at: string
      ingested_by_name: string
      device_label: string
      device_identity: string
    }
    const tags = tagsOf(db, id)
    const dir = `data/${STAGE_DIRS[tags.stage ?? ''] ?? '0-未分阶段'}`
    const rel = unique(dir, e.original_name, e.sha256)
    const volume = vol ? (vol.placement.get(id) ?? 0) : 1
    const here = (!vol || volume === vol.index) && carried(e.sha256)
    if (here)
      payload.push({
        rel,
        size: e.size,
        sha256: e.sha256,
        sha512: sha512.get(e.sha256)!,
        source: objectPath(deps.layout, e.sha256),
        evidenceId: id,
      })
    const sigs = db
      .prepare(
        `SELECT s.path, s.tsr_path, s.signed_at, c.subject FROM signatures s JOIN certificates c ON c.id = s.cert_id
         WHERE s.evidence_id = ? ORDER BY s.signed_at`,
      )
      .all(id) as { path: string; tsr_path: string | null; signed_at: string; subject: string }[]
    const sigFiles: string[] = []
    sigs.forEach((s, i) => {
      const suffix = i === 0 ? '' : `.${i + 1}`
      for (const [from, ext] of [
        [s.path, '.p7s'],
        [s.tsr_path, '.tsr'],
        [s.path.replace(/\.p7s$/, '.sm2-signed-attrs.der'), '.sm2-signed-attrs.der'],
        [s.path.replace(/\.p7s$/, '.sm2-signature.der'), '.sm2-signature.der'],
      ] as const) {
        const bytes = sidecar(from)
        if (!bytes) continue
        const target = `${rel}${suffix}${ext}`
        if (here) addBytes(target, bytes, id)
        sigFiles.push(target)
      }
    })
    const thumb = thumbnailPath(deps.layout, e.sha256)
    recordMeta.push({
      file: rel,
      ...(vol ? { volume } : {}),
      ...(sup ? { onEarlierDisc: !carried(e.sha256) } : {}),
      mediaType: e.media_type,
      sha256: e.sha256,
      size: e.size,
      caseNo: c.case_no,
      stage: tags.stage,
      action: tags.actionType,
      fullRecording: tags.fullRecording,
      captureStart: tags.captureStart,
      place: tags.place,
      latitude: tags.latitude,
      longitude: tags.longitude,
      collectors: tags.collectorIds.map(
        (u) =>
          (
            db.prepare('SELECT display_name FROM users WHERE id = ?').get(u) as
              { display_name: string } | undefined
          )?.display_name ?? u,
      ),
      fact: tags.fact,
      device: `${e.device_label} (${e.device_identity})`,
      ingestedAt: e.ingested_at,
      ingestedBy: e.ingested_by_name,
      signers: sigs.map((s) => s.subject),
      signatureFiles: sigFiles,
      thumbnail:
        here && fs.existsSync(thumb)
          ? `data:image/jpeg;base64,${fs.readFileSync(thumb).toString('base64')}`
          : null,
    })
  }

  // Text records, current and corrected versions alike: on every volume, so each disc explains itself.
  const docFiles = new Map<string, string>()
  for (const d of docs) {
    const rel = unique(
      `data/${STAGE_DIRS[d.stage]}/文书`,
      `${d.docTypeName}_v${d.version}_${d.originalName}`,
      d.sha256,
    )
    docFiles.set(d.id, rel)
    if (!carried(d.sha256)) continue
    payload.push({
      rel,
      size: d.size,
      sha256: d.sha256,
      sha512: sha512.get(d.sha256)!,
      source: objectPath(deps.layout, d.sha256),
    })
    const sigs = db.prepare('SELECT path, tsr_path FROM signatures WHERE text_record_id = ?').all(d.id) as {
      path: string
      tsr_path: string | null
    }[]
    sigs.forEach((s, i) => {
      for (const [from, ext] of [
        [s.path, '.p7s'],
        [s.tsr_path, '.tsr'],
      ] as const) {
        const bytes = sidecar(from)
        if (bytes) addBytes(`${rel}${i === 0 ? '' : `.${i + 1}`}${ext}`, bytes)
      }
    })
  }

  // Metadata, audit extract, trust anchors.
  const meta = {
    caseNo: c.case_no,
    cause: c.cause,
    party: c.party_name,
    stage: c.stage,
    ...(vol ? { volume: vol.index, volumes: vol.count } : {}),
    check,
    records: recordMeta.map(({ thumbnail: _t, ...m }) => m),
    documents: docs,
    // The legal review rounds (opinions are also signed documents above) and the published disclosure.
    reviews: caseReviews(deps, caseId),
    disclosures: caseDisclosures(deps, caseId),
  }
  addBytes('data/metadata/case.json', JSON.stringify(meta, null, 2))
  addBytes(
    'data/metadata/case.xml',
    `<?xml version="1.0" encoding="UTF-8"?>\n<case caseNo="${xml(c.case_no)}"${vol ? ` volume="${vol.index}" volumes="${vol.count}"` : ''}>\n  <cause>${xml(c.cause)}</cause>\n  <party>${xml(c.party_name)}</party>\n${recordMeta
      .map(
        (r) =>
          `  <record file="${xml(r.file)}" sha256="${xml(r.sha256)}" mediaType="${xml(r.mediaType)}"${r.volume ? ` volume="${xml(r.volume)}"` : ''}>\n    <captureStart>${xml(r.captureStart)}</captureStart>\n    <place>${xml(r.place)}</place>\n    <collectors>${xml((r.collectors as string[]).join('、'))}</collectors>\n    <fact>${xml(r.fact)}</fact>\n    <device>${xml(r.device)}</device>\n    <ingestedAt>${xml(r.ingestedAt)}</ingestedAt>\n    <signers>${xml((r.signers as string[]).join('; '))}</signers>\n  </record>`,
      )
      .join('\n')}\n</case>\n`,
  )
  const ids = [caseId, ...records, ...docs.map((d) => d.id)]
  const audit = (
    db
      .prepare(
        `SELECT * FROM audit_events WHERE seq > ? AND (target_id IN (${placeholders(ids.length)})
           OR json_extract(details, '$.caseId') = ?) ORDER BY seq`,
      )
      .all(sup?.sinceSeq ?? 0, ...ids, caseId) as Record<string, unknown>[]
  )
    .map((r) => JSON.stringify(r))
    .join('\n')
  addBytes('data/audit/audit-extract.jsonl', `${audit}\n`)
  if (sup) {
    // What this disc supplements, so it can be matched with the original discs decades on, without this program.
    const onDiscs = new Set(recordMeta.filter((r) => r.onEarlierDisc).map((r) => r.sha256))
    addBytes(
      'data/metadata/supplement.json',
      JSON.stringify(
        {
          kind: '补充归档',
          number: sup.number,
          label: `补充归档 第${sup.number}次`,
          caseNo: c.case_no,
          supplements: sup.base,
          sinceAuditSeq: sup.sinceSeq,
          reopening: sup.reopening,
          added: payload.filter((f) => f.source).map((f) => ({ file: f.rel, sha256: f.sha256 })),
          unchangedOnEarlierDiscs: [...onDiscs],
          changes: sup.changes,
        },
        null,
        2,
      ),
    )
  }
  // The station-signed anchor log as it is now, with its public key: a log rewritten after this disc was
  // burned no longer begins with this copy (audit-anchor.ts).
  const head = (db.prepare('SELECT max(seq) AS s FROM audit_events').get() as { s: number | null }).s ?? 0
  const anchors = logUpTo(deps.layout.root, head)
  if (anchors.length) {
    addBytes('data/audit/audit-anchors.log', anchors)
    addBytes('data/trust/station-key.pem', stationPublicKeysPem(db))
  }
  addBytes('data/trust/root.pem', trustAnchors(db).join(''))
  const tsa = tsaAnchors(db)
  if (tsa.length) addBytes('data/trust/tsa-root.pem', tsa.join(''))

  // Tag files.
  const tags: { name: string; bytes: Buffer }[] = []
  const tag = (name: string, text: string) => tags.push({ name, bytes: Buffer.from(text) })
  tag('bagit.txt', 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n')
  const bytes = payload.reduce((n, f) => n + f.size, 0)
  tag(
    'bag-info.txt',
    [
      // Values folded per RFC 8493: a line break typed into a cause cannot start a tag line of its own.
      `Source-Organization: ${tagValue(agency.name)}`,
      `External-Identifier: ${tagValue(c.case_no)}`,
      `External-Description: ${tagValue(c.cause)}`,
      `Bagging-Date: ${deps.now().toISOString().slice(0, 10)}`,
      `Payload-Oxum: ${bytes}.${payload.length}`,
      ...(vol ? [`Bag-Count: ${vol.index} of ${vol.count}`] : []),
      ...(sup
        ? [
            `Bag-Group-Identifier: ${tagValue(c.case_no)}`,
            `Internal-Sender-Description: ${tagValue(`补充归档 第${sup.number}次，补充光盘 ${[...new Set(sup.base.map((d) => d.volid))].join('、')}`)}`,
          ]
        : []),
      'Bag-Software-Agent: Liuhen (留痕)',
      '',
    ].join('\n'),
  )
  // Manifest paths: UTF-8, '/' separators; RFC 8493 percent-encodes only CR, LF and '%'.
  const enc = (p: string) => p.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
  tag('manifest-sha256.txt', payload.map((f) => `${f.sha256}  ${enc(f.rel)}`).join('\n') + '\n')
  tag('manifest-sha512.txt', payload.map((f) => `${f.sha512}  ${enc(f.rel)}`).join('\n') + '\n')
  tag(
    'README.txt',
    ((sup ? supplementReadme(sup) : '') + readme(plainText(c.case_no), plainText(agency.name), vol)).replace(
      /\n/g,
      '\r\n',
    ),
  )
  tag(
    'index.html',
    indexHtml(
      agency.name,
      c,
      recordMeta,
      docs.map((d) => ({ ...d, file: docFiles.get(d.id)!, here: carried(d.sha256) })),
      vol,
      sup,
    ),
  )
  tag(
    'tagmanifest-sha256.txt',
    tags.map((t) => `${crypto.createHash('sha256').update(t.bytes).digest('hex')}  ${t.name}`).join('\n') +
      '\n',
  )
  // The records officer signs the tag manifest, which fixes every other file by its digests.
  if (opts.signer) {
    const tm = tags[tags.length - 1]!.bytes
    const signed = signDetachedDigest({
      digestHex:
        opts.signer.algorithm === 'sm2' ? sm3Hex(tm) : crypto.createHash('sha256').update(tm).digest('hex'),
      signerCertPem: opts.signer.certPem,
      chainPems: opts.signer.chainPems,
      key: opts.signer.key,
      signingTime: deps.now(),
    })
    tags.push({ name: 'tagmanifest-sha256.txt.p7s', bytes: Buffer.from(signed.p7s) })
  }
  return {
    caseId,
    caseNo: c.case_no,
    caseType: c.type,
    year: c.year,
    seq: c.seq,
    payload,
    tags,
    payloadBytes: bytes,
    signed: !!opts.signer,
  }
}

export interface BuiltBag {
  dir: string
  payloadFiles: number
  payloadBytes: number
  signed: boolean
}

function emptyOutDir(outDir: string): string {
  const out = path.resolve(outDir)
  if (fs.existsSync(out) && fs.readdirSync(out).length) throw new AppError('OUT_DIR_NOT_EMPTY', { path: out })
  return out
}

/** Write the bag as a folder: originals copied with both digests checked as they pass, each file fsynced. */
export async function writeBagDir(
  bag: AssembledBag,
  outDir: string,
  opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {},
): Promise<BuiltBag> {
  const out = emptyOutDir(outDir)
  for (const f of bag.payload) {
    const to = path.join(out, f.rel)
    await fs.promises.mkdir(path.dirname(to), { recursive: true })
    if (f.bytes) {
      fs.writeFileSync(to, f.bytes, { flag: 'wx' })
      continue
    }
    const sha256 = crypto.createHash('sha256')
    const sha512 = crypto.createHash('sha512')
    const fh = await fs.promises.open(to, 'wx')
    try {
      for await (const chunk of fs.createReadStream(f.source!, { highWaterMark: 4 << 20 })) {
        if (opts.signal?.aborted) throw new AppError('CANCELLED')
        const b = chunk as Buffer
        sha256.update(b)
        sha512.update(b)
        await fh.write(b)
        opts.onBytes?.(b.length)
      }
      await fh.sync()
    } finally {
      await fh.close()
    }
    if (sha256.digest('hex') !== f.sha256 || sha512.digest('hex') !== f.sha512)
      throw new AppError('VERIFY_FAILED')
  }
  for (const t of bag.tags) fs.writeFileSync(path.join(out, t.name), t.bytes, { flag: 'wx' })
  return { dir: out, payloadFiles: bag.payload.length, payloadBytes: bag.payloadBytes, signed: bag.signed }
}

/**
 * Lay the bag out for xorriso: small files written, originals as symbolic links into the vault (xorriso
 * follows them), so an image costs one read of each original and no staging copy.
 */
export function stageBag(bag: AssembledBag, stageDir: string): void {
  const out = emptyOutDir(stageDir)
  for (const f of bag.payload) {
    const to = path.join(out, f.rel)
    fs.mkdirSync(path.dirname(to), { recursive: true })
    if (f.bytes) fs.writeFileSync(to, f.bytes, { flag: 'wx' })
    else fs.symlinkSync(f.source!, to)
  }
  for (const t of bag.tags) fs.writeFileSync(path.join(out, t.name), t.bytes, { flag: 'wx' })
}

/** Build the bag for one case into `outDir` (which must not exist or be empty). */
export async function buildBag(
  deps: CoreDeps,
  caseId: string,
  outDir: string,
  check: CaseCheck,
  opts: { signer?: BatchSigner | null; signal?: AbortSignal; onBytes?: (n: number) => void } = {},
): Promise<BuiltBag> {
  emptyOutDir(outDir)
  return writeBagDir(await assembleBag(deps, caseId, check, opts), outDir, opts)
}

function supplementReadme(sup: SupplementSpec): string {
  const discs = sup.base.map(
    (d) =>
      `    ${plainText(d.discNo)}（${plainText(d.volid)}，manifest-sha256.txt 的 SHA-256 ${d.manifestSha256}）`,
  )
  return `【补充归档 第${sup.number}次】
本盘只收录案件重新开启后变更或新增的内容：此前合格归档光盘上没有的原始文件、案件当前的元数据，以及
审计日志第 ${sup.sinceSeq} 条之后与本案有关的记录。此前的内容在以下光盘上（data/metadata/supplement.json
列出每张光盘的编号、卷标、清单哈希和本次的全部变更）：
${discs.join('\n')}
${sup.reopening ? `重新开启：${plainText(sup.reopening.requestedBy)} 申请（理由：${plainText(sup.reopening.reason)}），${plainText(sup.reopening.decidedBy ?? '')} 批准。\n` : ''}
`
}

function readme(caseNo: string, agency: string, vol?: VolumeSpec): string {
  return `${agency} 执法案卷电子档案（案件编号 ${caseNo}）${vol ? `第 ${vol.index} 盘，共 ${vol.count} 盘` : ''}

本光盘（目录）是一个 BagIt 1.0 档案包（RFC 8493），不依赖任何专用软件即可核对：
${
  vol
    ? `本案共 ${vol.count} 盘，每一盘都是完整的档案包（bag-info.txt 中 Bag-Count: ${vol.index} of ${vol.count}）。
音像记录分盘存放；全部文书、元数据和审计摘录每盘都有；index.html 的“所在光盘”一栏指出每条记录在哪一盘。
`
    : ''
}
1. 打开 index.html 浏览全部记录及其元数据（离线可用，不访问网络）。
2. 核对全部文件完整：在本目录执行
       sha256sum -c manifest-sha256.txt
       sha256sum -c tagmanifest-sha256.txt
   每一行都应为“成功/OK”。
   tagmanifest-sha256.txt.p7s 是记录管理员对标签清单的签名：
       openssl cms -verify -binary -inform DER -in tagmanifest-sha256.txt.p7s -content tagmanifest-sha256.txt \\
           -CAfile data/trust/root.pem -purpose any -out /dev/null
3. 核对电子签名（RSA）：
       openssl cms -verify -binary -inform DER -in data/阶段/文件名.p7s -content data/阶段/文件名 \\
           -CAfile data/trust/root.pem -purpose any -out /dev/null
   国密 SM2 签名见每个文件旁的 .sm2-signed-attrs.der 与 .sm2-signature.der：
       openssl dgst -sm3 -verify officer.pub -sigopt distid:1234567812345678 \\
           -signature 文件名.sm2-signature.der 文件名.sm2-signed-attrs.der
4. 核对时间戳：
       openssl ts -verify -in data/阶段/文件名.tsr -data data/阶段/文件名 -CAfile data/trust/tsa-root.pem
5. 核对光盘本身（刻录时 xorriso 记录了 MD5）：
       xorriso -md5 on -indev /dev/sr0 -check_md5 FAILURE --
   应显示 “Ok, session data match recorded md5”。
6. data/metadata/case.json 与 case.xml 是每条记录的案件编号、采集时间、地点、采集人、证明事项、哈希、设备、
   入库时间和签名人；data/audit/audit-extract.jsonl 是与本案有关的审计日志（哈希链）摘录。
7. data/audit/audit-anchors.log 是制作本光盘时本机审计日志的锚定记录（每行：事件序号、链头哈希、时间，
   由 data/trust/station-key.pem 的 Ed25519 密钥签名）。日后数据目录中的锚定记录必须以这份副本开头，
   否则说明本光盘制作之后审计日志被截断或改写。每行的签名对象是 JSON 数组
   ["liuhen-anchor-v1", n, seq, head, time, key, prev]（无空格），可用 OpenSSL 核对：
       openssl pkeyutl -verify -pubin -inkey data/trust/station-key.pem -rawin -in 签名对象 -sigfile 签名
   （签名为该行 sig 字段的 Base64 解码）。
`
}

/** A capture time as the device recorded it: China Standard Time shown plainly, any other offset named. */
function wallClock(iso: unknown): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(String(iso ?? ''))
  if (!m) return String(iso ?? '—')
  return m[3] === '+08:00' ? `${m[1]} ${m[2]}` : `${m[1]} ${m[2]} (${m[3] === 'Z' ? 'UTC' : `UTC${m[3]}`})`
}

/** A UTC time of ours (ingest, signing) in China Standard Time, the agency's clock. */
function chinaTime(iso: unknown): string {
  // Seconds: the index sets signing and ingest times side by side.
  return typeof iso === 'string' && iso ? formatBeijing(iso, 'second') : '—'
}

function indexHtml(
  agency: string,
  c: { case_no: string; cause: string; party_name: string },
  records: Record<string, unknown>[],
  docs: {
    docTypeName: string
    docNo: string | null
    docDate: string
    version: number
    file: string
    here: boolean
  }[],
  vol?: VolumeSpec,
  sup?: SupplementSpec,
): string {
  // Every text from people or devices is isolated: U+202E in a name cannot reverse the columns around it.
  const html = htmlText
  const link = (file: string, here: boolean) =>
    here ? `<a href="${xml(encodeURI(file))}">${html(path.basename(file))}</a>` : html(path.basename(file))
  const rows = records
    .map((r) => {
      const here = (!vol || r.volume === vol.index) && !r.onEarlierDisc
      return `<tr><td>${r.thumbnail ? `<img src="${r.thumbnail as string}" alt="">` : ''}</td><td>${link(r.file as string, here)}<div class="sub">${html(r.device)}<br>入库 ${html(chinaTime(r.ingestedAt))} ${html(r.ingestedBy)}${(r.signers as string[]).length ? `<br>签名 ${html((r.signers as string[]).join('；'))}` : ''}</div></td>${vol ? `<td>${here ? '本盘' : `第 ${html(r.volume)} 盘`}</td>` : ''}<td>${html(wallClock(r.captureStart))}</td><td>${html(r.place)}</td><td>${html((r.collectors as string[]).join('、'))}</td><td>${html(r.fact)}</td><td class="mono hash">${html(r.sha256)}</td></tr>`
    })
    .join('\n')
  const docRows = docs
    .map(
      (d) =>
        `<tr><td>${link(d.file, d.here)}${d.here ? '' : '<div class="sub">在此前的归档光盘上</div>'}</td><td>${html(d.docTypeName)}</td><td>${html(d.docNo)}</td><td>${html(d.docDate)}</td><td>v${d.version}</td></tr>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${xml(plainText(c.case_no))}</title>
<style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#1d2329}
table{border-collapse:collapse;width:100%;margin:12px 0}td,th{border:1px solid #ccc;padding:6px;text-align:left;vertical-align:top}
img{max-width:96px}.mono{font-family:monospace}.hash{font-size:11px;word-break:break-all;max-width:170px}
.sub{font-size:12px;color:#555;margin-top:4px}</style></head>
<body><h1>${html(c.case_no)}</h1>
<p>${html(agency)} · 案由：${html(c.cause)} · 当事人：${html(c.party_name)}</p>
${vol ? `<p>本盘为第 ${vol.index} 盘，共 ${vol.count} 盘。</p>` : ''}
${sup ? `<p><strong>补充归档 第${sup.number}次</strong>：只收录此前归档光盘（${sup.base.map((d) => html(d.discNo)).join('、')}）之后的变更；标“在此前的归档光盘上”的文件见那些光盘。</p>` : ''}
<h2>音像记录</h2><table><tr><th>缩略图</th><th>文件</th>${vol ? '<th>所在光盘</th>' : ''}<th>采集时间</th><th>地点</th><th>采集人</th><th>证明事项</th><th>SHA-256</th></tr>
${rows}</table>
<h2>文书</h2><table><tr><th>文件</th><th>种类</th><th>文号</th><th>日期</th><th>版本</th></tr>${docRows}</table>
<p>每个文件的 SHA-256 与 SHA-512 见 manifest-sha256.txt、manifest-sha512.txt；核对方法见 README.txt。</p></body></html>
`
}
