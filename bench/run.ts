// Over 600 lines: each benchmark beside its plain baseline, so a ratio and what it is measured against read together.
import { execFileSync, spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { appendAudit, verifyAudit } from '../electron/core/audit.ts'
import { openDatabase } from '../electron/core/db/index.ts'
import { createCore } from '../electron/core/core.ts'
import { indexBody, substringBody } from '../electron/core/cases/search.ts'
import {
  decryptPrivateKeyInfo,
  encryptPrivateKeyInfo,
  KDF_ITERATIONS,
} from '../electron/core/signing/key-containers.ts'
import type { MethodInput, MethodName, MethodOutput } from '../shared/contract.ts'

/*
 * `npm run -s bench -- [name]`: benchmarks that print figures and, last, one JSON line.
 * audit: append N hash-chained events (one transaction each, synchronous=FULL, as the app does) and
 * verify the chain; the baseline is `sha256sum` over a file of the same hashed material.
 */

const benches: Record<string, () => Record<string, number> | Promise<Record<string, number>>> = {
  audit() {
    const n = Number(process.env.BENCH_EVENTS ?? 5000)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liuhen-bench-'))
    const db = openDatabase(path.join(dir, 'liuhen.db'), { create: true })
    const details = {
      username: 'lijing',
      displayName: '李静',
      roles: ['enforcement_officer'],
      channel: 'ipc',
    }
    let t = performance.now()
    for (let i = 0; i < n; i++) {
      db.transaction(() =>
        appendAudit(
          db,
          {
            actorId: 'u1',
            actorName: '陈建国',
            action: 'users.update',
            targetType: 'user',
            targetId: `u${i}`,
            details,
          },
          new Date(),
        ),
      )()
    }
    const appendSeconds = (performance.now() - t) / 1000
    t = performance.now()
    const report = verifyAudit(db, new Date())
    const verifySeconds = (performance.now() - t) / 1000
    if (!report.ok) throw new Error('bench chain broken')
    // Baseline: hash the same amount of material with sha256sum, once per event, as a shell would.
    const rows = db.prepare('SELECT * FROM audit_events').all()
    const material = path.join(dir, 'material.txt')
    fs.writeFileSync(material, rows.map((r) => JSON.stringify(r)).join('\n'))
    t = performance.now()
    execFileSync('sha256sum', [material])
    const baselineSeconds = (performance.now() - t) / 1000
    db.close()
    fs.rmSync(dir, { recursive: true, force: true })
    console.log(
      `audit: ${n} events appended in ${appendSeconds.toFixed(2)} s (${Math.round(n / appendSeconds)}/s, each its own durable transaction)`,
    )
    console.log(
      `audit: chain of ${n} verified in ${verifySeconds.toFixed(3)} s (${Math.round(n / verifySeconds)}/s)`,
    )
    console.log(
      `audit: sha256sum over the same ${rows.length} rows of material: ${baselineSeconds.toFixed(3)} s`,
    )
    return {
      events: n,
      appendPerSecond: Math.round(n / appendSeconds),
      oursSeconds: Number(verifySeconds.toFixed(4)),
      baselineSeconds: Number(baselineSeconds.toFixed(4)),
      ratio: Number((verifySeconds / baselineSeconds).toFixed(2)),
    }
  },
  /**
   * pin: what one offline PIN guess costs against an officer's key container as Liuhen writes it, with the
   * attacker's fastest tool here (native PBKDF2, as OpenSSL or hashcat's CPU path would run it); the old
   * containers' 2048 rounds beside it, and what a 6-digit PIN space then takes on one core.
   */
  pin() {
    const tries = Number(process.env.BENCH_TRIES ?? 10)
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    const epki = encryptPrivateKeyInfo(privateKey.export({ type: 'pkcs8', format: 'der' }), '246810')
    let t = performance.now()
    for (let i = 0; i < tries; i++) {
      try {
        decryptPrivateKeyInfo(epki, String(100000 + i))
      } catch {
        /* a wrong guess, as expected */
      }
    }
    const msPerGuess = (performance.now() - t) / tries
    t = performance.now()
    for (let i = 0; i < tries * 50; i++) crypto.pbkdf2Sync(String(i), 'salt', 2048, 32, 'sha256')
    const oldMsPerGuess = (performance.now() - t) / (tries * 50)
    const days = (msPerGuess * 1e6) / 86_400_000
    console.log(`pin: ${KDF_ITERATIONS} PBKDF2-HMAC-SHA256 rounds: ${msPerGuess.toFixed(0)} ms per guess`)
    console.log(`pin: 2048 rounds (before): ${oldMsPerGuess.toFixed(2)} ms per guess`)
    console.log(
      `pin: all 10^6 six-digit PINs on one core: ${days.toFixed(1)} days (was ${((oldMsPerGuess * 1e6) / 60_000).toFixed(0)} min)`,
    )
    return { msPerGuess: Number(msPerGuess.toFixed(1)), oldMsPerGuess: Number(oldMsPerGuess.toFixed(3)) }
  },
}

/** Write `bytes` of incompressible data quickly: one random block, each copy prefixed so files differ. */
function writeRandom(file: string, bytes: number, block: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const fd = fs.openSync(file, 'w')
  const tag = crypto.randomBytes(64)
  for (let done = 0; done < bytes; done += block.length) {
    const n = Math.min(block.length, bytes - done)
    tag.copy(block, 0)
    fs.writeSync(fd, block, 0, n)
    tag.writeUInt32BE(done / block.length, 0)
  }
  fs.closeSync(fd)
}

function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44)
  h.write('RIFF', 0, 'ascii')
  h.writeUInt32LE(36 + dataBytes, 4)
  h.write('WAVEfmt ', 8, 'ascii')
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20) // PCM
  h.writeUInt16LE(1, 22) // mono
  h.writeUInt32LE(16000, 24)
  h.writeUInt32LE(32000, 28)
  h.writeUInt16LE(2, 32)
  h.writeUInt16LE(16, 34)
  h.write('data', 36, 'ascii')
  h.writeUInt32LE(dataBytes, 40)
  return h
}

