import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { CaseCheck } from '../../../shared/cases.ts'
import { AppError } from '../../../shared/errors.ts'
import type { CoreDeps } from '../context.ts'
import { objectPath } from '../vault.ts'
import { thumbnailPath } from '../ingest/thumbnails.ts'
import { trustAnchors, tsaAnchors, type BatchSigner } from '../signing/authority.ts'
import { signDetachedDigest } from '../signing/cms.ts'
import { sm3Hex } from '../signing/gm.ts'
import { tagsOf } from '../cases/tags.ts'
import { textRecordsOf } from '../cases/text-records.ts'
import { safeFileName } from '../paths.ts'

/*
 * A case's archive package as a BagIt 1.0 bag (RFC 8493): the originals, bit-identical, grouped by stage under
 * data/, each with its signature and time-stamp; per-record metadata as JSON and XML; the case's audit extract;
 * the trust anchors. manifest-sha256/-sha512 cover the payload, tagmanifest-sha256 the tag files, among them an
 * offline index.html and a Chinese README.txt. Every payload byte is read once, both digests taken as it is copied.
 */

const STAGE_DIRS: Record<string, string> = {
  start: '1-程序启动',
  investigation: '2-调查取证',
  decision: '3-审查决定',
  execution: '4-送达执行',
}

interface PayloadFile {
  rel: string
  size: number
  sha256: string
  sha512: string
}

async function copyHashed(from: string, to: string): Promise<PayloadFile & { rel: '' }> {
  await fs.promises.mkdir(path.dirname(to), { recursive: true })
  const sha256 = crypto.createHash('sha256')
  const sha512 = crypto.createHash('sha512')
  let size = 0
  const out = await fs.promises.open(to, 'wx')
  try {
    for await (const chunk of fs.createReadStream(from, { highWaterMark: 4 << 20 })) {
      const b = chunk as Buffer
      sha256.update(b)
      sha512.update(b)
      size += b.length
      await out.write(b)
    }
    await out.sync()
  } finally {
    await out.close()
  }
  return { rel: '', size, sha256: sha256.digest('hex'), sha512: sha512.digest('hex') }
}

function writeHashed(to: string, bytes: Buffer | string): PayloadFile & { rel: '' } {
  fs.mkdirSync(path.dirname(to), { recursive: true })
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes)
  fs.writeFileSync(to, b, { flag: 'wx' })
  return {
    rel: '',
    size: b.length,
    sha256: crypto.createHash('sha256').update(b).digest('hex'),
    sha512: crypto.createHash('sha512').update(b).digest('hex'),
  }
}

const xml = (s: unknown) =>
  String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')

export interface BuiltBag {
  dir: string
  payloadFiles: number
  payloadBytes: number
  signed: boolean
}

