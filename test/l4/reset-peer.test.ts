import net from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {EventLog} from '../../src/events/event-log.js'
import {L4Proxy} from '../../src/proxy/l4/l4-proxy.js'
import {collect, connect, listen, Resources} from '../helpers/net.js'

const res = new Resources()
afterEach(() => res.closeAll())

/** An echo server that reports, per connection, how many bytes it received before it closed. */
function countingEcho(onClosed: (bytes: number) => void): net.Server {
  return net.createServer((s) => {
    let bytes = 0
    s.on('data', (d: Buffer) => {
      bytes += d.length
      s.write(d)
    })
    s.on('error', () => {})
    s.on('close', () => onClosed(bytes))
  })
}

describe('reset_peer with timeout 0', () => {
  it('resets every new connection before any byte reaches the upstream (50 runs)', async () => {
    const received: number[] = []
    const waiters: Array<() => void> = []
    const upstream = await listen(
      res.server(
        countingEcho((bytes) => {
          received.push(bytes)
          waiters.shift()?.()
        }),
      ),
    )
    const events = new EventLog()
    const proxy = new L4Proxy({name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}`, seed: 1, events})
    await proxy.start()
    res.add(() => proxy.stop())
    proxy.addToxic({name: 'rp', type: 'reset_peer', stream: 'upstream', toxicity: 1, attributes: {timeout: 0}})
    const port = Number(proxy.listen.split(':')[1])
    for (let run = 0; run < 50; run++) {
      const upstreamClosed = new Promise<void>((resolve) => waiters.push(resolve))
      const client = await connect(port, res)
      const got = collect(client)
      client.write('ping')
      const r = await got
      await upstreamClosed
      expect({run, error: r.error?.code, echoed: r.data.length}).toEqual({run, error: 'ECONNRESET', echoed: 0})
      expect({run, upstreamBytes: received[run]}).toEqual({run, upstreamBytes: 0})
    }
  })
})