function dropCaches(): boolean {
  // Root only; otherwise both sides read warm caches alike.
  try {
    execFileSync('sync')
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3')
    return true
  } catch {
    return false
  }
}

/** The real CLI as a user runs it (English messages); a non-zero exit throws unless `allowFail`. */
function liuhenCli(args: string[], extra: Record<string, string> = {}, opts: { allowFail?: boolean } = {}) {
  const repo = path.resolve(import.meta.dirname, '..')
  const r = spawnSync(process.execPath, [path.join(repo, 'bin', 'liuhen.mjs'), ...args], {
    cwd: repo,
    env: { ...process.env, LIUHEN_LANG: 'en', ...extra },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
  if (r.status !== 0 && !opts.allowFail)
    throw new Error(`liuhen ${args.slice(0, 2).join(' ')} failed: ${r.stdout}${r.stderr}`)
  return r
}

function seconds(fn: () => void): number {
  const t = performance.now()
  fn()
  return (performance.now() - t) / 1000
}

benches.ingest = () => {
  const bigMb = Number(process.env.BENCH_BIG_MB ?? 5 * 1024)
  const mediumCount = Number(process.env.BENCH_MEDIUM ?? 3)
  const smallCount = Number(process.env.BENCH_SMALL ?? 400)
  const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'liuhen-bench-ingest-'))
  const device = path.join(root, 'device')
  const block = crypto.randomBytes(8 * 1024 * 1024)
  console.log(
    `ingest: making a device folder: 1 × ${bigMb} MB, ${mediumCount} × 300 MB, ${smallCount} × 1 MB …`,
  )
  writeRandom(path.join(device, 'DCIM', 'ZD_20261120083015_0001.MP4'), bigMb * 1024 * 1024, block)
  for (let i = 0; i < mediumCount; i++)
    writeRandom(
      path.join(device, 'DCIM', `ZD_2026112009${String(i).padStart(2, '0')}00_${i}.MP4`),
      300 * 1024 * 1024,
      block,
    )
  // Small files are what recorders write: valid PCM WAV files (a 44-byte header, then samples).
  for (let i = 0; i < smallCount; i++) {
    const file = path.join(device, 'RECORD', `REC_${String(i).padStart(4, '0')}.WAV`)
    writeRandom(file, 1024 * 1024, block)
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, wavHeader(1024 * 1024 - 44), 0, 44, 0)
    fs.closeSync(fd)
  }
  const totalBytes = (bigMb + mediumCount * 300 + smallCount) * 1024 * 1024

  const data = path.join(root, 'data')
  const liuhen = (args: string[], extra: Record<string, string> = {}) =>
    liuhenCli(args, extra, { allowFail: true })
  liuhen(['init', '--data', data, '--agency', 'Bench', '--agency-code', 'BENCH', '--admin', 'admin'], {
    LIUHEN_PASSWORD: 'Bench2026admin',
  })
  liuhen(
    ['user', 'add', '--data', data, '--user', 'jilu', '--name', 'Records', '--roles', 'records_officer'],
    {
      LIUHEN_PASSWORD: 'Bench2026admin',
      LIUHEN_NEW_PASSWORD: 'Bench2026jilu',
    },
  )

  const dropped = dropCaches()
  let out: ReturnType<typeof liuhen> | undefined
  const oursSeconds = seconds(() => {
    out = liuhen(['ingest', device, '--data', data, '--user', 'jilu', '--json'], {
      LIUHEN_PASSWORD: 'Bench2026jilu',
      LIUHEN_REPORT_MAXRSS: '1',
    })
  })
  if (out!.status !== 0) throw new Error(`ingest failed: ${out!.stderr}`)
  const peakRssMB = Number(/LIUHEN_MAXRSS_MB=(\d+)/.exec(out!.stderr)?.[1] ?? NaN)
  const summary = JSON.parse(out!.stdout.trim().split('\n').pop()!) as { stored: number; files: number }

  dropCaches()
  const copy = path.join(root, 'baseline')
  const baselineSeconds = seconds(() => {
    execFileSync('bash', [
      '-c',
      'cp -r "$1" "$2" && sync && find "$2" -type f -print0 | xargs -0 sha256sum > /dev/null',
      'bench',
      device,
      copy,
    ])
  })
  fs.rmSync(root, { recursive: true, force: true })
  const gb = totalBytes / 1e9
  console.log(
    `ingest: ${summary.stored} of ${summary.files} files, ${gb.toFixed(2)} GB, in ${oursSeconds.toFixed(1)} s (${((gb / oursSeconds) * 1000).toFixed(0)} MB/s), peak RSS ${peakRssMB} MB`,
  )
  console.log(
    `baseline (cp -r, sync, sha256sum of the copies): ${baselineSeconds.toFixed(1)} s (${((gb / baselineSeconds) * 1000).toFixed(0)} MB/s)`,
  )
  console.log(`page cache dropped before each run: ${dropped ? 'yes' : 'no (not root)'}`)
  return {
    bytes: totalBytes,
    files: summary.files,
    oursSeconds: Number(oursSeconds.toFixed(2)),
    baselineSeconds: Number(baselineSeconds.toFixed(2)),
    ratio: Number((oursSeconds / baselineSeconds).toFixed(3)),
    peakRssMB,
  }
}

/**
 * station: a collection station at shift change. N device folders (default 8, each 1 × 600 MiB, 2 × 150 MiB and
 * 100 × 1 MiB WAV: about 8.4 GB in all) imported at once by one `liuhen ingest d1 … dN` (each folder its own job,
 * run by the core's bounded pool as the 采集 page runs docked cameras), against N parallel `cp -r` + `sync` +
 * `sha256sum` on the same data, and the disk's sequential write speed (`dd … conv=fdatasync`) in the same run.
 */
