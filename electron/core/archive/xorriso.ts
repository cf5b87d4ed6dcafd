import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { AppError } from '../../../shared/errors.ts'

/*
 * Everything Liuhen asks of xorriso, and how its answers are read. Images are written through the `stdio:`
 * pseudo-drive, real discs through the drive's device path; MD5s are recorded (`-md5 on`) for the session and
 * every file so a disc can be checked by xorriso alone, decades from now.
 */

export interface RunResult {
  code: number
  out: string
}

/**
 * `setpriv` (util-linux) where it is on the PATH: xorriso started through `setpriv --pdeathsig KILL` is killed by
 * the kernel the moment its parent dies, so a `kill -9` of the app or the CLI never leaves a burner writing on
 * its own. Elsewhere the output claim names the child and the next run kills it (claims.ts). On Windows the
 * same guarantee would come from a job object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE around the child; Node
 * does not offer one, so there too the claim is the fallback.
 */
let setprivPath: string | null | undefined
function setpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath
  setprivPath = null
  if (process.platform !== 'linux') return null
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const p = `${dir}/setpriv`
    try {
      fs.accessSync(p, fs.constants.X_OK)
      setprivPath = p
      break
    } catch {
      /* not here */
    }
  }
  return setprivPath
}

/**
 * Run xorriso; `onLine` sees every line of its messages as it comes (progress); `onSpawn` gets the child's pid
 * before anything can reap it (for the output claim).
 */
export function runXorriso(
  args: string[],
  opts: { signal?: AbortSignal; onLine?: (line: string) => void; onSpawn?: (pid: number) => void } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new AppError('CANCELLED'))
    let child
    const guard = setpriv()
    try {
      child = guard
        ? spawn(guard, ['--pdeathsig', 'KILL', '--', 'xorriso', ...args], {
            stdio: ['ignore', 'pipe', 'pipe'],
          })
        : spawn('xorriso', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    } catch {
      return reject(new AppError('XORRISO_FAILED', { detail: 'xorriso not found' }))
    }
    if (child.pid !== undefined) opts.onSpawn?.(child.pid)
    let out = ''
    let partial = ''
    const take = (b: Buffer) => {
      const text = b.toString('utf8')
      // Keep the head and tail of very chatty runs (progress lines) without growing without bound.
      out = out.length > 1 << 20 ? out.slice(0, 1 << 19) + out.slice(-(1 << 18)) + text : out + text
      partial += text
      const lines = partial.split('\n')
      partial = lines.pop() ?? ''
      for (const l of lines) opts.onLine?.(l)
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    const abort = () => child.kill('SIGTERM')
    opts.signal?.addEventListener('abort', abort, { once: true })
    child.on('error', (e) => {
      opts.signal?.removeEventListener('abort', abort)
      reject(new AppError('XORRISO_FAILED', { detail: e.message }))
    })
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', abort)
      if (opts.signal?.aborted) return reject(new AppError('CANCELLED'))
      // setpriv could not start xorriso (exit 127): the same answer as when there is no setpriv in between.
      if (guard && code === 127 && /setpriv: failed to execute/.test(out))
        return reject(new AppError('XORRISO_FAILED', { detail: 'xorriso not found' }))
      resolve({ code: code ?? -1, out })
    })
  })
}

/** The first line of xorriso's output that says what went wrong. */
export function failureOf(out: string): string {
  const line = out.split('\n').find((l) => /: (FAILURE|SORRY|FATAL|ABORT) :/.test(l))
  return (line ?? out.trim().split('\n').at(-1) ?? '').replace(/^xorriso : \w+ : /, '').slice(0, 300)
}

/** "Writing:  45090s  2.1%" and "123 of 456 MB written": fraction done, when a line says it. */
export function progressOf(line: string): number | null {
  const pct = /Writing:\s+\d+s\s+([\d.]+)%/.exec(line)
  if (pct) return Number(pct[1]) / 100
  const of = /(\d+) of\s+(\d+) MB written/.exec(line)
  if (of && Number(of[2]) > 0) return Number(of[1]) / Number(of[2])
  return null
}

