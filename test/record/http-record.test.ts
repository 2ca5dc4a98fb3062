import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {brotliCompressSync, deflateSync, gzipSync} from 'node:zlib'
import {request} from 'undici'
import {afterEach, describe, expect, it} from 'vitest'
import type {HarEntry} from '../../src/record/har.js'
import {claimOutputFile} from '../../src/record/output-file.js'
import {startRecorder, type Recorder, type RecordProtocol} from '../../src/record/recorder.js'
import {Redaction} from '../../src/record/redaction.js'
import {startHttpServer} from '../helpers/servers.js'
import {testDir} from '../helpers/temp-dir.js'
import {harErrors, harValidator} from './har-validator.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0x0a])

/** Answers with what it got, sets a cookie, and serves binary bytes at /bin. */
async function startEchoServer() {
  const srv = await startHttpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.url === '/bin') {
        res.writeHead(200, {'content-type': 'application/octet-stream'})
        res.end(BINARY)
        return
      }
      const body = JSON.stringify({method: req.method, path: req.url, body: Buffer.concat(chunks).toString('base64')})
      res.writeHead(201, {'content-type': 'application/json', 'set-cookie': 'session=server-secret-cookie; HttpOnly'})
      res.end(body)
    })
  })
  cleanups.push(srv.close)
  return srv
}

async function record(upstream: string, options: {redaction?: Redaction; protocol?: RecordProtocol} = {}): Promise<{recorder: Recorder; out: string}> {
  const out = join(testDir('fl-record-'), 'traffic.har')
  const recorder = await startRecorder({
    protocol: options.protocol ?? 'http',
    listenHost: '127.0.0.1',
    listenPort: 0,
    upstream,
    fd: claimOutputFile(out, false),
    creator: {name: 'faultline', version: 'test'},
    redaction: options.redaction ?? new Redaction(),
  })
  cleanups.push(() => recorder.close())
  return {recorder, out}
}

async function send(base: string, path: string, init: {method?: string; headers?: Record<string, string>; body?: string | Buffer} = {}) {
  const r = await request(`${base}${path}`, {method: (init.method ?? 'GET') as 'GET', headers: init.headers, body: init.body})
  return {status: r.statusCode, headers: r.headers, body: Buffer.from(await r.body.arrayBuffer())}
}

const SECRETS = {
  authorization: 'Bearer client-secret-token',
  cookie: 'sid=client-secret-cookie',
  'proxy-authorization': 'Basic proxy-secret',
  'x-api-key': 'api-secret-key',
}

function readHar(out: string): {log: {entries: HarEntry[]; version: string; creator: {name: string}}} {
  return JSON.parse(readFileSync(out, 'utf8')) as {log: {entries: HarEntry[]; version: string; creator: {name: string}}}
}