benches.station = () => {
  const devices = Number(process.env.BENCH_STATION_DEVICES ?? 8)
  const bigMb = Number(process.env.BENCH_STATION_BIG_MB ?? 600)
  const mediumCount = Number(process.env.BENCH_STATION_MEDIUM ?? 2)
  const mediumMb = Number(process.env.BENCH_STATION_MEDIUM_MB ?? 150)
  const smallCount = Number(process.env.BENCH_STATION_SMALL ?? 100)
  const ddMb = Number(process.env.BENCH_DD_MB ?? 2048)
  const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'liuhen-bench-station-'))
  const block = crypto.randomBytes(8 * 1024 * 1024)
  console.log(
    `station: making ${devices} device folders, each 1 × ${bigMb} MiB, ${mediumCount} × ${mediumMb} MiB, ${smallCount} × 1 MiB …`,
  )
  // Cameras are their own storage: BENCH_DEVICES_DIR puts the device folders on another file system (/dev/shm for
  // one), so the vault disk only writes, as at a real station; by default they share the vault's disk.
  const devicesRoot = process.env.BENCH_DEVICES_DIR
    ? fs.mkdtempSync(path.join(process.env.BENCH_DEVICES_DIR, 'liuhen-bench-devices-'))
    : path.join(root, 'devices')
  const sources: string[] = []
  for (let d = 0; d < devices; d++) {
    const device = path.join(devicesRoot, `DSJ-${String(d + 1).padStart(2, '0')}`)
    sources.push(device)
    const hh = String(8 + d).padStart(2, '0')
    if (bigMb > 0)
      writeRandom(path.join(device, 'DCIM', `ZD_20261120${hh}3015_0001.MP4`), bigMb * 1024 * 1024, block)
    for (let i = 0; i < mediumCount; i++)
      writeRandom(
        path.join(device, 'DCIM', `ZD_20261120${hh}4${i}00_${i + 2}.MP4`),
        mediumMb * 1024 * 1024,
        block,
      )
    for (let i = 0; i < smallCount; i++) {
      const file = path.join(device, 'RECORD', `REC_${String(i).padStart(4, '0')}.WAV`)
      writeRandom(file, 1024 * 1024, block)
      const fd = fs.openSync(file, 'r+')
      fs.writeSync(fd, wavHeader(1024 * 1024 - 44), 0, 44, 0)
      fs.closeSync(fd)
    }
  }
  const totalBytes = devices * (bigMb + mediumCount * mediumMb + smallCount) * 1024 * 1024

  // The disk's sequential write speed, now, on the same file system.
  const ddFile = path.join(root, 'dd.bin')
  execFileSync('sync')
  const ddSeconds = seconds(() => {
    execFileSync(
      'dd',
      ['if=/dev/zero', `of=${ddFile}`, 'bs=4M', `count=${Math.ceil(ddMb / 4)}`, 'conv=fdatasync'],
      {
        stdio: 'ignore',
      },
    )
  })
  const ddWriteMBps = (Math.ceil(ddMb / 4) * 4 * 1024 * 1024) / 1e6 / ddSeconds
  fs.rmSync(ddFile, { force: true })

  const data = path.join(root, 'data')
  liuhenCli(['init', '--data', data, '--agency', 'Bench', '--agency-code', 'BENCH', '--admin', 'admin'], {
    LIUHEN_PASSWORD: 'Bench2026admin',
  })
  liuhenCli(
    ['user', 'add', '--data', data, '--user', 'jilu', '--name', 'Records', '--roles', 'records_officer'],
    { LIUHEN_PASSWORD: 'Bench2026admin', LIUHEN_NEW_PASSWORD: 'Bench2026jilu' },
  )

  const dropped = dropCaches()
  let out: ReturnType<typeof liuhenCli> | undefined
  const oursSeconds = seconds(() => {
    out = liuhenCli(
      ['ingest', ...sources, '--data', data, '--user', 'jilu', '--json'],
      { LIUHEN_PASSWORD: 'Bench2026jilu', LIUHEN_REPORT_MAXRSS: '1' },
      { allowFail: true },
    )
  })
  if (out!.status !== 0) throw new Error(`station ingest failed: ${out!.stderr}`)
  const peakRssMB = Number(/LIUHEN_MAXRSS_MB=(\d+)/.exec(out!.stderr)?.[1] ?? NaN)
  const totals = JSON.parse(out!.stdout.trim().split('\n').pop()!) as { stored: number; files: number }

  dropCaches()
  const copies = path.join(root, 'baseline')
  fs.mkdirSync(copies)
  const baselineSeconds = seconds(() => {
    execFileSync('bash', [
      '-c',
      'for d in "${@:2}"; do ( c="$1/$(basename "$d")"; cp -r "$d" "$c" && sync && find "$c" -type f -print0 | xargs -0 sha256sum > /dev/null ) & done; wait',
      'bench',
      copies,
      ...sources,
    ])
  })
  fs.rmSync(root, { recursive: true, force: true })
  fs.rmSync(devicesRoot, { recursive: true, force: true })
  const gb = totalBytes / 1e9
  const aggregateMBps = totalBytes / 1e6 / oursSeconds
  console.log(
    `station: ${totals.stored} of ${totals.files} files from ${devices} devices, ${gb.toFixed(2)} GB, in ${oursSeconds.toFixed(1)} s (${aggregateMBps.toFixed(0)} MB/s), peak RSS ${peakRssMB} MB`,
  )
  console.log(
    `baseline (${devices} × cp -r, sync, sha256sum in parallel): ${baselineSeconds.toFixed(1)} s (${(totalBytes / 1e6 / baselineSeconds).toFixed(0)} MB/s)`,
  )
  console.log(
    `dd write speed (bs=4M, conv=fdatasync, ${ddMb} MiB): ${ddWriteMBps.toFixed(0)} MB/s; ours is ${((100 * aggregateMBps) / ddWriteMBps).toFixed(0)} % of it`,
  )
  console.log(`page cache dropped before each run: ${dropped ? 'yes' : 'no (not root)'}`)
  console.log(`device folders: ${process.env.BENCH_DEVICES_DIR ? devicesRoot : "on the vault's disk"}`)
  return {
    devices,
    bytes: totalBytes,
    files: totals.files,
    oursSeconds: Number(oursSeconds.toFixed(2)),
    baselineSeconds: Number(baselineSeconds.toFixed(2)),
    ratio: Number((oursSeconds / baselineSeconds).toFixed(3)),
    ddWriteMBps: Number(ddWriteMBps.toFixed(0)),
    aggregateMBps: Number(aggregateMBps.toFixed(0)),
    peakRssMB,
  }
}

