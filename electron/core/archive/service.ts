import type { Jobs } from '../jobs.ts'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { MEDIA_CAPACITY, MEDIA_KINDS, type MediaKind } from '../../../shared/archive.ts'
import type { CallContext, CoreDeps } from '../context.ts'
import { actorFields, actorOf, auditedChange } from '../context.ts'
import { readSetting, writeSetting } from '../meta.ts'
import { unlockSigner } from '../signing/authority.ts'
import { basisForCase, gateArchive, gateCase } from '../access/gate.ts'
import {
  DEFAULT_INSPECTION,
  archivableCheck,
  burnDisc,
  discById,
  inspectDisc,
  inspectionsDue,
  listDiscs,
  makeImages,
  mediaCapacity,
} from './discs.ts'
import { cataloguePdf, discLabelPdf } from './labels.ts'
import { buildBag } from './package.ts'
import { listDrives, mediaInfo } from './xorriso.ts'
import { refuseOutputInDataFolder } from '../ingest/source-guard.ts'

export async function image(
  deps: CoreDeps,
  jobs: Jobs,
  i: ParsedInput<'archive.image'>,
  ctx: CallContext,
): Promise<MethodOutput<'archive.image'>> {
  const actor = actorOf(ctx)
  gateArchive(deps, ctx, i.caseId, 'archive.image')
  refuseOutputInDataFolder(deps.layout, i.outDir)
  const check = archivableCheck(deps, i.caseId)
  const signer = i.pin ? unlockSigner(deps, actor, i.pin, ctx.channel) : null
  return jobs.run(i.jobId, (opts) =>
    makeImages(
      deps,
      actor,
      {
        caseId: i.caseId,
        check,
        media: i.media,
        outDir: i.outDir,
        signer,
        supplement: i.supplement === true,
      },
      opts,
    ),
  )
}

export function volumes(deps: CoreDeps, caseId: string, ctx: CallContext): MethodOutput<'archive.volumes'> {
  gateCase(deps, ctx, caseId, 'summary', 'archive.volumes')
  const rows = deps.db
    .prepare(`SELECT * FROM archive_volumes WHERE case_id = ? ORDER BY created_at DESC, set_id, idx`)
    .all(caseId) as Record<string, unknown>[]
  return {
    volumes: rows.map((r) => ({
      id: r.id as string,
      setId: r.set_id as string,
      index: r.idx as number,
      count: r.count as number,
      volid: r.volid as string,
      image: r.image_path as string,
      imageBytes: r.image_size as number,
      payloadFiles: r.payload_files as number,
      payloadBytes: r.payload_bytes as number,
      sessionMd5: r.session_md5 as string,
      media: r.media as string,
      createdAt: r.created_at as string,
      signed: r.signed === 1,
      supplement: (r.supplement as number | null) ?? null,
    })),
  }
}

export function settings(deps: CoreDeps): MethodOutput<'archive.settings'> {
  return {
    inspection: readSetting(deps.db, 'archive.inspection', DEFAULT_INSPECTION),
    capacities: Object.fromEntries(MEDIA_KINDS.map((m) => [m, mediaCapacity(deps, m)])) as Record<
      MediaKind,
      number
    >,
  }
}

export function setSettings(deps: CoreDeps, i: ParsedInput<'archive.setSettings'>, ctx: CallContext) {
  auditedChange(
    deps,
    {
      ...actorFields(ctx.actor),
      action: 'archive.settings',
      targetType: 'agency',
      targetId: '1',
      details: i,
    },
    () => {
      if (i.inspection) writeSetting(deps.db, 'archive.inspection', i.inspection)
      if (i.capacities) {
        // Only what differs from the nominal capacity is kept, so a later correction of ours still applies.
        const own = Object.fromEntries(
          Object.entries(i.capacities).filter(([k, v]) => MEDIA_CAPACITY[k as MediaKind] !== v),
        )
        writeSetting(deps.db, 'archive.media', own)
      }
    },
  )
  return {}
}

export async function drives(): Promise<MethodOutput<'discs.drives'>> {
  const found = await listDrives().catch(() => [])
  const out = []
  for (const d of found) {
    const m = await mediaInfo(d.device).catch(() => ({ media: '', status: '', freeBytes: null }))
    out.push({ ...d, ...m })
  }
  return { drives: out }
}

