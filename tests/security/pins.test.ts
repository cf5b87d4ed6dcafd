import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import forge from 'node-forge'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { fromPkcs12 } from '../../electron/core/signing/x509.ts'
import { encryptedKeyDer, kdfOf } from '../../electron/core/signing/key-containers.ts'
import { REPO, tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { openssl } from '../helpers/openssl.ts'

/*
 * Attack (issue 17 item 11): officers' PKCS#12 and the root key were wrapped with 2048 PBKDF2 rounds, so a
 * 6-digit PIN fell in seconds from a copy of the database; online, wrong PINs were neither limited nor
 * audited; and the data folder was readable by every local user. Now: every key container is PBKDF2-SHA256
 * at 600 000 rounds (read by the real openssl), wrong PINs lock signing after five, audited, and the data
 * folder is 0700 with its database files 0600 whatever the umask.
 */

let t: ReturnType<typeof testCore>
let admin: string
let officer: string
let officerId: string

const keyBlobs = () => {
  const db = new Database(path.join(t.dataDir, 'liuhen.db'), { readonly: true })
  try {
    return db.prepare('SELECT id, kind, key_blob, user_id FROM certificates ORDER BY created_at').all() as {
      id: string
      kind: string
      key_blob: string
      user_id: string | null
    }[]
  } finally {
    db.close()
  }
}
const officerP12 = () => {
  const row = keyBlobs()
    .filter((r) => r.kind === 'officer' && r.user_id === officerId)
    .pop()!
  const file = path.join(tempDir(), 'officer.p12')
  fs.writeFileSync(file, Buffer.from(row.key_blob, 'base64'))
  return { file, row }
}

beforeAll(async () => {
  t = testCore()
  admin = await t.adminSession()
  const u = await t.userSession(admin, 'lijing', ['enforcement_officer'])
  officer = u.session
  officerId = u.user.id
  await t.call('ca.init', { passphrase: 'RootPass2026' }, admin)
  await t.call('ca.issue', { userId: officerId, rootPassphrase: 'RootPass2026', pin: '246810' }, admin)
})

afterAll(() => t?.core.close())

describe('offline: a copied database gives a PIN guess a modern cost', () => {
  test('the officer PKCS#12 is PBES2 / PBKDF2-HMAC-SHA256 / 600 000 / AES-256-CBC, and openssl opens it', () => {
    const { file } = officerP12()
    const info = openssl(['pkcs12', '-info', '-in', file, '-passin', 'pass:246810', '-nodes'])
    expect(info.code, info.out).toBe(0)
    expect(info.out).toContain(
      'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 600000, PRF hmacWithSHA256',
    )
    expect(info.out).toContain('BEGIN PRIVATE KEY')
    // No MAC: nothing keyed from the PIN is cheaper to test than the key bag.
    expect(info.out).toContain('MAC is absent')
    expect(openssl(['pkcs12', '-in', file, '-passin', 'pass:246811', '-nocerts', '-nodes']).code).not.toBe(0)
  })

  test('the root key is encrypted PKCS#8 at the same cost, and openssl opens it', () => {
    const root = keyBlobs().find((r) => r.kind === 'root')!
    expect(kdfOf(encryptedKeyDer(root.key_blob))).toEqual({
      iterations: 600_000,
      prf: 'sha256',
      cipher: 'aes-256-cbc',
    })
    const file = path.join(tempDir(), 'root.pem')
    fs.writeFileSync(file, root.key_blob)
    expect(openssl(['pkey', '-in', file, '-passin', 'pass:RootPass2026', '-noout']).code).toBe(0)
    expect(openssl(['pkey', '-in', file, '-passin', 'pass:RootPass2025', '-noout']).code).not.toBe(0)
  })

  test('an SM2 root and officer key are written at the same cost', async () => {
    const sm = testCore()
    try {
      const a = await sm.adminSession()
      const u = await sm.userSession(a, 'wang', ['enforcement_officer'])
      await sm.call('ca.init', { passphrase: 'RootPass2026', algorithm: 'sm2' }, a)
      await sm.call('ca.issue', { userId: u.user.id, rootPassphrase: 'RootPass2026', pin: '13579246' }, a)
      const db = new Database(path.join(sm.dataDir, 'liuhen.db'), { readonly: true })
      const rows = db.prepare('SELECT key_blob FROM certificates').all() as { key_blob: string }[]
      db.close()
      expect(rows).toHaveLength(2)
      for (const r of rows) expect(kdfOf(encryptedKeyDer(r.key_blob)).iterations).toBe(600_000)
      await sm.call('audit.checkpoint', { pin: '13579246' }, u.session)
    } finally {
      sm.core.close()
    }
  })

  test('a container written the old way (2048 rounds, with a MAC) still opens; a new issue writes the new form', async () => {
    const { row } = officerP12()
    const opened = fromPkcs12(Buffer.from(row.key_blob, 'base64'), '246810')
    // What Liuhen wrote before: node-forge's PKCS#12 defaults.
    const legacy = forge.pkcs12.toPkcs12Asn1(
      forge.pki.privateKeyFromPem(opened.privateKeyPem),
      opened.certPems.map((p) => forge.pki.certificateFromPem(p)),
      '246810',
      { algorithm: 'aes256', friendlyName: 'lijing', generateLocalKeyId: true },
    )
    const blob = Buffer.from(forge.asn1.toDer(legacy).getBytes(), 'binary').toString('base64')
    const db = new Database(path.join(t.dataDir, 'liuhen.db'))
    db.prepare('UPDATE certificates SET key_blob = ? WHERE id = ?').run(blob, row.id)
    db.close()
    const file = path.join(tempDir(), 'legacy.p12')
    fs.writeFileSync(file, Buffer.from(blob, 'base64'))
    expect(openssl(['pkcs12', '-info', '-in', file, '-passin', 'pass:246810', '-noout']).out).toContain(
      'Iteration 2048',
    )
    expect((await t.call('audit.checkpoint', { pin: '246810' }, officer)).signed).toBe(true)
    // Re-issued (renewed): the new container has the new cost, and a longer PIN is fine.
    const longPin = '京A-执法记录仪-2026-lijing-32chars'.slice(0, 32)
    // The newest certificate signs: a later time than the first issue's.
    t.clock.advance(60_000)
    await t.call('ca.issue', { userId: officerId, rootPassphrase: 'RootPass2026', pin: longPin }, admin)
    const info = openssl([
      'pkcs12',
      '-info',
      '-in',
      officerP12().file,
      '-passin',
      `pass:${longPin}`,
      '-nodes',
    ])
    expect(info.code, info.out).toBe(0)
    expect(info.out).toContain('Iteration 600000, PRF hmacWithSHA256')
    expect((await t.call('audit.checkpoint', { pin: longPin }, officer)).signed).toBe(true)
    t.clock.advance(60_000)
    await t.call('ca.issue', { userId: officerId, rootPassphrase: 'RootPass2026', pin: '246810' }, admin)
  })
})

describe('online: wrong PINs are limited and audited like passwords', () => {
  test('five wrong PINs lock signing, audited with the lock end; the right PIN is refused until then', async () => {
    for (let i = 1; i <= 4; i++) {
      const e = await t.fail('audit.checkpoint', { pin: String(100000 + i) }, officer)
      expect(e.code).toBe('BAD_PIN')
    }
    const fifth = await t.fail('audit.checkpoint', { pin: '100005' }, officer)
    expect(fifth.code).toBe('PIN_LOCKED')
    const until = String(fifth.params?.until)
    expect(Date.parse(until)).toBeGreaterThan(t.clock.now().getTime())
    expect(await t.fail('audit.checkpoint', { pin: '246810' }, officer)).toMatchObject({
      code: 'PIN_LOCKED',
      params: { until },
    })
    // A locked signer cannot sign an ingest either, and is still signed in (the account is not locked).
    expect(
      (await t.fail('ingest.start', { sourceRoot: tempDir(), signingPin: '246810' }, officer)).code,
    ).toBe('PIN_LOCKED')
    expect((await t.call('auth.me', {}, officer)).user.id).toBe(officerId)

    const failed = (await t.call('audit.list', { action: 'signing.pinFailed', limit: 50 }, admin)).events
    expect(failed.filter((e) => e.targetId === officerId)).toHaveLength(5)
    const [locked] = (await t.call('audit.list', { action: 'signing.pinLocked', limit: 1 }, admin)).events
    expect(locked).toMatchObject({ actorId: officerId, targetId: officerId, details: { lockedUntil: until } })

    // After the lockout time the right PIN works again and the count starts over.
    t.clock.advance(Date.parse(until) - t.clock.now().getTime() + 1000)
    // That long idle locks the sessions (the screen lock): unlocked with the passwords.
    await t.call('auth.unlock', { password: 'Zhengshi2026y' }, officer)
    await t.call('auth.unlock', { password: 'Admin2026ok' }, admin)
    expect((await t.call('audit.checkpoint', { pin: '246810' }, officer)).signed).toBe(true)
    expect((await t.fail('audit.checkpoint', { pin: '999999' }, officer)).code).toBe('BAD_PIN')
  })

  test('an administrator unlocks a locked signer', async () => {
    for (let i = 0; i < 5; i++) await t.fail('audit.checkpoint', { pin: '000000' }, officer)
    expect((await t.fail('audit.checkpoint', { pin: '246810' }, officer)).code).toBe('PIN_LOCKED')
    await t.call('users.unlock', { userId: officerId }, admin)
    expect((await t.call('audit.checkpoint', { pin: '246810' }, officer)).signed).toBe(true)
  })

  test('the root passphrase is limited the same way', async () => {
    const issue = (rootPassphrase: string) =>
      t.fail('ca.issue', { userId: officerId, rootPassphrase, pin: '246810' }, admin)
    for (let i = 0; i < 4; i++) expect((await issue(`Wrong${i}2026`)).code).toBe('BAD_CREDENTIALS')
    expect((await issue('Wrong52026')).code).toBe('PIN_LOCKED')
    expect((await issue('RootPass2026')).code).toBe('PIN_LOCKED')
    const { user } = await t.call('auth.me', {}, admin)
    const [locked] = (await t.call('audit.list', { action: 'signing.pinLocked', limit: 1 }, admin)).events
    expect(locked?.targetId).toBe(user.id)
  })
})

describe('the data folder is its owner’s alone', () => {
  test('made by the real CLI under umask 000: folders 0700, database 0600', () => {
    const data = path.join(tempDir(), 'agency')
    const r = spawnSync(
      'sh',
      [
        '-c',
        'umask 000 && exec "$0" "$@"',
        process.execPath,
        path.join(REPO, 'bin', 'liuhen.mjs'),
        'init',
        '--data',
        data,
        '--agency',
        '福州市医疗保障局',
        '--agency-code',
        'FZYBJ',
        '--admin',
        'admin',
      ],
      { cwd: REPO, env: { ...process.env, LIUHEN_PASSWORD: 'Chushi2026a' }, encoding: 'utf8' },
    )
    expect(r.status, r.stdout + r.stderr).toBe(0)
    const mode = (p: string) => fs.statSync(p).mode & 0o777
    for (const d of ['', 'vault', 'derived', 'tmp', 'signatures'])
      expect(mode(path.join(data, d)), d).toBe(0o700)
    expect(mode(path.join(data, 'liuhen.db'))).toBe(0o600)
    for (const f of ['liuhen.db-wal', 'liuhen.db-shm'])
      if (fs.existsSync(path.join(data, f))) expect(mode(path.join(data, f)), f).toBe(0o600)
  })

  test('while the core runs: the WAL and shared-memory files, vault objects and backups', async () => {
    const mode = (p: string) => fs.statSync(p).mode & 0o777
    const db = path.join(t.dataDir, 'liuhen.db')
    for (const f of [db, `${db}-wal`, `${db}-shm`]) expect(mode(f), f).toBe(0o600)
    expect(mode(t.dataDir)).toBe(0o700)
    // A vault object and a backup.
    const device = tempDir('liuhen-device-')
    fs.writeFileSync(
      path.join(device, 'a.jpg'),
      fs.readFileSync(path.join(REPO, 'tests', 'fixtures', 'samples', 'cameras', 'GoPro.jpg')),
    )
    const { jobId } = await t.call('ingest.start', { sourceRoot: device }, officer)
    await t.core.waitForJob(jobId)
    const vault = path.join(t.dataDir, 'vault')
    const objects = fs.readdirSync(vault, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    expect(objects.length).toBeGreaterThan(0)
    for (const o of objects) expect(mode(path.join(o.parentPath, o.name)) & 0o077).toBe(0)
    const target = path.join(tempDir(), 'backup')
    await t.call('backup.run', { target }, admin)
    expect(mode(target)).toBe(0o700)
    expect(mode(path.join(target, 'liuhen.db'))).toBe(0o600)
    // An older folder left world-readable is tightened at the next start (the folder's one owner: this core
    // first closes, then the next opens it).
    t.core.close()
    fs.chmodSync(t.dataDir, 0o755)
    fs.chmodSync(db, 0o644)
    t = testCore(t.dataDir)
    expect(mode(t.dataDir)).toBe(0o700)
    expect(mode(db)).toBe(0o600)
  })
})
