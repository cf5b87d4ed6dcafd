// Over 600 lines: one disc run (plan, image, write, read back, register) whose clean-up on failure sees every step.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { CaseCheck } from '../../../shared/cases.ts'
import { AppError } from '../../../shared/errors.ts'
import type { Actor, CoreDeps } from '../context.ts'
import { actorFields, auditedChange } from '../context.ts'
import { checkCase } from '../cases/check.ts'
import { readSetting } from '../meta.ts'
import type { BatchSigner } from '../signing/authority.ts'
import { assembleBag, stageBag, type AssembledBag, type SupplementSpec } from './package.ts'
import { archiveState, archivedDigests, baseDiscs, changesSince } from '../cases/archived.ts'
import { MEDIA_CAPACITY, planVolumes, type MediaKind } from './media.ts'
import type { Disc, InspectionPolicy, VerifyResult } from '../../../shared/archive.ts'
import {
  burnImage,
  checkMd5,
  devicePath,
  identify,
  listFiles,
  readFile,
  writeImage,
  type ImageFile,
} from './xorriso.ts'
import { getAgency } from '../agency.ts'
import { ownedTempName, processToken } from '../owner.ts'
import { commitFile, commitFileSync } from '../durable.ts'
import { claimOutput, dropRegisteredClaims, type Claim } from './claims.ts'
import { refuseOutputInDataFolder } from '../ingest/source-guard.ts'

/*
 * Archive discs: a case's bag planned onto discs and written as ISO images; images written to discs (or to
 * image files) as copies A 封存 / B 利用 / C 异地; every written disc read back and checked before it is
 * registered; stored discs re-checked on the agency's schedule. Only a complete run is registered: a cancelled
 * or failed run leaves no volume or disc row, and no image file.
 */

export type Phase = 'package' | 'image' | 'burn' | 'verify'
export interface Progress {
  phase: Phase
  done: number
  total: number
}
export interface RunOpts {
  signal?: AbortSignal
  onProgress?: (p: Progress) => void
}

/** The pinyin initial of each case type's abbreviation (检 jiǎn, 强 qiáng, 罚 fá), for ISO 9660 volume ids. */
const VOLID_TYPE: Record<string, string> = { inspection: 'J', compulsory: 'Q', penalty: 'F' }
/** A case may be archived when its completeness check passes, or an approver has recorded an exception. */
export function archivableCheck(deps: CoreDeps, caseId: string): CaseCheck {
  const report = checkCase(deps.db, caseId, deps.now(), { closing: true })
  const exception = (
    deps.db.prepare('SELECT archive_exception FROM cases WHERE id = ?').get(caseId) as
      { archive_exception: string | null } | undefined
  )?.archive_exception
  const blocking = report.problems.filter((p) => p.kind !== 'archive_overdue')
  if (blocking.length && !exception) throw new AppError('CASE_INCOMPLETE', { count: blocking.length })
  return report
}

/** Agency-configured capacities override the nominal ones (e.g. a brand of BD-R that holds less). */
export function mediaCapacity(deps: CoreDeps, media: MediaKind): number {
  const own = readSetting<Record<string, number>>(deps.db, 'archive.media', {})
  return own[media] ?? MEDIA_CAPACITY[media]
}

export interface ImageVolume {
  id: string
  index: number
  count: number
  volid: string
  image: string
  imageBytes: number
  payloadFiles: number
  payloadBytes: number
  sessionMd5: string
  supplement: number | null
}

/**
 * What a supplementary disc of the case carries, or null for a full archive. Once a case has a good disc, a full
 * archive is only a replica of a frozen, unchanged case: after a reopening, or with any change no good disc holds,
 * the changes go onto a supplementary disc (SUPPLEMENT_REQUIRED); a supplement of nothing is refused.
 */
function supplementFor(deps: CoreDeps, caseId: string, wanted: boolean): SupplementSpec | null {
  const state = archiveState(deps.db, caseId)
  if (!wanted) {
    if (state.archived && (state.reopened || state.supplementDue)) throw new AppError('SUPPLEMENT_REQUIRED')
    return null
  }
  if (!state.archived || !state.supplementDue) throw new AppError('NOTHING_TO_SUPPLEMENT')
  const changes = changesSince(deps.db, caseId, state.coveredSeq)
  return {
    number: state.nextSupplement,
    reopenId: state.reopening?.changeId ?? null,
    reopening: state.reopening,
    sinceSeq: state.coveredSeq,
    base: baseDiscs(deps.db, caseId),
    archived: archivedDigests(deps.db, caseId),
    changes: changes.map((e) => ({
      seq: e.seq,
      ts: e.ts,
      actor: e.actorName,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
    })),
  }
}

