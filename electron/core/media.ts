import crypto from 'node:crypto'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { MethodOutput, ParsedInput } from '../../shared/contract.ts'
import { AppError } from '../../shared/errors.ts'
import { actorFields, auditedChange, type Actor, type CallContext, type CoreDeps } from './context.ts'
import { basisForRecord, gateRecord } from './access/gate.ts'
import { liveActor } from './accounts/live.ts'
import type { SessionStore } from './accounts/sessions.ts'
import type { DataLayout } from './paths.ts'
import { objectPath } from './vault.ts'
import { ffprobe } from './ingest/metadata.ts'
import { ffmpegBin } from './ingest/thumbnails.ts'

/*
 * The one way evidence bytes reach a screen: `media.open` checks who asks, logs it, and hands out a ticket
 * valid for a few minutes for one record; the adapter (bridge route, Electron protocol) streams only what a
 * live ticket names, with HTTP ranges. A video Chromium cannot decode (H.265, MJPEG AVI, ...) is shown through
 * an H.264 preview ffmpeg makes in derived/ (never evidence, rebuildable); the original is untouched.
 */

const TICKET_MS = 10 * 60_000
const PLAYABLE_VIDEO = new Set(['h264', 'vp8', 'vp9', 'av1', 'theora'])
const PLAYABLE_AUDIO = new Set(['aac', 'mp3', 'opus', 'vorbis', 'flac', 'pcm_s16le', 'pcm_u8', 'pcm_f32le'])
const PLAYABLE_CONTAINERS = /mp4|mov|webm|matroska|ogg|wav|mp3|flac|aac/

export interface MediaFile {
  file: string
  mime: string
  size: number
}

/**
 * Who the ticket was issued to and for which record. The ticket holds the session, not a copy of the user: every
 * byte request looks the session and user up again (liveActor), so signing out, being disabled or losing a role
 * ends the stream at the next request. `actor` is kept only to name the holder in a refusal.
 */
export interface TicketHolder {
  actor: Actor
  sessionToken: string
  evidenceId: string
}

interface Ticket extends MediaFile, TicketHolder {
  expires: number
}

export class MediaTickets {
  private readonly tickets = new Map<string, Ticket>()

  issue(media: MediaFile, holder: TicketHolder, now: number): string {
    for (const [k, t] of this.tickets) if (t.expires < now) this.tickets.delete(k)
    const ticket = crypto.randomBytes(24).toString('base64url')
    this.tickets.set(ticket, { ...media, ...holder, expires: now + TICKET_MS })
    return ticket
  }

  resolve(ticket: string, now: number): (MediaFile & TicketHolder) | null {
    const t = this.tickets.get(ticket)
    if (!t || t.expires < now) return null
    const { file, mime, size, actor, sessionToken, evidenceId } = t
    return { file, mime, size, actor, sessionToken, evidenceId }
  }

  /** A grant ended or was revoked: the ticket goes with it. */
  drop(ticket: string): void {
    this.tickets.delete(ticket)
  }
}

/**
 * Every byte request through an adapter (Electron protocol, bridge route) passes here: a live ticket, its session
 * still signed in and unlocked, its user still enabled, and that user, with the roles held now, still allowed to
 * view the record — a grant can end or be revoked, a role be taken away, while a player is open. A refusal is written
 * to the access log like any other (access.denied) and the ticket is dropped; an allowed range read is not logged
 * again, the opening (media.open) was. Adapters refuse requests without their own credential (the bridge token)
 * before asking: those are counted there, not logged here (a web page could fill the trail).
 */
export function streamableMedia(
  deps: CoreDeps & { media: MediaTickets; sessions: SessionStore },
  ticket: string,
  channel: CallContext['channel'],
): MediaFile | null {
  const now = deps.now()
  const t = /^[A-Za-z0-9_-]{16,64}$/.test(ticket) ? deps.media.resolve(ticket, now.getTime()) : null
  const actor = t ? liveActor(deps, t.sessionToken, channel) : null
  const allowed = t && actor ? basisForRecord(deps, actor, t.evidenceId, 'view') : null
  if (t && allowed) return { file: t.file, mime: t.mime, size: t.size }
  if (t) deps.media.drop(ticket)
  auditedChange(
    deps,
    {
      ...actorFields(actor ?? t?.actor),
      action: 'access.denied',
      targetType: t ? 'evidence' : 'media',
      targetId: t ? t.evidenceId : ticket.slice(0, 12),
      details: {
        use: 'view',
        refused: 'media.stream',
        reason: !t ? 'no_ticket' : !actor ? 'no_session' : 'no_access',
        channel,
      },
    },
    () => undefined,
  )
  return null
}

const MIME: Record<string, string> = {
  video: 'video/mp4',
  audio: 'audio/mpeg',
  photo: 'image/jpeg',
}

