import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/bridge.ts'
import { CLI_ADMIN, cliAgency, lastJson, ok, runLiuhen, storedIds } from '../helpers/cli.ts'
import { makeClip } from '../helpers/media.ts'
import { createCore } from '../../electron/core/core.ts'

/*
 * Tampering behind Liuhen's back — on the disk, in the database file, in the log — each found by `liuhen verify`
 * with the object it touched and nothing else; a backup restored to a new folder verifies clean.
 */

const JILU = { LIUHEN_PASSWORD: 'Jilu2026pw', LIUHEN_USER: 'jilu' }
const FUZE = { LIUHEN_PASSWORD: 'Fuze2026pw', LIUHEN_USER: 'fuze' }
type Problem = { check: string; kind: string; table: string | null; id: string; records: string[] }
type Report = {
  ok: boolean
  problems: Problem[]
  checked: { objects: number; rows: number; signatures: number }
}

const data = path.join(tempDir(), 'agency')
let ids: string[] = []

/** A copy of the data folder to tamper with, so each case starts from the same clean state. */
function copyOfData(): string {
  const dir = path.join(tempDir('liuhen-tamper-'), 'agency')
  execFileSync('cp', ['-a', data, dir])
  execFileSync('chmod', ['-R', 'u+w', dir])
  return dir
}

function verify(dir: string): { status: number | null; report: Report } {
  const r = runLiuhen(['verify', '--data', dir, '--json'])
  return { status: r.status, report: lastJson<Report>(r) }
}

function sql(dir: string, statement: string, ...args: unknown[]) {
  const db = new Database(path.join(dir, 'liuhen.db'))
  try {
    return db.prepare(statement).run(...args)
  } finally {
    db.close()
  }
}

function get<T>(dir: string, statement: string, ...args: unknown[]): T {
  const db = new Database(path.join(dir, 'liuhen.db'), { readonly: true })
  try {
    return db.prepare(statement).get(...args) as T
  } finally {
    db.close()
  }
}

const objectFile = (dir: string, sha256: string) =>
  path.join(dir, 'vault', sha256.slice(0, 2), sha256.slice(2, 4), sha256)

beforeAll(() => {
  cliAgency(
    data,
    [
      ['lijing', '李静', '执法人员', '35010023', 'Officer2026pw'],
      ['zhangwei', '张伟', '执法人员', '35010024', 'Officer2026pw'],
      ['jilu', '王记录', 'records_officer', '', 'Jilu2026pw'],
      ['fuze', '赵负责', 'approver', '', 'Fuze2026pw'],
    ],
    { user: 'jilu', pin: '246810' },
  )
  const device = tempDir('liuhen-integrity-dev-')
  for (const [i, t] of ['2026-11-20T01:00:00Z', '2026-11-20T02:00:00Z', '2026-11-20T03:00:00Z'].entries())
    makeClip(path.join(device, `ZD_2026112009${i}000_000${i + 1}.MP4`), { creationTime: t, seconds: 2 + i })
  const ingested = ok(
    runLiuhen(['ingest', device, '--data', data, '--user', 'jilu', '--late-reason', '外出执法', '--json'], {
      ...JILU,
      LIUHEN_PIN: '246810',
    }),
  )
  ids = storedIds(ingested)
  expect(ids.length).toBe(3)
  const created = lastJson<{ case: { caseNo: string } }>(
    ok(
      runLiuhen(
        [
          'case',
          'create',
          '--data',
          data,
          '--type',
          'inspection',
          '--cause',
          '日常监督检查',
          '--party',
          '某诊所',
          '--handlers',
          'lijing,zhangwei',
          '--json',
        ],
        JILU,
      ),
    ),
  )
  for (const id of ids)
    ok(
      runLiuhen(
        [
          'record',
          'tag',
          id,
          '--data',
          data,
          '--case',
          created.case.caseNo,
          '--stage',
          'investigation',
          '--action',
          'onsite_inspection',
          '--place',
          '某诊所',
          '--fact',
          '现场检查',
        ],
        JILU,
      ),
    )
  // The case goes onto an archive disc kept for ten years: the basis on which its originals may one day go.
  ok(
    runLiuhen(
      ['case', 'archive-exception', created.case.caseNo, '--data', data, '--reason', '检查未发现问题，归档'],
      FUZE,
    ),
  )
  const images = tempDir('liuhen-integrity-img-')
  const made = lastJson<{ volumes: { image: string }[] }>(
    ok(
      runLiuhen(
        ['archive', 'image', created.case.caseNo, '--data', data, '--media', 'cd', '--out', images, '--json'],
        JILU,
      ),
    ),
  )
  ok(
    runLiuhen(
      [
        'disc',
        'burn',
        path.join(images, 'A.iso'),
        '--data',
        data,
        '--image',
        made.volumes[0]!.image,
        '--retention',
        '10y',
        '--json',
      ],
      JILU,
    ),
  )
  ok(runLiuhen(['audit', 'checkpoint', '--data', data], { ...JILU, LIUHEN_PIN: '246810' }))
})

