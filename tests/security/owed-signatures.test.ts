import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { tempDir } from '../helpers/bridge.ts'
import { randomFile, sha256sum } from '../helpers/media.ts'
import { cliAgency, lastJson, ok, runLiuhen } from '../helpers/cli.ts'
import { dataLayout } from '../../electron/core/paths.ts'
import type { IntegrityReport } from '../../shared/integrity.ts'

/*
 * A record registered by a signed ingest but left without its signature (killed, or the disk full, between the
 * evidence row and the .p7s) must not pass verify as if all were well, and must not stay unsigned for ever.
 */

const JILU = { LIUHEN_PASSWORD: 'Jilu2026pw' }
const PIN = '246810'

test('verify names a record a signed batch left unsigned; re-ingesting with the PIN signs it', () => {
  const data = tempDir('liuhen-owed-')
  cliAgency(data, [['jilu', '王记录', 'records_officer', '', 'Jilu2026pw']], { user: 'jilu', pin: PIN })
  const device = tempDir('liuhen-owed-dev-')
  for (let i = 0; i < 3; i++) randomFile(path.join(device, `rec${i}.wav`), 40_000 + i)
  const victim = sha256sum(path.join(device, 'rec1.wav'))
  // The signature of this one record cannot be written (its folder's name is taken by a file), exactly as when
  // the disk fills or the process dies after the evidence row: the record is registered, its signature is not.
  const sigDir = path.join(dataLayout(data).signatures, victim.slice(0, 2))
  fs.mkdirSync(sigDir, { recursive: true })
  fs.writeFileSync(path.join(sigDir, victim), 'in the way')
  const first = ok(
    runLiuhen(['ingest', device, '--data', data, '--user', 'jilu', '--json'], { ...JILU, LIUHEN_PIN: PIN }),
  )
  const stored = first.stdout
    .trim()
    .split('\n')
    .map(
      (l) => JSON.parse(l) as { relPath?: string; evidenceId?: string; metadata?: { signature?: unknown } },
    )
  const victimId = stored.find((r) => r.relPath === 'rec1.wav')!.evidenceId!
  expect(stored.find((r) => r.relPath === 'rec1.wav')!.metadata!.signature).toBeNull()
  fs.rmSync(path.join(sigDir, victim))

  const bad = runLiuhen(['verify', '--data', data, '--json'])
  expect(bad.status, bad.stdout + bad.stderr).toBe(1)
  const report = lastJson<IntegrityReport>(bad)
  expect(report.problems).toEqual([
    expect.objectContaining({ check: 'signatures', kind: 'unsigned', table: 'evidence', id: victimId }),
  ])
  expect(runLiuhen(['verify', '--data', data]).stdout).toContain('该记录没有签名')

  // Without a PIN nothing can be signed: the record stays reported.
  ok(runLiuhen(['ingest', device, '--data', data, '--user', 'jilu', '--json'], JILU))
  expect(runLiuhen(['verify', '--data', data]).status).toBe(1)

  // With the PIN, the record met again ("already") is signed now, and only that one.
  const again = ok(
    runLiuhen(['ingest', device, '--data', data, '--user', 'jilu', '--json'], { ...JILU, LIUHEN_PIN: PIN }),
  )
  const results = again.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { relPath?: string; status?: string; metadata?: { signature?: unknown } })
    .filter((r) => r.relPath)
  expect(results.map((r) => r.status)).toEqual(['already', 'already', 'already'])
  expect(results.filter((r) => r.metadata?.signature).map((r) => r.relPath)).toEqual(['rec1.wav'])
  const good = runLiuhen(['verify', '--data', data, '--json'])
  expect(good.status, good.stdout + good.stderr).toBe(0)
  expect(lastJson<IntegrityReport>(good).checked.signatures).toBe(3)
})