/** Plan a case onto discs and write one ISO image per disc into `outDir`. */
export async function makeImages(
  deps: CoreDeps,
  actor: Actor,
  /** `check`: the case's completeness report, which archivableCheck has let through. */
  input: {
    caseId: string
    check: CaseCheck
    media: MediaKind
    outDir: string
    signer: BatchSigner | null
    /** 补充归档: only what changed since the case's good discs. */
    supplement?: boolean
  },
  opts: RunOpts = {},
): Promise<{ setId: string; media: MediaKind; volumes: ImageVolume[] }> {
  const db = deps.db
  const check = input.check
  const capacity = mediaCapacity(deps, input.media)
  // The bag holds the case as of this audit event: whatever is recorded later is owed to a supplementary disc.
  const headSeq = (db.prepare('SELECT MAX(seq) AS s FROM audit_events').get() as { s: number | null }).s ?? 0
  const supplement = supplementFor(deps, input.caseId, input.supplement === true)
  const spec = supplement ? { signer: input.signer, supplement } : { signer: input.signer }
  const full = await assembleBag(deps, input.caseId, check, spec)
  const plan = planVolumes(full, capacity)
  const outDir = path.resolve(input.outDir)
  fs.mkdirSync(outDir, { recursive: true })
  const setNo =
    (
      db
        .prepare('SELECT COUNT(DISTINCT set_id) AS n FROM archive_volumes WHERE case_id = ?')
        .get(input.caseId) as { n: number }
    ).n + 1
  const setId = crypto.randomUUID()
  const agency = getAgency(db).name

  const bags: AssembledBag[] = []
  for (let i = 1; i <= plan.count; i++)
    bags.push(
      plan.count === 1
        ? full
        : await assembleBag(deps, input.caseId, check, {
            ...spec,
            volume: { index: i, count: plan.count, placement: plan.placement },
          }),
    )
  const total = bags.reduce((n, b) => n + b.payloadBytes, 0)
  let before = 0
  const written: string[] = []
  const volumes: ImageVolume[] = []
  const registeredImage = (p: string) =>
    !!db.prepare('SELECT 1 FROM archive_volumes WHERE image_path = ?').get(p)
  // A run killed after its registration but before it let go of its claims: those images are registered.
  dropRegisteredClaims(deps.layout, registeredImage)
  const claims: Claim[] = []
  try {
    for (const [k, bag] of bags.entries()) {
      const index = k + 1
      // ISO 9660 volume ids: at most 32 of A–Z, 0–9 and _; unique per case, run and disc. Serials run per case
      // type and year (检/强/罚〔2026〕4 are three cases), so the type's initial is part of it.
      const volid = `LH${full.year}${VOLID_TYPE[full.caseType] ?? 'X'}_${String(full.seq).padStart(4, '0')}_S${setNo}_${index}OF${plan.count}`
      const image = path.join(outDir, `${volid}.iso`)
      const part = `${image}.part`
      const claim = claimOutput(deps.layout, image, { volid })
      claims.push(claim)
      if (claim.stale && !registeredImage(image)) {
        // A run of ours killed on this very volume (the set number counts registered sets only, so it was
        // never registered): its half or whole image goes and is written again from the current bag.
        fs.rmSync(part, { force: true })
        fs.rmSync(image, { force: true })
      }
      if (fs.existsSync(image)) throw new AppError('TARGET_EXISTS', { path: image })
      if (fs.existsSync(part)) throw new AppError('TARGET_EXISTS', { path: part })
      // Named for this process, so another process's start-up recovery leaves it alone while we run.
      const stage = path.join(deps.layout.tmp, ownedTempName('archive-'))
      written.push(part)
      try {
        stageBag(bag, stage)
        await writeImage(stage, part, volid, {
          publisher: agency,
          onSpawn: (pid) => claim.child(processToken(pid)),
          ...(opts.signal ? { signal: opts.signal } : {}),
          onFraction: (f) =>
            opts.onProgress?.({ phase: 'image', done: before + f * bag.payloadBytes, total }),
        })
      } finally {
        fs.rmSync(stage, { recursive: true, force: true })
      }
      const size = fs.statSync(part).size
      if (size > capacity)
        throw new AppError('IMAGE_TOO_LARGE', {
          size: Math.ceil(size / 1e6),
          capacity: Math.floor(capacity / 1e6),
        })
      const { sessionMd5 } = await identify(part)
      if (!sessionMd5) throw new AppError('XORRISO_FAILED', { detail: 'no MD5 tag recorded' })
      commitFileSync(part, image, { replace: true })
      written[written.length - 1] = image
      before += bag.payloadBytes
      opts.onProgress?.({ phase: 'image', done: before, total })
      volumes.push({
        id: crypto.randomUUID(),
        index,
        count: plan.count,
        volid,
        image,
        imageBytes: size,
        payloadFiles: bag.payload.length,
        payloadBytes: bag.payloadBytes,
        sessionMd5,
        supplement: supplement?.number ?? null,
      })
    }
    const createdAt = deps.now().toISOString()
    auditedChange(
      deps,
      {
        ...actorFields(actor),
        action: 'archive.image',
        targetType: 'case',
        targetId: input.caseId,
        details: {
          caseId: input.caseId,
          caseNo: full.caseNo,
          media: input.media,
          volumes: volumes.map((v) => ({ volid: v.volid, md5: v.sessionMd5, bytes: v.imageBytes })),
          ...(supplement
            ? { supplement: supplement.number, baseDiscs: supplement.base.map((d) => d.discNo) }
            : {}),
        },
      },
      () => {
        const ins = db.prepare(
          `INSERT INTO archive_volumes (id, case_id, set_id, idx, count, media, capacity, volid, image_path, image_size,
             session_md5, tagmanifest_sha256, manifest, payload_files, payload_bytes, signed, created_at, created_by,
             head_seq, supplement, reopen_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        volumes.forEach((v, k) => {
          const tags = bags[k]!.tags
          const tm = tags.find((t) => t.name === 'tagmanifest-sha256.txt')!.bytes
          ins.run(
            v.id,
            input.caseId,
            setId,
            v.index,
            v.count,
            input.media,
            capacity,
            v.volid,
            v.image,
            v.imageBytes,
            v.sessionMd5,
            crypto.createHash('sha256').update(tm).digest('hex'),
            tags.find((t) => t.name === 'manifest-sha256.txt')!.bytes.toString('utf8'),
            v.payloadFiles,
            v.payloadBytes,
            input.signer ? 1 : 0,
            createdAt,
            actor.userId,
            headSeq,
            supplement?.number ?? null,
            supplement?.reopenId ?? null,
          )
        })
      },
    )
    for (const c of claims) c.release()
    return { setId, media: input.media, volumes }
  } catch (e) {
    // Nothing of a failed or cancelled run stays behind to be mistaken for a finished image.
    for (const f of written) fs.rmSync(f, { force: true })
    for (const c of claims) c.release()
    throw e
  }
}

async function sha256Of(target: string, f: ImageFile, signal?: AbortSignal, onBytes?: (n: number) => void) {
  const h = crypto.createHash('sha256')
  for await (const b of readFile(target, f)) {
    if (signal?.aborted) throw new AppError('CANCELLED')
    h.update(b)
    onBytes?.(b.length)
  }
  return h.digest('hex')
}

const decodeManifestPath = (p: string) => p.replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%25/g, '%')

/**
 * Check a disc or image: xorriso compares the session with its recorded MD5; then every file is read back and
 * compared with the bag's own manifests (tag files with the tag manifest, payload with manifest-sha256), and
 * the manifest with the one registered for that volume, when `expectedManifest` is given.
 */
export async function verifyTarget(
  target: string,
  expectedManifest: string | null,
  opts: RunOpts = {},
): Promise<VerifyResult> {
  const { volid } = await identify(target).catch(() => ({ volid: '' }))
  const md5 = await checkMd5(target, opts.signal)
  const problems: VerifyResult['problems'] = []
  const files = await listFiles(target, opts.signal).catch(() => [] as ImageFile[])
  const byPath = new Map(files.map((f) => [f.path.replace(/^\//, ''), f]))
  const total = files.reduce((n, f) => n + f.size, 0)
  let done = 0
  const onBytes = (n: number) => {
    done += n
    opts.onProgress?.({ phase: 'verify', done, total })
  }
  const read = async (rel: string) => {
    const f = byPath.get(rel)
    if (!f) return null
    const chunks: Buffer[] = []
    for await (const b of readFile(target, f)) chunks.push(b)
    return Buffer.concat(chunks)
  }
  const parse = (text: string) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(l)
        return m ? { sha: m[1]!, rel: decodeManifestPath(m[2]!) } : null
      })
  let filesChecked = 0
  let bytesChecked = 0
  const checkList = async (lines: ({ sha: string; rel: string } | null)[]) => {
    for (const l of lines) {
      if (!l) {
        problems.push({ path: '', problem: 'manifest' })
        continue
      }
      const f = byPath.get(l.rel)
      if (!f) {
        problems.push({ path: l.rel, problem: 'missing' })
        continue
      }
      try {
        const sha = await sha256Of(target, f, opts.signal, onBytes)
        if (sha !== l.sha) problems.push({ path: l.rel, problem: 'mismatch' })
      } catch (e) {
        if (e instanceof AppError && e.code === 'CANCELLED') throw e
        problems.push({ path: l.rel, problem: 'unreadable' })
      }
      filesChecked++
      bytesChecked += f.size
    }
  }
  const manifest = (await read('manifest-sha256.txt'))?.toString('utf8') ?? null
  const tagManifest = (await read('tagmanifest-sha256.txt'))?.toString('utf8') ?? null
  if (manifest === null) problems.push({ path: 'manifest-sha256.txt', problem: 'missing' })
  if (tagManifest === null) problems.push({ path: 'tagmanifest-sha256.txt', problem: 'missing' })
  const payloadLines = manifest ? parse(manifest) : []
  const tagLines = tagManifest ? parse(tagManifest) : []
  await checkList(tagLines)
  await checkList(payloadLines)
  const listed = new Set([
    ...payloadLines.map((l) => l?.rel),
    ...tagLines.map((l) => l?.rel),
    'tagmanifest-sha256.txt',
    'tagmanifest-sha256.txt.p7s',
  ])
  for (const rel of byPath.keys()) if (!listed.has(rel)) problems.push({ path: rel, problem: 'unlisted' })
  const matchesRegistry = expectedManifest === null ? null : manifest === expectedManifest
  return {
    ok: md5.session === 'match' && problems.length === 0 && matchesRegistry !== false,
    volid,
    sessionMd5: md5.session,
    sessionMd5Detail: md5.detail,
    filesChecked,
    bytesChecked,
    problems: problems.slice(0, 200),
    matchesRegistry,
  }
}

interface VolumeRow {
  id: string
  case_id: string
  idx: number
  count: number
  media: string
  volid: string
  session_md5: string
  manifest: string
  supplement: number | null
}

function volumeByVolid(deps: CoreDeps, volid: string): VolumeRow | undefined {
  return deps.db.prepare('SELECT * FROM archive_volumes WHERE volid = ?').get(volid) as VolumeRow | undefined
}

/**
 * Optical drives are device paths (/dev/sr0, /dev/cdrw), or xorriso's `stdio:FILE` pseudo-drive, which takes the
 * same burn path into a file (how the burn path is tested here, where there is no drive); anything else is an
 * image file to be written by a plain copy.
 */
export function isDrive(target: string): boolean {
  return /^\/dev\//.test(target) || /^stdio:/.test(target) || /^[A-Za-z]:\\?$/.test(target)
}

export const COPY_NAMES = { A: '封存', B: '利用', C: '异地' } as const
export const RETENTION_NAMES = { permanent: '永久', '30y': '定期30年', '10y': '定期10年' } as const
type Copy = keyof typeof COPY_NAMES
type Retention = keyof typeof RETENTION_NAMES

async function copyImage(image: string, target: string, opts: RunOpts): Promise<void> {
  if (fs.existsSync(target)) throw new AppError('TARGET_EXISTS', { path: target })
  const part = `${target}.part`
  if (fs.existsSync(part)) throw new AppError('TARGET_EXISTS', { path: part })
  const total = fs.statSync(image).size
  let done = 0
  const out = await fs.promises.open(part, 'wx')
  try {
    for await (const chunk of fs.createReadStream(image, { highWaterMark: 4 << 20 })) {
      if (opts.signal?.aborted) throw new AppError('CANCELLED')
      await out.write(chunk as Buffer)
      done += (chunk as Buffer).length
      opts.onProgress?.({ phase: 'burn', done, total })
    }
    await out.close()
    // fsync, then a rename that never replaces a disc image someone else put there meanwhile.
    await commitFile(part, target)
  } catch (e) {
    await out.close().catch(() => undefined)
    fs.rmSync(part, { force: true })
    throw e
  }
}

/**
 * Write a registered image to a blank disc (or to an image file standing in for one), read it back, and
 * register the disc: good only when every check passed.
 */
export async function burnDisc(
  deps: CoreDeps,
  actor: Actor,
  input: { target: string; image: string; copy: Copy; retention: Retention; location?: string | undefined },
  opts: RunOpts = {},
): Promise<{ disc: Disc; verify: VerifyResult }> {
  const image = path.resolve(input.image)
  if (!fs.existsSync(image)) throw new AppError('NOT_FOUND')
  const id0 = await identify(image)
  const vol = volumeByVolid(deps, id0.volid)
  if (!vol || vol.session_md5 !== id0.sessionMd5) throw new AppError('UNKNOWN_IMAGE', { volid: id0.volid })
  const target = isDrive(input.target) ? input.target : path.resolve(input.target)
  if (!isDrive(target)) refuseOutputInDataFolder(deps.layout, target)
  const claim = claimOutput(deps.layout, target, { volid: vol.volid })
  try {
    const r = await burnClaimed(deps, actor, { ...input, image, target }, vol, id0.sessionMd5, claim, opts)
    claim.release()
    return r
  } catch (e) {
    claim.release()
    throw e
  }
}

/** A file standing in for a disc (a copy, or a pseudo-drive's file) that holds this very volume, whole. */
async function holdsVolume(file: string, vol: VolumeRow, imageSize: number): Promise<boolean> {
  try {
    if (fs.statSync(file).size < imageSize) return false
    const id = await identify(file)
    return id.volid === vol.volid && id.sessionMd5 === vol.session_md5
  } catch {
    return false
  }
}

async function burnClaimed(
  deps: CoreDeps,
  actor: Actor,
  input: { target: string; image: string; copy: Copy; retention: Retention; location?: string | undefined },
  vol: VolumeRow,
  sessionMd5: string | null,
  claim: Claim,
  opts: RunOpts,
): Promise<{ disc: Disc; verify: VerifyResult }> {
  const { target, image } = input
  const file = isDrive(target) && !/^stdio:/.test(target) ? null : devicePath(target)
  let written = false
  // This very burn registered there already: a rerun after a kill that came after the commit (or after an
  // answer that was lost). The disc registered is the answer; nothing is written or registered twice.
  const done =
    file && fs.existsSync(file)
      ? (deps.db
          .prepare(
            `SELECT d.id, d.status, c.result FROM discs d JOIN disc_checks c ON c.disc_id = d.id AND c.kind = 'write'
             WHERE d.target = ? AND d.volume_id = ? AND d.copy = ? ORDER BY d.written_at DESC`,
          )
          .get(target, vol.id, input.copy) as { id: string; status: string; result: string } | undefined)
      : undefined
  const answer = (d: { id: string; result: string }) => ({
    disc: discById(deps, d.id),
    verify: JSON.parse(d.result) as VerifyResult,
  })
  if (done && (claim.stale || (done.status === 'good' && (await holdsVolume(file!, vol, 0)))))
    return answer(done)
  if (claim.stale) {
    // A burn of ours was killed here before it registered anything.
    // Its half-copied part goes; a whole copy of this volume is taken over (and read back below before it is
    // registered); anything else it left is removed and written again. A real drive keeps what was burnt: a
    // disc that is no longer blank is refused by xorriso and the officer puts in a new one.
    if (file) {
      fs.rmSync(`${file}.part`, { force: true })
      if (fs.existsSync(file)) {
        if (sessionMd5 && (await holdsVolume(file, vol, fs.statSync(image).size))) written = true
        else fs.rmSync(file, { force: true })
      }
    }
  }
  // A pseudo-drive on an existing file would add a session to whatever is there.
  if (!written && /^stdio:/.test(target) && fs.existsSync(devicePath(target)))
    throw new AppError('TARGET_EXISTS', { path: devicePath(target) })
  const onSpawn = (pid: number) => claim.child(processToken(pid))
  if (written) opts.onProgress?.({ phase: 'burn', done: 1, total: 1 })
  else if (isDrive(target)) {
    try {
      await burnImage(image, target, {
        ...(opts.signal ? { signal: opts.signal } : {}),
        onSpawn,
        onFraction: (f) => opts.onProgress?.({ phase: 'burn', done: f, total: 1 }),
      })
    } catch (e) {
      // A pseudo-drive's file that xorriso did not finish is no disc; a real drive's half-burnt disc stays.
      if (file) fs.rmSync(file, { force: true })
      throw e
    }
  } else await copyImage(image, target, opts)
  let verify: VerifyResult
  try {
    verify = await verifyTarget(target, vol.manifest, opts)
  } catch (e) {
    // Cancelled while checking: the file written is not a registered disc and must not look like one.
    if (file) fs.rmSync(file, { force: true })
    throw e
  }
  const c = deps.db.prepare('SELECT case_no, cause FROM cases WHERE id = ?').get(vol.case_id) as {
    case_no: string
    cause: string
  }
  const agency = getAgency(deps.db).name
  const now = deps.now().toISOString()
  let discNo = `${vol.volid}-${input.copy}`
  for (let n = 2; deps.db.prepare('SELECT 1 FROM discs WHERE disc_no = ?').get(discNo); n++)
    discNo = `${vol.volid}-${input.copy}${n}`
  const label = [
    agency,
    `${c.case_no}  ${c.cause}`,
    ...(vol.supplement ? [`补充归档 第${vol.supplement}次`] : []),
    `第 ${vol.idx} 盘 / 共 ${vol.count} 盘   ${input.copy} 套（${COPY_NAMES[input.copy]}）`,
    `${RETENTION_NAMES[input.retention]}   ${now.slice(0, 10)}   ${discNo}`,
  ].join('\n')
  const id = crypto.randomUUID()
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: verify.ok ? 'disc.burn' : 'disc.burnFailed',
      targetType: 'disc',
      targetId: id,
      details: {
        caseId: vol.case_id,
        discNo,
        volid: vol.volid,
        copy: input.copy,
        target,
        ok: verify.ok,
        sessionMd5: verify.sessionMd5,
        problems: verify.problems.length,
      },
    },
    () => {
      deps.db
        .prepare(
          `INSERT INTO discs (id, disc_no, volume_id, copy, media, target, label, written_at, written_by, status,
             location, retention, last_checked_at, last_check_ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          discNo,
          vol.id,
          input.copy,
          vol.media,
          target,
          label,
          now,
          actor.userId,
          verify.ok ? 'good' : 'bad',
          input.location ?? null,
          input.retention,
          now,
          verify.ok ? 1 : 0,
        )
      insertCheck(deps, id, 'write', actor, verify)
    },
  )
  return { disc: discById(deps, id), verify }
}

function insertCheck(
  deps: CoreDeps,
  discId: string,
  kind: 'write' | 'inspection',
  actor: Actor,
  v: VerifyResult,
) {
  deps.db
    .prepare(
      'INSERT INTO disc_checks (id, disc_id, kind, checked_at, checked_by, ok, result) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    .run(
      crypto.randomUUID(),
      discId,
      kind,
      deps.now().toISOString(),
      actor.userId,
      v.ok ? 1 : 0,
      JSON.stringify(v),
    )
}

/**
 * Check a disc (or image file) and, when it is a registered disc, record the result. A disc that fails is
 * marked bad and the failure raised (audit event `disc.inspectionFailed`): a replacement must be made.
 */
export async function inspectDisc(
  deps: CoreDeps,
  actor: Actor,
  input: { target: string; discNo?: string | undefined },
  opts: RunOpts = {},
): Promise<{ disc: Disc | null; verify: VerifyResult; volumeKnown: boolean }> {
  const target = isDrive(input.target) ? input.target : path.resolve(input.target)
  if (!fs.existsSync(devicePath(target))) throw new AppError('NOT_FOUND')
  const { volid } = await identify(target).catch(() => ({ volid: '' }))
  const vol = volumeByVolid(deps, volid)
  const disc = input.discNo
    ? (deps.db.prepare('SELECT id, volume_id FROM discs WHERE disc_no = ?').get(input.discNo) as
        { id: string; volume_id: string } | undefined)
    : (deps.db
        .prepare(
          `SELECT id, volume_id FROM discs WHERE target = ? AND volume_id = ? ORDER BY written_at DESC`,
        )
        .get(target, vol?.id ?? '') as { id: string; volume_id: string } | undefined)
  if (input.discNo && !disc) throw new AppError('NOT_FOUND')
  const verify = await verifyTarget(target, vol?.manifest ?? null, opts)
  // A disc put in the wrong drive is a different volume: that is a failed check of the disc named.
  if (disc && disc.volume_id !== vol?.id) {
    verify.ok = false
    verify.matchesRegistry = false
  }
  if (!disc) return { disc: null, verify, volumeKnown: !!vol }
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: verify.ok ? 'disc.inspect' : 'disc.inspectionFailed',
      targetType: 'disc',
      targetId: disc.id,
      details: { caseId: vol?.case_id ?? null, target, ok: verify.ok, problems: verify.problems.length },
    },
    () => {
      insertCheck(deps, disc.id, 'inspection', actor, verify)
      deps.db
        .prepare(
          `UPDATE discs SET last_checked_at = ?, last_check_ok = ?,
             status = CASE WHEN ? THEN status ELSE 'bad' END WHERE id = ?`,
        )
        .run(deps.now().toISOString(), verify.ok ? 1 : 0, verify.ok ? 1 : 0, disc.id)
    },
  )
  return { disc: discById(deps, disc.id), verify, volumeKnown: !!vol }
}

