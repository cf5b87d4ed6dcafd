import { execFileSync } from 'node:child_process'
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

const name = process.argv[2] ?? 'audit'
const bench = benches[name]
if (!bench) {
  console.error(`unknown benchmark ${name}; have: ${Object.keys(benches).join(', ')}`)
  process.exit(2)
}
console.log(JSON.stringify({ bench: name, ...bench() }))
