import {once} from 'node:events'
import net from 'node:net'
import {Pool} from 'undici'
import {afterEach, describe, expect, it} from 'vitest'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import type {FaultAction} from '../../src/proxy/fault.js'
import {HttpFaultProxy} from '../../src/proxy/http/http-fault-proxy.js'
import {RuleSet} from '../../src/proxy/rule-set.js'
import {startCountingServer} from '../helpers/servers.js'
import {untilEvents} from '../helpers/event-wait.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function setup(action?: FaultAction, extra: {nth?: number; match?: {path?: string}} = {}) {
  const upstream = await startCountingServer()
  cleanups.push(upstream.close)
  const events = new EventLog()
  const seen: ProxyEvent[] = []
  events.on('event', (e) => seen.push(e))
  const rules = new RuleSet(1)
  if (action) rules.add({id: 'r', action, ...extra})
  const proxy = new HttpFaultProxy({upstream: upstream.url, events, rules, captureBytes: 1024})
  await proxy.start()
  cleanups.push(() => proxy.close())
  const client = new Pool(proxy.url)
  cleanups.push(() => client.destroy())
  const post = (path = '/x', signal?: AbortSignal) =>
    client.request({method: 'POST', path, body: 'hello', headers: {'content-type': 'text/plain'}, signal}).then(async (r) => ({
      status: r.statusCode,
      json: (await r.body.json()) as {n: number; method: string; path: string; body: string},
    }))
  return {upstream, proxy, events, seen, post, client}
}

const ofType = (seen: ProxyEvent[], type: string) => seen.filter((e) => e.type === type)