describe('liuhen verify', () => {
  test('a clean data folder verifies: every original, row, event and signature', () => {
    const { status, report } = verify(data)
    expect(report.problems).toEqual([])
    expect(status).toBe(0)
    expect(report.checked.objects).toBe(3)
    expect(report.checked.signatures).toBe(3)
    expect(report.checked.rows).toBeGreaterThanOrEqual(7)
  })

  test('one byte changed in a vault file: that original, and nothing else', () => {
    const dir = copyOfData()
    const { sha256 } = get<{ sha256: string }>(dir, 'SELECT sha256 FROM evidence WHERE id = ?', ids[0])
    const file = objectFile(dir, sha256)
    const fd = fs.openSync(file, 'r+')
    const b = Buffer.alloc(1)
    fs.readSync(fd, b, 0, 1, 1000)
    b[0] = b[0]! ^ 1
    fs.writeSync(fd, b, 0, 1, 1000)
    fs.closeSync(fd)
    const { status, report } = verify(dir)
    expect(status).toBe(1)
    expect(report.problems).toEqual([
      expect.objectContaining({ check: 'vault', kind: 'hash_mismatch', id: sha256, records: [ids[0]] }),
    ])
  })

  test('a file replaced together with its hash in the database: that record, and nothing else', () => {
    const dir = copyOfData()
    const forged = Buffer.from('a different recording')
    const sha = crypto.createHash('sha256').update(forged).digest('hex')
    fs.mkdirSync(path.dirname(objectFile(dir, sha)), { recursive: true })
    fs.writeFileSync(objectFile(dir, sha), forged)
    sql(dir, 'UPDATE evidence SET sha256 = ?, size = ? WHERE id = ?', sha, forged.length, ids[1])
    const { status, report } = verify(dir)
    expect(status).toBe(1)
    expect(report.problems).toContainEqual(
      expect.objectContaining({ check: 'rows', kind: 'changed', table: 'evidence', id: ids[1] }),
    )
    // The record's signature no longer fits it either: the same record, named again.
    for (const p of report.problems)
      expect(p.id === ids[1] || p.records.includes(ids[1]!), JSON.stringify(p)).toBe(true)
  })

  test('a tag edited directly in the database: that tag, and nothing else', () => {
    const dir = copyOfData()
    sql(dir, "UPDATE record_tags SET place = '别处' WHERE evidence_id = ?", ids[2])
    const { status, report } = verify(dir)
    expect(status).toBe(1)
    expect(report.problems).toEqual([
      expect.objectContaining({ check: 'rows', kind: 'changed', table: 'record_tags', id: ids[2] }),
    ])
  })

  test('an audit row deleted: that place in the trail, and nothing else', () => {
    const dir = copyOfData()
    const { n } = get<{ n: number }>(dir, 'SELECT MAX(seq) AS n FROM audit_events')
    const k = Math.floor(n / 2)
    sql(dir, 'DELETE FROM audit_events WHERE seq = ?', k)
    const { status, report } = verify(dir)
    expect(status).toBe(1)
    expect(report.problems.length).toBeGreaterThan(0)
    for (const p of report.problems) expect(p.check, JSON.stringify(p)).toBe('audit')
    expect(report.problems.map((p) => p.id)).toContain(String(k))
  })

  test('the audit tail cut off: truncation, and nothing else', () => {
    const dir = copyOfData()
    const { n } = get<{ n: number }>(dir, 'SELECT MAX(seq) AS n FROM audit_events')
    sql(dir, 'DELETE FROM audit_events WHERE seq > ?', n - 4)
    const { status, report } = verify(dir)
    expect(status).toBe(1)
    expect(report.problems.map((p) => p.kind)).toContain('truncated')
    for (const p of report.problems) expect(p.check, JSON.stringify(p)).toBe('audit')
  })

  test('a .p7s swapped for another record’s: that signature of that record, and nothing else', () => {
    const dir = copyOfData()
    const a = get<{ id: string; path: string }>(
      dir,
      'SELECT id, path FROM signatures WHERE evidence_id = ?',
      ids[0],
    )
    const b = get<{ path: string }>(dir, 'SELECT path FROM signatures WHERE evidence_id = ?', ids[1])
    fs.chmodSync(path.join(dir, a.path), 0o644)
    fs.copyFileSync(path.join(dir, b.path), path.join(dir, a.path))
    const { status, report } = verify(dir)
    expect(status).toBe(1)
    expect(report.problems).toEqual([
      expect.objectContaining({ check: 'signatures', kind: 'file_changed', id: a.id, records: [ids[0]] }),
    ])
  })
})

