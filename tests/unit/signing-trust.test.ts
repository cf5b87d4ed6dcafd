import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import Database from 'better-sqlite3'
import { tempDir } from '../helpers/bridge.ts'
import { ok, runLiuhen } from '../helpers/cli.ts'
import { atTestTime, cmsVerify, openssl, opensslOnTestDay } from '../helpers/openssl.ts'
import { makeClip, SAMPLES } from '../helpers/media.ts'
import { startTsa, type RunningTsa } from '../helpers/tsa.ts'

/*
 * Time-stamps, 国密, revocation and imported CAs, each checked with OpenSSL alone where an outsider would:
 * `openssl ts -verify`, `openssl dgst -sm3 -sigopt distid:1234567812345678`, `openssl verify -crl_check`.
 */

const ADMIN = { LIUHEN_PASSWORD: 'Admin2026pw' }
const OFFICER = { LIUHEN_PASSWORD: 'Lijing2026pw', LIUHEN_PIN: '246810' }

/** A fresh agency with one officer (李静) and, unless `ca` is false, a root of the given algorithm. */
function agency(opts: { algorithm?: 'rsa' | 'sm2'; ca?: boolean } = {}) {
  const data = path.join(tempDir(), 'agency')
  ok(
    runLiuhen(
      ['init', '--data', data, '--agency', '福州市医疗保障局', '--agency-code', 'FZYBJ', '--admin', 'admin'],
      ADMIN,
    ),
  )
  ok(
    runLiuhen(
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
      { ...ADMIN, LIUHEN_NEW_PASSWORD: 'Lijing2026pw' },
    ),
  )
  if (opts.ca !== false) {
    ok(
      runLiuhen(['ca', 'init', '--data', data, '--algorithm', opts.algorithm ?? 'rsa'], {
        ...ADMIN,
        LIUHEN_CA_PASSPHRASE: 'RootPass2026',
      }),
    )
    ok(
      runLiuhen(['ca', 'issue', '--data', data, '--user', 'lijing'], {
        ...ADMIN,
        LIUHEN_CA_PASSPHRASE: 'RootPass2026',
        LIUHEN_PIN: '246810',
      }),
    )
  }
  const root = path.join(tempDir(), 'root.pem')
  if (opts.ca !== false) ok(runLiuhen(['ca', 'export-root', '--data', data, '--out', root], ADMIN))
  return { data, root }
}

interface Ingested {
  relPath: string
  metadata: { signature: string | null }
}

function ingest(data: string, device: string): Ingested[] {
  const r = ok(runLiuhen(['ingest', device, '--data', data, '--user', 'lijing', '--json'], OFFICER))
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Ingested & { summary?: boolean })
    .filter((l) => !l.summary)
}

function verifyJson(data: string, file: string) {
  const r = runLiuhen(['verify-signature', file, '--data', data, '--json'])
  return {
    status: r.status,
    out: JSON.parse(r.stdout) as {
      ok: boolean
      signatures: {
        valid: boolean
        algorithm: string
        signerSerial: string
        timestamp: { status: string; time: string | null }
        revocation: { status: string }
      }[]
    },
  }
}

function altered(file: string): string {
  const out = path.join(tempDir(), path.basename(file))
  const bytes = fs.readFileSync(file)
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01
  fs.writeFileSync(out, bytes)
  return out
}

/** The officer certificate a .p7s carries (the first one), as a PEM file. */
function officerPem(p7s: string): string {
  const all = execFileSync('openssl', ['pkcs7', '-inform', 'DER', '-in', p7s, '-print_certs'], {
    encoding: 'utf8',
  })
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(all)![0]
  const file = path.join(tempDir(), 'officer.pem')
  fs.writeFileSync(file, first)
  return file
}

let tsa: RunningTsa
beforeAll(async () => {
  tsa = await startTsa()
})
afterAll(async () => {
  await tsa?.stop()
})

