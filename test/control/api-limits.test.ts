import net from 'node:net'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {startApi, type Api} from '../helpers/control.js'
import {Resources} from '../helpers/net.js'

const res = new Resources()
let api: Api

beforeEach(async () => {
  api = await startApi(res)
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
