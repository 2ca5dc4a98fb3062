import net from 'node:net'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {startApi, type Api} from '../helpers/control.js'
import {echoServer, listen, Resources} from '../helpers/net.js'

const res = new Resources()
let api: Api
let upstream: string

beforeEach(async () => {
  api = await startApi(res)
  upstream = `127.0.0.1:${await listen(res.server(echoServer()))}`
})
afterEach(() => res.closeAll())

/** Send raw bytes, read everything until the server closes; never throws on a reset. */
function rawExchange(base: string, request: Buffer): Promise<{text: string; error?: string}> {
  const {hostname, port} = new URL(base)
  return new Promise((resolve) => {
    const socket = res.socket(net.connect({host: hostname, port: Number(port)}))
    const parts: Buffer[] = []
    let error: string | undefined
    socket.on('data', (d: Buffer) => parts.push(d))
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code))
    socket.on('close', () => resolve({text: Buffer.concat(parts).toString('utf8'), error}))
    socket.write(request)
  })
}

describe('admin API: request limits', () => {
  it('answers an oversize body with 400 and a Toxiproxy-style error body, then closes', async () => {
    const body = Buffer.alloc(3 << 20, 0x20) // 3 MiB of spaces, over the 1 MiB limit
    const head = `POST /proxies HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`
    const {text} = await rawExchange(api.base, Buffer.concat([Buffer.from(head), body]))
    expect(text).toMatch(/^HTTP\/1\.1 400 /)
    expect(text.toLowerCase()).toContain('connection: close')
    const json = text.slice(text.indexOf('\r\n\r\n') + 4)
    expect(JSON.parse(json)).toEqual({error: 'bad request body: body larger than 1 MiB', status: 400})
    // The server is still fine for the next client.
    expect((await api.call('GET', '/version')).status).toBe(200)
  })

  it('answers an oversize chunked body with 400 as well', async () => {
    const chunk = Buffer.alloc(64 << 10, 0x20)
    const parts = [Buffer.from('POST /proxies HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')]
    for (let i = 0; i < 40; i++) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'))
    parts.push(Buffer.from('0\r\n\r\n'))
    const {text} = await rawExchange(api.base, Buffer.concat(parts))
    expect(text).toMatch(/^HTTP\/1\.1 400 /)
    expect(text).toContain('"bad request body: body larger than 1 MiB"')
  })
})

describe('admin API: attribute ranges', () => {
  const MAX = 2 ** 31 - 1
  const cases: Array<[string, string, Record<string, number>, string]> = [
    ['tcp', 'latency', {latency: 1e300}, 'latency'],
    ['tcp', 'latency', {jitter: MAX + 1}, 'jitter'],
    ['tcp', 'timeout', {timeout: 1e300}, 'timeout'],
    ['tcp', 'reset_peer', {timeout: -1e300}, 'timeout'],
    ['tcp', 'slow_close', {delay: 2 ** 40}, 'delay'],
    ['tcp', 'bandwidth', {rate: 1e300}, 'rate'],
    ['tcp', 'slicer', {delay: 1e20}, 'delay'],
    ['tcp', 'limit_data', {bytes: 2 ** 53}, 'bytes'],
    ['http', 'delay', {delay: 1e300}, 'delay'],
    ['http', 'duplicate', {mode: 2, delay: MAX + 0.5}, 'delay'],
  ]

  it.each(cases)('%s proxy, %s %j: 400 naming the attribute and the range', async (protocol, type, attributes, name) => {
    expect((await api.call('POST', '/proxies', {name: 'p', upstream, protocol})).status).toBe(201)
    const r = await api.call('POST', '/proxies/p/toxics', {type, attributes})
    expect(r.status).toBe(400)
    const body = r.json() as {error: string; status: number}
    expect(body.status).toBe(400)
    expect(body.error).toContain(`attribute "${name}" must be`)
    expect(body.error).toContain(`from -${MAX} to ${MAX}`)
    expect((await api.call('GET', '/proxies/p/toxics')).json()).toEqual([])
  })

  it('an update past the range is 400 and keeps the toxic as it was', async () => {
    await api.call('POST', '/proxies', {name: 'p', upstream})
    expect((await api.call('POST', '/proxies/p/toxics', {type: 'latency', attributes: {latency: 10}})).status).toBe(200)
    const r = await api.call('POST', '/proxies/p/toxics/latency_downstream', {attributes: {latency: 1e300}})
    expect(r.status).toBe(400)
    expect((await api.call('GET', '/proxies/p/toxics/latency_downstream')).json()).toMatchObject({attributes: {latency: 10, jitter: 0}})
  })

  it('accepts the limit itself and negative values, as Toxiproxy does', async () => {
    await api.call('POST', '/proxies', {name: 'p', upstream})
    const a = await api.call('POST', '/proxies/p/toxics', {type: 'latency', attributes: {latency: -5, jitter: MAX}})
    expect(a.status).toBe(200)
    expect(a.json()).toMatchObject({attributes: {latency: -5, jitter: MAX}})
    const b = await api.call('POST', '/proxies/p/toxics', {type: 'timeout', stream: 'upstream', attributes: {timeout: -MAX}})
    expect(b.status).toBe(200)
  })

  it('a fraction where an integer is meant is 400', async () => {
    await api.call('POST', '/proxies', {name: 'p', upstream})
    const r = await api.call('POST', '/proxies/p/toxics', {type: 'latency', attributes: {latency: 1.5}})
    expect(r.status).toBe(400)
    expect((r.json() as {error: string}).error).toContain('attribute "latency" must be an integer')
  })
})