describe('RFC 3161 time-stamps', () => {
  test('no TSA answering leaves the signature "pending"; a retry gets a token that openssl ts -verify accepts', () => {
    const { data } = agency()
    // Nothing listens on port 9 of the loopback: the service is "down" during the ingest.
    ok(
      runLiuhen(
        ['timestamp', 'config', '--data', data, '--url', 'http://127.0.0.1:9/tsa', '--ca', tsa.caPem],
        ADMIN,
      ),
    )
    const device = tempDir('liuhen-tsdev-')
    makeClip(path.join(device, 'ZD_20261120083015_0001.MP4'))
    fs.copyFileSync(path.join(SAMPLES, 'cameras', 'GoPro.jpg'), path.join(device, 'GoPro.jpg'))
    const results = ingest(data, device)
    expect(results).toHaveLength(2)
    for (const r of results) {
      const v = verifyJson(data, path.join(device, r.relPath))
      expect(v.status).toBe(0) // the signature itself is valid; the time-stamp only waits
      expect(v.out.signatures[0]!.timestamp.status).toBe('pending')
    }

    ok(runLiuhen(['timestamp', 'config', '--data', data, '--url', tsa.url], ADMIN))
    const retry = ok(runLiuhen(['timestamp', 'retry', '--data', data, '--json'], ADMIN))
    expect(JSON.parse(retry.stdout)).toMatchObject({ granted: 2, pending: 0 })

    for (const r of results) {
      const content = path.join(device, r.relPath)
      const tsr = path.join(data, r.metadata.signature!.replace(/\.p7s$/, '.tsr'))
      const good = openssl(['ts', '-verify', '-in', tsr, '-data', content, '-CAfile', tsa.caPem])
      expect(good.code, good.out).toBe(0)
      expect(good.out).toContain('Verification: OK')
      expect(
        openssl(['ts', '-verify', '-in', tsr, '-data', altered(content), '-CAfile', tsa.caPem]).code,
      ).not.toBe(0)
      const v = verifyJson(data, content)
      expect(v.out.signatures[0]!.timestamp.status).toBe('granted')
    }
  })
})

