import {once} from 'node:events'
import net from 'node:net'
import fc from 'fast-check'
import {afterEach, describe, expect, it} from 'vitest'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {HttpFaultProxy} from '../../src/proxy/http/http-fault-proxy.js'
import {RuleSet} from '../../src/proxy/rule-set.js'
import {FramedConnection} from '../../src/proxy/tcp/framed-client.js'
import {encodeFrame, type Framing} from '../../src/proxy/tcp/framing.js'
import {TcpFaultProxy} from '../../src/proxy/tcp/tcp-fault-proxy.js'
import {startCountingServer} from '../helpers/servers.js'
import {untilEvents} from '../helpers/event-wait.js'
import {jsonFrame, startFramedServer} from '../helpers/framed-server.js'

/**
 * Fuzzing the proxies with random and mutated traffic (fast-check, fixed seed, bounded runs).
 * After every batch the proxy must still answer a good request correctly and hold no
 * connection of the batch: nothing crashes, nothing leaks, offenders are closed with an event.
 */

const SEED = 20261130
const BATCHES = 20
const PER_BATCH = 10 // 200 cases per proxy kind

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

/**
 * Send bytes on a fresh connection, read until the proxy closes it. A fuzz case half-closes
 * after its bytes (what it sent is all there is); a good request does not, since Node's http
 * server drops a request whose client half-closed.
 */
async function exchange(port: number, bytes: Buffer, halfClose = true): Promise<{reply: Buffer; localPort: number}> {
  const socket = net.connect({port, host: '127.0.0.1'})
  cleanups.push(() => socket.destroy())
  const parts: Buffer[] = []
  socket.on('data', (d: Buffer) => parts.push(d))
  socket.on('error', () => undefined)
  const closed = once(socket, 'close')
  await once(socket, 'connect')
  const localPort = socket.localPort as number
  if (halfClose) socket.end(bytes)
  else socket.write(bytes)
  await closed
  return {reply: Buffer.concat(parts), localPort}
}

// ---- HTTP/1.1 requests: valid ones, then mutated --------------------------------------

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,11}$/)
const headerValue = fc.stringMatching(/^[ -~]{0,24}$/)
const body = fc.uint8Array({maxLength: 300}).map((a) => Buffer.from(a))

interface HttpCase {
  label: string
  bytes: Buffer
}

const validRequest = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
    path: fc.stringMatching(/^\/fuzz\/[a-z0-9/._~%-]{0,30}$/),
    headers: fc.array(fc.tuple(token, headerValue), {maxLength: 5}),
    body,
    chunked: fc.boolean(),
  })
  .map(({method, path, headers, body: b, chunked}) => {
    const head = [`${method} ${path} HTTP/1.1`, 'Host: fuzz', ...headers.filter(([n]) => !/^(content-length|transfer-encoding|host|connection|expect|upgrade)$/i.test(n)).map(([n, v]) => `${n}: ${v}`)]
    if (chunked) {
      head.push('Transfer-Encoding: chunked')
      const chunks = b.length === 0 ? '' : `${b.length.toString(16)}\r\n${b.toString('latin1')}\r\n`
      return Buffer.from(`${head.join('\r\n')}\r\n\r\n${chunks}0\r\n\r\n`, 'latin1')
    }
    head.push(`Content-Length: ${b.length}`)
    return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), b])
  })

const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: fuzz\r\n\r\n'
const smugglingHeads = [
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n0\r\n\r\n${smuggled}`,
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\nhello${smuggled}`,
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n${smuggled}`,
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: xchunked\r\nContent-Length: 3\r\n\r\nabc`,
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nContent-Length: -1\r\n\r\n`,
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 1e3\r\n\r\n`,
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nhello\r\n`,
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=\x01\r\nhello\r\n0\r\n\r\n`,
  `GET /fuzz/s HTTP/1.1\r\nHost: fuzz\r\n Folded: header\r\n\r\n`,
  `GET /fuzz/s HTTP/1.1\nHost: fuzz\n\n`,
  `GET /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nBad Header: x\r\n\r\n`,
  `GET /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nX-Nul: a\0b\r\n\r\n`,
  `GET /fuzz/s HTTP/9.9\r\nHost: fuzz\r\n\r\n`,
  `GET  /fuzz/s  HTTP/1.1\r\nHost: fuzz\r\n\r\n`,
  `CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n`,
  `GET /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello`,
  `POST /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nExpect: teapot\r\nContent-Length: 0\r\n\r\n`,
  `GET /fuzz/s HTTP/1.1\r\nHost: fuzz\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  `GET /${'p'.repeat(20_000)} HTTP/1.1\r\nHost: fuzz\r\n\r\n`,
  `GET /fuzz/s HTTP/1.0\r\n\r\n`,
  `GET http://elsewhere.example/fuzz/s HTTP/1.1\r\nHost: elsewhere.example\r\n\r\n`,
  `GET /fuzz/s HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n`,
  `${'GET /fuzz/p HTTP/1.1\r\nHost: fuzz\r\n\r\n'.repeat(30)}`,
]