describe('HttpFaultProxy', () => {
  it('forwards requests and bodies unchanged with keep-alive, recording each delivery', async () => {
    const {post, seen, upstream} = await setup()
    const a = await post('/a')
    const b = await post('/b?q=1')
    expect(a).toEqual({status: 200, json: {n: 1, method: 'POST', path: '/a', body: 'hello'}})
    expect(b.json.path).toBe('/b?q=1')
    // The server is addressed by its own authority, not the proxy's.
    expect(upstream.state.hosts.at(-1)).toBe(new URL(upstream.url).host)
    expect(upstream.state.hits).toBe(2)
    expect(ofType(seen, 'delivery')).toHaveLength(2)
    expect(ofType(seen, 'fault')).toHaveLength(0)
  })

  it('drop-request never forwards; the client times out', async () => {
    const {post, seen, upstream, events} = await setup({type: 'drop-request', mode: 'timeout'})
    const ac = new AbortController()
    const pending = post('/x', ac.signal)
    await untilEvents(events, () => ofType(seen, 'fault').length === 1)
    ac.abort()
    await expect(pending).rejects.toThrow()
    expect(upstream.state.hits).toBe(0)
    expect(ofType(seen, 'fault')[0]).toMatchObject({fault: 'drop-request', phase: 'request'})
  })

  it('drop-request in reset mode resets the connection', async () => {
    const {post, upstream} = await setup({type: 'drop-request', mode: 'reset'})
    await expect(post()).rejects.toThrow(/other side closed|ECONNRESET|socket/i)
    expect(upstream.state.hits).toBe(0)
  })

  it('drop-reply forwards, lets the server answer, and discards the reply', async () => {
    const {post, seen, upstream, events} = await setup({type: 'drop-reply', mode: 'reset'})
    await expect(post()).rejects.toThrow()
    await untilEvents(events, () => ofType(seen, 'fault').length === 1)
    expect(upstream.state.hits).toBe(1)
    const kinds = seen.filter((e) => ['delivery', 'reply-end', 'fault'].includes(e.type)).map((e) => e.type)
    expect(kinds).toEqual(['delivery', 'reply-end', 'fault'])
  })

  for (const mode of ['sequential', 'concurrent', 'delayed'] as const) {
    it(`duplicate (${mode}) delivers twice and the client gets the first reply`, async () => {
      const {post, seen, upstream, events} = await setup({type: 'duplicate', mode, delay: 20})
      const reply = await post()
      await untilEvents(events, () => ofType(seen, 'reply-end').length === 2)
      expect(upstream.state.hits).toBe(2)
      expect(reply.status).toBe(200)
      const deliveries = ofType(seen, 'delivery')
      expect(deliveries.map((d) => d.delivery)).toEqual([1, 2])
      expect(ofType(seen, 'fault')[0]?.detail).toMatchObject({mode})
      // The client's reply is delivery 1's.
      const firstReply = ofType(seen, 'reply-end').find((e) => e.delivery === 1)
      expect(JSON.parse(String(firstReply?.detail?.body)).n).toBe(reply.json.n)
    })
  }

  it('delay holds the request for the given time before forwarding', async () => {
    const {post, seen} = await setup({type: 'delay', phase: 'request', delay: 60})
    const started = performance.now()
    await post()
    expect(performance.now() - started).toBeGreaterThanOrEqual(55)
    expect(ofType(seen, 'fault')[0]).toMatchObject({fault: 'delay', phase: 'request'})
  })

  it('delay on the reply holds the reply after the server answered', async () => {
    const {post, seen} = await setup({type: 'delay', phase: 'reply', delay: 60})
    const started = performance.now()
    const reply = await post()
    expect(reply.status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(55)
    const order = seen.filter((e) => ['reply-end', 'fault', 'forwarded'].includes(e.type)).map((e) => e.type)
    expect(order).toEqual(['reply-end', 'fault', 'forwarded'])
  })

  it('reset mid-reply sends part of the reply, then resets the connection', async () => {
    const {post, seen, upstream} = await setup({type: 'reset', phase: 'mid-reply'})
    await expect(post()).rejects.toThrow()
    expect(upstream.state.hits).toBe(1)
    expect(ofType(seen, 'fault')[0]).toMatchObject({fault: 'reset', phase: 'mid-reply'})
  })

  it('nth targets only that occurrence of a matching request', async () => {
    const {post, upstream, seen, events} = await setup({type: 'duplicate', mode: 'sequential', delay: 0}, {nth: 2, match: {path: '/hit/*'}})
    await post('/hit/1')
    await post('/other')
    await post('/hit/2')
    await post('/hit/3')
    await untilEvents(events, () => ofType(seen, 'reply-end').length === 5)
    expect(upstream.state.hits).toBe(5)
    expect(ofType(seen, 'fault')).toHaveLength(1)
    expect(ofType(seen, 'fault')[0]?.request).toBe(ofType(seen, 'request')[2]?.request)
  })

  it('tracks a trial in flight until its delayed delivery completed', async () => {
    const {client, proxy, upstream, events, seen} = await setup({type: 'delay', phase: 'request', delay: 40})
    const ac = new AbortController()
    const pending = client.request({method: 'GET', path: '/t', headers: {'x-faultline-trial': 'T1', 'x-faultline-attempt': '1'}, signal: ac.signal})
    await untilEvents(events, () => ofType(seen, 'fault').length === 1)
    expect(proxy.tracker.inFlight('T1')).toBeGreaterThan(0)
    ac.abort() // the client gives up; the late request must still reach the server
    await expect(pending).rejects.toThrow()
    await proxy.tracker.waitQuiet('T1', 5)
    expect(upstream.state.hits).toBe(1)
  })

  it('answers malformed traffic with 400, records an error and keeps serving', async () => {
    const {proxy, seen, post} = await setup()
    const socket = net.connect(proxy.port, '127.0.0.1')
    socket.write('THIS IS NOT HTTP\r\n\r\n')
    const data: Buffer[] = []
    socket.on('data', (d) => data.push(d))
    await once(socket, 'close')
    expect(Buffer.concat(data).toString()).toMatch(/^HTTP\/1.1 400/)
    expect(ofType(seen, 'error')[0]?.detail?.message).toMatch(/malformed/)
    expect((await post()).status).toBe(200)
  })

  it('answers 502 when the upstream is down', async () => {
    const events = new EventLog()
    const probe = net.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = (probe.address() as net.AddressInfo).port
    await new Promise<void>((r) => probe.close(() => r()))
    const seen: ProxyEvent[] = []
    events.on('event', (e) => seen.push(e))
    const proxy = new HttpFaultProxy({upstream: `http://127.0.0.1:${port}`, events, rules: new RuleSet(1)})
    await proxy.start()
    cleanups.push(() => proxy.close())
    const client = new Pool(proxy.url)
    cleanups.push(() => client.destroy())
    const r = await client.request({method: 'GET', path: '/'})
    expect(r.statusCode).toBe(502)
    expect(await r.body.text()).toMatch(/ECONNREFUSED|upstream/)
    // A refused connection is not a delivery: the server never saw the request.
    expect(ofType(seen, 'delivery')).toHaveLength(0)
    expect(ofType(seen, 'error').length).toBeGreaterThan(0)
  })
})