export function burn(deps: CoreDeps, jobs: Jobs, i: ParsedInput<'discs.burn'>, ctx: CallContext) {
  const actor = actorOf(ctx)
  return jobs.run(i.jobId, (opts) =>
    burnDisc(
      deps,
      actor,
      { target: i.target, image: i.image, copy: i.copy, retention: i.retention, location: i.location },
      opts,
    ),
  )
}

/** A registered disc, through the gate on its case: an unknown disc answers like a forbidden one. */
function gatedDisc(
  deps: CoreDeps,
  ctx: CallContext,
  by: { id: string } | { discNo: string },
  use: 'summary' | 'meta' | 'file',
  action: string,
) {
  const r = deps.db
    .prepare(
      `SELECT d.id, v.case_id FROM discs d JOIN archive_volumes v ON v.id = d.volume_id
       WHERE ${'id' in by ? 'd.id' : 'd.disc_no'} = ?`,
    )
    .get('id' in by ? by.id : by.discNo) as { id: string; case_id: string } | undefined
  gateCase(deps, ctx, r?.case_id ?? null, use, action, {
    type: 'disc',
    id: 'id' in by ? by.id : by.discNo,
  })
}

export function verify(deps: CoreDeps, jobs: Jobs, i: ParsedInput<'discs.verify'>, ctx: CallContext) {
  const actor = actorOf(ctx)
  if (i.discNo) gatedDisc(deps, ctx, { discNo: i.discNo }, 'file', 'discs.verify')
  return jobs.run(i.jobId, (opts) => inspectDisc(deps, actor, { target: i.target, discNo: i.discNo }, opts))
}

export function update(deps: CoreDeps, i: ParsedInput<'discs.update'>, ctx: CallContext) {
  gatedDisc(deps, ctx, { id: i.discId }, 'file', 'discs.update')
  const before = discById(deps, i.discId)
  auditedChange(
    deps,
    {
      ...actorFields(ctx.actor),
      action: 'disc.update',
      targetType: 'disc',
      targetId: i.discId,
      details: {
        caseId: before.caseId,
        discNo: before.discNo,
        ...(i.location !== undefined ? { location: i.location, was: before.location } : {}),
        ...(i.retention ? { retention: i.retention, wasRetention: before.retention } : {}),
      },
    },
    () =>
      deps.db
        .prepare(
          'UPDATE discs SET location = COALESCE(?, location), retention = COALESCE(?, retention) WHERE id = ?',
        )
        .run(i.location ?? null, i.retention ?? null, i.discId),
  )
  return { disc: discById(deps, i.discId) }
}

export async function label(deps: CoreDeps, discId: string, ctx: CallContext) {
  gatedDisc(deps, ctx, { id: discId }, 'meta', 'discs.label')
  return { pdfBase64: (await discLabelPdf(deps, discId)).toString('base64') }
}

/** The 卷内目录 lists every record's place and fact: for those who may see all of the case's metadata. */
export async function catalogue(deps: CoreDeps, caseId: string, ctx: CallContext) {
  gateCase(deps, ctx, caseId, 'meta', 'archive.catalogue')
  return { pdfBase64: (await cataloguePdf(deps, caseId)).toString('base64') }
}

/** The disc registry, with a confidential case's discs only for those who may see the case. */
export function discsFor(deps: CoreDeps, i: ParsedInput<'discs.list'>, ctx: CallContext) {
  if (i.caseId) gateCase(deps, ctx, i.caseId, 'summary', 'discs.list')
  const actor = actorOf(ctx)
  return listDiscs(deps, i).filter((d) => basisForCase(deps, actor, d.caseId))
}

/** The case's BagIt package, signed with the records officer's key when a PIN is given; audited. */
export async function build(
  deps: CoreDeps,
  i: ParsedInput<'archive.build'>,
  ctx: CallContext,
): Promise<MethodOutput<'archive.build'>> {
  gateArchive(deps, ctx, i.caseId, 'archive.build')
  refuseOutputInDataFolder(deps.layout, i.outDir)
  const report = archivableCheck(deps, i.caseId)
  const signer = i.pin ? unlockSigner(deps, actorOf(ctx), i.pin, ctx.channel) : null
  const bag = await buildBag(deps, i.caseId, i.outDir, report, { signer })
  auditedChange(
    deps,
    {
      ...actorFields(ctx.actor),
      action: 'archive.build',
      targetType: 'case',
      targetId: i.caseId,
      details: { caseId: i.caseId, dir: bag.dir, files: bag.payloadFiles, bytes: bag.payloadBytes },
    },
    () => undefined,
  )
  return bag
}

export { inspectionsDue, listDiscs }