/*
 * sign: ingest one 6 GiB file with a signing officer (RSA, SHA-256 taken during the copy) and the same file
 * without signing. Peak RSS is the CLI's; the bytes it read (rchar) show that signing adds no read of the file.
 */
benches.sign = () => {
  const sizeMb = Number(process.env.BENCH_SIGN_MB ?? 6 * 1024)
  const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'liuhen-bench-sign-'))
  const block = crypto.randomBytes(8 * 1024 * 1024)
  const liuhen = liuhenCli
  const admin = { LIUHEN_PASSWORD: 'Bench2026admin' }
  const officer = { LIUHEN_PASSWORD: 'Bench2026lijing', LIUHEN_REPORT_MAXRSS: '1' }
  const run = (signed: boolean) => {
    const data = path.join(root, signed ? 'signed' : 'unsigned')
    const device = path.join(root, `device-${signed ? 's' : 'u'}`)
    writeRandom(path.join(device, 'DCIM', 'ZD_20261120083015_0001.MP4'), sizeMb * 1024 * 1024, block)
    liuhen(
      ['init', '--data', data, '--agency', '福州市医疗保障局', '--agency-code', 'FZYBJ', '--admin', 'admin'],
      admin,
    )
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
        'enforcement_officer',
        '--badge',
        '35010023',
      ],
      {
        ...admin,
        LIUHEN_NEW_PASSWORD: 'Bench2026lijing',
      },
    )
    if (signed) {
      liuhen(['ca', 'init', '--data', data], { ...admin, LIUHEN_CA_PASSPHRASE: 'BenchRoot2026' })
      liuhen(['ca', 'issue', '--data', data, '--user', 'lijing'], {
        ...admin,
        LIUHEN_CA_PASSPHRASE: 'BenchRoot2026',
        LIUHEN_PIN: '246810',
      })
    }
    dropCaches()
    let out: ReturnType<typeof liuhen> | undefined
    const secs = seconds(() => {
      out = liuhen(['ingest', device, '--data', data, '--user', 'lijing', '--json'], {
        ...officer,
        ...(signed ? { LIUHEN_PIN: '246810' } : {}),
      })
    })
    const first = JSON.parse(out!.stdout.trim().split('\n')[0]!) as { metadata: { signature: string | null } }
    if (signed && !first.metadata.signature) throw new Error('the file was not signed')
    const result = {
      seconds: secs,
      peakRssMB: Number(/LIUHEN_MAXRSS_MB=(\d+)/.exec(out!.stderr)?.[1] ?? NaN),
      rchar: Number(/LIUHEN_RCHAR=(\d+)/.exec(out!.stderr)?.[1] ?? NaN),
    }
    fs.rmSync(device, { recursive: true, force: true })
    fs.rmSync(data, { recursive: true, force: true })
    return result
  }
  const bytes = sizeMb * 1024 * 1024
  console.log(`sign: ingesting one ${sizeMb} MiB file with and without signing …`)
  const signed = run(true)
  const unsigned = run(false)
  fs.rmSync(root, { recursive: true, force: true })
  const mbPerSecond = bytes / 1e6 / signed.seconds
  console.log(
    `sign: ${(bytes / 1e9).toFixed(2)} GB ingested and signed in ${signed.seconds.toFixed(1)} s (${mbPerSecond.toFixed(0)} MB/s), peak RSS ${signed.peakRssMB} MB`,
  )
  console.log(`sign: without signing ${unsigned.seconds.toFixed(1)} s, peak RSS ${unsigned.peakRssMB} MB`)
  console.log(
    `sign: bytes read by the process: signed ${(signed.rchar / bytes).toFixed(3)} × the file, unsigned ${(unsigned.rchar / bytes).toFixed(3)} × ` +
      '(one read of the source plus the read-back check of the vault copy); signing added ' +
      `${((signed.rchar - unsigned.rchar) / 1e6).toFixed(1)} MB`,
  )
  return {
    bytes,
    seconds: Number(signed.seconds.toFixed(2)),
    mbPerSecond: Number(mbPerSecond.toFixed(1)),
    peakRssMB: signed.peakRssMB,
    unsignedSeconds: Number(unsigned.seconds.toFixed(2)),
    readsPerFileByte: Number((signed.rchar / bytes).toFixed(3)),
    extraReadMBForSigning: Number(((signed.rchar - unsigned.rchar) / 1e6).toFixed(1)),
  }
}

/*
 * search: a synthetic agency with 100 000 cases and 1 000 000 tagged audio/video records (inserted directly,
 * in bulk, with the same index bodies the core writes), then case and record searches through the real core
 * (dispatch, validation, FTS5 over bigrams). Prints p50/p95 over the query mix.
 */
