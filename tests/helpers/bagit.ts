import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/*
 * An RFC 8493 validator written for the tests from the RFC, sharing no code with the product: what a BagIt
 * tool (bagit.py --validate) checks. Returns the problems found; an empty list is a valid bag.
 */

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? walk(p, base) : [path.relative(base, p).split(path.sep).join('/')]
  })
}

const hashOf = (alg: string, file: string) =>
  crypto.createHash(alg).update(fs.readFileSync(file)).digest('hex')

function readManifest(file: string): Map<string, string> {
  const m = new Map<string, string>()
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (!line) continue
    const at = line.search(/\s/)
    const rel = line
      .slice(at)
      .replace(/^\s+/, '')
      .replace(/%0A/gi, '\n')
      .replace(/%0D/gi, '\r')
      .replace(/%25/g, '%')
    m.set(rel, line.slice(0, at).toLowerCase())
  }
  return m
}

export function validateBag(bag: string): string[] {
  const problems: string[] = []
  const at = (n: string) => path.join(bag, n)
  if (!fs.existsSync(at('bagit.txt'))) return ['bagit.txt missing']
  const decl = fs.readFileSync(at('bagit.txt'), 'utf8')
  if (!/^BagIt-Version: 1\.0\r?\nTag-File-Character-Encoding: UTF-8\r?\n$/.test(decl))
    problems.push(`bagit.txt: ${JSON.stringify(decl)}`)
  if (!fs.existsSync(at('data'))) problems.push('data/ missing')
  const files = walk(bag)
  const payload = files.filter((f) => f.startsWith('data/'))
  const manifests = files.filter((f) => /^manifest-[a-z0-9]+\.txt$/.test(f))
  if (!manifests.length) problems.push('no payload manifest')
  for (const man of manifests) {
    const alg = /^manifest-(.+)\.txt$/.exec(man)![1]!
    const m = readManifest(at(man))
    for (const f of payload) if (!m.has(f)) problems.push(`${man}: ${f} not listed`)
    for (const [f, h] of m) {
      if (!fs.existsSync(at(f))) problems.push(`${man}: ${f} missing`)
      else if (hashOf(alg, at(f)) !== h) problems.push(`${man}: ${f} checksum differs`)
    }
  }
  for (const tm of files.filter((f) => /^tagmanifest-[a-z0-9]+\.txt$/.test(f))) {
    const alg = /^tagmanifest-(.+)\.txt$/.exec(tm)![1]!
    for (const [f, h] of readManifest(at(tm))) {
      if (f.startsWith('data/') || /^tagmanifest-/.test(f)) problems.push(`${tm}: lists ${f}`)
      else if (!fs.existsSync(at(f))) problems.push(`${tm}: ${f} missing`)
      else if (hashOf(alg, at(f)) !== h) problems.push(`${tm}: ${f} checksum differs`)
    }
  }
  if (fs.existsSync(at('bag-info.txt'))) {
    const info = fs.readFileSync(at('bag-info.txt'), 'utf8')
    for (const line of info.split(/\r?\n/).filter(Boolean))
      if (!/^[^:\s][^:]*: /.test(line) && !/^\s/.test(line)) problems.push(`bag-info.txt: bad line ${line}`)
    const oxum = /^Payload-Oxum: (\d+)\.(\d+)$/m.exec(info)
    if (oxum) {
      const bytes = payload.reduce((n, f) => n + fs.statSync(at(f)).size, 0)
      if (Number(oxum[1]) !== bytes || Number(oxum[2]) !== payload.length)
        problems.push(`Payload-Oxum ${oxum[1]}.${oxum[2]} but ${bytes}.${payload.length}`)
    }
  }
  return problems
}