describe('backup and restore', () => {
  test('a backup restored to a new folder verifies clean; a second backup copies only what is new', () => {
    const backup = path.join(tempDir(), 'backup')
    const first = lastJson<{ filesCopied: number; dbBytes: number }>(
      ok(runLiuhen(['backup', '--data', data, '--to', backup, '--json'], CLI_ADMIN)),
    )
    expect(first.filesCopied).toBeGreaterThanOrEqual(6)
    expect(first.dbBytes).toBeGreaterThan(0)
    const second = lastJson<{ filesCopied: number; filesPresent: number }>(
      ok(runLiuhen(['backup', '--data', data, '--to', backup, '--json'], CLI_ADMIN)),
    )
    expect(second.filesCopied).toBe(0)
    expect(second.filesPresent).toBe(first.filesCopied)
    const restored = path.join(tempDir(), 'restored')
    ok(runLiuhen(['restore', '--from', backup, '--data', restored, '--json']))
    const { status, report } = verify(restored)
    expect(report.problems).toEqual([])
    expect(status).toBe(0)
    expect(report.checked.objects).toBe(3)
    ok(runLiuhen(['audit', 'verify', '--data', restored]))
    // Restoring over an existing data folder is refused.
    expect(runLiuhen(['restore', '--from', backup, '--data', restored, '--json']).status).toBe(1)
  })

  test('from the app: a run is recorded and audited, and an interrupted full run resumes after its last object', async () => {
    const dir = copyOfData()
    const core = createCore({ dataDir: dir, create: false })
    try {
      const signIn = async (username: string, password: string) =>
        (
          (await core.dispatch({ method: 'auth.signIn', input: { username, password } }, 'cli')) as {
            ok: true
            value: { session: string }
          }
        ).value.session
      const session = await signIn('admin', 'Admin2026pw')
      const first = (await core.dispatch({ method: 'integrity.verify', input: {}, session }, 'cli')) as {
        ok: true
        value: Report
      }
      expect(first.value.ok).toBe(true)

      // The vault is checked in batches of four objects per hashing worker (up to eight workers), and a
      // cancel takes effect between batches: enough small text records that a run has more than one batch.
      const perBatch = Math.min(os.availableParallelism(), 8) * 4
      const jilu = await signIn('jilu', 'Jilu2026pw')
      const docs = tempDir('liuhen-integrity-docs-')
      // The fixture's case is archived (frozen: no new documents), so the records go into a new open case.
      const handlers = ['lijing', 'zhangwei'].map(
        (u) => get<{ id: string }>(dir, 'SELECT id FROM users WHERE username = ?', u).id,
      )
      const opened = await core.dispatch(
        {
          method: 'cases.create',
          input: {
            type: 'inspection',
            cause: '日常监督检查',
            source: 'ex_officio',
            party: { kind: 'organisation', name: '某诊所' },
            handlerIds: handlers,
          },
          session: jilu,
        },
        'cli',
      )
      expect(opened.ok, JSON.stringify(opened)).toBe(true)
      const caseId = (opened as { ok: true; value: { case: { id: string } } }).value.case.id
      for (let i = 0; i < perBatch; i++) {
        const file = path.join(docs, `现场检查笔录-${i}.pdf`)
        fs.writeFileSync(file, `%PDF-1.4\n% record ${i}\n%%EOF\n`)
        const added = await core.dispatch(
          {
            method: 'textRecords.add',
            input: { caseId, filePath: file, docType: 'onsite_record' },
            session: jilu,
          },
          'cli',
        )
        expect(added.ok, JSON.stringify(added)).toBe(true)
      }
      const db = new Database(path.join(dir, 'liuhen.db'), { readonly: true })
      const objs = db
        .prepare('SELECT sha256 FROM evidence UNION SELECT sha256 FROM text_records ORDER BY sha256')
        .pluck()
        .all() as string[]
      db.close()
      expect(objs.length).toBe(perBatch + 3)

      // A real full run, cancelled the moment it reports its first hashed bytes: the cancel is synchronous
      // inside the progress event, so it lands while the first batch is being hashed, and the run writes its
      // resume point after that batch and stops.
      const jobId = crypto.randomUUID()
      let cancels = 0
      const off = core.onEvent((e) => {
        if (e.type !== 'integrity.progress' || e.jobId !== jobId || e.phase !== 'vault' || cancels++) return
        void core.dispatch({ method: 'integrity.cancel', input: { jobId }, session }, 'cli')
      })
      const cancelled = await core.dispatch({ method: 'integrity.verify', input: { jobId }, session }, 'cli')
      off()
      expect(cancels).toBeGreaterThan(0)
      expect(cancelled).toMatchObject({ ok: false, error: { code: 'CANCELLED' } })
      const run = get<{
        id: string
        kind: string
        done: number
        total: number
        last_sha256: string
        f: string | null
      }>(
        dir,
        'SELECT id, kind, done, total, last_sha256, finished_at AS f FROM fixity_runs ORDER BY started_at DESC, rowid DESC LIMIT 1',
      )
      expect(run).toMatchObject({ kind: 'full', total: objs.length, f: null })
      expect(run.done).toBeGreaterThan(0)
      expect(run.done).toBeLessThan(objs.length)
      expect(run.last_sha256).toBe(objs[run.done - 1])

      const last = (await core.dispatch({ method: 'integrity.last', input: {}, session }, 'cli')) as {
        ok: true
        value: { resumable: boolean }
      }
      expect(last.value.resumable).toBe(true)
      const resumed = (await core.dispatch(
        { method: 'integrity.verify', input: { resume: true }, session },
        'cli',
      )) as {
        ok: true
        value: Report
      }
      expect(resumed.value.ok).toBe(true)
      // Only the objects after the resume point were hashed again, and the same run is now finished.
      expect(resumed.value.checked.objects).toBe(objs.length - run.done)
      expect(
        get<{ done: number; f: string | null }>(
          dir,
          'SELECT done, finished_at AS f FROM fixity_runs WHERE id = ?',
          run.id,
        ),
      ).toMatchObject({ done: objs.length, f: expect.any(String) })
      const pdf = (await core.dispatch({ method: 'integrity.reportPdf', input: {}, session }, 'cli')) as {
        ok: true
        value: { pdfBase64: string }
      }
      const file = path.join(tempDir(), 'report.pdf')
      fs.writeFileSync(file, Buffer.from(pdf.value.pdfBase64, 'base64'))
      expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).toContain('完整性校验报告')
    } finally {
      core.close()
    }
    // The runs themselves are audited changes: the copy still verifies clean.
    expect(verify(dir).report.problems).toEqual([])
  })
})

