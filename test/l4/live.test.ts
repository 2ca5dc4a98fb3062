import net from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {EventLog} from '../../src/events/event-log.js'
import {L4Proxy} from '../../src/proxy/l4/l4-proxy.js'
import type {ToxicSpec} from '../../src/proxy/l4/toxic.js'
import {collect, connect, listen, pattern, Resources, until, waitForEvent} from '../helpers/net.js'

const res = new Resources()
afterEach(() => res.closeAll())

const spec = (
  name: string,
  type: string,
  stream: 'upstream' | 'downstream',
  attributes: Record<string, number>,
): ToxicSpec => ({
  name,
  type,
  stream,
  toxicity: 1,
  attributes,
})

/** Change the toxics of a live connection at every step, in a fixed order. */
function changes(proxy: L4Proxy, stream: 'upstream' | 'downstream'): Array<() => void> {
  return [
    () => proxy.addToxic(spec('lat', 'latency', stream, {latency: 5, jitter: 4})),
    () =>
      proxy.addToxic(spec('slice', 'slicer', stream, {average_size: 3000, size_variation: 1000, delay: 0})),
    () => proxy.updateToxic(spec('lat', 'latency', stream, {latency: 2, jitter: 1})),
    () => proxy.addToxic(spec('bw', 'bandwidth', stream, {rate: 20_000})),
    () => proxy.removeToxic('lat'),
    () => proxy.updateToxic(spec('bw', 'bandwidth', stream, {rate: 50_000})),
    () => proxy.removeToxic('slice'),
    () => proxy.removeToxic('bw'), // back to the fast path
    () => proxy.addToxic(spec('lat', 'latency', stream, {latency: 3, jitter: 3})),
    () => proxy.removeToxic('lat'),
  ]
}

async function start(upstreamPort: number, events = new EventLog()): Promise<{proxy: L4Proxy; port: number}> {
  const proxy = new L4Proxy({
    name: 'live',
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${upstreamPort}`,
    seed: 9,
    events,
  })
  await proxy.start()
  res.add(() => proxy.stop())
  return {proxy, port: Number(proxy.listen.split(':')[1])}
}

describe('toxics changed on a live connection', () => {
  it('downstream: adding, updating and removing toxics mid-stream loses and reorders no byte', async () => {
    const payload = pattern(6 * 1024 * 1024)
    const server = res.server(
      net.createServer((s) => {
        s.on('error', () => {})
        s.end(payload)
      }),
    )
    const {proxy, port} = await start(await listen(server))
    const steps = changes(proxy, 'downstream')
    const client = await connect(port, res)
    let received = 0
    let step = 0
    const stepEvery = Math.floor(payload.length / (steps.length + 1))
    client.on('data', (d: Buffer) => {
      received += d.length
      while (step < steps.length && received >= (step + 1) * stepEvery) (steps[step++] as () => void)()
    })
    const r = await collect(client)
    expect(step).toBe(steps.length)
    expect(r.data.length).toBe(payload.length)
    expect(r.data.equals(payload)).toBe(true)
  })

  it('upstream: the same changes while the client sends lose and reorder nothing', async () => {
    const payload = pattern(6 * 1024 * 1024)
    let steps: Array<() => void> = []
    let step = 0
    const stepEvery = Math.floor(payload.length / 11)
    const got: Buffer[] = []
    let received = 0
    let resolveDone: (b: Buffer) => void = () => {}
    const done = new Promise<Buffer>((resolve) => (resolveDone = resolve))
    const server = res.server(
      net.createServer((s) => {
        s.on('error', () => {})
        s.on('data', (d: Buffer) => {
          got.push(d)
          received += d.length
          while (step < steps.length && received >= (step + 1) * stepEvery) (steps[step++] as () => void)()
        })
        s.on('end', () => {
          s.end()
          resolveDone(Buffer.concat(got))
        })
      }),
    )
    const {proxy, port} = await start(await listen(server))
    steps = changes(proxy, 'upstream')
    const client = await connect(port, res)
    client.end(payload)
    const data = await done
    expect(step).toBe(steps.length)
    expect(data.length).toBe(payload.length)
    expect(data.equals(payload)).toBe(true)
  })

  it('a link with no toxic is a pipe; the first toxic switches it to the chain, removing the last switches back', async () => {
    const payload = pattern(4 * 1024 * 1024)
    const server = res.server(
      net.createServer((s) => {
        s.on('error', () => {})
        s.write(payload) // and stays open: the link has a source to pipe from at every step
      }),
    )
    const events = new EventLog()
    const {proxy, port} = await start(await listen(server), events)
    const closed = waitForEvent(events, (e) => e.type === 'connection-close')
    const client = await connect(port, res)
    await until(() => proxy.connections.size === 1)
    const link = [...proxy.connections][0]!.downstream
    const modes: boolean[] = []
    const steps = [
      () => proxy.addToxic(spec('lat', 'latency', 'downstream', {latency: 1})),
      () => proxy.addToxic(spec('up', 'latency', 'upstream', {latency: 1})), // the other direction only
      () => proxy.removeToxic('lat'),
      () => proxy.addToxic(spec('slice', 'slicer', 'downstream', {average_size: 1000, size_variation: 500, delay: 0})),
      () => proxy.removeToxic('slice'),
    ]
    let received = 0
    let step = 0
    let allReceived = () => {}
    const all = new Promise<void>((resolve) => (allReceived = resolve))
    const parts: Buffer[] = []
    const stepEvery = Math.floor(payload.length / (steps.length + 1))
    client.on('data', (d: Buffer) => {
      if (received === 0) modes.push(link.piped)
      parts.push(d)
      received += d.length
      if (received === payload.length) allReceived()
      while (step < steps.length && received >= (step + 1) * stepEvery) {
        ;(steps[step++] as () => void)()
        modes.push(link.piped)
      }
    })
    await all
    expect(modes).toEqual([true, false, false, true, false, true])
    expect(Buffer.concat(parts).equals(payload)).toBe(true)
    client.destroy()
    expect((await closed).detail).toMatchObject({upstreamBytes: 0, downstreamBytes: payload.length})
  })

  it('switching while the reader does not read keeps the backpressure and every byte', async () => {
    const payload = pattern(16 * 1024 * 1024)
    const server = res.server(
      net.createServer((s) => {
        s.on('error', () => {})
        s.end(payload)
      }),
    )
    const {proxy, port} = await start(await listen(server))
    const client = await connect(port, res)
    client.pause()
    await until(() => proxy.connections.size === 1)
    const link = [...proxy.connections][0]!.downstream
    await until(() => !link.reading, 20_000) // the pipe stopped reading the server
    expect(link.piped).toBe(true)
    proxy.addToxic(spec('lat', 'latency', 'downstream', {latency: 1}))
    expect(link.piped).toBe(false)
    expect(link.reading).toBe(false) // the client still does not read: the chain does not either
    proxy.removeToxic('lat')
    expect(link.piped).toBe(true)
    expect(link.reading).toBe(false)
    const r = collect(client)
    client.resume()
    expect((await r).data.equals(payload)).toBe(true)
  })
})
