import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/**
 * Real camera files with ExifTool's readings (copied from the project's shared/samples so the tests do not
 * depend on what sits beside the checkout).
 */
export const SAMPLES = path.resolve(import.meta.dirname, '..', 'fixtures', 'samples')

/** A short H.264/AAC clip made by real ffmpeg, tagged the way body cameras tag theirs. */
export function makeClip(
  file: string,
  opts: { seconds?: number; creationTime?: string; location?: string } = {},
): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const meta = [
    ...(opts.creationTime ? ['-metadata', `creation_time=${opts.creationTime}`] : []),
    ...(opts.location ? ['-metadata', `location=${opts.location}`] : []),
  ]
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=320x240:rate=15:duration=${opts.seconds ?? 2}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${opts.seconds ?? 2}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    ...meta,
    file,
  ])
}

export function makeWav(file: string, seconds = 1): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=300:duration=${seconds}`,
    file,
  ])
}

export function randomFile(file: string, bytes: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const fd = fs.openSync(file, 'w')
  const chunk = 1 << 20
  for (let done = 0; done < bytes; done += chunk)
    fs.writeSync(fd, crypto.randomBytes(Math.min(chunk, bytes - done)))
  fs.closeSync(fd)
}

/**
 * Noise that no reader can take for media: random bytes without 0xFF, so no MPEG or AAC frame sync appears by chance
 * (a reader scanning for one found a "valid MP3 frame" in plain random bytes about once in some dozen runs).
 */
export function noiseFile(file: string, bytes: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const data = crypto.randomBytes(bytes)
  for (let i = 0; i < data.length; i++) if (data[i] === 0xff) data[i] = 0x7f
  fs.writeFileSync(file, data)
}

/** The outside reference: coreutils sha256sum, not our own code. */
export function sha256sum(file: string): string {
  return execFileSync('sha256sum', ['--', file], { encoding: 'utf8' }).split(' ')[0]!
}