benches.search = async () => {
  const nCases = Number(process.env.BENCH_CASES ?? 100_000)
  const nRecords = Number(process.env.BENCH_RECORDS ?? 1_000_000)
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'liuhen-bench-search-'))
  const core = createCore({ dataDir: dir, create: true })
  const call = async <M extends MethodName>(method: M, input: MethodInput<M>, session?: string) => {
    const r = await core.dispatch({ method, input, session }, 'test')
    if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`)
    return r.value as MethodOutput<M>
  }
  await call('system.initialize', {
    agencyName: '福州市医疗保障局',
    agencyCode: 'FZYBJ',
    adminUsername: 'admin',
    adminDisplayName: '陈建国',
    adminPassword: 'Bench2026admin',
  })
  const admin = (await call('auth.signIn', { username: 'admin', password: 'Bench2026admin' })).session
  await call(
    'auth.changePassword',
    { currentPassword: 'Bench2026admin', newPassword: 'Bench2026admin!' },
    admin,
  )
  const officers: string[] = []
  const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高'
  for (let i = 0; i < 20; i++) {
    const u = await call(
      'users.create',
      {
        username: `officer${i}`,
        displayName: `${surnames[i]}${'建伟静敏军'[i % 5]}`,
        roles: ['enforcement_officer'],
        badgeNo: `350100${String(i).padStart(2, '0')}`,
        initialPassword: 'Bench2026officer',
      },
      admin,
    )
    officers.push(u.user.id)
  }
  await call(
    'users.create',
    { username: 'jilu', displayName: '王记录', roles: ['records_officer'], initialPassword: 'Bench2026jilu' },
    admin,
  )
  const session = (await call('auth.signIn', { username: 'jilu', password: 'Bench2026jilu' })).session
  await call(
    'auth.changePassword',
    { currentPassword: 'Bench2026jilu', newPassword: 'Bench2026jilu!' },
    session,
  )

  // A deterministic generator, so every run searches the same agency.
  let seed = 20261123
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!
  const districts = [
    '鼓楼区',
    '台江区',
    '仓山区',
    '晋安区',
    '马尾区',
    '长乐区',
    '闽侯县',
    '连江县',
    '罗源县',
    '闽清县',
    '永泰县',
    '福清市',
  ]
  const kinds = [
    '大药房',
    '药店',
    '诊所',
    '医院',
    '卫生院',
    '门诊部',
    '中医馆',
    '康复医院',
    '口腔诊所',
    '社区卫生服务中心',
  ]
  const brands = [
    '同仁',
    '百姓',
    '惠民',
    '康宁',
    '仁和',
    '益丰',
    '天瑞',
    '福康',
    '济生',
    '华润',
    '众安',
    '瑞祥',
    '安泰',
    '万家',
    '恒生',
  ]
  const causes = [
    '串换药品违规结算',
    '虚构医疗服务',
    '超标准收费',
    '分解住院',
    '挂床住院',
    '冒名就医',
    '重复收费',
    '违规使用医保基金',
    '伪造医疗文书',
    '过度检查',
  ]
  const facts = [
    '现场检查药品进销存',
    '查封涉案药品',
    '询问负责人',
    '调取结算数据',
    '抽样取证',
    '送达处罚决定书',
    '听证会全过程',
    '告知拟处罚意见',
    '检查处方及病历',
    '核对库存',
  ]
  const actions = [
    'onsite_inspection',
    'inquiry',
    'sealing',
    'sampling',
    'hearing',
    'notify_opinion',
    'direct_service',
  ]
  const actionNames: Record<string, string> = {
    onsite_inspection: '现场检查',
    inquiry: '询问',
    sealing: '查封扣押',
    sampling: '抽样取证',
    hearing: '听证',
    notify_opinion: '告知执法意见',
    direct_service: '直接送达',
  }
  const officerNames = officers.map((_, i) => `${surnames[i]}${'建伟静敏军'[i % 5]}`)
  core.close()

  console.log(`search: generating ${nCases} cases and ${nRecords} records …`)
  let t = performance.now()
  const db = openDatabase(path.join(dir, 'liuhen.db'), { create: false })
  db.pragma('synchronous = OFF')
  const jilu = (db.prepare("SELECT id FROM users WHERE username = 'jilu'").get() as { id: string }).id
  const now = new Date().toISOString()
  db.prepare(
    "INSERT INTO devices (id, kind, identity, label, created_at) VALUES ('dev', 'folder', 'bench', 'bench', ?)",
  ).run(now)
  db.prepare(
    "INSERT INTO ingest_batches (id, device_id, source_root, user_id, started_at, status) VALUES ('batch', 'dev', '/bench', ?, ?, 'done')",
  ).run(jilu, now)
  const caseIds: string[] = []
  const caseNos: string[] = []
  const parties: string[] = []
  db.transaction(() => {
    const ins = db.prepare(
      `INSERT INTO cases (id, case_no, year, seq, cause, source, type, party_kind, party_name, stage, filed_on,
         created_at, created_by, updated_at)
       VALUES (?, ?, ?, ?, ?, 'ex_officio', ?, 'organisation', ?, 'investigation', ?, ?, ?, ?)`,
    )
    const h = db.prepare('INSERT INTO case_handlers (case_id, user_id) VALUES (?, ?)')
    const fts = db.prepare('INSERT INTO case_fts (rowid, body) VALUES (?, ?)')
    const tri = db.prepare('INSERT INTO case_trigram (rowid, body) VALUES (?, ?)')
    const map = db.prepare('INSERT INTO case_fts_map (rowid, case_id) VALUES (?, ?)')
    for (let i = 0; i < nCases; i++) {
      const id = `case-${i}`
      const year = 2020 + (i % 7)
      const type = pick(['inspection', 'compulsory', 'penalty'] as const)
      const no = `FZYBJ${{ inspection: '检', compulsory: '强', penalty: '罚' }[type]}〔${year}〕${i + 1}号`
      const party = `福州市${pick(districts)}${pick(brands)}${pick(kinds)}${i % 97 === 0 ? '有限公司' : ''}`
      const cause = `${party}${pick(causes)}`
      const a = Math.floor(rnd() * officers.length)
      const b = (a + 1 + Math.floor(rnd() * (officers.length - 1))) % officers.length
      const filed = `${year}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`
      ins.run(id, no, year, i + 1, cause, type, party, filed, now, jilu, now)
      h.run(id, officers[a])
      h.run(id, officers[b])
      const parts = [no, cause, party, officerNames[a], officerNames[b]]
      fts.run(i + 1, indexBody(parts))
      tri.run(i + 1, substringBody(parts))
      map.run(i + 1, id)
      caseIds.push(id)
      caseNos.push(no)
      parties.push(party)
    }
  })()
  db.transaction(() => {
    const ev = db.prepare(
      `INSERT INTO evidence (id, sha256, size, media_type, original_name, ingested_at, ingested_by, batch_id, device_id,
         capture_source, capture_precision)
       VALUES (?, ?, 1048576, 'video', ?, ?, ?, 'batch', 'dev', 'container', 'second')`,
    )
    const tag = db.prepare(
      `INSERT INTO record_tags (evidence_id, case_id, stage, action_type, full_recording, capture_start, place, fact,
         collectors, version, updated_at, updated_by)
       VALUES (?, ?, 'investigation', ?, 1, ?, ?, ?, '[]', 1, ?, ?)`,
    )
    const fts = db.prepare('INSERT INTO record_fts (rowid, body) VALUES (?, ?)')
    const tri = db.prepare('INSERT INTO record_trigram (rowid, body) VALUES (?, ?)')
    const map = db.prepare('INSERT INTO record_fts_map (rowid, evidence_id) VALUES (?, ?)')
    for (let i = 0; i < nRecords; i++) {
      const c = Math.floor(rnd() * nCases)
      const id = `ev-${i}`
      const action = pick(actions)
      const place = `${parties[c]}${pick(['仓库', '收银台', '药房', '诊室', '办公室', '门口'])}`
      const fact = pick(facts)
      const name = `ZD_2026${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}_${i}.MP4`
      ev.run(id, crypto.createHash('sha256').update(id).digest('hex'), name, now, jilu)
      tag.run(id, caseIds[c], action, now, place, fact, now, jilu)
      const parts = [caseNos[c], place, fact, actionNames[action], name]
      fts.run(i + 1, indexBody(parts))
      tri.run(i + 1, substringBody(parts))
      map.run(i + 1, id)
    }
  })()
  db.exec(
    `INSERT INTO record_fts(record_fts) VALUES ('optimize'); INSERT INTO case_fts(case_fts) VALUES ('optimize');
     INSERT INTO record_trigram(record_trigram) VALUES ('optimize');
     INSERT INTO case_trigram(case_trigram) VALUES ('optimize')`,
  )
  db.close()
  console.log(`search: generated in ${((performance.now() - t) / 1000).toFixed(0)} s`)

  const core2 = createCore({ dataDir: dir, create: false })
  const call2 = async <M extends MethodName>(method: M, input: MethodInput<M>) => {
    const r = await core2.dispatch({ method, input, session: s2 }, 'test')
    if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`)
    return r.value as MethodOutput<M>
  }
  const signIn = await core2.dispatch(
    { method: 'auth.signIn', input: { username: 'jilu', password: 'Bench2026jilu!' } },
    'test',
  )
  const s2 = (signIn as { ok: true; value: { session: string } }).value.session
  const queries: { method: 'cases.list' | 'records.search'; q: string }[] = []
  for (let i = 0; i < 100; i++) {
    queries.push({
      method: 'cases.list',
      q: pick([
        pick(brands) + pick(kinds),
        pick(districts),
        pick(causes),
        caseNos[Math.floor(rnd() * nCases)]!,
        pick(officerNames),
        parties[Math.floor(rnd() * nCases)]!,
        // Partial case numbers (issue 20): a prefix of a number, as an officer half remembers it.
        caseNos[Math.floor(rnd() * nCases)]!.slice(5, 13),
      ]),
    })
    queries.push({
      method: 'records.search',
      q: pick([
        pick(facts),
        pick(districts) + pick(brands),
        pick(['仓库', '收银台', '药房']),
        caseNos[Math.floor(rnd() * nCases)]!,
        pick(Object.values(actionNames)),
        `${pick(brands)} ${pick(facts)}`,
        // A place inside a party's name, and part of a file name.
        `${pick(brands)}${pick(kinds)}药房`,
        `ZD_2026${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}`,
        pick(['罚〔2026〕4', '门诊', '4']),
      ]),
    })
  }
  const times: number[] = []
  let hits = 0
  for (const [i, q] of queries.entries()) {
    t = performance.now()
    const r =
      q.method === 'cases.list'
        ? (await call2('cases.list', { query: q.q, limit: 50 })).cases.length
        : (await call2('records.search', { query: q.q, limit: 50 })).records.length
    const ms = performance.now() - t
    if (i >= 10) times.push(ms) // the first few warm the page cache
    if (process.env.BENCH_VERBOSE) console.log(`${ms.toFixed(1)} ms  ${q.method}  ${q.q}  (${r})`)
    hits += r
  }
  core2.close()
  fs.rmSync(dir, { recursive: true, force: true })
  times.sort((a, b) => a - b)
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!
  console.log(
    `search: ${times.length} queries (case search with total count, record search), p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, max ${times[times.length - 1]!.toFixed(1)} ms; ${hits} hits`,
  )
  return {
    cases: nCases,
    records: nRecords,
    queries: times.length,
    p50Ms: Number(pct(50).toFixed(2)),
    p95Ms: Number(pct(95).toFixed(2)),
  }
}