describe('faultline record over HTTP', () => {
  it('passes requests and replies through unchanged and writes a HAR 1.2 file that validates', async () => {
    const server = await startEchoServer()
    const {recorder, out} = await record(server.url)
    const calls = [
      ['/items/42?page=2&q=a%20b', {}],
      ['/items', {method: 'POST', headers: {'content-type': 'application/json'}, body: '{"name":"x"}'}],
      ['/upload', {method: 'PUT', headers: {'content-type': 'application/octet-stream'}, body: BINARY}],
      ['/bin', {}],
    ] as const
    for (const [path, init] of calls) {
      const direct = await send(server.url, path, init)
      const proxied = await send(recorder.url, path, init)
      expect(proxied.status).toBe(direct.status)
      expect(proxied.body.equals(direct.body)).toBe(true)
      expect(proxied.headers['content-type']).toBe(direct.headers['content-type'])
      expect(proxied.headers['set-cookie']).toEqual(direct.headers['set-cookie'])
    }
    await recorder.close()

    const har = readHar(out)
    expect(harErrors(harValidator(), har)).toBe('')
    expect(har.log.version).toBe('1.2')
    expect(har.log.creator.name).toBe('faultline')
    const [get, post, put, bin] = har.log.entries as [HarEntry, HarEntry, HarEntry, HarEntry]
    expect(har.log.entries).toHaveLength(4)
    expect(get.request.url).toBe(`${server.url}/items/42?page=2&q=a%20b`)
    expect(get.request.queryString).toEqual([
      {name: 'page', value: '2'},
      {name: 'q', value: 'a b'},
    ])
    expect(get.response.status).toBe(201)
    expect(post.request.postData).toEqual({mimeType: 'application/json', text: '{"name":"x"}'})
    expect(JSON.parse(post.response.content.text as string)).toMatchObject({method: 'POST', path: '/items'})
    // Bytes that are not UTF-8 are kept exactly, as base64.
    expect(put.request.postData).toMatchObject({mimeType: 'application/octet-stream', text: BINARY.toString('base64'), _encoding: 'base64'})
    expect(put.request.bodySize).toBe(BINARY.length)
    expect(bin.response.content).toEqual({size: BINARY.length, mimeType: 'application/octet-stream', text: BINARY.toString('base64'), encoding: 'base64'})
    expect(recorder.counts.summary()).toBe('GET /items/{id} 1  POST /items 1  PUT /upload 1  GET /bin 1')
  })

  it('writes no secret header by default, nor a header named by --redact', async () => {
    const server = await startEchoServer()
    const {recorder, out} = await record(server.url, {redaction: new Redaction({extra: ['X-Api-Key']})})
    const r = await send(recorder.url, '/items', {method: 'POST', headers: {...SECRETS, 'x-visible': 'shown-value'}, body: 'b'})
    expect(r.status).toBe(201)
    await recorder.close()
    const text = readFileSync(out, 'utf8')
    for (const secret of ['client-secret-token', 'client-secret-cookie', 'proxy-secret', 'api-secret-key', 'server-secret-cookie']) expect(text).not.toContain(secret)
    const [entry] = readHar(out).log.entries as [HarEntry]
    const value = (headers: HarEntry['request']['headers'], name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value
    for (const name of Object.keys(SECRETS)) expect(value(entry.request.headers, name)).toBe('[redacted]')
    expect(value(entry.response.headers, 'set-cookie')).toBe('[redacted]')
    expect(value(entry.request.headers, 'x-visible')).toBe('shown-value')
    expect(harErrors(harValidator(), readHar(out))).toBe('')
  })

  it('keeps every header as it was with keepSecrets', async () => {
    const server = await startEchoServer()
    const {recorder, out} = await record(server.url, {redaction: new Redaction({keepSecrets: true})})
    await send(recorder.url, '/items', {headers: SECRETS})
    await recorder.close()
    const text = readFileSync(out, 'utf8')
    for (const secret of ['client-secret-token', 'client-secret-cookie', 'proxy-secret', 'api-secret-key', 'server-secret-cookie']) expect(text).toContain(secret)
  })

  it('counts JSON-RPC calls per method, batch calls one by one', async () => {
    const server = await startEchoServer()
    const {recorder, out} = await record(server.url, {protocol: 'jsonrpc'})
    const call = (body: unknown) => send(recorder.url, '/rpc', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})
    await call({jsonrpc: '2.0', id: 1, method: 'eth_blockNumber'})
    await call([
      {jsonrpc: '2.0', id: 2, method: 'eth_blockNumber'},
      {jsonrpc: '2.0', id: 3, method: 'eth_getBalance', params: ['0x0']},
    ])
    await recorder.close()
    expect(recorder.counts.summary()).toBe('POST /rpc eth_blockNumber 2  POST /rpc eth_getBalance 1')
    expect(readHar(out).log.entries).toHaveLength(2)
  })

  it('records a request whose server is gone as status 0 with the error, and the HAR still validates', async () => {
    const server = await startEchoServer()
    const {recorder, out} = await record(server.url)
    await server.close()
    const r = await send(recorder.url, '/items')
    expect(r.status).toBe(502)
    await recorder.close()
    const [entry] = readHar(out).log.entries as [HarEntry]
    expect(entry.response.status).toBe(0)
    expect(entry.response._error).toMatch(/ECONNREFUSED|connect/i)
    expect(harErrors(harValidator(), readHar(out))).toBe('')
  })

  it('writes a compressed reply decoded, as HAR content holds it, and passes the compressed bytes through unchanged', async () => {
    const json = JSON.stringify({key: 'k1', value: 1, pad: 'x'.repeat(200)})
    const encodings: Record<string, Buffer> = {
      gzip: gzipSync(json),
      br: brotliCompressSync(json),
      deflate: deflateSync(json),
      'deflate, gzip': gzipSync(deflateSync(json)),
      zstd: Buffer.from('not decodable here'),
      'gzip ': Buffer.from('truncated gzip'),
    }
    const server = await startHttpServer((req, res) => {
      const coding = decodeURIComponent((req.url ?? '/').slice(1))
      res.writeHead(200, {'content-type': 'application/json', 'content-encoding': coding})
      res.end(encodings[coding])
    })
    cleanups.push(server.close)
    const {recorder, out} = await record(server.url)
    for (const [coding, bytes] of Object.entries(encodings)) {
      const r = await send(recorder.url, `/${encodeURIComponent(coding)}`, {headers: {'accept-encoding': 'gzip, br, deflate'}})
      expect(r.body.equals(bytes)).toBe(true)
    }
    await recorder.close()
    const har = readHar(out)
    expect(harErrors(harValidator(), har)).toBe('')
    const byCoding = Object.fromEntries(har.log.entries.map((e) => [decodeURIComponent(new URL(e.request.url).pathname.slice(1)), e.response]))
    for (const coding of ['gzip', 'br', 'deflate', 'deflate, gzip']) {
      const bytes = encodings[coding] as Buffer
      expect(byCoding[coding]).toMatchObject({bodySize: bytes.length, content: {size: json.length, compression: json.length - bytes.length, mimeType: 'application/json', text: json}})
    }
    // A coding zlib does not know, or bytes that do not decode, are kept as they passed.
    for (const coding of ['zstd', 'gzip ']) {
      const bytes = encodings[coding] as Buffer
      expect(byCoding[coding]?.content).toEqual({size: bytes.length, mimeType: 'application/json', text: bytes.toString()})
    }
  })
})