describe('国密 SM2 with SM3', () => {
  const ctx = agency({ algorithm: 'sm2' })
  const device = tempDir('liuhen-sm2dev-')
  let results: Ingested[] = []
  beforeAll(() => {
    makeClip(path.join(device, 'ZD_20261121093000_0002.MP4'))
    results = ingest(ctx.data, device)
  })

  test('the SM2 signature verifies with openssl dgst -sm3 -sigopt distid:1234567812345678, over the file’s SM3', () => {
    const content = path.join(device, results[0]!.relPath)
    const p7s = path.join(ctx.data, results[0]!.metadata.signature!)
    const base = p7s.replace(/\.p7s$/, '')
    const pub = path.join(tempDir(), 'officer.pub')
    fs.writeFileSync(pub, execFileSync('openssl', ['x509', '-in', officerPem(p7s), '-pubkey', '-noout']))
    const v = openssl([
      'dgst',
      '-sm3',
      '-verify',
      pub,
      '-sigopt',
      'distid:1234567812345678',
      '-signature',
      `${base}.sm2-signature.der`,
      `${base}.sm2-signed-attrs.der`,
    ])
    expect(v.code, v.out).toBe(0)
    expect(v.out).toContain('Verified OK')
    // The signed attributes carry the SM3 of the file itself.
    const attrs = execFileSync(
      'openssl',
      ['asn1parse', '-inform', 'DER', '-in', `${base}.sm2-signed-attrs.der`],
      {
        encoding: 'utf8',
      },
    )
    const sm3 = execFileSync('openssl', ['dgst', '-sm3', '-r', content], { encoding: 'utf8' }).split(' ')[0]!
    expect(attrs.toLowerCase()).toContain(sm3)
    // The wrong user ID does not verify: the standard one is really what was used.
    expect(
      openssl([
        'dgst',
        '-sm3',
        '-verify',
        pub,
        '-sigopt',
        'distid:0000000000000000',
        '-signature',
        `${base}.sm2-signature.der`,
        `${base}.sm2-signed-attrs.der`,
      ]).code,
    ).not.toBe(0)
  })

  test('SM2 certificates carry UTF-8 Chinese names and chain to the SM2 root in OpenSSL', () => {
    const officer = officerPem(path.join(ctx.data, results[0]!.metadata.signature!))
    const text = execFileSync(
      'openssl',
      ['x509', '-in', officer, '-noout', '-subject', '-issuer', '-text', '-nameopt', 'utf8'],
      {
        encoding: 'utf8',
      },
    )
    expect(text).toContain('CN=李静')
    expect(text).toContain('O=福州市医疗保障局')
    expect(text).toContain('SM2-with-SM3')
    const v = openssl([
      'verify',
      ...atTestTime(),
      '-vfyopt',
      'distid:1234567812345678',
      '-CAfile',
      ctx.root,
      officer,
    ])
    expect(v.code, v.out).toBe(0)
  })

  test('liuhen verify-signature checks SM2 signatures and catches one changed byte', () => {
    const content = path.join(device, results[0]!.relPath)
    const good = verifyJson(ctx.data, content)
    expect(good.status).toBe(0)
    expect(good.out.signatures[0]).toMatchObject({ valid: true, algorithm: 'SM2-SM3' })
    const p7s = path.join(ctx.data, results[0]!.metadata.signature!)
    const bad = runLiuhen(['verify-signature', altered(content), '--sig', p7s, '--data', ctx.data, '--json'])
    expect(bad.status).toBe(1)
  })

  test('private keys are stored encrypted: OpenSSL opens them only with the PIN', () => {
    const db = new Database(path.join(ctx.data, 'liuhen.db'), { readonly: true })
    const rows = db.prepare('SELECT kind, key_blob FROM certificates').all() as {
      kind: string
      key_blob: string
    }[]
    db.close()
    // The agency root and the officer's key, at least: each must open only with its own secret.
    expect(rows.map((r) => r.kind)).toContain('root')
    expect(rows.length).toBeGreaterThanOrEqual(2)
    for (const r of rows) {
      expect(r.key_blob).toContain('BEGIN ENCRYPTED PRIVATE KEY')
      const file = path.join(tempDir(), 'key.pem')
      fs.writeFileSync(file, r.key_blob)
      const pass = r.kind === 'root' ? 'RootPass2026' : '246810'
      expect(openssl(['pkey', '-in', file, '-passin', `pass:${pass}`, '-noout']).code).toBe(0)
      expect(openssl(['pkey', '-in', file, '-passin', 'pass:wrong-pass', '-noout']).code).not.toBe(0)
    }
  })
})