/**
 * Write `stageDir` as an ISO 9660 image (level 3: files over 4 GiB as several extents) with Joliet (Windows)
 * and Rock Ridge (Unix names, long names), following the stage's links into the vault.
 */
export async function writeImage(
  stageDir: string,
  target: string,
  volid: string,
  opts: {
    signal?: AbortSignal
    onFraction?: (f: number) => void
    onSpawn?: (pid: number) => void
    publisher?: string
  } = {},
): Promise<void> {
  const r = await runXorriso(
    [
      '-abort_on',
      'FAILURE',
      '-md5',
      'on',
      '-follow',
      'link',
      '-outdev',
      `stdio:${target}`,
      '-volid',
      volid,
      '-application_id',
      'LIUHEN',
      ...(opts.publisher ? ['-publisher', opts.publisher.slice(0, 120)] : []),
      '-joliet',
      'on',
      '-rockridge',
      'on',
      '-compliance',
      'iso_9660_level=3:joliet_long_names:joliet_long_paths',
      '-map',
      stageDir,
      '/',
      '-commit',
    ],
    {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onSpawn ? { onSpawn: opts.onSpawn } : {}),
      onLine: (l) => {
        const f = progressOf(l)
        if (f !== null) opts.onFraction?.(f)
      },
    },
  )
  if (r.code !== 0) throw new AppError('XORRISO_FAILED', { detail: failureOf(r.out) })
}

export interface Md5Check {
  /** match: recorded MD5 equals what was read; mismatch; missing: no MD5 recorded (not made with -md5 on). */
  session: 'match' | 'mismatch' | 'missing'
  detail: string
}

/**
 * xorriso's own check of the session against the MD5 it recorded (every block of the session, files and
 * directories alike). Only works with `-md5 on` before `-indev`. Files are read back separately against the
 * bag's SHA-256 manifest, so the per-file MD5s (-check_md5_r) would only be a third read of the disc.
 */
export async function checkMd5(target: string, signal?: AbortSignal): Promise<Md5Check> {
  const r = await runXorriso(
    ['-md5', 'on', '-abort_on', 'NEVER', '-indev', target, '-check_md5', 'SORRY', '--'],
    signal ? { signal } : {},
  )
  const out = r.out
  const session = /session data match recorded md5/i.test(out)
    ? 'match'
    : /MD5 MISMATCH|mismatch/i.test(out)
      ? 'mismatch'
      : 'missing'
  const line = out.split('\n').find((l) => /session data|MD5 MISMATCH|No MD5|checksum/i.test(l)) ?? ''
  return { session, detail: line.trim().slice(0, 300) }
}

export interface Extent {
  lba: number
  blocks: number
}
export interface ImageFile {
  path: string
  size: number
  extents: Extent[]
}

/** Undo xorriso's shell-style quoting: 'it'"'"'s' → it's. */
export function unquote(s: string): string {
  let out = ''
  const re = /'([^']*)'|"([^"]*)"/g
  let m
  while ((m = re.exec(s))) out += m[1] ?? m[2] ?? ''
  return out
}

/** Where every file's bytes lie on the image or disc (2048-byte blocks), from `-exec report_lba`. */
export async function listFiles(target: string, signal?: AbortSignal): Promise<ImageFile[]> {
  const r = await runXorriso(
    ['-abort_on', 'FAILURE', '-indev', target, '-find', '/', '-type', 'f', '-exec', 'report_lba', '--'],
    signal ? { signal } : {},
  )
  if (r.code !== 0) throw new AppError('XORRISO_FAILED', { detail: failureOf(r.out) })
  const files = new Map<string, ImageFile>()
  for (const m of r.out.matchAll(
    /^File data lba:\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(.*)$/gm,
  )) {
    const p = unquote(m[5]!)
    const f = files.get(p) ?? { path: p, size: Number(m[4]), extents: [] }
    f.extents[Number(m[1])] = { lba: Number(m[2]), blocks: Number(m[3]) }
    files.set(p, f)
  }
  return [...files.values()]
}