const DISC_SELECT = `SELECT d.*, v.volid, v.idx, v.count, v.case_id, v.supplement, c.case_no, u.display_name AS written_by_name
  FROM discs d JOIN archive_volumes v ON v.id = d.volume_id JOIN cases c ON c.id = v.case_id
  JOIN users u ON u.id = d.written_by`

function toDisc(r: Record<string, unknown>): Disc {
  return {
    id: r.id as string,
    discNo: r.disc_no as string,
    caseId: r.case_id as string,
    caseNo: r.case_no as string,
    volid: r.volid as string,
    volume: r.idx as number,
    volumes: r.count as number,
    copy: r.copy as Copy,
    media: r.media as string,
    target: r.target as string,
    label: r.label as string,
    writtenAt: r.written_at as string,
    writtenBy: r.written_by_name as string,
    status: r.status as 'good' | 'bad',
    location: (r.location as string | null) ?? null,
    retention: r.retention as Retention,
    lastCheckedAt: r.last_checked_at as string,
    lastCheckOk: r.last_check_ok === 1,
    supplement: (r.supplement as number | null) ?? null,
  }
}

export function discById(deps: CoreDeps, id: string): Disc {
  const r = deps.db.prepare(`${DISC_SELECT} WHERE d.id = ?`).get(id) as Record<string, unknown> | undefined
  if (!r) throw new AppError('NOT_FOUND')
  return toDisc(r)
}

