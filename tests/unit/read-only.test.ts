import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { contract, METHOD_NAMES, type MethodInput, type MethodName } from '../../shared/contract.ts'
import { openDatabase, openDatabaseReadOnly } from '../../electron/core/db/index.ts'
import { auditedChange } from '../../electron/core/context.ts'
import { dataLayout } from '../../electron/core/paths.ts'
import { readOnlyEnv } from '../../electron/core/read-only.ts'
import type { CoreEnv } from '../../electron/core/handlers.ts'
import { testCore } from '../helpers/core.ts'
import { tempDir } from '../helpers/bridge.ts'
import { agency, audit, unknownId, type Person } from '../helpers/agency.ts'

/*
 * The contract's readOnly flag is true, not asserted (electron/core/read-only.ts): those methods' handlers run over
 * a read-only connection. Every readOnly method answers on it; a refusal inside one is still logged; a data
 * write through that environment fails and leaves nothing behind, even inside auditedChange.
 */

const READ_ONLY = METHOD_NAMES.filter((m) => (contract[m] as { readOnly?: true }).readOnly).sort()

const dataDir = tempDir('liuhen-read-only-')
const t = testCore(dataDir, { browseRoots: [tempDir('liuhen-read-only-roots-')] })
afterAll(() => t.core.close())
let admin = ''
let p: Record<'jilu' | 'shenji', Person>

beforeAll(async () => {
  ;({ admin, p } = await agency(t, { jilu: ['records_officer'], shenji: ['auditor'] }))
})

describe('readOnly methods run over a read-only connection', () => {
  test('every readOnly method answers there (none writes outside its audit events)', async () => {
    const calls: { [M in MethodName]?: [MethodInput<M>, () => string | undefined] } = {
      'system.info': [{}, () => undefined],
      'auth.me': [{}, () => p.jilu.session],
      'agency.get': [{}, () => p.jilu.session],
      'users.list': [{}, () => admin],
      'users.find': [{ username: 'jilu' }, () => p.shenji.session],
      'audit.list': [{}, () => p.shenji.session],
      'audit.verify': [{}, () => p.shenji.session],
      'ingest.suggestions': [{}, () => p.jilu.session],
      'ingest.cases': [{}, () => p.jilu.session],
      'signing.owed': [{}, () => p.jilu.session],
      'cases.changes': [{}, () => p.jilu.session],
      'records.list': [{}, () => p.jilu.session],
      'todo.counts': [{}, () => p.jilu.session],
      'files.browse': [{}, () => p.jilu.session],
      'files.upload': [
        { name: 'a.txt', offset: 0, dataBase64: Buffer.from('询问笔录').toString('base64'), done: true },
        () => p.jilu.session,
      ],
    }
    const answered: string[] = []
    for (const method of Object.keys(calls) as MethodName[]) {
      const [input, who] = calls[method] as [never, () => string | undefined]
      await t.call(method, input, who())
      answered.push(method)
    }
    // devices.clockCheck needs a registered, attached camera; an unknown one is answered as such, not INTERNAL.
    expect((await t.fail('devices.clockCheck', { deviceId: unknownId() }, p.jilu.session)).code).toBe(
      'NOT_FOUND',
    )
    answered.push('devices.clockCheck')
    expect((await t.fail('cases.find', { caseNo: '榕医保罚〔2026〕9号' }, p.jilu.session)).code).toBe(
      'NOT_FOUND',
    )
    answered.push('cases.find')
    // review.previewOpinion renders a real review's draft on this connection in review.test; here, asked by a
    // role that may not, it is refused (FORBIDDEN), not answered INTERNAL.
    const draft = { reviewId: unknownId(), checklist: [], opinion: 'agree', text: '同意。' } as const
    expect((await t.fail('review.previewOpinion', draft, p.jilu.session)).code).toBe('FORBIDDEN')
    answered.push('review.previewOpinion')
    const discussion = { reviewId: unknownId(), heldOn: '2026-11-24', participants: ['甲', '乙', '丙'] }
    const talk = { ...discussion, conclusion: '按承办机构意见作出决定', outcome: 'proceed' } as const
    expect((await t.fail('review.previewDiscussion', talk, p.jilu.session)).code).toBe('FORBIDDEN')
    answered.push('review.previewDiscussion')
    expect(answered.sort()).toEqual(READ_ONLY)
    // audit.verify's record of the check still reached the trail, through the writing connection.
    expect((await audit(t, admin, 'audit.verify')).length).toBe(1)
  })

  test('a refusal inside a readOnly method is still logged', async () => {
    const before = (await audit(t, admin))[0]!.seq
    const refused = await t.fail('cases.changes', { caseId: unknownId() }, p.jilu.session)
    expect(refused.code).not.toBe('INTERNAL')
    const written = (await audit(t, admin)).filter((e) => e.seq > before)
    expect(written.map((e) => e.action)).toEqual(['access.denied'])
  })

  test('a data write through the read-only environment fails and lands nothing, inside auditedChange too', () => {
    const dir = tempDir('liuhen-read-only-db-')
    const file = path.join(dir, 'liuhen.db')
    const writer = openDatabase(file, { create: true })
    const reader = openDatabaseReadOnly(file)
    try {
      const env = readOnlyEnv(
        {
          deps: { db: writer, layout: dataLayout(dir), now: () => new Date(0), emit: () => undefined },
          ingestDeps: { db: writer },
        } as unknown as CoreEnv,
        reader,
      )
      const count = () => (writer.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number }).n
      const before = count()
      expect(() => env.deps.db.prepare(`INSERT INTO meta (key, value) VALUES ('probe', '1')`).run()).toThrow(
        /readonly/i,
      )
      expect(() => env.ingestDeps.db.prepare(`DELETE FROM meta`).run()).toThrow(/readonly/i)
      expect(() =>
        auditedChange(env.deps, { actorId: null, actorName: null, action: 'probe', details: {} }, () =>
          env.deps.db.prepare(`INSERT INTO meta (key, value) VALUES ('probe', '1')`).run(),
        ),
      ).toThrow(/readonly/i)
      expect(count()).toBe(before)
      // The audit event alone goes through the writer.
      auditedChange(
        env.deps,
        { actorId: null, actorName: null, action: 'probe', details: {} },
        () => undefined,
      )
      expect(count()).toBe(before + 1)
      expect(writer.prepare(`SELECT 1 FROM meta WHERE key = 'probe'`).get()).toBeUndefined()
    } finally {
      reader.close()
      writer.close()
    }
  })
})
