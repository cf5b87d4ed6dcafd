import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { refuseOutputInDataFolder } from '../../electron/core/ingest/source-guard.ts'
import { dataLayout } from '../../electron/core/paths.ts'
import { testCore } from '../helpers/core.ts'
import { tempDir } from '../helpers/bridge.ts'
import { agency, newCase, type Person } from '../helpers/agency.ts'

/*
 * Exports, archive packages, disc images, image files and backups are never written into a data folder (nor,
 * except a backup into its own earlier backup, into a backup of one): the copies would sit among the vault's
 * files, and a backup would back itself up. Found by reading the contract: every absolute output path was taken
 * as given. Refused with OUT_IN_DATA_FOLDER before anything is written.
 */

const dataDir = tempDir('liuhen-outputs-')
const t = testCore(dataDir)
afterAll(() => t.core.close())
let p: Record<'jilu' | 'li' | 'zhang', Person>
let admin = ''
let caseId = ''

beforeAll(async () => {
  ;({ admin, p } = await agency(t, {
    jilu: ['records_officer'],
    li: ['enforcement_officer'],
    zhang: ['enforcement_officer'],
  }))
  caseId = await newCase(t, p.jilu, [p.li, p.zhang])
})

// A backup is the administrator's; packages and images the records officer's.
const code = async (method: 'backup.run' | 'archive.build' | 'archive.image', input: object) =>
  (await t.fail(method, input as never, method === 'backup.run' ? admin : p.jilu.session)).code

describe('outputs stay outside the data folder', () => {
  test('a backup into the data folder, or through a link into it, is refused and writes nothing', async () => {
    const inside = path.join(dataDir, 'backup-here', 'nested')
    expect(await code('backup.run', { target: inside })).toBe('OUT_IN_DATA_FOLDER')
    expect(fs.existsSync(path.join(dataDir, 'backup-here'))).toBe(false)
    expect(await code('backup.run', { target: path.join(dataDir, 'vault') })).toBe('OUT_IN_DATA_FOLDER')
    const link = path.join(tempDir('liuhen-outputs-link-'), 'to-data')
    fs.symlinkSync(dataDir, link)
    expect(await code('backup.run', { target: path.join(link, 'x') })).toBe('OUT_IN_DATA_FOLDER')
    // Control: outside it the backup runs, and runs again into the same (now a backup) folder.
    const target = path.join(tempDir('liuhen-outputs-backup-'), '备份')
    expect((await t.call('backup.run', { target }, admin)).target).toBe(target)
    expect((await t.call('backup.run', { target }, admin)).target).toBe(target)
    // An archive package or disc images go neither into the data folder nor into that backup.
    for (const outDir of [path.join(dataDir, 'pkg'), path.join(target, 'pkg')]) {
      expect(await code('archive.build', { caseId, outDir })).toBe('OUT_IN_DATA_FOLDER')
      expect(await code('archive.image', { caseId, media: 'bd25', outDir })).toBe('OUT_IN_DATA_FOLDER')
      expect(fs.existsSync(outDir)).toBe(false)
    }
  })

  test('the guard checks the nearest existing folder, links followed', () => {
    const layout = dataLayout(dataDir)
    const outside = tempDir('liuhen-outputs-free-')
    expect(() => refuseOutputInDataFolder(layout, path.join(outside, 'a', 'b', 'c'))).not.toThrow()
    expect(() => refuseOutputInDataFolder(layout, path.join(dataDir, 'a', 'b'))).toThrow('OUT_IN_DATA_FOLDER')
    expect(() => refuseOutputInDataFolder(layout, dataDir, { backup: true })).toThrow('OUT_IN_DATA_FOLDER')
    // A folder holding a copy of a data folder (its liuhen.db) is one too, for everything but a backup.
    const copy = tempDir('liuhen-outputs-copy-')
    fs.writeFileSync(path.join(copy, 'liuhen.db'), '')
    expect(() => refuseOutputInDataFolder(layout, path.join(copy, '导出'))).toThrow('OUT_IN_DATA_FOLDER')
    expect(() => refuseOutputInDataFolder(layout, copy, { backup: true })).not.toThrow()
  })
})
