import fs from 'node:fs'
import exifr from 'exifr'
import ffmpeg from 'fluent-ffmpeg'
import { parseFile as parseAudioFile } from 'music-metadata'
import type { MediaType } from '../../../shared/media.ts'
import {
  parseDateString,
  parseIso6709,
  parseOffset,
  parseTimeString,
  yearOnly,
  type RawTime,
} from './capture-time.ts'
import { avchdTime, riffTimes } from './time-readers.ts'

/*
 * What the file itself says about when, where and how it was recorded. Reading metadata never decides
 * whether a file is stored: a file whose metadata cannot be read is still evidence ("metadata unreadable").
 */

export interface MediaFacts {
  readable: boolean
  /** The first reading found (kept for callers that want one); `times` has them all. */
  time: RawTime | null
  /** Every time the file states, each with its source: the container, EXIF, H.264 SEI, RIFF/BWF, ID3. */
  times: RawTime[]
  durationMs: number | null
  location: { latitude: number; longitude: number; altitude?: number } | null
  /** Plain values for the record: codecs, resolution, make and model, the raw tags that gave the time. */
  info: Record<string, string | number>
}

const PROBE_TIMEOUT_MS = 30_000

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms)
    p.then(
      (v) => {
        clearTimeout(timer)
        resolve(v)
      },
      (e: unknown) => {
        clearTimeout(timer)
        reject(e instanceof Error ? e : new Error(String(e)))
      },
    )
  })
}

export function ffprobe(file: string): Promise<ffmpeg.FfprobeData> {
  return withTimeout(
    new Promise((resolve, reject) =>
      ffmpeg.ffprobe(file, (err, data) => (err ? reject(err) : resolve(data))),
    ),
    PROBE_TIMEOUT_MS,
  )
}

type Tags = Record<string, string | number | undefined>

function firstTag(tagSets: (Tags | undefined)[], names: string[]): string | null {
  for (const tags of tagSets) {
    if (!tags) continue
    for (const [k, v] of Object.entries(tags)) {
      if (names.includes(k.toLowerCase()) && v !== undefined && String(v).trim()) return String(v)
    }
  }
  return null
}

/**
 * A container time that was really written: MP4/QuickTime count from 1904-01-01 and others from 1970-01-01, so a
 * writer that never set the field leaves exactly that epoch (ffmpeg without creation_time does). Such a zero
 * means "no time" — the camera's file name, then the file's date, come next — never "captured in 1904".
 */
function isSetTime(d: Date | undefined): d is Date {
  return !!d && !Number.isNaN(d.getTime()) && d.getTime() !== Date.UTC(1904, 0, 1) && d.getTime() !== 0
}