/** The file or device behind a target: xorriso's `stdio:` pseudo-drive names a file the way a drive is named. */
export const devicePath = (target: string) => target.replace(/^stdio:/, '')

/** Stream one file's bytes off the image or disc by its extents. */
export async function* readFile(target: string, f: ImageFile): AsyncGenerator<Buffer> {
  let left = f.size
  for (const x of f.extents) {
    const len = Math.min(left, x.blocks * 2048)
    if (len <= 0) break
    const start = x.lba * 2048
    for await (const chunk of fs.createReadStream(devicePath(target), {
      start,
      end: start + len - 1,
      highWaterMark: 4 << 20,
    }))
      yield chunk as Buffer
    left -= len
  }
  if (left > 0) throw new AppError('VERIFY_FAILED')
}

/** Volume id from the primary volume descriptor (sector 16) and the session's recorded MD5 from its tag. */
export async function identify(target: string): Promise<{ volid: string; sessionMd5: string | null }> {
  const fh = await fs.promises.open(devicePath(target), 'r')
  try {
    const pvd = Buffer.alloc(2048)
    await fh.read(pvd, 0, 2048, 16 * 2048)
    if (pvd[0] !== 1 || pvd.toString('latin1', 1, 6) !== 'CD001') return { volid: '', sessionMd5: null }
    const volid = pvd.toString('latin1', 40, 72).trim()
    // The session tag sits after the last file, before xorriso's padding: look in the image's last MiBs.
    const { size } = await fh.stat()
    const tail = Buffer.alloc(Math.min(size, 4 << 20))
    await fh.read(tail, 0, tail.length, size - tail.length)
    const tag = /libisofs_checksum_tag_v1 pos=\d+ range_start=\d+ range_size=\d+ md5=([0-9a-f]{32})/.exec(
      tail.toString('latin1'),
    )
    return { volid, sessionMd5: tag?.[1] ?? null }
  } finally {
    await fh.close()
  }
}

export interface Drive {
  device: string
  vendor: string
  model: string
}

/** Optical drives xorriso can use ("0  -dev '/dev/sr0' rwrw-- :  'HL-DT-ST' 'DVDRAM GH24NSD1'"). */
export async function listDrives(): Promise<Drive[]> {
  const r = await runXorriso(['-devices'])
  return parseDrives(r.out)
}

export function parseDrives(out: string): Drive[] {
  return [...out.matchAll(/^\s*\d+\s+-dev\s+'([^']+)'\s+\S+\s*:\s*'([^']*)'\s*'([^']*)'/gm)].map((m) => ({
    device: m[1]!,
    vendor: m[2]!.trim(),
    model: m[3]!.trim(),
  }))
}

/** Media in a drive: kind, state and free bytes, from `-toc` and `-tell_media_space`. */
export async function mediaInfo(
  device: string,
): Promise<{ media: string; status: string; freeBytes: number | null }> {
  const r = await runXorriso(['-outdev', device, '-tell_media_space'])
  const media = /Media current:\s*(.*)/.exec(r.out)?.[1]?.trim() ?? ''
  const status = /Media status :\s*(.*)/.exec(r.out)?.[1]?.trim() ?? ''
  const space = /Media space\s*:\s*(\d+)s/.exec(r.out)
  return { media, status, freeBytes: space ? Number(space[1]) * 2048 : null }
}

/** Burn a finished image to a blank disc in `device` (cdrecord emulation, disc-at-once, closed). */
export async function burnImage(
  image: string,
  device: string,
  opts: { signal?: AbortSignal; onFraction?: (f: number) => void; onSpawn?: (pid: number) => void } = {},
): Promise<void> {
  const r = await runXorriso(['-as', 'cdrecord', '-v', `dev=${device}`, '-dao', image], {
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onSpawn ? { onSpawn: opts.onSpawn } : {}),
    onLine: (l) => {
      const f = progressOf(l)
      if (f !== null) opts.onFraction?.(f)
    },
  })
  if (r.code !== 0) throw new AppError('XORRISO_FAILED', { detail: failureOf(r.out) })
}
