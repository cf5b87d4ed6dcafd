import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, test } from 'vitest'
import { CSP as BRIDGE_CSP } from '../../electron/bridge/server.ts'
import { mediaResponse } from '../../electron/main/media-protocol.ts'
import {
  CSP,
  navigationAllowed,
  permissionAllowed,
  securityHeaders,
  webPreferences,
  windowOptions,
} from '../../electron/main/security.ts'
import {
  DEFAULT_STATE,
  fitWindowState,
  readWindowState,
  writeWindowState,
} from '../../electron/main/window-state.ts'
import { diffVolumes, watchDevices } from '../../electron/core/devices/watch.ts'
import type { AttachedVolume } from '../../electron/core/devices/detect.ts'
import { objectPath } from '../../electron/core/vault.ts'
import { dataLayout } from '../../electron/core/paths.ts'
import { REPO, tempDir } from '../helpers/bridge.ts'
import { testCore } from '../helpers/core.ts'
import { makeClip } from '../helpers/media.ts'

/*
 * The Electron shell's parts that do not need an Electron binary: window and web preferences, the CSP, window
 * state, navigation and permission answers, device plug/unplug detection, and the media protocol handler — its
 * byte ranges and its access check against the real core, where a request without a grant is refused and logged.
 */

describe('window and security settings', () => {
  test('the renderer gets no Node, a sandbox, isolation and nothing remote', () => {
    const prefs = webPreferences('/app/preload/index.cjs')
    expect(prefs).toMatchObject({
      preload: '/app/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    })
    const win = windowOptions({ ...DEFAULT_STATE, x: 10, y: 20 }, '/p.cjs')
    expect(win).toMatchObject({ x: 10, y: 20, width: 1280, height: 800, show: false, title: '留痕' })
    expect(win.webPreferences).toEqual(webPreferences('/p.cjs'))
  })

  test('one strict CSP: no inline or eval script, media only through liuhen-media:, the same everywhere', () => {
    const directives = Object.fromEntries(
      CSP.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/)
        return [name!, values]
      }),
    )
    expect(directives['default-src']).toEqual(["'self'"])
    expect(directives['script-src']).toEqual(["'self'"])
    expect(directives['object-src']).toEqual(["'none'"])
    expect(directives['frame-ancestors']).toEqual(["'none'"])
    expect(directives['media-src']).toContain('liuhen-media:')
    expect(CSP).not.toMatch(/unsafe-(inline|eval)|\*|http:|https:/)
    expect(BRIDGE_CSP).toBe(CSP)
    // The page's own meta tag carries the same policy (frame-ancestors has no effect in a meta tag).
    const html = fs.readFileSync(path.join(REPO, 'renderer', 'index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)![1]
    expect(meta).toBe(CSP.replace("; frame-ancestors 'none'", ''))
    expect(securityHeaders({ 'Content-Type': ['text/html'] })).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CSP],
      'X-Content-Type-Options': ['nosniff'],
    })
  })

  test('navigation and permission requests are refused', () => {
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'liuhen-media://media/x', 'about:blank'])
      expect(navigationAllowed(url)).toBe(false)
    for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal'])
      expect(permissionAllowed(p)).toBe(false)
  })

  test('the window comes back where it was, or centred when that screen is gone', () => {
    const file = path.join(tempDir(), 'state', 'window-state.json')
    expect(readWindowState(file)).toEqual(DEFAULT_STATE)
    writeWindowState(file, { x: 1930, y: 40, width: 1500, height: 900, maximized: true })
    const saved = readWindowState(file)
    const twoScreens = [
      { x: 0, y: 0, width: 1920, height: 1040 },
      { x: 1920, y: 0, width: 2560, height: 1400 },
    ]
    expect(fitWindowState(saved, twoScreens)).toEqual(saved)
    // The second monitor is unplugged: same size, no position (centred on the first).
    expect(fitWindowState(saved, [twoScreens[0]!])).toEqual({ width: 1500, height: 900, maximized: true })
    // A laptop screen smaller than the saved size; never below the minimum.
    expect(fitWindowState(saved, [{ x: 0, y: 0, width: 1366, height: 728 }])).toMatchObject({
      width: 1366,
      height: 728,
    })
    expect(fitWindowState({ width: 200, height: 100, maximized: false }, twoScreens)).toMatchObject({
      width: 1024,
      height: 640,
    })
    fs.writeFileSync(file, '{not json')
    expect(readWindowState(file)).toEqual(DEFAULT_STATE)
  })
})

