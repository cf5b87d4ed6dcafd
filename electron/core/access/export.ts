import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { MethodOutput, ParsedInput } from '../../../shared/contract.ts'
import { AppError } from '../../../shared/errors.ts'
import { actorFields, actorOf, auditedChange, type CallContext, type CoreDeps } from '../context.ts'
import { hashFile, objectPath } from '../vault.ts'
import { trustAnchors, tsaAnchors } from '../signing/authority.ts'
import { basisForRecord, gateRecord } from './gate.ts'
import { safeFileName } from '../paths.ts'
import { refuseOutputInDataFolder } from '../ingest/source-guard.ts'
import { commitFile, tempNameFor, writeAtomicSync } from '../durable.ts'
import { formatBeijing } from '../../../shared/datetime.ts'

/*
 * Export for review or court: a copy of the records an export grant covers, each with its signature and
 * time-stamp, the trust anchors, a manifest in `sha256sum -c` form, and a Chinese 说明.txt on checking all of it
 * with sha256sum and openssl alone. Originals are only read; each copy is re-hashed against the vault's record.
 */

const README = (caseNo: string, when: string, who: string, sm2: boolean) => `留痕 电子证据导出说明

案件编号：${caseNo}
导出时间：${when}
导出人：${who}

本目录中的文件是从证据库原样复制的副本，原始文件未作任何改动。每个音像记录旁边有：
  *.p7s      执法人员的电子签名（CMS/PKCS#7，分离式签名）
  *.tsr      可信时间戳（RFC 3161，证明该文件在该时间已经存在）
信任锚/root.pem       签名证书的根证书
信任锚/tsa-root.pem   时间戳服务的根证书（如有）

一、核对文件完整（只需 sha256sum）：
    sha256sum -c manifest-sha256.txt
  每一行都应显示“成功/OK”。

二、核对电子签名（OpenSSL）：
    openssl cms -verify -binary -inform DER -in 记录/文件名.p7s -content 记录/文件名 \\
        -CAfile 信任锚/root.pem -purpose any -out /dev/null
  显示 “Verification successful” 即签名有效，且文件自签名后未被改动。
${
  sm2
    ? `
  国密 SM2 签名（OpenSSL 3.0 的 cms 命令不支持 SM2，用签名属性文件核对）：
    openssl pkcs7 -inform DER -in 记录/文件名.p7s -print_certs | awk '/BEGIN/{n++} n==1' > officer.pem
    openssl x509 -in officer.pem -pubkey -noout > officer.pub
    openssl dgst -sm3 -verify officer.pub -sigopt distid:1234567812345678 \\
        -signature 记录/文件名.sm2-signature.der 记录/文件名.sm2-signed-attrs.der
    openssl dgst -sm3 记录/文件名      （应与 signed-attrs 中的 messageDigest 相同）
`
    : ''
}
三、核对时间戳（OpenSSL）：
    openssl ts -verify -in 记录/文件名.tsr -data 记录/文件名 -CAfile 信任锚/tsa-root.pem

四、查看签名人（中文姓名）：
    openssl pkcs7 -inform DER -in 记录/文件名.p7s -print_certs | openssl x509 -noout -subject -nameopt utf8
`

