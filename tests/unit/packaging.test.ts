import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { bundledTools } from '../../electron/main/tools.ts'
import { defaultDataDir } from '../../electron/core/paths.ts'
import { REPO } from '../helpers/bridge.ts'

/*
 * electron-builder.yml, checked by what runs here: electron-builder's own configuration validator (its JSON schema
 * and deprecation rules), the targets and architectures 信创 desktops and Windows need, the icons it points at, the
 * native module's treatment. Building the installers needs an Electron zip, which this machine cannot download.
 */

const require = createRequire(import.meta.url)
const yaml = require('js-yaml') as { load(text: string): unknown }
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>
}

interface Target {
  target: string
  arch: string[]
}
const config = yaml.load(fs.readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8')) as {
  appId: string
  productName: string
  asarUnpack: string[]
  npmRebuild: boolean
  fileAssociations: unknown[]
  linux: { target: Target[]; icon: string }
  deb: { depends: string[] }
  win: { target: Target[]; icon: string }
  nsis: { deleteAppDataOnUninstall: boolean; perMachine: boolean }
}

describe('electron-builder.yml', () => {
  test('passes electron-builder’s own validation', async () => {
    await expect(validateConfiguration(config, { isEnabled: false, add() {} })).resolves.toBeUndefined()
    // And the validator does reject what is wrong, so the pass means something.
    await expect(
      validateConfiguration(
        { ...config, linux: { ...config.linux, targett: 'deb' } },
        { isEnabled: false, add() {} },
      ),
    ).rejects.toThrow(/configuration\.linux/)
  })

  test('deb and AppImage for x64 and arm64, NSIS for Windows, the Chinese product name, no file associations', () => {
    expect(config.appId).toBe('cn.liuhen.evidence')
    expect(config.productName).toBe('留痕')
    expect(config.fileAssociations).toEqual([])
    const linux = Object.fromEntries(config.linux.target.map((t) => [t.target, [...t.arch].sort()]))
    expect(linux).toEqual({ deb: ['arm64', 'x64'], AppImage: ['arm64', 'x64'] })
    expect(config.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }])
    expect(config.deb.depends).toEqual(expect.arrayContaining(['xorriso', 'ffmpeg', 'fonts-noto-cjk']))
    // The evidence outlives the program: uninstalling never takes the data folder with it.
    expect(config.nsis).toMatchObject({ deleteAppDataOnUninstall: false, perMachine: true })
    // better-sqlite3 is rebuilt for Electron's ABI at packaging time and loaded from outside the asar.
    expect(config.npmRebuild).toBe(true)
    expect(config.asarUnpack).toContain('**/node_modules/better-sqlite3/**')
  })

  test('the icons are there, square PNGs for Linux and a 256-pixel ICO for Windows', () => {
    const sizes = fs.readdirSync(path.join(REPO, config.linux.icon)).filter((f) => f.endsWith('.png'))
    expect(sizes).toEqual(
      expect.arrayContaining(['16x16.png', '32x32.png', '48x48.png', '256x256.png', '512x512.png']),
    )
    for (const f of sizes) {
      const n = Number(f.split('x')[0])
      const probe = execFileSync(
        'ffprobe',
        [
          '-v',
          'error',
          '-show_entries',
          'stream=width,height',
          '-of',
          'csv=p=0',
          path.join(REPO, config.linux.icon, f),
        ],
        { encoding: 'utf8' },
      ).trim()
      expect(probe).toBe(`${n},${n}`)
    }
    const ico = fs.readFileSync(path.join(REPO, config.win.icon))
    // ICONDIR: reserved 0, type 1 (icon), first entry width byte 0 meaning 256.
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico[6]]).toEqual([0, 1, 0])
  })

  test('the installer’s own ffmpeg is used when present, unless IT configured another', () => {
    const present = (f: string) => f.includes(`${path.sep}bin${path.sep}`)
    expect(bundledTools('/opt/留痕/resources', 'linux', {}, present)).toEqual({
      FFMPEG_PATH: path.join('/opt/留痕/resources', 'bin', 'ffmpeg'),
      FFPROBE_PATH: path.join('/opt/留痕/resources', 'bin', 'ffprobe'),
    })
    expect(
      bundledTools('C:\\Program Files\\留痕\\resources', 'win32', { FFMPEG_PATH: 'D:\\ffmpeg.exe' }, present),
    ).toEqual({ FFPROBE_PATH: path.join('C:\\Program Files\\留痕\\resources', 'bin', 'ffprobe.exe') })
    expect(bundledTools('/opt/x', 'linux', {}, () => false)).toEqual({})
  })

  test('the packaged app ships only the native module from node_modules', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      main: string
      dependencies: Record<string, string>
    }
    expect(Object.keys(pkg.dependencies)).toEqual(['better-sqlite3'])
    expect(pkg.main).toBe('out/main/index.js')
  })

  test('the data folder is absolute even when the desktop leaves XDG_DATA_HOME or APPDATA empty', () => {
    expect(path.isAbsolute(defaultDataDir({ XDG_DATA_HOME: '' }, 'linux'))).toBe(true)
    expect(defaultDataDir({ XDG_DATA_HOME: '' }, 'linux')).toMatch(/\.local[\\/]share[\\/]liuhen$/)
    expect(defaultDataDir({ APPDATA: '' }, 'win32')).toMatch(/AppData[\\/]Roaming[\\/]Liuhen$/)
  })
})
