import {createServer as createHttpServer, type Server as HttpServer} from 'node:http'
import {createServer, type Server} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {findFreePort, isAddressServed, probeAddress, probeOnce} from '../../src/supervisor/index.js'

const servers: Array<Server | HttpServer> = []
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      if ('closeAllConnections' in server) server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    }),
  )
})

async function listen<T extends Server | HttpServer>(server: T): Promise<number> {
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as {port: number}).port
}

// Budgets are generous: a probe that should succeed or be refused returns at once, and a
// loaded machine may stall the event loop for a while.
describe('ready probes', () => {
  it('http: a status below 500 is ready, 5xx is not', async () => {
    let status = 503
    const port = await listen(
      createHttpServer((_req, res) => {
        res.statusCode = status
        res.end('body that must be drained')
      }),
    )
    const probe = {kind: 'http', url: `http://127.0.0.1:${port}/health`} as const
    expect(await probeOnce(probe, 10_000)).toEqual({ready: false, detail: 'HTTP 503'})
    status = 404
    expect(await probeOnce(probe, 10_000)).toEqual({ready: true, detail: 'HTTP 404'})
  })

  it('http: a server that accepts but never answers is "timeout", and the attempt hangs up', async () => {
    // Reads the request (so it sees the prober hang up) and never answers.
    let hungUp: () => void = () => {}
    const closedByProber = new Promise<void>((resolve) => (hungUp = resolve))
    const port = await listen(
      createServer((socket) => {
        socket.resume()
        socket.on('close', hungUp)
      }),
    )
    expect(await probeOnce({kind: 'http', url: `http://127.0.0.1:${port}/`}, 100)).toEqual({
      ready: false,
      detail: 'timeout',
    })
    // The abandoned attempt's connection is closed, not leaked.
    await closedByProber
  })

  it('http and tcp: nobody listening is ECONNREFUSED', async () => {
    const port = await findFreePort()
    expect(await probeOnce({kind: 'http', url: `http://127.0.0.1:${port}/`}, 10_000)).toEqual({
      ready: false,
      detail: 'ECONNREFUSED',
    })
    expect(await probeOnce({kind: 'tcp', host: '127.0.0.1', port}, 10_000)).toEqual({
      ready: false,
      detail: 'ECONNREFUSED',
    })
    expect(await isAddressServed('127.0.0.1', port)).toBe(false)
  })

  it('tcp: an accepted connection is ready', async () => {
    const port = await listen(createServer((socket) => socket.end()))
    expect(await probeOnce({kind: 'tcp', host: '127.0.0.1', port}, 10_000)).toEqual({
      ready: true,
      detail: 'connected',
    })
    expect(await isAddressServed('127.0.0.1', port)).toBe(true)
  })

  it('probeAddress reads host and port from the probe', () => {
    expect(probeAddress({kind: 'http', url: 'http://127.0.0.1:4100/health'})).toEqual({
      host: '127.0.0.1',
      port: 4100,
    })
    expect(probeAddress({kind: 'http', url: 'http://localhost/'})).toEqual({host: 'localhost', port: 80})
    expect(probeAddress({kind: 'http', url: 'https://[::1]/'})).toEqual({host: '::1', port: 443})
    expect(probeAddress({kind: 'tcp', host: '127.0.0.1', port: 9})).toEqual({host: '127.0.0.1', port: 9})
    expect(probeAddress({kind: 'log', pattern: /ready/})).toBeUndefined()
  })
})