export async function exportRecords(
  deps: CoreDeps,
  input: ParsedInput<'access.export'>,
  ctx: CallContext,
): Promise<MethodOutput<'access.export'>> {
  const actor = actorOf(ctx)
  const db = deps.db
  const c = db.prepare('SELECT id, case_no FROM cases WHERE id = ?').get(input.caseId) as
    { id: string; case_no: string } | undefined
  const ids =
    input.recordIds ??
    (c
      ? (
          db
            .prepare('SELECT evidence_id FROM record_tags WHERE case_id = ? ORDER BY evidence_id')
            .all(c.id) as {
            evidence_id: string
          }[]
        ).map((r) => r.evidence_id)
      : [])
  // All or nothing: every record must be covered by an export grant before a single byte is copied.
  const refused = !c ? input.caseId : ids.find((id) => !basisForRecord(deps, actor, id, 'export'))
  if (refused || !ids.length) {
    gateRecord(deps, ctx, refused ?? input.caseId, 'export', 'access.export')
    throw new AppError('FORBIDDEN')
  }
  const out = path.resolve(input.outDir)
  refuseOutputInDataFolder(deps.layout, out)
  if (fs.existsSync(out) && fs.readdirSync(out).length) throw new AppError('OUT_DIR_NOT_EMPTY', { path: out })
  const recordsDir = path.join(out, '记录')
  fs.mkdirSync(recordsDir, { recursive: true })
  fs.mkdirSync(path.join(out, '信任锚'), { recursive: true })
  // Each exported file appears whole or not at all (a full USB stick leaves no truncated record).
  const put = (file: string, bytes: Uint8Array | string) => writeAtomicSync(file, bytes, { mode: 0o644 })
  put(path.join(out, '信任锚', 'root.pem'), trustAnchors(db).join(''))
  const tsa = tsaAnchors(db)
  if (tsa.length) put(path.join(out, '信任锚', 'tsa-root.pem'), tsa.join(''))

  const manifest: string[] = []
  const used = new Set<string>()
  let sm2 = false
  for (const id of ids) {
    gateRecord(deps, ctx, id, 'export', 'access.export')
    const e = db.prepare('SELECT sha256, original_name FROM evidence WHERE id = ?').get(id) as {
      sha256: string
      original_name: string
    }
    let name = safeFileName(e.original_name)
    while (used.has(name)) name = `${e.sha256.slice(0, 8)}_${name}`
    used.add(name)
    const target = path.join(recordsDir, name)
    const part = tempNameFor(target)
    try {
      await fs.promises.copyFile(objectPath(deps.layout, e.sha256), part)
      const back = await hashFile(part)
      if (back.sha256 !== e.sha256) throw new AppError('VERIFY_FAILED')
    } catch (err) {
      await fs.promises.rm(part, { force: true })
      throw err
    }
    await commitFile(part, target, { mode: 0o644 })
    manifest.push(`${e.sha256}  记录/${name}`)
    const sigs = db
      .prepare('SELECT path, tsr_path FROM signatures WHERE evidence_id = ? ORDER BY signed_at')
      .all(id) as { path: string; tsr_path: string | null }[]
    sigs.forEach((s, i) => {
      const suffix = i === 0 ? '' : `.${i + 1}`
      const copies: [string, string][] = [[s.path, `${name}${suffix}.p7s`]]
      if (s.tsr_path) copies.push([s.tsr_path, `${name}${suffix}.tsr`])
      const sm2Attrs = s.path.replace(/\.p7s$/, '.sm2-signed-attrs.der')
      if (fs.existsSync(path.join(deps.layout.root, sm2Attrs))) {
        sm2 = true
        copies.push([sm2Attrs, `${name}${suffix}.sm2-signed-attrs.der`])
        copies.push([s.path.replace(/\.p7s$/, '.sm2-signature.der'), `${name}${suffix}.sm2-signature.der`])
      }
      for (const [from, to] of copies) {
        const bytes = fs.readFileSync(path.join(deps.layout.root, from))
        put(path.join(recordsDir, to), bytes)
        manifest.push(`${crypto.createHash('sha256').update(bytes).digest('hex')}  记录/${to}`)
      }
    })
  }
  put(path.join(out, 'manifest-sha256.txt'), `${manifest.join('\n')}\n`)
  put(
    path.join(out, '说明.txt'),
    README(c!.case_no, formatBeijing(deps.now()), actor.displayName, sm2).replace(/\n/g, '\r\n'),
  )
  auditedChange(
    deps,
    {
      ...actorFields(actor),
      action: 'access.exportDone',
      targetType: 'case',
      targetId: c!.id,
      details: { caseId: c!.id, caseNo: c!.case_no, records: ids.length, outDir: out },
    },
    () => undefined,
  )
  return { outDir: out, records: ids.length, manifest: manifest.length }
}
