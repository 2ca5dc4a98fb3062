import {once} from 'node:events'
import net from 'node:net'
import {Pool} from 'undici'
import {afterEach, describe, expect, it} from 'vitest'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import type {FaultAction} from '../../src/proxy/fault.js'
import {HttpFaultProxy} from '../../src/proxy/http/http-fault-proxy.js'
import type {HttpTimeouts} from '../../src/proxy/http/timeouts.js'
import {RuleSet} from '../../src/proxy/rule-set.js'
import {FramedConnection} from '../../src/proxy/tcp/framed-client.js'
import {type Framing} from '../../src/proxy/tcp/framing.js'
import {TcpFaultProxy} from '../../src/proxy/tcp/tcp-fault-proxy.js'
import {startCountingServer} from '../helpers/servers.js'
import {untilEvents} from '../helpers/event-wait.js'
import {jsonFrame, startFramedServer} from '../helpers/framed-server.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

/** Short limits so the attack ends quickly; keep-alive stays long so the good pool never races a close. */
const SHORT: HttpTimeouts = {headersTimeout: 800, requestTimeout: 1600, keepAliveTimeout: 60_000}

interface SlowResult {
  kind: string
  reply: string
  /** The test never closes these sockets itself: a close is the proxy's doing. */
  closed: true
}

/** Open one misbehaving client; resolves when the proxy closes it. */
function slowClient(port: number, kind: string, first: string, trickle?: string): {connected: Promise<void>; closed: Promise<SlowResult>} {
  const socket = net.connect({port, host: '127.0.0.1'})
  cleanups.push(() => socket.destroy())
  let reply = ''
  let timer: NodeJS.Timeout | undefined
  socket.on('data', (d: Buffer) => (reply += d.toString('latin1')))
  socket.on('error', () => undefined)
  const connected = once(socket, 'connect').then(() => {
    socket.write(first)
    // Trickling is the attack itself (a byte now and then), not a wait for anything.
    if (trickle !== undefined) timer = setInterval(() => socket.write(trickle), 50)
  })
  const closed = new Promise<SlowResult>((resolve) =>
    socket.once('close', () => {
      if (timer) clearInterval(timer)
      resolve({kind, reply, closed: true})
    }),
  )
  return {connected: connected.then(() => undefined), closed}
}

async function httpSetup(timeouts: Partial<HttpTimeouts>, action?: FaultAction) {
  const upstream = await startCountingServer()
  cleanups.push(upstream.close)
  const events = new EventLog()
  const seen: ProxyEvent[] = []
  events.on('event', (e) => seen.push(e))
  const rules = new RuleSet(1)
  if (action) rules.add({id: 'r', action})
  const proxy = new HttpFaultProxy({upstream: upstream.url, events, rules, timeouts})
  await proxy.start()
  cleanups.push(() => proxy.close())
  return {upstream, proxy, events, seen}
}

