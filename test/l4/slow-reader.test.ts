import net from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {EventLog} from '../../src/events/event-log.js'
import {HIGH_WATER} from '../../src/proxy/l4/link.js'
import {L4Proxy} from '../../src/proxy/l4/l4-proxy.js'
import {connect, listen, pattern, Resources, until} from '../helpers/net.js'

const res = new Resources()
afterEach(() => res.closeAll())

const TOTAL = 48 << 20 // 48 MiB
/** What one link may hold: its high-water mark plus one socket read and one write buffer of slack. */
const BOUND = HIGH_WATER + (256 << 10)

/** A server that writes `total` bytes of `pattern` with backpressure, then ends. */
function streamingServer(total: number, done: () => void): net.Server {
  const block = pattern(64 << 10)
  return net.createServer((s) => {
    s.on('error', () => {})
    let sent = 0
    const pump = () => {
      while (sent < total) {
        const n = Math.min(block.length, total - sent)
        sent += n
        if (!s.write(block.subarray(0, n))) return void s.once('drain', pump)
      }
      s.end()
      done()
    }
    pump()
  })
}

describe.each([
  ['behind a latency toxic', true],
  ['with no toxic (the pipe)', false],
])('a slow reader %s', (_name, withToxic) => {
  it('the link holds at most a few hundred KiB: the server is held back, not buffered', async () => {
    let serverDone = false
    const upstream = await listen(res.server(streamingServer(TOTAL, () => (serverDone = true))))
    const events = new EventLog()
    const proxy = new L4Proxy({name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}`, seed: 1, events})
    await proxy.start()
    res.add(() => proxy.stop())
    if (withToxic) proxy.addToxic({name: 'lat', type: 'latency', stream: 'downstream', toxicity: 1, attributes: {latency: 5}})
    const client = await connect(Number(proxy.listen.split(':')[1]), res)
    client.pause() // a reader that does not read
    await until(() => proxy.connections.size === 1)
    const link = [...proxy.connections][0]!.downstream
    // Either the link stops reading the server (backpressure reached it) or the server got
    // everything out because the proxy buffered it all.
    await until(() => !link.reading || serverDone, 20_000)
    expect(serverDone).toBe(false)
    expect(link.piped).toBe(!withToxic)
    expect(link.buffered).toBeLessThanOrEqual(BOUND)
    // Now read everything: nothing lost or reordered, and the link never held more.
    let received = 0
    let intact = true
    const expected = pattern(64 << 10)
    client.on('data', (d: Buffer) => {
      for (let i = 0; i < d.length; i += 4099) {
        const at = received + i
        if (d[i] !== expected[at % expected.length]) intact = false
      }
      received += d.length
    })
    const ended = new Promise<void>((resolve) => client.once('end', resolve))
    client.resume()
    await ended
    expect(received).toBe(TOTAL)
    expect(intact).toBe(true)
    expect(link.peakBuffered).toBeLessThanOrEqual(BOUND)
  })
})