/*
 * archive: a case of one recording over 4 GiB (a multi-extent file on the disc) and several smaller ones,
 * about 5.5 GiB in all, ingested and signed; then, timed, `liuhen archive image` (bag + BD-25 ISO, MD5s
 * recorded, tag manifest signed) against `xorriso -as mkisofs -R -J -iso-level 3 --md5` over the same files: the
 * same kind of disc. The figure without --md5 is printed too: on a 2-CPU machine xorriso's own MD5 recording
 * makes it several times slower, which no caller can avoid.
 * Page caches are dropped before each timed run when we are root. The check of the image (xorriso's MD5 and
 * every file read back) is timed apart: it is what burning costs after writing, not part of making the image.
 */
benches.archive = () => {
  const bigMb = Number(process.env.BENCH_ARCHIVE_BIG_MB ?? 4200)
  const smallCount = Number(process.env.BENCH_ARCHIVE_SMALL ?? 4)
  const smallMb = Number(process.env.BENCH_ARCHIVE_SMALL_MB ?? 320)
  const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'liuhen-bench-archive-'))
  const block = crypto.randomBytes(8 * 1024 * 1024)
  const liuhen = liuhenCli
  try {
    const data = path.join(root, 'data')
    const device = path.join(root, 'device')
    writeRandom(path.join(device, 'ZD_20261120083015_0001.MP4'), bigMb * 1024 * 1024, block)
    for (let i = 0; i < smallCount; i++)
      writeRandom(
        path.join(device, `ZD_20261120${String(9 + i).padStart(2, '0')}0000_000${i + 2}.MP4`),
        smallMb * 1024 * 1024,
        block,
      )
    const admin = { LIUHEN_PASSWORD: 'Bench2026admin' }
    const jilu = { LIUHEN_PASSWORD: 'Bench2026jilu', LIUHEN_USER: 'jilu', LIUHEN_PIN: '246810' }
    liuhen(
      ['init', '--data', data, '--agency', '福州市医疗保障局', '--agency-code', 'FZYBJ', '--admin', 'admin'],
      admin,
    )
    for (const [u, n, r, pw] of [
      ['jilu', '王记录', 'records_officer', 'Bench2026jilu'],
      ['fuze', '赵负责', 'approver', 'Bench2026fuze'],
      ['lijing', '李静', 'enforcement_officer', 'Bench2026lijing'],
      ['zhangwei', '张伟', 'enforcement_officer', 'Bench2026zhang'],
    ])
      liuhen(
        [
          'user',
          'add',
          '--data',
          data,
          '--user',
          u!,
          '--name',
          n!,
          '--roles',
          r!,
          ...(r === 'enforcement_officer' ? ['--badge', `3501${u!.length}${n!.length}99`] : []),
        ],
        { ...admin, LIUHEN_NEW_PASSWORD: pw! },
      )
    liuhen(['ca', 'init', '--data', data], { ...admin, LIUHEN_CA_PASSPHRASE: 'BenchRoot2026' })
    liuhen(['ca', 'issue', '--data', data, '--user', 'jilu'], {
      ...admin,
      LIUHEN_CA_PASSPHRASE: 'BenchRoot2026',
      LIUHEN_PIN: '246810',
    })
    console.log(`archive: ingesting ${((bigMb + smallCount * smallMb) / 1024).toFixed(1)} GiB …`)
    const ingested = liuhen(
      ['ingest', device, '--data', data, '--user', 'jilu', '--late-reason', 'bench', '--json'],
      jilu,
    )
    const ids = ingested.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { evidenceId?: string; status?: string })
      .filter((l) => l.status === 'stored')
      .map((l) => l.evidenceId!)
    const caseNo = (
      JSON.parse(
        liuhen(
          [
            'case',
            'create',
            '--data',
            data,
            '--type',
            'inspection',
            '--cause',
            '基准测试',
            '--party',
            '某诊所',
            '--handlers',
            'lijing,zhangwei',
            '--json',
          ],
          jilu,
        )
          .stdout.trim()
          .split('\n')
          .pop()!,
      ) as { case: { caseNo: string } }
    ).case.caseNo
    for (const id of ids)
      liuhen(
        [
          'record',
          'tag',
          id,
          '--data',
          data,
          '--case',
          caseNo,
          '--stage',
          'investigation',
          '--action',
          'onsite_inspection',
          '--full',
          '--collector',
          'lijing',
        ],
        jilu,
      )
    liuhen(['case', 'archive-exception', caseNo, '--data', data, '--reason', '基准测试'], {
      LIUHEN_PASSWORD: 'Bench2026fuze',
      LIUHEN_USER: 'fuze',
    })
    const bytes = fs.readdirSync(device).reduce((n, f) => n + fs.statSync(path.join(device, f)).size, 0)

    const ours = path.join(root, 'ours')
    const cold = dropCaches()
    let made: { volumes: { image: string }[] } = { volumes: [] }
    const oursSeconds = seconds(() => {
      made = JSON.parse(
        liuhen(['archive', 'image', caseNo, '--data', data, '--media', 'bd25', '--out', ours, '--json'], jilu)
          .stdout.trim()
          .split('\n')
          .pop()!,
      ) as typeof made
    })
    const image = made.volumes[0]!.image
    const base = path.join(root, 'baseline.iso')
    const mkisofs = (extra: string[]) => {
      fs.rmSync(base, { force: true })
      dropCaches()
      return seconds(() => {
        execFileSync(
          'xorriso',
          ['-as', 'mkisofs', '-quiet', '-R', '-J', '-iso-level', '3', ...extra, '-o', base, device],
          {
            stdio: 'ignore',
          },
        )
      })
    }
    // The same kind of disc as ours (Rock Ridge, Joliet, level 3, MD5s recorded), and the plainest one.
    const baselineSeconds = mkisofs(['--md5'])
    const plainSeconds = mkisofs([])
    fs.rmSync(base, { force: true })
    dropCaches()
    let verified: { ok: boolean; verify: { filesChecked: number; sessionMd5: string } } | undefined
    const verifySeconds = seconds(() => {
      const r = liuhenCli(['disc', 'verify', image, '--data', data, '--json'], jilu, { allowFail: true })
      verified = JSON.parse(r.stdout.trim().split('\n').pop()!) as typeof verified
    })
    if (!verified?.ok) throw new Error(`the image did not verify: ${JSON.stringify(verified)}`)
    const imageBytes = fs.statSync(image).size
    console.log(
      `archive: ${(bytes / 1e9).toFixed(2)} GB case (one ${bigMb} MiB recording, ${smallCount} × ${smallMb} MiB), ${cold ? 'cold' : 'warm'} page cache`,
    )
    console.log(
      `archive: liuhen archive image (bag, BD-25 ISO with MD5s, signed tag manifest) ${oursSeconds.toFixed(1)} s = ${(imageBytes / 1e6 / oursSeconds).toFixed(0)} MB/s`,
    )
    console.log(
      `archive: xorriso -as mkisofs -R -J -iso-level 3 --md5 on the same files ${baselineSeconds.toFixed(1)} s (the same kind of disc)`,
    )
    console.log(
      `archive: without --md5 xorriso takes ${plainSeconds.toFixed(1)} s: recording MD5s alone costs it ${(baselineSeconds / plainSeconds).toFixed(1)} ×; ours is ${(oursSeconds / plainSeconds).toFixed(2)} × that`,
    )
    console.log(
      `archive: check of the image (xorriso MD5 + ${verified.verify.filesChecked} files read back, the >4 GiB one as several extents) ${verifySeconds.toFixed(1)} s`,
    )
    return {
      caseBytes: bytes,
      imageBytes,
      verifySeconds: Number(verifySeconds.toFixed(2)),
      oursSeconds: Number(oursSeconds.toFixed(2)),
      baselineSeconds: Number(baselineSeconds.toFixed(2)),
      plainMkisofsSeconds: Number(plainSeconds.toFixed(2)),
      ratioToPlain: Number((oursSeconds / plainSeconds).toFixed(3)),
      ratio: Number((oursSeconds / baselineSeconds).toFixed(3)),
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

/*
 * verify: a data folder with about 5.5 GiB of originals (8 × 700 MiB; BENCH_VERIFY_FILES, BENCH_VERIFY_MB), then,
 * page cache dropped before each when root, `liuhen verify` (every check, originals re-hashed on every core)
 * against `sha256sum` over the same vault files.
 */
benches.verify = () => {
  const count = Number(process.env.BENCH_VERIFY_FILES ?? 8)
  const mb = Number(process.env.BENCH_VERIFY_MB ?? 700)
  const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'liuhen-bench-verify-'))
  const block = crypto.randomBytes(8 * 1024 * 1024)
  const liuhen = (args: string[], extra: Record<string, string> = {}) =>
    liuhenCli(args, extra, { allowFail: true })
  try {
    const data = path.join(root, 'data')
    const device = path.join(root, 'device')
    for (let i = 0; i < count; i++)
      writeRandom(path.join(device, `ZD_202611200${i}0000_000${i + 1}.MP4`), mb * 1024 * 1024, block)
    const admin = { LIUHEN_PASSWORD: 'Bench2026admin' }
    liuhen(
      ['init', '--data', data, '--agency', '福州市医疗保障局', '--agency-code', 'FZYBJ', '--admin', 'admin'],
      admin,
    )
    liuhen(
      ['user', 'add', '--data', data, '--user', 'jilu', '--name', '王记录', '--roles', 'records_officer'],
      {
        ...admin,
        LIUHEN_NEW_PASSWORD: 'Bench2026jilu',
      },
    )
    console.log(`verify: ingesting ${((count * mb) / 1024).toFixed(1)} GiB …`)
    const ing = liuhen(
      ['ingest', device, '--data', data, '--user', 'jilu', '--late-reason', 'bench', '--json'],
      {
        LIUHEN_PASSWORD: 'Bench2026jilu',
        LIUHEN_USER: 'jilu',
      },
    )
    if (ing.status !== 0) throw new Error(`ingest failed: ${ing.stdout}${ing.stderr}`)
    fs.rmSync(device, { recursive: true, force: true })
    const objects: string[] = []
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true }))
        if (e.isDirectory()) walk(path.join(d, e.name))
        else objects.push(path.join(d, e.name))
    }
    walk(path.join(data, 'vault'))
    const bytes = objects.reduce((n, f) => n + fs.statSync(f).size, 0)
    const cold = dropCaches()
    let report: { ok: boolean; checked: { objects: number; bytes: number } } | undefined
    const oursSeconds = seconds(() => {
      const r = liuhen(['verify', '--data', data, '--json'])
      report = JSON.parse(r.stdout.trim().split('\n').pop()!) as typeof report
    })
    if (!report?.ok || report.checked.bytes !== bytes)
      throw new Error(`verify did not pass: ${JSON.stringify(report)}`)
    dropCaches()
    const baselineSeconds = seconds(() => {
      execFileSync('sha256sum', objects, { stdio: 'ignore' })
    })
    console.log(
      `verify: ${objects.length} originals, ${(bytes / 1e9).toFixed(2)} GB, ${cold ? 'cold' : 'warm'} page cache; liuhen verify (all checks) ${oursSeconds.toFixed(1)} s = ${(bytes / 1e6 / oursSeconds).toFixed(0)} MB/s`,
    )
    console.log(
      `verify: sha256sum over the same files ${baselineSeconds.toFixed(1)} s = ${(bytes / 1e6 / baselineSeconds).toFixed(0)} MB/s`,
    )
    return {
      objects: objects.length,
      bytes,
      oursSeconds: Number(oursSeconds.toFixed(2)),
      baselineSeconds: Number(baselineSeconds.toFixed(2)),
      ratio: Number((oursSeconds / baselineSeconds).toFixed(3)),
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

const name = process.argv[2] ?? 'audit'
const bench = benches[name]
if (!bench) {
  console.error(`unknown benchmark ${name}; have: ${Object.keys(benches).join(', ')}`)
  process.exit(2)
}
console.log(JSON.stringify({ bench: name, ...(await bench()) }))