export function listDiscs(deps: CoreDeps, filter: { caseId?: string | undefined } = {}): Disc[] {
  return (
    deps.db
      .prepare(
        `${DISC_SELECT} ${filter.caseId ? 'WHERE v.case_id = ?' : ''} ORDER BY d.written_at DESC, d.disc_no`,
      )
      .all(...(filter.caseId ? [filter.caseId] : [])) as Record<string, unknown>[]
  ).map(toDisc)
}

export const DEFAULT_INSPECTION: InspectionPolicy = { intervalMonths: 12, samplePercent: 100 }

/**
 * Discs to inspect now: good discs not checked within the interval, least recently checked first, the agency's
 * sample of them (at least one); and every disc whose last check failed, which always needs attention.
 */
export function inspectionsDue(deps: CoreDeps): {
  policy: InspectionPolicy
  due: Disc[]
  failed: Disc[]
} {
  const policy = readSetting(deps.db, 'archive.inspection', DEFAULT_INSPECTION)
  const cutoff = new Date(deps.now())
  cutoff.setMonth(cutoff.getMonth() - policy.intervalMonths)
  const all = listDiscs(deps)
  const stale = all
    .filter((d) => d.status === 'good' && d.lastCheckedAt <= cutoff.toISOString())
    .sort((a, b) => a.lastCheckedAt.localeCompare(b.lastCheckedAt))
  const n = stale.length ? Math.max(1, Math.ceil((stale.length * policy.samplePercent) / 100)) : 0
  return { policy, due: stale.slice(0, n), failed: all.filter((d) => !d.lastCheckOk || d.status === 'bad') }
}