describe('revocation and the published CRL', () => {
  test('a revoked certificate is on the CRL OpenSSL checks, cannot sign, and its unstamped signatures turn invalid', () => {
    const { data, root } = agency()
    const device = tempDir('liuhen-revdev-')
    fs.copyFileSync(path.join(SAMPLES, 'cameras', 'GoPro.jpg'), path.join(device, 'GoPro.jpg'))
    const [r] = ingest(data, device)
    const content = path.join(device, r!.relPath)
    const before = verifyJson(data, content)
    expect(before.status).toBe(0)
    const serial = before.out.signatures[0]!.signerSerial

    const rev = ok(
      runLiuhen(['ca', 'revoke', '--data', data, '--serial', serial, '--reason', 'keyCompromise', '--json'], {
        ...ADMIN,
        LIUHEN_CA_PASSPHRASE: 'RootPass2026',
      }),
    )
    expect(JSON.parse(rev.stdout).certificate.status).toBe('revoked')
    const crl = path.join(tempDir(), 'agency.crl')
    ok(runLiuhen(['ca', 'export-crl', '--data', data, '--out', crl]))
    const crlText = openssl(['crl', '-inform', 'DER', '-in', crl, '-CAfile', root, '-noout', '-text'])
    expect(crlText.code, crlText.out).toBe(0)
    expect(crlText.out).toContain('verify OK')
    expect(crlText.out.toLowerCase().replace(/:/g, '')).toContain(serial)
    expect(crlText.out).toContain('Key Compromise')

    const crlPem = path.join(tempDir(), 'agency.crl.pem')
    fs.writeFileSync(crlPem, execFileSync('openssl', ['crl', '-inform', 'DER', '-in', crl]))
    const officer = officerPem(path.join(data, r!.metadata.signature!))
    const check = openssl([
      'verify',
      ...atTestTime(),
      '-crl_check',
      '-CRLfile',
      crlPem,
      '-CAfile',
      root,
      officer,
    ])
    expect(check.code).not.toBe(0)
    expect(check.out).toContain('certificate revoked')

    const after = verifyJson(data, content)
    expect(after.status).toBe(1)
    expect(after.out.signatures[0]!.revocation.status).toBe('revoked')

    const next = tempDir('liuhen-revdev2-')
    makeClip(path.join(next, 'ZD_20261122100000_0003.MP4'))
    const refused = runLiuhen(['ingest', next, '--data', data, '--user', 'lijing', '--json'], OFFICER)
    expect(refused.status).toBe(1)
    expect(refused.stdout).toContain('NO_CERTIFICATE')
  })

  test('renewal gives the officer a new certificate; the old signatures stay valid', () => {
    const { data } = agency()
    const device = tempDir('liuhen-rendev-')
    fs.copyFileSync(path.join(SAMPLES, 'cameras', 'GoPro.jpg'), path.join(device, 'GoPro.jpg'))
    ingest(data, device)
    const renewed = ok(
      runLiuhen(['ca', 'renew', '--data', data, '--user', 'lijing', '--json'], {
        ...ADMIN,
        LIUHEN_CA_PASSPHRASE: 'RootPass2026',
        LIUHEN_PIN: '135790',
      }),
    )
    expect(JSON.parse(renewed.stdout).certificate.status).toBe('valid')
    expect(verifyJson(data, path.join(device, 'GoPro.jpg')).status).toBe(0)
    const list = ok(runLiuhen(['cert', 'list', '--data', data, '--json'], ADMIN))
    const officers = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string })
      .filter((c) => c.kind === 'officer')
    expect(officers).toHaveLength(2)
    const audit = new Database(path.join(data, 'liuhen.db'), { readonly: true })
    expect(audit.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'ca.renew'").get()).toEqual({
      n: 1,
    })
    audit.close()
  })
})

