import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'

/*
 * A real RFC 3161 time-stamping service for the tests, on 127.0.0.1: `openssl ts -reply` behind a tiny HTTP
 * server, with its own root and a TSA certificate (extendedKeyUsage timeStamping, critical). Run as its own
 * process so CLI runs in the test process (spawnSync) can reach it. Usage: tsa-server.ts DIR
 */

const dir = process.argv[2]!
fs.mkdirSync(dir, { recursive: true })
const f = (n: string) => path.join(dir, n)
const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })

if (!fs.existsSync(f('tsa.pem'))) {
  fs.writeFileSync(
    f('ts.cnf'),
    `[ tsa ]\ndefault_tsa = tsa_config\n[ tsa_config ]\nserial = ${f('serial')}\ncrypto_device = builtin\n` +
      'signer_digest = sha256\ndefault_policy = 1.2.156.1.1\ndigests = sha256, sha384, sha512\n' +
      'accuracy = secs:1\nordering = no\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n',
  )
  fs.writeFileSync(f('serial'), '01\n')
  fs.writeFileSync(
    f('ext.cnf'),
    'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n',
  )
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '3650',
    '-utf8',
    '-subj',
    '/C=CN/O=测试时间戳中心/CN=测试时间戳根证书',
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
  openssl([
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'tsa.key',
    '-out',
    'tsa.csr',
    '-utf8',
    '-subj',
    '/C=CN/O=测试时间戳中心/CN=测试时间戳服务',
  ])
  openssl([
    'x509',
    '-req',
    '-in',
    'tsa.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '3650',
    '-extfile',
    'ext.cnf',
    '-out',
    'tsa.pem',
  ])
}

let n = 0
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const id = `${process.pid}-${++n}`
    const q = f(`q-${id}.tsq`)
    const r = f(`r-${id}.tsr`)
    fs.writeFileSync(q, Buffer.concat(chunks))
    execFile(
      'openssl',
      [
        'ts',
        '-reply',
        '-config',
        f('ts.cnf'),
        '-queryfile',
        q,
        '-signer',
        f('tsa.pem'),
        '-inkey',
        f('tsa.key'),
        '-chain',
        f('ca.pem'),
        '-out',
        r,
      ],
      (err) => {
        if (err) {
          res.writeHead(500).end()
          return
        }
        res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(fs.readFileSync(r))
      },
    )
  })
})
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number }
  process.stdout.write(`TSA_URL=http://127.0.0.1:${port}/tsa\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