const httpCase: fc.Arbitrary<HttpCase> = fc.oneof(
  validRequest.map((bytes) => ({label: 'valid', bytes})),
  fc.constantFrom(...smugglingHeads).map((s) => ({label: 'smuggling-like', bytes: Buffer.from(s, 'latin1')})),
  fc.tuple(validRequest, fc.nat()).map(([b, at]) => ({label: 'truncated', bytes: b.subarray(0, at % (b.length + 1))})),
  fc.tuple(validRequest, fc.nat(), fc.uint8Array({minLength: 1, maxLength: 8})).map(([b, at, junk]) => {
    const i = at % (b.length + 1)
    return {label: 'bytes inserted', bytes: Buffer.concat([b.subarray(0, i), Buffer.from(junk), b.subarray(i)])}
  }),
  fc.tuple(validRequest, fc.nat(), fc.integer({min: 0, max: 255})).map(([b, at, byte]) => {
    const copy = Buffer.from(b)
    if (copy.length > 0) copy[at % copy.length] = byte
    return {label: 'byte flipped', bytes: copy}
  }),
  fc.tuple(validRequest, validRequest).map(([a, b]) => ({label: 'pipelined', bytes: Buffer.concat([a, b])})),
  fc.uint8Array({maxLength: 400}).map((a) => ({label: 'random bytes', bytes: Buffer.from(a)})),
)

describe('fuzz: HTTP fault proxy', () => {
  it('survives 200 random and mutated requests; answers good requests after every batch; leaks no connection', async () => {
    const upstream = await startCountingServer()
    cleanups.push(upstream.close)
    const events = new EventLog()
    const seen: ProxyEvent[] = []
    events.on('event', (e) => seen.push(e))
    // Short client limits: a fuzz case the parser leaves waiting is closed within a second or two.
    const proxy = new HttpFaultProxy({upstream: upstream.url, events, rules: new RuleSet(1), timeouts: {headersTimeout: 1000, requestTimeout: 2000, keepAliveTimeout: 1000}})
    await proxy.start()
    cleanups.push(() => proxy.close())
    const connOf = new Map<string, string>()
    events.on('event', (e) => {
      if (e.type === 'connection-open' && e.conn) connOf.set(String(e.detail?.remote).split(':').at(-1) as string, e.conn)
    })
    let good = 0
    await fc.assert(
      fc.asyncProperty(fc.array(httpCase, {minLength: PER_BATCH, maxLength: PER_BATCH}), async (batch) => {
        const results = await Promise.all(batch.map((c) => exchange(proxy.port, c.bytes)))
        for (const [i, r] of results.entries()) {
          const conn = connOf.get(String(r.localPort))
          const mine = seen.filter((e) => e.conn === conn)
          const answered = r.reply.length > 0
          const offended = mine.some((e) => e.type === 'error')
          const parsed = mine.some((e) => e.type === 'request')
          const closed = mine.some((e) => e.type === 'connection-close')
          // Every case ends: answered, or recorded as an error, or sent nothing to parse.
          expect({case: batch[i]?.label, ok: closed && (answered || offended || parsed || batch[i]?.bytes.length === 0)}).toEqual({case: batch[i]?.label, ok: true})
          // Traffic the proxy refused is answered with a 4xx/5xx status line before the close.
          const refused = mine.find((e) => e.type === 'error' && /^(malformed request|request not received|CONNECT)/.test(String(e.detail?.message)))
          if (refused && answered) expect(r.reply.toString('latin1')).toMatch(/HTTP\/1\.1 (400|408|431|501) [^\r]*\r\n[^]*$/)
        }
        good += 1
        const reply = await exchange(proxy.port, Buffer.from(`POST /good/${good} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4\r\n\r\nping`), false)
        const text = reply.reply.toString()
        expect(text).toMatch(/^HTTP\/1\.1 200 /)
        expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({method: 'POST', path: `/good/${good}`, body: 'ping'})
        await untilEvents(events, () => proxy.connections === 0)
      }),
      {seed: SEED, numRuns: BATCHES, endOnFailure: true},
    )
    expect(good).toBe(BATCHES)
    expect(seen.some((e) => e.type === 'error')).toBe(true)
  }, 120_000)
})