describe('HTTP fault proxy under a slowloris attack', () => {
  it('closes 300 slow clients (stalled head, trickled head, stalled body) while good requests flow', async () => {
    const {proxy, events, seen, upstream} = await httpSetup(SHORT)
    const clients = []
    for (let i = 0; i < 300; i++) {
      const kind = ['stalled-head', 'trickled-head', 'stalled-body'][i % 3] as string
      if (kind === 'stalled-head') clients.push(slowClient(proxy.port, kind, 'GET /slow HTTP/1.1\r\nHost: x\r\nX-A: 1'))
      else if (kind === 'trickled-head') clients.push(slowClient(proxy.port, kind, 'GET /slow HTTP/1.1\r\nHost: x\r\n', 'X-Pad: y\r\n'))
      else clients.push(slowClient(proxy.port, kind, 'POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial'))
    }
    await Promise.all(clients.map((c) => c.connected))
    // Good requests through the same proxy while the slow clients hold their connections.
    const pool = new Pool(proxy.url, {connections: 4})
    cleanups.push(() => pool.destroy())
    const good = await Promise.all(
      Array.from({length: 40}, async (_, i) => {
        const r = await pool.request({method: 'POST', path: `/good/${i}`, body: `b${i}`})
        return {status: r.statusCode, json: (await r.body.json()) as {path: string; body: string}}
      }),
    )
    for (const [i, r] of good.entries()) expect(r).toEqual({status: 200, json: expect.objectContaining({path: `/good/${i}`, body: `b${i}`})})
    const results = await Promise.all(clients.map((c) => c.closed))
    for (const r of results) expect(r.reply, r.kind).toMatch(/^HTTP\/1\.1 408 /)
    const timeouts = seen.filter((e) => e.type === 'error' && e.detail?.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    expect(timeouts).toHaveLength(300)
    expect(upstream.state.hits).toBe(40) // no slow request reached the server
    await pool.close()
    await untilEvents(events, () => proxy.connections === 0)
    expect(proxy.connections).toBe(0)
  }, 25_000)

  it('closes a kept-alive connection that stays idle past the keep-alive timeout', async () => {
    const {proxy} = await httpSetup({keepAliveTimeout: 200})
    const socket = net.connect({port: proxy.port, host: '127.0.0.1'})
    cleanups.push(() => socket.destroy())
    let reply = ''
    socket.on('data', (d: Buffer) => (reply += d.toString()))
    socket.write('GET /one HTTP/1.1\r\nHost: x\r\n\r\n')
    await once(socket, 'close')
    expect(reply).toMatch(/^HTTP\/1\.1 200 /)
    expect(reply.toLowerCase()).toContain('keep-alive')
  })

  it('a delay fault longer than every timeout is not cut short: the held request is not an idle client', async () => {
    for (const phase of ['request', 'reply'] as const) {
      const {proxy, upstream} = await httpSetup({headersTimeout: 150, requestTimeout: 300, keepAliveTimeout: 150}, {type: 'delay', phase, delay: 900})
      const pool = new Pool(proxy.url)
      cleanups.push(() => pool.destroy())
      const r = await pool.request({method: 'POST', path: '/held', body: 'x'.repeat(50_000)})
      expect(r.statusCode).toBe(200)
      expect(((await r.body.json()) as {body: string}).body).toHaveLength(50_000)
      expect(upstream.state.hits).toBe(1)
    }
  })

  it('refuses timeouts Node cannot honour (head due after the whole request)', async () => {
    const upstream = await startCountingServer()
    cleanups.push(upstream.close)
    expect(() => new HttpFaultProxy({upstream: upstream.url, events: new EventLog(), rules: new RuleSet(1), timeouts: {headersTimeout: 5000, requestTimeout: 1000}})).toThrow(
      /headers timeout \(5000 ms\) must not exceed the request timeout \(1000 ms\)/,
    )
  })
})

const NDJSON: Framing = {type: 'ndjson', maxFrameBytes: 1024}
const PREFIXED: Framing = {type: 'length-prefixed', headerBytes: 4, byteOrder: 'big', maxFrameBytes: 1024}

/** A framed echo server: answers each frame with {n, echo} where n counts frames. */
async function framedServer(framing: Framing, replyDelay = 0) {
  let frames = 0
  const server = await startFramedServer(framing, (frame) => {
    frames += 1
    return {reply: jsonFrame({n: frames, echo: JSON.parse(frame.toString()) as unknown}), delayMs: replyDelay}
  })
  cleanups.push(server.close)
  return {port: server.port, frames: () => frames}
}

async function tcpSetup(framing: Framing, frameTimeout: number, action?: FaultAction) {
  const upstream = await framedServer(framing)
  const events = new EventLog()
  const seen: ProxyEvent[] = []
  events.on('event', (e) => seen.push(e))
  const rules = new RuleSet(1)
  if (action) rules.add({id: 'r', action})
  const proxy = new TcpFaultProxy({upstream: `tcp://127.0.0.1:${upstream.port}`, events, rules, framing, frameTimeout})
  await proxy.start()
  cleanups.push(() => proxy.close())
  return {upstream, proxy, events, seen}
}

describe('framed TCP proxy and clients that stop mid-frame', () => {
  for (const framing of [NDJSON, PREFIXED]) {
    it(`${framing.type}: closes 100 clients with a partial frame (stalled or trickled) while good frames flow`, async () => {
      const {proxy, events, seen, upstream} = await tcpSetup(framing, 800)
      const partial = framing.type === 'ndjson' ? '{"op":"slow"' : Buffer.from([0, 0, 0, 100, 0x7b]).toString('latin1')
      const clients = Array.from({length: 100}, (_, i) => slowClient(proxy.port, i % 2 === 0 ? 'stalled' : 'trickled', partial, i % 2 === 0 ? undefined : ' '))
      await Promise.all(clients.map((c) => c.connected))
      const conn = await FramedConnection.open('127.0.0.1', proxy.port, framing)
      cleanups.push(() => conn.close())
      for (let i = 0; i < 20; i++) {
        const reply = JSON.parse((await conn.request(Buffer.from(JSON.stringify({op: `good${i}`})))).toString()) as {echo: unknown}
        expect(reply.echo).toEqual({op: `good${i}`})
      }
      await Promise.all(clients.map((c) => c.closed))
      const timeouts = seen.filter((e) => e.type === 'error' && e.detail?.code === 'FL_FRAME_TIMEOUT')
      expect(timeouts).toHaveLength(100)
      expect(upstream.frames()).toBe(20)
      conn.close()
      await untilEvents(events, () => proxy.connections === 0)
      expect(proxy.connections).toBe(0)
    }, 25_000)
  }

  it('a held reply longer than the frame timeout is delivered: waiting for a reply is not idleness', async () => {
    const {proxy} = await tcpSetup(NDJSON, 150, {type: 'delay', phase: 'reply', delay: 700})
    const conn = await FramedConnection.open('127.0.0.1', proxy.port, NDJSON)
    cleanups.push(() => conn.close())
    const reply = JSON.parse((await conn.request(Buffer.from('{"op":"held"}'))).toString()) as {echo: unknown}
    expect(reply.echo).toEqual({op: 'held'})
  })
})
