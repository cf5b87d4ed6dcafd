import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import Database from 'better-sqlite3'
import { tempDir } from '../helpers/bridge.ts'
import { runLiuhen } from '../helpers/cli.ts'
import { cmsVerify, openssl } from '../helpers/openssl.ts'
import { makeClip, SAMPLES } from '../helpers/media.ts'

/* Signatures checked with OpenSSL alone, as a court or reviewer would, without trusting Liuhen. */

const liuhen = (args: string[], env: Record<string, string> = {}) =>
  runLiuhen(args, { LIUHEN_PASSWORD: 'Admin2026pw', ...env })

const verify = (sig: string, content: string) => cmsVerify(sig, content, root)

const data = path.join(tempDir(), 'agency')
const device = tempDir('liuhen-sigdev-')
const root = path.join(tempDir(), 'root.pem')
let results: { relPath: string; sha256: string; metadata: { signature: string | null } }[] = []

beforeAll(() => {
  expect(
    liuhen([
      'init',
      '--data',
      data,
      '--agency',
      '福州市医疗保障局',
      '--agency-code',
      'FZYBJ',
      '--admin',
      'admin',
    ]).status,
  ).toBe(0)
  expect(
    liuhen(
      [
        'user',
        'add',
        '--data',
        data,
        '--user',
        'lijing',
        '--name',
        '李静',
        '--roles',
        '执法人员',
        '--badge',
        '35010023',
      ],
      { LIUHEN_NEW_PASSWORD: 'Lijing2026pw' },
    ).status,
  ).toBe(0)
  expect(liuhen(['ca', 'init', '--data', data], { LIUHEN_CA_PASSPHRASE: 'RootPass2026' }).status).toBe(0)
  expect(
    liuhen(['ca', 'issue', '--data', data, '--user', 'lijing'], {
      LIUHEN_CA_PASSPHRASE: 'RootPass2026',
      LIUHEN_PIN: '246810',
    }).status,
  ).toBe(0)
  expect(liuhen(['ca', 'export-root', '--data', data, '--out', root]).status).toBe(0)
  makeClip(path.join(device, 'ZD_20261120083015_0001.MP4'))
  fs.copyFileSync(path.join(SAMPLES, 'cameras', 'GoPro.jpg'), path.join(device, 'GoPro.jpg'))
  const r = liuhen(['ingest', device, '--data', data, '--user', 'lijing', '--json'], {
    LIUHEN_PASSWORD: 'Lijing2026pw',
    LIUHEN_PIN: '246810',
  })
  expect(r.status, r.stderr).toBe(0)
  results = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => !l.summary)
})

describe('signatures at ingest', () => {
  test('every ingested file verifies with openssl cms against the exported root, and fails after one byte changes', () => {
    expect(results).toHaveLength(2)
    for (const r of results) {
      const sig = path.join(data, r.metadata.signature!)
      const content = path.join(device, r.relPath)
      const ok = verify(sig, content)
      expect(ok.code, ok.out).toBe(0)
      const altered = path.join(tempDir(), 'altered')
      const bytes = fs.readFileSync(content)
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01
      fs.writeFileSync(altered, bytes)
      expect(verify(sig, altered).code).not.toBe(0)
      const ours = liuhen(['verify-signature', altered, '--sig', sig, '--data', data, '--json'])
      expect(ours.status).toBe(1)
      expect(JSON.parse(ours.stdout).signatures[0]).toMatchObject({ valid: false, digestMatches: false })
    }
  })

  test('liuhen verify-signature finds and checks a file’s signatures with no sign-in', () => {
    const r = liuhen(['verify-signature', path.join(device, 'GoPro.jpg'), '--data', data, '--json'], {
      LIUHEN_PASSWORD: '',
    })
    expect(r.status, r.stdout + r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as {
      ok: boolean
      signatures: { valid: boolean; chainValid: boolean; signerSubject: string }[]
    }
    expect(out.ok).toBe(true)
    expect(out.signatures[0]).toMatchObject({ valid: true, chainValid: true })
    expect(out.signatures[0]!.signerSubject).toContain('CN=李静')
  })

  test('Chinese names survive the round trip through OpenSSL', () => {
    const sig = path.join(data, results[0]!.metadata.signature!)
    const certs = execFileSync('openssl', ['pkcs7', '-inform', 'DER', '-in', sig, '-print_certs'], {
      encoding: 'utf8',
    })
    const officer = certs
      .split(/(?=-----BEGIN CERTIFICATE-----)/)
      .find((c) => c.includes('BEGIN CERTIFICATE'))!
    const file = path.join(tempDir(), 'officer.pem')
    fs.writeFileSync(file, officer.slice(officer.indexOf('-----BEGIN')))
    const subject = execFileSync(
      'openssl',
      ['x509', '-in', file, '-noout', '-subject', '-issuer', '-nameopt', 'utf8'],
      { encoding: 'utf8' },
    )
    expect(subject).toContain('CN=李静')
    expect(subject).toContain('O=福州市医疗保障局')
    expect(subject).toContain('serialNumber=35010023')
    expect(subject).toContain('CN=福州市医疗保障局电子证据根证书')
  })

  test('private keys are never stored in the clear', () => {
    const db = new Database(path.join(data, 'liuhen.db'), { readonly: true })
    const rows = db.prepare('SELECT kind, key_blob FROM certificates').all() as {
      kind: string
      key_blob: string
    }[]
    db.close()
    const rootRow = rows.find((r) => r.kind === 'root')!
    expect(rootRow.key_blob).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/)
    const p12 = path.join(tempDir(), 'officer.p12')
    fs.writeFileSync(p12, Buffer.from(rows.find((r) => r.kind === 'officer')!.key_blob, 'base64'))
    // The container has no MAC (key-containers.ts), so the proof is decrypting the key bag itself.
    const key = (pass: string) =>
      openssl(['pkcs12', '-in', p12, '-passin', `pass:${pass}`, '-nocerts', '-nodes'])
    expect(key('wrong').code).not.toBe(0)
    expect(key('246810')).toMatchObject({ code: 0, out: expect.stringContaining('BEGIN PRIVATE KEY') })
  })

  test('a wrong PIN stops the ingest before it starts', () => {
    const r = liuhen(['ingest', device, '--data', data, '--user', 'lijing'], {
      LIUHEN_PASSWORD: 'Lijing2026pw',
      LIUHEN_PIN: '000000',
    })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('证书口令（PIN）错误')
  })
})