describe('device plug and unplug', () => {
  const vol = (identity: string, label: string): AttachedVolume => ({
    identity,
    mountPoint: `/media/${label}`,
    label,
    vendor: '',
    model: 'ZFJLY',
    serial: '',
    sizeBytes: 1,
    deviceInfo: {},
  })

  test('a camera plugged in and another pulled out are announced once each', async () => {
    expect(diffVolumes([vol('A', 'CAM1')], [vol('B', 'CAM2')])).toEqual({
      added: [{ identity: 'B', label: 'CAM2', mountPoint: '/media/CAM2' }],
      removed: [{ identity: 'A', label: 'CAM1' }],
    })
    let attached = [vol('A', 'CAM1')]
    const changes: unknown[] = []
    const w = watchDevices(
      () => Promise.resolve(attached),
      (c) => changes.push(c),
      60_000,
    )
    await w.tick()
    expect(changes).toEqual([])
    attached = [vol('A', 'CAM1'), vol('B', 'CAM2')]
    await w.tick()
    await w.tick()
    attached = []
    await w.tick()
    w.stop()
    expect(changes).toEqual([
      { added: [{ identity: 'B', label: 'CAM2', mountPoint: '/media/CAM2' }], removed: [] },
      {
        added: [],
        removed: [
          { identity: 'A', label: 'CAM1' },
          { identity: 'B', label: 'CAM2' },
        ],
      },
    ])
  })

  test('a tick during a look under way waits for it and looks again: the camera plugged in meanwhile is seen', async () => {
    let attached: AttachedVolume[] = []
    let release: (() => void) | null = null
    const changes: { added: { identity: string }[] }[] = []
    const w = watchDevices(
      async () => {
        const seen = attached
        // The first look hangs until released, as lsblk does on a loaded machine.
        if (!release) await new Promise<void>((r) => (release = r))
        return seen
      },
      (c) => changes.push(c),
      null,
    )
    await expect.poll(() => release !== null).toBe(true)
    attached = [vol('B', 'CAM2')]
    const asked = w.tick()
    release!()
    await asked
    w.stop()
    expect(changes.map((c) => c.added.map((a) => a.identity))).toEqual([['B']])
  })
})