function mimeOf(name: string, mediaType: string): string {
  const ext = path.extname(name).toLowerCase()
  const byExt: Record<string, string> = {
    '.mp4': 'video/mp4',
    '.mov': 'video/quicktime',
    '.webm': 'video/webm',
    '.mkv': 'video/x-matroska',
    '.wav': 'audio/wav',
    '.mp3': 'audio/mpeg',
    '.m4a': 'audio/mp4',
    '.aac': 'audio/aac',
    '.ogg': 'audio/ogg',
    '.flac': 'audio/flac',
    '.jpg': 'image/jpeg',
    '.jpeg': 'image/jpeg',
    '.png': 'image/png',
    '.heic': 'image/heic',
  }
  return byExt[ext] ?? MIME[mediaType] ?? 'application/octet-stream'
}

export function previewPath(layout: DataLayout, sha256: string): string {
  return path.join(layout.derived, 'previews', sha256.slice(0, 2), `${sha256}.mp4`)
}

async function needsPreview(file: string, mediaType: string): Promise<boolean> {
  if (mediaType === 'photo') return false
  try {
    const p = await ffprobe(file)
    const format = p.format.format_name ?? ''
    const v = p.streams.find((s) => s.codec_type === 'video')
    const a = p.streams.find((s) => s.codec_type === 'audio')
    if (!PLAYABLE_CONTAINERS.test(format)) return true
    if (v && !PLAYABLE_VIDEO.has(v.codec_name ?? '')) return true
    return !!a && !PLAYABLE_AUDIO.has(a.codec_name ?? '')
  } catch {
    return false // not probeable: let the browser try the original
  }
}

function transcode(source: string, target: string, audioOnly: boolean): Promise<void> {
  fs.mkdirSync(path.dirname(target), { recursive: true })
  const tmp = `${target}.tmp.mp4`
  const args = audioOnly
    ? [
        '-nostdin',
        '-v',
        'error',
        '-y',
        '-i',
        source,
        '-vn',
        '-c:a',
        'aac',
        '-b:a',
        '128k',
        '-movflags',
        '+faststart',
        tmp,
      ]
    : [
        '-nostdin',
        '-v',
        'error',
        '-y',
        '-i',
        source,
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        '26',
        '-pix_fmt',
        'yuv420p',
        '-vf',
        'scale=trunc(min(1280\\,iw)/2)*2:-2',
        '-c:a',
        'aac',
        '-b:a',
        '128k',
        '-movflags',
        '+faststart',
        tmp,
      ]
  return new Promise((resolve, reject) =>
    execFile(ffmpegBin(), args, { timeout: 30 * 60_000 }, (err) => {
      if (err) {
        fs.rmSync(tmp, { force: true })
        reject(new AppError('PREVIEW_FAILED'))
        return
      }
      fs.renameSync(tmp, target)
      resolve()
    }),
  )
}

export async function openMedia(
  deps: CoreDeps & { media: MediaTickets },
  input: ParsedInput<'media.open'>,
  ctx: CallContext,
): Promise<MethodOutput<'media.open'>> {
  // The choke point decides and logs (media.open with its basis, or access.denied) before any byte moves.
  gateRecord(deps, ctx, input.evidenceId, 'view', 'media.open')
  const e = deps.db
    .prepare('SELECT id, sha256, media_type, original_name, size FROM evidence WHERE id = ?')
    .get(input.evidenceId) as
    { id: string; sha256: string; media_type: string; original_name: string; size: number } | undefined
  if (!e) throw new AppError('NOT_FOUND')
  const original = objectPath(deps.layout, e.sha256)
  let media: MediaFile = { file: original, mime: mimeOf(e.original_name, e.media_type), size: e.size }
  let preview = false
  if (await needsPreview(original, e.media_type)) {
    const target = previewPath(deps.layout, e.sha256)
    if (!fs.existsSync(target)) await transcode(original, target, e.media_type === 'audio')
    media = {
      file: target,
      mime: e.media_type === 'audio' ? 'audio/mp4' : 'video/mp4',
      size: fs.statSync(target).size,
    }
    preview = true
  }
  return {
    ticket: deps.media.issue(
      media,
      { actor: ctx.actor!, sessionToken: ctx.sessionToken!, evidenceId: e.id },
      deps.now().getTime(),
    ),
    mime: media.mime,
    preview,
    mediaType: e.media_type as 'video',
  }
}

/**
 * What part of a recording was watched goes into the access log: only for a record the caller may view now (else
 * refused and logged as such, like an unknown id), with the basis the viewing rests on.
 */
export function recordProgress(
  deps: CoreDeps,
  i: ParsedInput<'media.progress'>,
  ctx: CallContext,
): MethodOutput<'media.progress'> {
  const basis = gateRecord(deps, ctx, i.evidenceId, 'view', 'media.progress', { logAllowed: false })
  const tag = deps.db.prepare('SELECT case_id FROM record_tags WHERE evidence_id = ?').get(i.evidenceId) as
    { case_id: string | null } | undefined
  auditedChange(
    deps,
    {
      ...actorFields(ctx.actor),
      action: 'media.progress',
      targetType: 'evidence',
      targetId: i.evidenceId,
      details: {
        caseId: tag?.case_id ?? null,
        ranges: i.ranges.map(([a, b]) => [Math.round(a * 10) / 10, Math.round(b * 10) / 10]),
        ...basis,
      },
    },
    () => undefined,
  )
  return {}
}
