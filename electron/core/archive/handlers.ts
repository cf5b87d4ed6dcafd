import type { CoreEnv, Handlers } from '../handlers.ts'
import * as archive from './service.ts'

/** archive.*, discs.* (shared/contract/archive.ts). */
export function archiveHandlers({ deps, archiveJobs }: CoreEnv) {
  return {
    'archive.build': (i, ctx) => archive.build(deps, i, ctx),
    'archive.image': (i, ctx) => archive.image(deps, archiveJobs, i, ctx),
    'archive.cancel': (i) => ({ cancelled: archiveJobs.cancel(i.jobId) }),
    'archive.volumes': (i, ctx) => archive.volumes(deps, i.caseId, ctx),
    'archive.settings': () => archive.settings(deps),
    'archive.setSettings': (i, ctx) => archive.setSettings(deps, i, ctx),
    'archive.catalogue': (i, ctx) => archive.catalogue(deps, i.caseId, ctx),
    'discs.drives': () => archive.drives(),
    'discs.burn': (i, ctx) => archive.burn(deps, archiveJobs, i, ctx),
    'discs.verify': (i, ctx) => archive.verify(deps, archiveJobs, i, ctx),
    'discs.list': (i, ctx) => ({ discs: archive.discsFor(deps, i, ctx) }),
    'discs.update': (i, ctx) => archive.update(deps, i, ctx),
    'discs.label': (i, ctx) => archive.label(deps, i.discId, ctx),
    'discs.inspections': () => archive.inspectionsDue(deps),
  } satisfies Partial<Handlers>
}
