import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { describe, expect, test } from 'vitest'

/*
 * The suite checks Liuhen with outside tools — OpenSSL, xorriso, coreutils, poppler, ffmpeg, Chromium — and a
 * check run with a tool that is not there must not pass by default (a negative control "exits non-zero" just as
 * well when the program is missing). The README declares no environment where they may be absent, so each one's
 * absence fails here, naming the Debian package that brings it (.ci/setup installs them).
 */

const TOOLS: [cmd: string, args: string[], pkg: string][] = [
  ['openssl', ['version'], 'openssl'],
  ['xorriso', ['-version'], 'xorriso'],
  ['sha256sum', ['--version'], 'coreutils'],
  ['sha512sum', ['--version'], 'coreutils'],
  ['truncate', ['--version'], 'coreutils'],
  ['pdffonts', ['-v'], 'poppler-utils'],
  ['pdftotext', ['-v'], 'poppler-utils'],
  ['ffmpeg', ['-version'], 'ffmpeg'],
  ['ffprobe', ['-version'], 'ffmpeg'],
  ['mount', ['--version'], 'mount'],
  ['mkfs.ext4', ['-V'], 'e2fsprogs'],
]

describe('the outside tools the tests verify with', () => {
  test.each(TOOLS)('%s runs', (cmd, args, pkg) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' })
    expect(r.error?.message ?? null, `${cmd} is missing: install the Debian package ${pkg}`).toBeNull()
    expect(r.status, `${cmd} ${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0)
  })

  test('Chromium for the browser tests', () => {
    const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
    expect(fs.existsSync(chromium), `${chromium} is missing: install the Debian package chromium`).toBe(true)
  })
})