describe('liuhen-media: protocol handler', () => {
  const t = testCore()
  const s: Record<string, string> = {}
  let evidenceId = ''
  let caseId = ''
  let file = ''
  const resolve = (ticket: string) => Promise.resolve(t.core.resolveMedia(ticket, 'test'))
  const get = (ticket: string, init: RequestInit = {}) =>
    mediaResponse(new Request(`liuhen-media://media/${ticket}`, init), resolve)
  const denials = () => {
    const db = new Database(path.join(t.dataDir, 'liuhen.db'), { readonly: true })
    const rows = db
      .prepare("SELECT target_id, details FROM audit_events WHERE action = 'access.denied' ORDER BY seq")
      .all() as { target_id: string; details: string }[]
    db.close()
    return rows.map((r) => ({ target: r.target_id, ...(JSON.parse(r.details) as Record<string, unknown>) }))
  }

  beforeAll(async () => {
    s.admin = await t.adminSession()
    for (const [u, roles] of [
      ['jilu', ['records_officer']],
      ['fuze', ['approver']],
      ['shenji', ['auditor']],
      ['lijing', ['enforcement_officer']],
      ['zhangwei', ['enforcement_officer']],
    ] as const)
      s[u] = (await t.userSession(s.admin, u, [...roles])).session
    const dir = tempDir('liuhen-protocol-')
    makeClip(path.join(dir, 'ZD_20261123080000_0001.MP4'), {
      seconds: 3,
      creationTime: '2026-11-23T00:00:00Z',
    })
    const { jobId } = await t.call('ingest.start', { sourceRoot: dir }, s.jilu)
    await t.core.waitForJob(jobId)
    evidenceId = (await t.call('ingest.jobs', {}, s.jilu)).jobs[0]!.results[0]!.evidenceId!
    const officers = (await t.call('cases.officers', {}, s.jilu)).officers.map((o) => o.id)
    caseId = (
      await t.call(
        'cases.create',
        {
          type: 'inspection',
          cause: '日常检查',
          source: 'ex_officio',
          party: { kind: 'organisation', name: '某药店' },
          handlerIds: officers,
        },
        s.jilu,
      )
    ).case.id
    await t.call('records.tag', { evidenceIds: [evidenceId], tags: { caseId } }, s.jilu)
    const sha = (await t.call('evidence.list', { limit: 5 }, s.jilu)).items[0]!.sha256
    file = objectPath(dataLayout(t.dataDir), sha)
  })

  test('streams byte ranges of what the ticket names; HEAD, suffix and unsatisfiable ranges; GET only', async () => {
    const bytes = fs.readFileSync(file)
    const { ticket, mime } = await t.call('media.open', { evidenceId }, s.jilu)
    expect(mime).toBe('video/mp4')
    const part = await get(ticket, { headers: { range: 'bytes=0-99' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${bytes.length}`)
    expect(part.headers.get('cache-control')).toBe('no-store')
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(0, 100))
    const tail = await get(ticket, { headers: { range: 'bytes=-10' } })
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 10))
    const open = await get(ticket, { headers: { range: `bytes=${bytes.length - 5}-` } })
    expect(open.headers.get('content-range')).toBe(
      `bytes ${bytes.length - 5}-${bytes.length - 1}/${bytes.length}`,
    )
    await open.arrayBuffer()
    const whole = await get(ticket)
    expect(whole.status).toBe(200)
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes)
    const head = await get(ticket, { method: 'HEAD' })
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([
      200,
      String(bytes.length),
      '',
    ])
    expect((await get(ticket, { headers: { range: `bytes=${bytes.length}-` } })).status).toBe(416)
    expect((await get(ticket, { method: 'POST', body: 'x' })).status).toBe(405)
  })

  test('a record without a grant is refused and logged, at opening and at streaming; so is a revoked grant', async () => {
    // No grant: media.open refuses, the access log has it.
    expect((await t.fail('media.open', { evidenceId }, s.shenji)).code).toBe('FORBIDDEN')
    expect(denials().at(-1)).toMatchObject({ target: evidenceId, refused: 'media.open' })
    // A request through the protocol with no ticket the core issued.
    const forged = await get('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', { headers: { range: 'bytes=0-99' } })
    expect(forged.status).toBe(403)
    expect(denials().at(-1)).toMatchObject({ refused: 'media.stream', reason: 'no_ticket', channel: 'test' })
    // With a grant the auditor plays; the grant is revoked; the next range request is refused and logged.
    const now = t.clock.now().getTime()
    const { request } = await t.call(
      'access.request',
      {
        caseId,
        purpose: 'supervision',
        kind: 'view',
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
      },
      s.shenji,
    )
    const { grant } = await t.call('access.approve', { requestId: request.id }, s.fuze)
    const { ticket } = await t.call('media.open', { evidenceId }, s.shenji)
    const ok = await get(ticket, { headers: { range: 'bytes=0-9' } })
    expect(ok.status).toBe(206)
    await ok.arrayBuffer()
    await t.call('access.revoke', { grantId: grant.id, reason: '监督检查已结束' }, s.fuze)
    const after = await get(ticket, { headers: { range: 'bytes=10-19' } })
    expect(after.status).toBe(403)
    expect(denials().at(-1)).toMatchObject({
      target: evidenceId,
      refused: 'media.stream',
      reason: 'no_access',
    })
    // The ticket is gone with the grant.
    expect((await get(ticket)).status).toBe(403)
  })
})
