import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {L4Proxy} from '../../src/proxy/l4/l4-proxy.js'
import type {ToxicSpec} from '../../src/proxy/l4/toxic.js'
import {latency} from '../../src/proxy/l4/toxics/latency.js'
import {slicer} from '../../src/proxy/l4/toxics/slicer.js'
import {deriveRandom} from '../../src/random.js'
import {
  collect,
  connect,
  echoServer,
  listen,
  nextData,
  pattern,
  Resources,
  sendingServer,
  until,
  waitForEvent,
} from '../helpers/net.js'

const res = new Resources()
let events: EventLog
let log: ProxyEvent[]

beforeEach(() => {
  events = new EventLog()
  log = []
  events.on('event', (e) => log.push(e))
})
afterEach(() => res.closeAll())

async function proxyTo(port: number, seed = 1): Promise<{proxy: L4Proxy; port: number}> {
  const proxy = new L4Proxy({name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}`, seed, events})
  await proxy.start()
  res.add(() => proxy.stop())
  return {proxy, port: Number(proxy.listen.split(':')[1])}
}

function toxic(
  type: string,
  stream: 'upstream' | 'downstream',
  attributes: Record<string, number>,
  toxicity = 1,
): ToxicSpec {
  return {name: `${type}_${stream}`, type, stream, toxicity, attributes}
}

describe('L4 proxy without toxics', () => {
  it('forwards both directions and half-close, then closes both sockets', async () => {
    const upstream = await listen(res.server(echoServer()))
    const {proxy, port} = await proxyTo(upstream)
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/)
    const client = await connect(port, res)
    const received = collect(client)
    const closedEvent = waitForEvent(events, (e) => e.type === 'connection-close')
    client.write('ping ')
    expect((await nextData(client)).toString()).toBe('ping ')
    client.end('last') // half-close: the echo server answers, then ends
    const r = await received
    expect(r.data.toString()).toBe('ping last')
    expect(r.error).toBeUndefined()
    expect(r.endAt).toBeDefined()
    const closed = await closedEvent
    expect(closed.detail).toMatchObject({upstreamBytes: 9, downstreamBytes: 9})
    expect(proxy.connections.size).toBe(0)
  })

  it('keeps a half-closed connection usable in the other direction', async () => {
    const net = await import('node:net')
    let serverSide!: import('node:net').Socket
    const srv = res.server(
      net.createServer({allowHalfOpen: true}, (s) => {
        serverSide = s
        s.on('end', () => s.write('still here'))
        s.resume()
      }),
    )
    const upstream = await listen(srv)
    const {port} = await proxyTo(upstream)
    const client = await connect(port, res)
    client.end()
    expect((await nextData(client)).toString()).toBe('still here')
    expect(client.destroyed).toBe(false)
    serverSide.end()
    await new Promise((r) => client.once('end', r))
  })

  it('closes the client when the upstream cannot be dialled and records an error', async () => {
    const dead = await listen(res.server(echoServer()))
    await res.closeAll() // port now closed
    const {port} = await proxyTo(dead)
    const client = await connect(port, res)
    const r = await collect(client)
    expect(r.data.length).toBe(0)
    expect(log.some((e) => e.type === 'error' && e.detail?.side === 'server')).toBe(true)
  })
})

describe('L4 toxics on the wire', () => {
  it('latency delays each chunk by at least the latency', async () => {
    const upstream = await listen(res.server(echoServer()))
    const {proxy, port} = await proxyTo(upstream)
    proxy.addToxic(toxic('latency', 'downstream', {latency: 150, jitter: 0}))
    const client = await connect(port, res)
    const t0 = performance.now()
    client.write('x')
    await nextData(client)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(149)
  })

  it('latency with jitter keeps the byte order', async () => {
    const payload = pattern(200_000)
    const upstream = await listen(res.server(sendingServer(payload)))
    const {proxy, port} = await proxyTo(upstream)
    proxy.addToxic(toxic('latency', 'downstream', {latency: 20, jitter: 19}))
    const r = await collect(await connect(port, res))
    expect(r.data.equals(payload)).toBe(true)
  })

  it('bandwidth paces the data to the rate (KB/s, 1 KB = 1000 B)', async () => {
    const payload = pattern(50_000)
    const upstream = await listen(res.server(sendingServer(payload)))
    const {proxy, port} = await proxyTo(upstream)
    proxy.addToxic(toxic('bandwidth', 'downstream', {rate: 100})) // 100 000 B/s → 0.5 s
    // Measured from before the connection: no byte can have been paced before t0. (Counting
    // the client's reads proves nothing: a busy event loop joins the pieces.)
    const t0 = performance.now()
    const r = await collect(await connect(port, res))
    expect(r.data.equals(payload)).toBe(true)
    expect((r.endAt as number) - t0).toBeGreaterThanOrEqual(390) // at least 40 000 B after the first piece
  })

  it('reset_peer resets the connection: the client sees ECONNRESET', async () => {
    const upstream = await listen(res.server(echoServer()))
    const {proxy, port} = await proxyTo(upstream)
    proxy.addToxic(toxic('reset_peer', 'downstream', {timeout: 50}))
    const client = await connect(port, res)
    client.write('hello')
    const r = await collect(client)
    expect(r.error?.code).toBe('ECONNRESET')
    expect(log.some((e) => e.type === 'fault' && e.fault === 'reset_peer')).toBe(true)
  })

  it('limit_data forwards exactly that many bytes, then closes', async () => {
    const upstream = await listen(res.server(sendingServer(pattern(10_000), true)))
    const {proxy, port} = await proxyTo(upstream)
    proxy.addToxic(toxic('limit_data', 'downstream', {bytes: 100}))
    const r = await collect(await connect(port, res))
    expect(r.data.equals(pattern(10_000).subarray(0, 100))).toBe(true)
    expect(r.endAt).toBeDefined()
  })

  it('timeout drops data and closes after the timeout', async () => {
    let serverGot = 0
    const net = await import('node:net')
    const upstream = await listen(
      res.server(net.createServer((s) => s.on('data', (d) => (serverGot += d.length)).on('error', () => {}))),
    )
    const {proxy, port} = await proxyTo(upstream)
    proxy.addToxic(toxic('timeout', 'upstream', {timeout: 200}))
    const client = await connect(port, res)
    const t0 = performance.now()
    client.write('dropped')
    const r = await collect(client)
    expect(r.closeAt - t0).toBeGreaterThanOrEqual(199)
    expect(serverGot).toBe(0)
  })

  it('timeout 0 never closes by itself; removing it closes the connection', async () => {
    const upstream = await listen(res.server(echoServer()))
    const {proxy, port} = await proxyTo(upstream)
    proxy.addToxic(toxic('timeout', 'downstream', {timeout: 0}))
    const client = await connect(port, res)
    const received = collect(client)
    client.write('swallowed')
    // the echo arrives at the proxy and is dropped there
    const [connection] = [...proxy.connections]
    await until(() => (connection?.downstream.bytesIn ?? 0) === 9)
    expect(connection?.downstream.bytesOut).toBe(0)
    expect(client.destroyed).toBe(false)
    proxy.removeToxic('timeout_downstream')
    const r = await received
    expect(r.data.length).toBe(0)
    expect(r.endAt).toBeDefined()
  })

  it('slow_close delays the close but not the data', async () => {
    const upstream = await listen(res.server(sendingServer(Buffer.from('bye'))))
    const {proxy, port} = await proxyTo(upstream)
    proxy.addToxic(toxic('slow_close', 'downstream', {delay: 200}))
    // From before the connection: the close is due 200 ms after the server's FIN, which comes
    // later still (the first byte's arrival time depends on how busy the client is).
    const t0 = performance.now()
    const r = await collect(await connect(port, res))
    expect(r.data.toString()).toBe('bye')
    expect((r.endAt as number) - t0).toBeGreaterThanOrEqual(190)
  })

  it('slicer passes the data through whole and in order on the wire', async () => {
    const payload = pattern(100)
    const upstream = await listen(res.server(sendingServer(payload)))
    const {proxy, port} = await proxyTo(upstream)
    proxy.addToxic(toxic('slicer', 'downstream', {average_size: 10, size_variation: 4, delay: 3000}))
    const r = await collect(await connect(port, res))
    expect(r.data.equals(payload)).toBe(true)
  })

  it('slicer cuts each chunk into writes of average_size ± size_variation', () => {
    // How many reads a client sees depends on how busy its event loop is, so the slicing is
    // checked where it happens: the stage's own writes.
    const pushed: Buffer[] = []
    const stage = slicer.create({average_size: 10, size_variation: 4, delay: 0}, {
      random: deriveRandom(1, 'slicer'),
      push: (chunk) => pushed.push(chunk),
      pushEnd: () => undefined,
      reset: () => undefined,
      fired: () => undefined,
    })
    const payload = pattern(100)
    stage.write(payload)
    stage.flush()
    stage.dispose()
    expect(Buffer.concat(pushed).equals(payload)).toBe(true)
    expect(pushed.length).toBeGreaterThanOrEqual(8)
    for (const chunk of pushed.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThanOrEqual(6)
      expect(chunk.length).toBeLessThanOrEqual(14)
    }
  })

  it('latency 0 ms hands each chunk on at once, without a timer, and keeps order behind held chunks', () => {
    const pushed: string[] = []
    const ctx = (random = deriveRandom(1, 'latency')) => ({
      random,
      push: (chunk: Buffer) => pushed.push(chunk.toString()),
      pushEnd: () => pushed.push('END'),
      reset: () => undefined,
      fired: () => undefined,
    })
    const stage = latency.create({latency: 0, jitter: 0}, ctx())
    stage.write(Buffer.from('a'))
    stage.write(Buffer.from('b'))
    stage.end(false)
    expect(pushed).toEqual(['a', 'b', 'END']) // synchronously: no timer turned
    expect(stage.held).toBe(0)
    stage.dispose()
    // with jitter, a chunk due now still waits behind one held back
    pushed.length = 0
    const jittery = latency.create({latency: 0, jitter: 1000}, ctx(deriveRandom(3, 'latency')))
    for (const c of ['1', '2', '3', '4', '5', '6', '7', '8']) jittery.write(Buffer.from(c))
    jittery.flush()
    jittery.dispose()
    expect(pushed.join('')).toBe('12345678')
  })

  it('noop passes data through', async () => {
    const upstream = await listen(res.server(echoServer()))
    const {proxy, port} = await proxyTo(upstream)
    proxy.addToxic(toxic('noop', 'upstream', {}))
    const client = await connect(port, res)
    client.end('through')
    expect((await collect(client)).data.toString()).toBe('through')
  })

  it('toxicity 0 never applies (and records applied=false)', async () => {
    const upstream = await listen(res.server(echoServer()))
    const {proxy, port} = await proxyTo(upstream)
    proxy.addToxic(toxic('timeout', 'upstream', {timeout: 0}, 0))
    for (let i = 0; i < 5; i++) {
      const client = await connect(port, res)
      client.end('ok')
      expect((await collect(client)).data.toString()).toBe('ok')
    }
    const rolls = log.filter((e) => e.type === 'toxic')
    expect(rolls).toHaveLength(5)
    expect(rolls.every((e) => e.detail?.applied === false)).toBe(true)
  })

  it('toxicity rolls are reproducible from the seed', async () => {
    const upstream = await listen(res.server(echoServer()))
    const rolls = async (seed: number) => {
      const mine = new EventLog()
      const seen: boolean[] = []
      mine.on('event', (e) => e.type === 'toxic' && seen.push(e.detail?.applied as boolean))
      const proxy = new L4Proxy({
        name: 'r',
        listen: '127.0.0.1:0',
        upstream: `127.0.0.1:${upstream}`,
        seed,
        events: mine,
      })
      await proxy.start()
      res.add(() => proxy.stop())
      proxy.addToxic(toxic('noop', 'downstream', {}, 0.5))
      for (let i = 0; i < 12; i++) {
        const client = await connect(Number(proxy.listen.split(':')[1]), res)
        client.end('x')
        await collect(client)
      }
      return seen
    }
    const a = await rolls(42)
    expect(await rolls(42)).toEqual(a)
    expect(a).toContain(true)
    expect(a).toContain(false)
  })

  it('down (stop) closes the listener and live connections', async () => {
    const upstream = await listen(res.server(echoServer()))
    const {proxy, port} = await proxyTo(upstream)
    const client = await connect(port, res)
    const r = collect(client)
    client.write('a')
    await nextData(client)
    await proxy.stop()
    await r
    const net = await import('node:net')
    const refused = await new Promise<string | undefined>((resolve) => {
      const s = net.connect(port, '127.0.0.1')
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code))
      s.on('connect', () => resolve('connected'))
    })
    expect(refused).toBe('ECONNREFUSED')
  })
})