describe('the end of an original', () => {
  test('only after its retention, asked by one person and approved by another; a tombstone stays, verify passes', async () => {
    const dir = copyOfData()
    const at = (when: string) => {
      const core = createCore({ dataDir: dir, create: false, now: () => new Date(when) })
      const session = async (username: string, password: string) =>
        (
          (await core.dispatch({ method: 'auth.signIn', input: { username, password } }, 'cli')) as {
            ok: true
            value: { session: string }
          }
        ).value.session
      const call = (method: string, input: unknown, s: string) =>
        core.dispatch({ method, input, session: s }, 'cli')
      return { core, session, call }
    }
    const { sha256 } = get<{ sha256: string }>(dir, 'SELECT sha256 FROM evidence WHERE id = ?', ids[0])
    // Now: ten years have not passed.
    const today = at(new Date().toISOString())
    try {
      const r = await today.call(
        'vault.requestDeletion',
        { evidenceId: ids[0], reason: '保管期限届满' },
        await today.session('jilu', 'Jilu2026pw'),
      )
      expect(r).toMatchObject({ ok: false, error: { code: 'RETENTION_NOT_EXPIRED' } })
    } finally {
      today.core.close()
    }
    // Eleven years on.
    const later = at(new Date(Date.now() + 11 * 366 * 86_400_000).toISOString())
    try {
      const jilu = await later.session('jilu', 'Jilu2026pw')
      const expired = (await later.call('vault.expired', {}, jilu)) as {
        ok: true
        value: { records: { evidenceId: string; pending: boolean }[] }
      }
      expect(expired.value.records.map((r) => r.evidenceId).sort()).toEqual([...ids].sort())
      const asked = (await later.call(
        'vault.requestDeletion',
        { evidenceId: ids[0], reason: '保管期限届满' },
        jilu,
      )) as {
        ok: true
        value: { request: { id: string } }
      }
      expect(asked.ok).toBe(true)
      const self = await later.call(
        'vault.decideDeletion',
        { requestId: asked.value.request.id, approve: true },
        jilu,
      )
      expect(self).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
      const fuze = await later.session('fuze', 'Fuze2026pw')
      const done = await later.call(
        'vault.decideDeletion',
        { requestId: asked.value.request.id, approve: true },
        fuze,
      )
      expect(done).toMatchObject({ ok: true, value: { request: { status: 'approved' } } })
    } finally {
      later.core.close()
    }
    expect(fs.existsSync(objectFile(dir, sha256))).toBe(false)
    const tomb = get<{ sha256: string; requested_by: string; approved_by: string }>(
      dir,
      'SELECT * FROM tombstones WHERE evidence_id = ?',
      ids[0],
    )
    expect(tomb.sha256).toBe(sha256)
    expect(tomb.requested_by).not.toBe(tomb.approved_by)
    const { status, report } = verify(dir)
    expect(report.problems).toEqual([])
    expect(status).toBe(0)
    expect(report.checked.objects).toBe(2)
  })
})
