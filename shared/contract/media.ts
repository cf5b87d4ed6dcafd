/** Playing evidence: media tickets and what part of a recording was watched. */
import { z } from 'zod'
import { id, method, type MethodDef } from './common.ts'

export const mediaMethods = {
  'media.open': method({
    input: z.strictObject({ evidenceId: id }),
    output: z.object({
      /** Valid for a few minutes, for this record only; the adapter streams it (bridge /media/<ticket>). */
      ticket: z.string(),
      mime: z.string(),
      /** An H.264 preview made because Chromium cannot decode the original's codec. */
      preview: z.boolean(),
      mediaType: z.enum(['video', 'audio', 'photo']),
    }),
    // Anyone signed in may ask; the access gate in the core decides, record by record.
    access: 'authenticated',
  }),
  'media.progress': method({
    /** What part of a recording was watched (seconds), reported when playback pauses or the player closes. */
    input: z.strictObject({
      evidenceId: id,
      ranges: z.array(z.tuple([z.number().min(0), z.number().min(0)])).max(200),
    }),
    output: z.object({}),
    access: 'authenticated',
  }),
} as const satisfies Record<string, MethodDef>
