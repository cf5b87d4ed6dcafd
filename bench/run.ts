import { execFileSync, spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { appendAudit, verifyAudit } from '../electron/core/audit.ts'
import { openDatabase } from '../electron/core/db/index.ts'

/*
 * `npm run -s bench -- [name]`: benchmarks that print figures and, last, one JSON line.
 * audit: append N hash-chained events (one transaction each, synchronous=FULL, as the app does) and
 * verify the chain; the baseline is `sha256sum` over a file of the same hashed material.
 */

const benches: Record<string, () => Record<string, number>> = {
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

function seconds(fn: () => void): number {
  const t = performance.now()
  fn()
  return (performance.now() - t) / 1000
}

benches.ingest = () => {
  const repo = path.resolve(import.meta.dirname, '..')
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
  const env = { ...process.env, LIUHEN_LANG: 'en' }
  const liuhen = (args: string[], extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, [path.join(repo, 'bin', 'liuhen.mjs'), ...args], {
      cwd: repo,
      env: { ...env, ...extra },
      encoding: 'utf8',
    })
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

/*
 * sign: ingest one 6 GiB file with a signing officer (RSA, SHA-256 taken during the copy) and the same file
 * without signing. Peak RSS is the CLI's; the bytes it read (rchar) show that signing adds no read of the file.
 */
benches.sign = () => {
  const repo = path.resolve(import.meta.dirname, '..')
  const sizeMb = Number(process.env.BENCH_SIGN_MB ?? 6 * 1024)
  const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'liuhen-bench-sign-'))
  const block = crypto.randomBytes(8 * 1024 * 1024)
  const liuhen = (args: string[], extra: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [path.join(repo, 'bin', 'liuhen.mjs'), ...args], {
      cwd: repo,
      env: { ...process.env, LIUHEN_LANG: 'en', ...extra },
      encoding: 'utf8',
    })
    if (r.status !== 0) throw new Error(`liuhen ${args[0]} failed: ${r.stdout}${r.stderr}`)
    return r
  }
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

const name = process.argv[2] ?? 'audit'
const bench = benches[name]
if (!bench) {
  console.error(`unknown benchmark ${name}; have: ${Object.keys(benches).join(', ')}`)
  process.exit(2)
}
console.log(JSON.stringify({ bench: name, ...bench() }))
