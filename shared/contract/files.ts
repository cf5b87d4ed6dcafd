/** Choosing files in browser mode (electron/core/files/): the desktop shell uses the system's own dialogs. */
import { z } from 'zod'
import { absolutePath, id, method, type MethodDef } from './common.ts'

export const filesMethods = {
  // Choosing files in browser mode (electron/core/files/): the desktop shell uses the system's own dialogs.
  'files.browse': method({
    /**
     * A folder on this computer for 浏览… in browser mode: names, kinds and sizes only, never contents, and only
     * under the allowed roots (home folder, mounted media). Without `path`: just the roots.
     */
    input: z.strictObject({ path: absolutePath.optional(), files: z.boolean().default(false) }),
    output: z.object({
      roots: z.array(z.object({ path: z.string(), label: z.string() })),
      path: z.string().nullable(),
      parent: z.string().nullable(),
      entries: z.array(
        z.object({ name: z.string(), kind: z.enum(['folder', 'file']), size: z.number().nullable() }),
      ),
      truncated: z.boolean(),
    }),
    access: ['records_officer', 'enforcement_officer', 'admin'],
    readOnly: true,
  }),
  'files.upload': method({
    /** One piece of a document sent from a browser page; the last answers with the staged path for textRecords.add. */
    input: z.strictObject({
      uploadId: id.optional(),
      name: z.string().min(1).max(255),
      offset: z.number().int().min(0),
      dataBase64: z.string().max(700_000),
      done: z.boolean(),
    }),
    output: z.object({ uploadId: z.string(), received: z.number(), path: z.string().nullable() }),
    access: ['records_officer', 'enforcement_officer'],
    // Stages bytes only: the document is registered (and audited) by textRecords.add.
    readOnly: true,
  }),
} as const satisfies Record<string, MethodDef>
