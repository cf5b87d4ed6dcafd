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

const name = process.argv[2] ?? 'audit'
const bench = benches[name]
if (!bench) {
  console.error(`unknown benchmark ${name}; have: ${Object.keys(benches).join(', ')}`)
  process.exit(2)
}
console.log(JSON.stringify({ bench: name, ...bench() }))