/** Matroska keeps its recording date as DateUTC (EBML id 0x4461): nanoseconds since 2001-01-01T00:00:00Z. */
export function matroskaDateUtc(head: Buffer): RawTime | null {
  // Only in a file that is Matroska/WebM (EBML magic first): three bytes 44 61 88 turn up in random data.
  if (head.length < 4 || head.readUInt32BE(0) !== 0x1a45dfa3) return null
  for (let i = 0; i + 11 <= head.length; i++) {
    if (head[i] === 0x44 && head[i + 1] === 0x61 && head[i + 2] === 0x88) {
      const ns = head.readBigInt64BE(i + 3)
      const ms = Date.UTC(2001, 0, 1) + Number(ns / 1_000_000n)
      const d = new Date(ms)
      if (Number.isNaN(d.getTime())) return null
      return {
        y: d.getUTCFullYear(),
        mo: d.getUTCMonth() + 1,
        d: d.getUTCDate(),
        h: d.getUTCHours(),
        mi: d.getUTCMinutes(),
        s: d.getUTCSeconds(),
        ms: d.getUTCMilliseconds(),
        zone: 'Z',
        source: 'container',
        precision: 'second',
        text: d.toISOString(),
      }
    }
  }
  return null
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r')
  try {
    const buf = Buffer.alloc(bytes)
    const { bytesRead } = await fh.read(buf, 0, bytes, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

/** RIFF/BWF and AVCHD times, which the general readers miss or cut to a year; by the file's first bytes. */
async function formatTimes(file: string): Promise<RawTime[]> {
  try {
    const head = await readHead(file, 12)
    if (head.toString('latin1', 0, 4) === 'RIFF') return await riffTimes(file)
    if (head[0] === 0x47 || head[4] === 0x47) {
      const t = await avchdTime(file)
      return t ? [t] : []
    }
  } catch {
    /* unreadable here is unreadable to the other readers too; they say so */
  }
  return []
}

function finish(facts: MediaFacts, own: RawTime[]): MediaFacts {
  // The format's own reader first: it keeps what ffprobe and music-metadata cut short (a RIFF date to its year).
  const times = [...own, ...facts.times.filter((t) => !own.length || t.source !== 'id3')]
  return { ...facts, times, time: times[0] ?? null }
}

async function audioVideoFacts(file: string): Promise<MediaFacts> {
  const own = await formatTimes(file)
  return finish(await probeFacts(file, own.length > 0), own)
}

async function probeFacts(file: string, haveOwn: boolean): Promise<MediaFacts> {
  const facts: MediaFacts = {
    readable: false,
    time: null,
    times: [],
    durationMs: null,
    location: null,
    info: {},
  }
  const add = (t: RawTime | null) => {
    if (t) facts.times.push(t)
    if (t && !facts.time) facts.time = t
  }
  try {
    const data = await ffprobe(file)
    const fmt = data.format ?? {}
    const streams = data.streams ?? []
    const tagSets = [fmt.tags as Tags | undefined, ...streams.map((s) => s.tags as Tags | undefined)]
    // QuickTime's creationdate states its zone; creation_time (mvhd) is UTC by the format.
    const apple = firstTag(tagSets, ['com.apple.quicktime.creationdate'])
    if (apple) add(parseTimeString(apple, 'container'))
    const created = firstTag(tagSets, ['creation_time'])
    if (created) {
      add(parseTimeString(created, 'container'))
      facts.info.creationTimeTag = created
    }
    // A plain "date" tag (RIFF ICRD, Matroska DATE) is the format's; its own reader, when there is one, read it.
    const date = haveOwn ? null : firstTag(tagSets, ['date'])
    if (date) add(parseTimeString(date, 'container') ?? parseDateString(date, 'container'))
    const loc = firstTag(tagSets, ['location', 'com.apple.quicktime.location.iso6709', 'location-eng'])
    if (loc) {
      facts.location = parseIso6709(loc)
      facts.info.locationTag = loc
    }
    const duration = Number(fmt.duration)
    if (Number.isFinite(duration) && duration > 0) facts.durationMs = Math.round(duration * 1000)
    if (fmt.format_name) facts.info.container = fmt.format_name
    const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1)
    const audio = streams.find((s) => s.codec_type === 'audio')
    if (video?.codec_name) facts.info.videoCodec = video.codec_name
    if (video?.width && video.height) facts.info.resolution = `${video.width}x${video.height}`
    if (audio?.codec_name) facts.info.audioCodec = audio.codec_name
    // ffprobe names a raw elementary stream (H.263 at probe score 25) in about one file of random bytes in sixty;
    // a stream whose picture size or sample rate it could not read was guessed, not read.
    facts.readable = streams.some(hasParameters) || facts.durationMs !== null
  } catch (e) {
    facts.info.probeError =
      (e instanceof Error ? e.message : String(e)).split('\n').filter(Boolean).slice(-1)[0] ??
      'ffprobe failed'
  }
  // ffprobe gives up on damaged containers that still carry their tags; these readers are more forgiving.
  if (!facts.time || facts.durationMs === null) {
    try {
      const mkv = matroskaDateUtc(await readHead(file, 64 * 1024))
      if (mkv && !facts.time) add(mkv)
      const mm = await withTimeout(
        parseAudioFile(file, { duration: false, skipCovers: true }),
        PROBE_TIMEOUT_MS,
      )
      if (facts.durationMs === null && mm.format.duration)
        facts.durationMs = Math.round(mm.format.duration * 1000)
      if (!facts.time && isSetTime(mm.format.creationTime))
        add(parseTimeString(mm.format.creationTime.toISOString(), 'container'))
      if (!facts.time && !haveOwn) add(mmDate(mm.common))
      if (mm.format.container && !facts.info.container) facts.info.container = mm.format.container
      if (mm.format.hasAudio || mm.format.hasVideo || facts.time) facts.readable = true
    } catch {
      /* nothing more to learn */
    }
  }
  return facts
}

/** A stream ffprobe actually read: a picture with its size, a sound with its rate and channels. */
function hasParameters(s: ffmpeg.FfprobeStream): boolean {
  if (s.codec_type === 'video') return Number(s.width) > 0 && Number(s.height) > 0
  if (s.codec_type === 'audio') return Number(s.sample_rate) > 0 && Number(s.channels) > 0
  return false
}

/** ID3 and the like: a full date when there is one, else the year alone (said to be imprecise). */
function mmDate(common: { date?: string; year?: number }): RawTime | null {
  if (common.date) return parseTimeString(common.date, 'id3') ?? parseDateString(common.date, 'id3')
  return common.year ? yearOnly(common.year, 'id3') : null
}

async function photoFacts(file: string): Promise<MediaFacts> {
  const facts: MediaFacts = {
    readable: false,
    time: null,
    times: [],
    durationMs: null,
    location: null,
    info: {},
  }
  try {
    const exif = (await exifr.parse(file, {
      reviveValues: false,
      translateValues: false,
      gps: true,
      pick: [
        'DateTimeOriginal',
        'CreateDate',
        'OffsetTimeOriginal',
        'OffsetTime',
        'Make',
        'Model',
        'GPSLatitude',
        'GPSLatitudeRef',
        'GPSLongitude',
        'GPSLongitudeRef',
        'latitude',
        'longitude',
      ],
    })) as Record<string, unknown> | undefined
    facts.readable = true
    if (exif) {
      const dto =
        typeof exif.DateTimeOriginal === 'string'
          ? exif.DateTimeOriginal
          : typeof exif.CreateDate === 'string'
            ? exif.CreateDate
            : null
      if (dto) {
        const t = parseTimeString(dto, 'exif')
        const off = parseOffset(String(exif.OffsetTimeOriginal ?? exif.OffsetTime ?? ''))
        if (t && t.zone === null && off !== null) t.zone = off
        facts.time = t
        if (t) facts.times.push(t)
        facts.info.dateTimeOriginal = dto
      }
      if (typeof exif.latitude === 'number' && typeof exif.longitude === 'number') {
        facts.location = { latitude: exif.latitude, longitude: exif.longitude }
      }
      if (exif.Make) facts.info.make = String(exif.Make).trim()
      if (exif.Model) facts.info.model = String(exif.Model).trim()
    }
  } catch (e) {
    facts.info.exifError = e instanceof Error ? e.message : String(e)
    // A photo without EXIF (PNG, screenshots) is normal; only a file no image reader accepts is "unreadable".
    const head = await readHead(file, 16).catch(() => Buffer.alloc(0))
    facts.readable = isKnownImage(head)
  }
  return facts
}

function isKnownImage(head: Buffer): boolean {
  return (
    (head[0] === 0xff && head[1] === 0xd8) || // JPEG
    head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) || // PNG
    head.subarray(4, 8).toString('latin1') === 'ftyp' // HEIC/HEIF
  )
}

/**
 * Recorders write plain containers (WAV, MP3, AAC, AMR, M4A) that the in-process reader understands in a
 * millisecond; ffprobe, a process per file, is kept for video and for audio that reader cannot parse.
 */
async function audioFacts(file: string): Promise<MediaFacts> {
  const own = await formatTimes(file)
  try {
    const mm = await withTimeout(
      parseAudioFile(file, { duration: false, skipCovers: true }),
      PROBE_TIMEOUT_MS,
    )
    if (mm.format.container && mm.format.duration && (mm.format.numberOfChannels || mm.format.codec)) {
      const facts: MediaFacts = {
        readable: true,
        time: null,
        times: [],
        durationMs: Math.round(mm.format.duration * 1000),
        location: null,
        info: {},
      }
      facts.info.container = mm.format.container
      if (mm.format.codec) facts.info.audioCodec = mm.format.codec
      if (isSetTime(mm.format.creationTime))
        facts.times.push(parseTimeString(mm.format.creationTime.toISOString(), 'container')!)
      const id3 = own.length ? null : mmDate(mm.common)
      if (id3) facts.times.push(id3)
      return finish(facts, own)
    }
  } catch {
    /* fall through to ffprobe */
  }
  return finish(await probeFacts(file, own.length > 0), own)
}

export async function readFacts(file: string, mediaType: MediaType): Promise<MediaFacts> {
  if (mediaType === 'photo') return photoFacts(file)
  if (mediaType === 'audio') return audioFacts(file)
  return audioVideoFacts(file)
}