// ---- framed TCP: random bytes and mutated frames ----------------------------------------

async function framedEcho(framing: Framing) {
  const server = await startFramedServer(framing, (frame) => ({reply: jsonFrame({echo: JSON.parse(frame.toString()) as unknown})}))
  cleanups.push(server.close)
  return server.port
}

const json = fc.jsonValue({maxDepth: 2}).map((v) => Buffer.from(JSON.stringify(v)))

function framedCase(framing: Framing): fc.Arbitrary<Buffer> {
  const frame = json.map((p) => encodeFrame(framing, p.includes(0x0a) ? Buffer.from('{}') : p))
  return fc.oneof(
    fc.array(frame, {maxLength: 4}).map((f) => Buffer.concat(f)),
    fc.uint8Array({maxLength: 300}).map((a) => Buffer.from(a)),
    fc.tuple(frame, fc.nat()).map(([f, at]) => f.subarray(0, at % (f.length + 1))),
    fc.tuple(frame, fc.nat(), fc.integer({min: 0, max: 255})).map(([f, at, byte]) => {
      const copy = Buffer.from(f)
      copy[at % copy.length] = byte
      return copy
    }),
    fc.tuple(frame, fc.uint8Array({minLength: 1, maxLength: 16})).map(([f, junk]) => Buffer.concat([Buffer.from(junk), f])),
    fc.constant(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7b])), // a length header far over the limit
  )
}

describe('fuzz: framed TCP proxy', () => {
  const framings: Framing[] = [
    {type: 'ndjson', maxFrameBytes: 4096},
    {type: 'length-prefixed', headerBytes: 4, byteOrder: 'big', maxFrameBytes: 4096},
  ]
  for (const framing of framings) {
    it(`${framing.type}: survives 200 random and mutated streams; answers good frames after every batch; leaks no connection`, async () => {
      const port = await framedEcho(framing)
      const events = new EventLog()
      const seen: ProxyEvent[] = []
      events.on('event', (e) => seen.push(e))
      const connOf = new Map<string, string>()
      events.on('event', (e) => {
        if (e.type === 'connection-open' && e.conn) connOf.set(String(e.detail?.remote).split(':').at(-1) as string, e.conn)
      })
      const proxy = new TcpFaultProxy({upstream: `tcp://127.0.0.1:${port}`, events, rules: new RuleSet(1), framing, frameTimeout: 1000})
      await proxy.start()
      cleanups.push(() => proxy.close())
      let batches = 0
      await fc.assert(
        fc.asyncProperty(fc.array(framedCase(framing), {minLength: PER_BATCH, maxLength: PER_BATCH}), async (batch) => {
          const results = await Promise.all(batch.map((bytes) => exchange(proxy.port, bytes)))
          for (const [i, r] of results.entries()) {
            const mine = seen.filter((e) => e.conn === connOf.get(String(r.localPort)))
            const bytes = batch[i] as Buffer
            const framed = mine.some((e) => e.type === 'request')
            const offended = mine.some((e) => e.type === 'error')
            const nothing = framing.type === 'ndjson' ? bytes.toString('latin1').trim() === '' : bytes.length === 0
            // Every stream is closed; one that made no request at all left an error event.
            expect({bytes: bytes.toString('hex'), ok: mine.some((e) => e.type === 'connection-close') && (framed || offended || nothing)}).toEqual({bytes: bytes.toString('hex'), ok: true})
          }
          const conn = await FramedConnection.open('127.0.0.1', proxy.port, framing)
          const reply = JSON.parse((await conn.request(Buffer.from(`{"good":${batches}}`))).toString()) as unknown
          conn.close()
          expect(reply).toEqual({echo: {good: batches}})
          batches += 1
          await untilEvents(events, () => proxy.connections === 0)
        }),
        {seed: SEED, numRuns: BATCHES, endOnFailure: true},
      )
      expect(batches).toBe(BATCHES)
    }, 120_000)
  }
})