/** Build the bag for one case into `outDir` (which must not exist or be empty). */
export async function buildBag(
  deps: CoreDeps,
  caseId: string,
  outDir: string,
  check: CaseCheck,
  opts: { bagCount?: string; signer?: BatchSigner | null } = {},
): Promise<BuiltBag> {
  const db = deps.db
  const c = db.prepare('SELECT * FROM cases WHERE id = ?').get(caseId) as
    { id: string; case_no: string; cause: string; party_name: string; stage: string } | undefined
  if (!c) throw new AppError('NOT_FOUND')
  const out = path.resolve(outDir)
  if (fs.existsSync(out) && fs.readdirSync(out).length) throw new AppError('OUT_DIR_NOT_EMPTY', { path: out })
  const agency = db.prepare('SELECT name, code FROM agency WHERE id = 1').get() as {
    name: string
    code: string
  }
  const payload: PayloadFile[] = []
  const add = (rel: string, f: PayloadFile & { rel: '' }) => payload.push({ ...f, rel })
  const used = new Set<string>()
  const unique = (dir: string, name: string, sha: string) => {
    let n = `${dir}/${safeFileName(name)}`
    while (used.has(n)) n = `${dir}/${sha.slice(0, 8)}_${safeFileName(name)}`
    used.add(n)
    return n
  }

  // Recordings, by stage, each with its signatures.
  const records = (
    db.prepare('SELECT evidence_id FROM record_tags WHERE case_id = ?').all(caseId) as {
      evidence_id: string
    }[]
  ).map((r) => r.evidence_id)
  const recordMeta: Record<string, unknown>[] = []
  for (const id of records) {
    const e = db
      .prepare(
        `SELECT e.*, d.label AS device_label, d.identity AS device_identity, u.display_name AS ingested_by_name
         FROM evidence e JOIN devices d ON d.id = e.device_id JOIN users u ON u.id = e.ingested_by WHERE e.id = ?`,
      )
      .get(id) as {
      sha256: string
      size: number
      media_type: string
      original_name: string
      ingested_at: string
      ingested_by_name: string
      device_label: string
      device_identity: string
    }
    const tags = tagsOf(db, id)
    const dir = `data/${STAGE_DIRS[tags.stage ?? ''] ?? '0-未分阶段'}`
    const rel = unique(dir, e.original_name, e.sha256)
    const copied = await copyHashed(objectPath(deps.layout, e.sha256), path.join(out, rel))
    if (copied.sha256 !== e.sha256) throw new AppError('VERIFY_FAILED')
    add(rel, copied)
    const sigs = db
      .prepare(
        `SELECT s.path, s.tsr_path, s.signed_at, c.subject FROM signatures s JOIN certificates c ON c.id = s.cert_id
         WHERE s.evidence_id = ? ORDER BY s.signed_at`,
      )
      .all(id) as { path: string; tsr_path: string | null; signed_at: string; subject: string }[]
    const sigFiles: string[] = []
    sigs.forEach((s, i) => {
      const suffix = i === 0 ? '' : `.${i + 1}`
      for (const [from, ext] of [
        [s.path, '.p7s'],
        [s.tsr_path, '.tsr'],
        [s.path.replace(/\.p7s$/, '.sm2-signed-attrs.der'), '.sm2-signed-attrs.der'],
        [s.path.replace(/\.p7s$/, '.sm2-signature.der'), '.sm2-signature.der'],
      ] as const) {
        if (!from || !fs.existsSync(path.join(deps.layout.root, from))) continue
        const target = `${rel}${suffix}${ext}`
        add(target, writeHashed(path.join(out, target), fs.readFileSync(path.join(deps.layout.root, from))))
        sigFiles.push(target)
      }
    })
    const thumb = thumbnailPath(deps.layout, e.sha256)
    recordMeta.push({
      file: rel,
      mediaType: e.media_type,
      sha256: e.sha256,
      size: e.size,
      caseNo: c.case_no,
      stage: tags.stage,
      action: tags.actionType,
      fullRecording: tags.fullRecording,
      captureStart: tags.captureStart,
      place: tags.place,
      latitude: tags.latitude,
      longitude: tags.longitude,
      collectors: tags.collectorIds.map(
        (u) =>
          (
            db.prepare('SELECT display_name FROM users WHERE id = ?').get(u) as
              { display_name: string } | undefined
          )?.display_name ?? u,
      ),
      fact: tags.fact,
      device: `${e.device_label} (${e.device_identity})`,
      ingestedAt: e.ingested_at,
      ingestedBy: e.ingested_by_name,
      signers: sigs.map((s) => s.subject),
      signatureFiles: sigFiles,
      thumbnail: fs.existsSync(thumb)
        ? `data:image/jpeg;base64,${fs.readFileSync(thumb).toString('base64')}`
        : null,
    })
  }

  // Text records, current and corrected versions alike.
  const docs = textRecordsOf(db, caseId)
  for (const d of docs) {
    const rel = unique(
      `data/${STAGE_DIRS[d.stage]}/文书`,
      `${d.docTypeName}_v${d.version}_${d.originalName}`,
      d.sha256,
    )
    const copied = await copyHashed(objectPath(deps.layout, d.sha256), path.join(out, rel))
    if (copied.sha256 !== d.sha256) throw new AppError('VERIFY_FAILED')
    add(rel, copied)
    const sigs = db.prepare('SELECT path, tsr_path FROM signatures WHERE text_record_id = ?').all(d.id) as {
      path: string
      tsr_path: string | null
    }[]
    sigs.forEach((s, i) => {
      for (const [from, ext] of [
        [s.path, '.p7s'],
        [s.tsr_path, '.tsr'],
      ] as const) {
        if (!from || !fs.existsSync(path.join(deps.layout.root, from))) continue
        const target = `${rel}${i === 0 ? '' : `.${i + 1}`}${ext}`
        add(target, writeHashed(path.join(out, target), fs.readFileSync(path.join(deps.layout.root, from))))
      }
    })
  }

  // Metadata, audit extract, trust anchors.
  const meta = {
    caseNo: c.case_no,
    cause: c.cause,
    party: c.party_name,
    stage: c.stage,
    check,
    records: recordMeta.map(({ thumbnail: _t, ...m }) => m),
    documents: docs,
  }
  add(
    'data/metadata/case.json',
    writeHashed(path.join(out, 'data/metadata/case.json'), JSON.stringify(meta, null, 2)),
  )
  add(
    'data/metadata/case.xml',
    writeHashed(
      path.join(out, 'data/metadata/case.xml'),
      `<?xml version="1.0" encoding="UTF-8"?>\n<case caseNo="${xml(c.case_no)}">\n  <cause>${xml(c.cause)}</cause>\n  <party>${xml(c.party_name)}</party>\n${recordMeta
        .map(
          (r) =>
            `  <record file="${xml(r.file)}" sha256="${xml(r.sha256)}" mediaType="${xml(r.mediaType)}">\n    <captureStart>${xml(r.captureStart)}</captureStart>\n    <place>${xml(r.place)}</place>\n    <collectors>${xml((r.collectors as string[]).join('、'))}</collectors>\n    <fact>${xml(r.fact)}</fact>\n    <device>${xml(r.device)}</device>\n    <ingestedAt>${xml(r.ingestedAt)}</ingestedAt>\n    <signers>${xml((r.signers as string[]).join('; '))}</signers>\n  </record>`,
        )
        .join('\n')}\n</case>\n`,
    ),
  )
  const ids = [caseId, ...records, ...docs.map((d) => d.id)]
  const audit = (
    db
      .prepare(
        `SELECT * FROM audit_events WHERE target_id IN (${ids.map(() => '?').join(',')})
           OR json_extract(details, '$.caseId') = ? ORDER BY seq`,
      )
      .all(...ids, caseId) as Record<string, unknown>[]
  )
    .map((r) => JSON.stringify(r))
    .join('\n')
  add(
    'data/audit/audit-extract.jsonl',
    writeHashed(path.join(out, 'data/audit/audit-extract.jsonl'), `${audit}\n`),
  )
  add('data/trust/root.pem', writeHashed(path.join(out, 'data/trust/root.pem'), trustAnchors(db).join('')))
  const tsa = tsaAnchors(db)
  if (tsa.length)
    add('data/trust/tsa-root.pem', writeHashed(path.join(out, 'data/trust/tsa-root.pem'), tsa.join('')))

  // Tag files.
  const tag = (name: string, text: string) => fs.writeFileSync(path.join(out, name), text)
  tag('bagit.txt', 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n')
  const bytes = payload.reduce((n, f) => n + f.size, 0)
  tag(
    'bag-info.txt',
    [
      `Source-Organization: ${agency.name}`,
      `External-Identifier: ${c.case_no}`,
      `External-Description: ${c.cause}`,
      `Bagging-Date: ${deps.now().toISOString().slice(0, 10)}`,
      `Payload-Oxum: ${bytes}.${payload.length}`,
      ...(opts.bagCount ? [`Bag-Count: ${opts.bagCount}`] : []),
      'Bag-Software-Agent: Liuhen (留痕)',
      '',
    ].join('\n'),
  )
  // Manifest paths: UTF-8, '/' separators; RFC 8493 percent-encodes only CR, LF and '%'.
  const enc = (p: string) => p.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
  tag('manifest-sha256.txt', payload.map((f) => `${f.sha256}  ${enc(f.rel)}`).join('\n') + '\n')
  tag('manifest-sha512.txt', payload.map((f) => `${f.sha512}  ${enc(f.rel)}`).join('\n') + '\n')
  tag('README.txt', readme(c.case_no, agency.name).replace(/\n/g, '\r\n'))
  tag('index.html', indexHtml(agency.name, c, recordMeta, docs))
  const tagFiles = [
    'bagit.txt',
    'bag-info.txt',
    'manifest-sha256.txt',
    'manifest-sha512.txt',
    'README.txt',
    'index.html',
  ]
  tag(
    'tagmanifest-sha256.txt',
    tagFiles
      .map(
        (n) =>
          `${crypto
            .createHash('sha256')
            .update(fs.readFileSync(path.join(out, n)))
            .digest('hex')}  ${n}`,
      )
      .join('\n') + '\n',
  )
  // The records officer signs the tag manifest, which fixes every other file by its digests.
  if (opts.signer) {
    const tm = fs.readFileSync(path.join(out, 'tagmanifest-sha256.txt'))
    const signed = signDetachedDigest({
      digestHex:
        opts.signer.algorithm === 'sm2' ? sm3Hex(tm) : crypto.createHash('sha256').update(tm).digest('hex'),
      signerCertPem: opts.signer.certPem,
      chainPems: opts.signer.chainPems,
      key: opts.signer.key,
      signingTime: deps.now(),
    })
    fs.writeFileSync(path.join(out, 'tagmanifest-sha256.txt.p7s'), signed.p7s)
  }
  return { dir: out, payloadFiles: payload.length, payloadBytes: bytes, signed: !!opts.signer }
}

function readme(caseNo: string, agency: string): string {
  return `${agency} 执法案卷电子档案（案件编号 ${caseNo}）

本光盘（目录）是一个 BagIt 1.0 档案包（RFC 8493），不依赖任何专用软件即可核对：

1. 打开 index.html 浏览全部记录及其元数据（离线可用，不访问网络）。
2. 核对全部文件完整：在本目录执行
       sha256sum -c manifest-sha256.txt
       sha256sum -c tagmanifest-sha256.txt
   每一行都应为“成功/OK”。
   tagmanifest-sha256.txt.p7s 是记录管理员对标签清单的签名：
       openssl cms -verify -binary -inform DER -in tagmanifest-sha256.txt.p7s -content tagmanifest-sha256.txt \\
           -CAfile data/trust/root.pem -purpose any -out /dev/null
3. 核对电子签名（RSA）：
       openssl cms -verify -binary -inform DER -in data/阶段/文件名.p7s -content data/阶段/文件名 \\
           -CAfile data/trust/root.pem -purpose any -out /dev/null
   国密 SM2 签名见每个文件旁的 .sm2-signed-attrs.der 与 .sm2-signature.der：
       openssl dgst -sm3 -verify officer.pub -sigopt distid:1234567812345678 \\
           -signature 文件名.sm2-signature.der 文件名.sm2-signed-attrs.der
4. 核对时间戳：
       openssl ts -verify -in data/阶段/文件名.tsr -data data/阶段/文件名 -CAfile data/trust/tsa-root.pem
5. data/metadata/case.json 与 case.xml 是每条记录的案件编号、采集时间、地点、采集人、证明事项、哈希、设备、
   入库时间和签名人；data/audit/audit-extract.jsonl 是与本案有关的审计日志（哈希链）摘录。
`
}

function indexHtml(
  agency: string,
  c: { case_no: string; cause: string; party_name: string },
  records: Record<string, unknown>[],
  docs: { docTypeName: string; docNo: string | null; docDate: string; version: number }[],
): string {
  const rows = records
    .map(
      (r) =>
        `<tr><td>${r.thumbnail ? `<img src="${r.thumbnail as string}" alt="">` : ''}</td><td><a href="${xml(encodeURI(r.file as string))}">${xml(path.basename(r.file as string))}</a></td><td>${xml(r.captureStart)}</td><td>${xml(r.place)}</td><td>${xml((r.collectors as string[]).join('、'))}</td><td>${xml(r.fact)}</td><td class="mono">${xml((r.sha256 as string).slice(0, 16))}…</td></tr>`,
    )
    .join('\n')
  const docRows = docs
    .map(
      (d) =>
        `<tr><td>${xml(d.docTypeName)}</td><td>${xml(d.docNo)}</td><td>${xml(d.docDate)}</td><td>v${d.version}</td></tr>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${xml(c.case_no)}</title>
<style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#1d2329}
table{border-collapse:collapse;width:100%;margin:12px 0}td,th{border:1px solid #ccc;padding:6px;text-align:left;vertical-align:top}
img{max-width:96px}.mono{font-family:monospace}</style></head>
<body><h1>${xml(c.case_no)}</h1>
<p>${xml(agency)} · 案由：${xml(c.cause)} · 当事人：${xml(c.party_name)}</p>
<h2>音像记录</h2><table><tr><th>缩略图</th><th>文件</th><th>采集时间</th><th>地点</th><th>采集人</th><th>证明事项</th><th>SHA-256</th></tr>
${rows}</table>
<h2>文书</h2><table><tr><th>种类</th><th>文号</th><th>日期</th><th>版本</th></tr>${docRows}</table>
<p>核对方法见 README.txt。</p></body></html>
`
}
