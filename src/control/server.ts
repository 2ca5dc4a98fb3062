import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {formatAddress} from '../proxy/l4/address.js'
import {ApiError, apiErrors} from './api-error.js'
import type {ProxyRegistry} from './proxy-registry.js'

export interface ControlServerOptions {
  registry: ProxyRegistry
  /** Default 127.0.0.1. */
  host?: string
  /** Default 8474; 0 picks a free port. */
  port?: number
  /** What GET /version reports; defaults to faultline's package version. */
  version?: string
}

type Handler = (params: string[], body: () => Promise<unknown>) => Promise<Reply> | Reply
interface Reply {
  status: number
  body?: unknown
}
interface Route {
  /** Path pattern split on '/', with `*` for a name segment. */
  pattern: string[]
  methods: Record<string, Handler>
}

const MAX_BODY = 1 << 20

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string
    }
    return pkg.version ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** The error for a body over the limit: answered, then the connection closes (the rest is unread). */
function bodyTooLarge(): ApiError {
  return apiErrors.badRequestBody('body larger than 1 MiB', {closeConnection: true})
}

/**
 * Read a JSON body of at most MAX_BODY bytes. Past the limit it stops keeping bytes and
 * rejects at once; what the client still sends is discarded while the 400 goes out.
 */
function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
      req.resume()
      return reject(bodyTooLarge())
    }
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      if (over) return
      size += chunk.length
      if (size > MAX_BODY) {
        over = true
        chunks.length = 0
        reject(bodyTooLarge())
        return
      }
      chunks.push(chunk)
    })
    req.on('error', reject)
    req.on('end', () => {
      if (over) return
      const text = Buffer.concat(chunks).toString('utf8')
      // Go's json.Decoder says "EOF" for an empty body.
      if (text.trim() === '') return reject(apiErrors.badRequestBody('EOF'))
      try {
        resolve(JSON.parse(text))
      } catch (err) {
        reject(apiErrors.badRequestBody((err as Error).message))
      }
    })
  })
}

/**
 * A Toxiproxy-compatible admin API over node:http, serving one ProxyRegistry.
 * Unknown paths answer 404, a known path with a wrong method 405; every matched route sets
 * `X-Toxiproxy-Request-Id`; a `Mozilla/` User-Agent gets 403 (browsers must not drive it).
 */
export class ControlServer {
  private readonly registry: ProxyRegistry
  private readonly host: string
  private readonly port: number
  private readonly version: string
  private readonly server: http.Server
  private readonly routes: Route[]

  constructor(options: ControlServerOptions) {
    this.registry = options.registry
    this.host = options.host ?? '127.0.0.1'
    this.port = options.port ?? 8474
    this.version = options.version ?? packageVersion()
    this.server = http.createServer((req, res) => void this.handle(req, res))
    this.routes = this.buildRoutes()
  }

  /** Bind. Rejects with the system error (EADDRINUSE…). Resolves to `host:port`. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    return this.address
  }

  get address(): string {
    return formatAddress(this.server.address() as AddressInfo)
  }

  /** Stop accepting requests and close idle keep-alive sockets. Proxies are the registry's. */
  async close(): Promise<void> {
    if (!this.server.listening) return
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeAllConnections()
    await closed
  }

  private buildRoutes(): Route[] {
    const r = this.registry
    const route = (path: string, methods: Record<string, Handler>): Route => ({
      pattern: path.split('/').slice(1),
      methods,
    })
    const updateProxy: Handler = async ([p], body) => ({
      status: 200,
      body: await r.update(p as string, await body()),
    })
    const updateToxic: Handler = async ([p, t], body) => ({
      status: 200,
      body: await r.updateToxic(p as string, t as string, await body()),
    })
    return [
      route('/version', {GET: () => ({status: 200, body: {version: this.version}})}),
      route('/reset', {
        POST: async () => {
          await r.reset()
          return {status: 204}
        },
      }),
      route('/populate', {
        POST: async (_, body) => ({status: 201, body: {proxies: await r.populate(await body())}}),
      }),
      route('/proxies', {
        GET: () => ({status: 200, body: r.list()}),
        POST: async (_, body) => ({status: 201, body: await r.create(await body())}),
      }),
      route('/proxies/*', {
        GET: ([p]) => ({status: 200, body: r.get(p as string)}),
        POST: updateProxy,
        PATCH: updateProxy,
        DELETE: async ([p]) => {
          await r.remove(p as string)
          return {status: 204}
        },
      }),
      route('/proxies/*/toxics', {
        GET: ([p]) => ({status: 200, body: r.toxics(p as string)}),
        POST: async ([p], body) => {
          const proxy = p as string
          r.get(proxy) // 404 before the body is judged
          return {status: 200, body: await r.addToxic(proxy, await body())}
        },
      }),
      route('/proxies/*/toxics/*', {
        GET: ([p, t]) => ({status: 200, body: r.toxic(p as string, t as string)}),
        POST: updateToxic,
        PATCH: updateToxic,
        DELETE: async ([p, t]) => {
          await r.removeToxic(p as string, t as string)
          return {status: 204}
        },
      }),
    ]
  }

  private match(pathname: string): {route: Route; params: string[]} | undefined {
    const parts = pathname.split('/').slice(1)
    for (const route of this.routes) {
      if (route.pattern.length !== parts.length) continue
      const params: string[] = []
      let ok = true
      for (let i = 0; i < parts.length && ok; i++) {
        const want = route.pattern[i] as string
        const part = parts[i] as string
        if (want === '*') {
          if (part === '') ok = false
          else params.push(decodeURIComponent(part))
        } else if (want !== part) ok = false
      }
      if (ok) return {route, params}
    }
    return undefined
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
        return send(res, 403, 'User agent not allowed\n', 'text/plain; charset=utf-8')
      }
      let pathname: string
      let found
      try {
        pathname = new URL(req.url ?? '/', 'http://control').pathname
        found = this.match(pathname)
      } catch {
        found = undefined
      }
      if (!found) return send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8')
      const handler = found.route.methods[req.method ?? '']
      if (!handler) {
        res.setHeader('Allow', Object.keys(found.route.methods).join(', '))
        return send(res, 405, '')
      }
      res.setHeader('X-Toxiproxy-Request-Id', randomBytes(10).toString('hex'))
      const reply = await handler(found.params, () => readBody(req))
      if (reply.body === undefined) return send(res, reply.status, '')
      send(res, reply.status, `${JSON.stringify(reply.body)}\n`, 'application/json')
    } catch (err) {
      const apiError = err instanceof ApiError ? err : apiErrors.system(err)
      if (apiError.closeConnection) res.setHeader('Connection', 'close')
      send(res, apiError.status, apiError.toBody(), 'application/json')
    }
  }
}

function send(res: http.ServerResponse, status: number, body: string, type?: string): void {
  if (res.headersSent) return
  if (type) res.setHeader('Content-Type', type)
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.writeHead(status)
  res.end(body)
}