describe("an agency's own CA", () => {
  test('its chain and an officer’s PKCS#12 are imported; signatures verify against that CA with OpenSSL', () => {
    const { data } = agency({ ca: false })
    const dir = tempDir('liuhen-extca-')
    const run = (args: string[]) => opensslOnTestDay(args, dir)
    run([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3650',
      '-utf8',
      '-subj',
      '/C=CN/O=福建省数字证书认证中心/CN=测试根CA',
      '-addext',
      'basicConstraints=critical,CA:true',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ])
    run([
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'lj.key',
      '-out',
      'lj.csr',
      '-utf8',
      '-subj',
      '/C=CN/O=福州市医疗保障局/CN=李静',
    ])
    fs.writeFileSync(
      path.join(dir, 'ext.cnf'),
      'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\n',
    )
    run([
      'x509',
      '-req',
      '-in',
      'lj.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '700',
      '-extfile',
      'ext.cnf',
      '-out',
      'lj.pem',
    ])
    run([
      'pkcs12',
      '-export',
      '-inkey',
      'lj.key',
      '-in',
      'lj.pem',
      '-certfile',
      'ca.pem',
      '-passout',
      'pass:Ukey2026',
      '-out',
      'lj.p12',
    ])

    // Before the CA is trusted, its certificates are refused.
    const early = runLiuhen(
      ['cert', 'import', '--data', data, '--user', 'lijing', '--p12', path.join(dir, 'lj.p12'), '--json'],
      {
        ...ADMIN,
        LIUHEN_PIN: 'Ukey2026',
      },
    )
    expect(early.status).toBe(1)
    expect(early.stdout).toContain('NOT_TRUSTED')

    ok(runLiuhen(['ca', 'import', '--data', data, '--chain', path.join(dir, 'ca.pem')], ADMIN))
    ok(
      runLiuhen(['cert', 'import', '--data', data, '--user', 'lijing', '--p12', path.join(dir, 'lj.p12')], {
        ...ADMIN,
        LIUHEN_PIN: 'Ukey2026',
      }),
    )
    const device = tempDir('liuhen-extdev-')
    fs.copyFileSync(path.join(SAMPLES, 'cameras', 'GoPro.jpg'), path.join(device, 'GoPro.jpg'))
    const res = ok(
      runLiuhen(['ingest', device, '--data', data, '--user', 'lijing', '--json'], {
        ...OFFICER,
        LIUHEN_PIN: 'Ukey2026',
      }),
    )
    const sig = (JSON.parse(res.stdout.trim().split('\n')[0]!) as Ingested).metadata.signature!
    const v = cmsVerify(path.join(data, sig), path.join(device, 'GoPro.jpg'), path.join(dir, 'ca.pem'))
    expect(v.code, v.out).toBe(0)
    const exported = path.join(tempDir(), 'anchors.pem')
    ok(runLiuhen(['ca', 'export-root', '--data', data, '--out', exported], ADMIN))
    expect(fs.readFileSync(exported, 'utf8')).toBe(fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'))
  })
})

describe('signed checkpoints of the audit trail', () => {
  test('each signed batch leaves a checkpoint OpenSSL verifies; cutting the tail off the trail is reported', () => {
    const { data, root } = agency()
    ok(runLiuhen(['timestamp', 'config', '--data', data, '--url', tsa.url, '--ca', tsa.caPem], ADMIN))
    const device = tempDir('liuhen-cpdev-')
    fs.copyFileSync(path.join(SAMPLES, 'cameras', 'GoPro.jpg'), path.join(device, 'GoPro.jpg'))
    ingest(data, device)
    const dir = path.join(data, 'checkpoints')
    const statements = fs.readdirSync(dir).filter((n) => n.endsWith('.txt'))
    expect(statements.length).toBeGreaterThanOrEqual(1)
    const base = path.join(dir, statements[0]!.replace(/\.txt$/, ''))
    const cms = cmsVerify(`${base}.p7s`, `${base}.txt`, root)
    expect(cms.code, cms.out).toBe(0)
    const ts = openssl(['ts', '-verify', '-in', `${base}.tsr`, '-data', `${base}.txt`, '-CAfile', tsa.caPem])
    expect(ts.code, ts.out).toBe(0)

    const good = ok(runLiuhen(['audit', 'verify', '--data', data, '--json']))
    expect(JSON.parse(good.stdout)).toMatchObject({ ok: true })
    expect(JSON.parse(good.stdout).checkpoints).toBeGreaterThanOrEqual(1)

    // Someone with the database file cuts the newest events off: the chain that is left is still intact.
    const seq = Number(/^seq: (\d+)$/m.exec(fs.readFileSync(`${base}.txt`, 'utf8'))![1])
    const db = new Database(path.join(data, 'liuhen.db'))
    db.prepare('DELETE FROM audit_events WHERE seq >= ?').run(seq - 1)
    db.prepare('DELETE FROM audit_checkpoints').run()
    db.close()
    const cut = runLiuhen(['audit', 'verify', '--data', data, '--json'])
    expect(cut.status).toBe(1)
    const report = JSON.parse(cut.stdout) as { ok: boolean; problems: { seq: number; reason: string }[] }
    expect(report.problems).toContainEqual(expect.objectContaining({ seq, reason: 'truncated' }))
    // The station-signed anchor log (audit-anchor.ts) names the same cut, with how many events are gone.
    expect(report.problems.every((p) => p.reason === 'truncated' || p.reason === 'anchor_truncated')).toBe(
      true,
    )
  })
})
