import fs from 'node:fs'
import path from 'node:path'

/*
 * ffmpeg and ffprobe the installer carried (resources/bin) are used when present, unless the agency's IT set
 * FFMPEG_PATH / FFPROBE_PATH; otherwise the system's (the deb depends on ffmpeg). Set before the core's worker
 * starts, which takes its environment from here.
 */
export function bundledTools(
  resourcesPath: string,
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
  exists: (file: string) => boolean = fs.existsSync,
): Record<string, string> {
  const found: Record<string, string> = {}
  for (const [name, variable] of [
    ['ffmpeg', 'FFMPEG_PATH'],
    ['ffprobe', 'FFPROBE_PATH'],
  ] as const) {
    const file = path.join(resourcesPath, 'bin', platform === 'win32' ? `${name}.exe` : name)
    if (!env[variable] && exists(file)) found[variable] = file
  }
  return found
}
