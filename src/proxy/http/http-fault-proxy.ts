import http, {type IncomingMessage, type ServerResponse} from 'node:http'
import type {Socket} from 'node:net'
import {Pool} from 'undici'
import {ListeningProxy, ProxyListener, type ListenAddress} from '../listener.js'
import {InFlightTracker} from '../in-flight.js'
import {Exchange, type ExchangeEnv} from './exchange.js'
import type {FaultProxyOptions} from '../proxy-options.js'
import {markersFromHeaders, type MarkerKeys} from '../request-ids.js'
import {ATTEMPT_HEADER, TRIAL_HEADER} from './headers.js'
import type {HttpRequestInterceptor} from './interceptor.js'
import {DEFAULT_HTTP_TIMEOUTS, httpServerOptions, timeoutsProblem, type HttpTimeouts} from './timeouts.js'

export interface HttpFaultProxyOptions extends FaultProxyOptions {
  /** Base URL of the server under test (`http://127.0.0.1:3000`, may carry a path prefix). */
  upstream: string
  /** Headers carrying the operation's stable request id, first match wins. */
  operationHeaders?: string[]
  /** Upstream connections kept open (keep-alive pool size). */
  connections?: number
  /** A protocol composed over HTTP (JSON-RPC): it may take a request over before the plain exchange. */
  intercept?: HttpRequestInterceptor
  /** How long to wait for a client's request head, whole request, next request (ms; defaults in timeouts.ts). */
  timeouts?: Partial<HttpTimeouts>
}

export const DEFAULT_OPERATION_HEADERS = ['idempotency-key', 'x-idempotency-key', 'x-request-id', 'request-id']

/**
 * The L7 HTTP/1.1 proxy: forwards every request to the upstream over a keep-alive pool,
 * streaming bodies, and applies at most one fault per request as its rules decide.
 * Malformed client traffic closes that connection and becomes an 'error' event.
 */
export class HttpFaultProxy extends ListeningProxy {
  readonly tracker: InFlightTracker
  private readonly server: http.Server
  private readonly pool: Pool
  private readonly env: ExchangeEnv
  private readonly conns = new WeakMap<Socket, string>()
  private readonly markers: MarkerKeys

  constructor(private readonly options: HttpFaultProxyOptions) {
    const upstreamUrl = new URL(options.upstream)
    if (upstreamUrl.protocol !== 'http:') throw new TypeError(`upstream must be an http:// URL, got ${options.upstream}`)
    const timeouts = {...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts}
    const problem = timeoutsProblem(timeouts)
    if (problem) throw new RangeError(problem)
    const server = http.createServer(httpServerOptions(timeouts))
    super(new ProxyListener(server, {...options, scheme: 'http'}))
    this.server = server
    this.tracker = options.tracker ?? new InFlightTracker()
    this.pool = new Pool(upstreamUrl.origin, {connections: options.connections ?? 128, pipelining: 1})
    const operation = (options.operationHeaders ?? DEFAULT_OPERATION_HEADERS).map((h) => h.toLowerCase())
    this.markers = {trial: TRIAL_HEADER, attempt: ATTEMPT_HEADER, operation}
    this.env = {
      name: options.name,
      dispatcher: this.pool,
      upstreamUrl,
      basePath: upstreamUrl.pathname === '/' ? '' : upstreamUrl.pathname.replace(/\/$/, ''),
      events: options.events,
      tracker: this.tracker,
      hooks: options.hooks ?? {},
      captureBytes: options.captureBytes ?? 0,
      pending: new Set(),
    }
    this.server.on('request', (req, res) => this.onRequest(req, res))
    this.server.on('connection', (socket: Socket) => this.onConnection(socket))
    // Node closes a CONNECT silently when nobody listens; say why, and leave a trace.
    this.server.on('connect', (req: IncomingMessage, socket: Socket) => {
      options.events.record({
        type: 'error',
        proxy: options.name,
        conn: this.conns.get(socket),
        detail: {message: `${req.method} ${req.url}: not supported (a reverse proxy for ${options.upstream}, not a forward proxy); connection closed`, code: 'FL_HTTP_CONNECT'},
      })
      socket.end('HTTP/1.1 501 Not Implemented\r\nconnection: close\r\ncontent-length: 0\r\n\r\n', () => socket.destroy())
    })
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      // A client too slow to send its request (slowloris) gets 408; anything else is malformed.
      const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      options.events.record({
        type: 'error',
        proxy: options.name,
        conn: this.conns.get(socket),
        detail: {
          message: timedOut
            ? `request not received in time (head within ${timeouts.headersTimeout} ms, whole request within ${timeouts.requestTimeout} ms); connection closed`
            : `malformed request: ${err.message}`,
          code: err.code,
        },
      })
      const status = timedOut ? '408 Request Timeout' : '400 Bad Request'
      // Close for good once the answer is out: the client may never close its side.
      if (socket.writable && !socket.destroyed) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy())
      else socket.destroy()
    })
  }

  start(): Promise<ListenAddress> {
    return this.listener.start()
  }

  /** Stop listening, cancel every held request and timer, close every connection. */
  async close(): Promise<void> {
    await this.listener.close(this.env.pending, () => this.server.closeAllConnections())
    await this.pool.destroy()
  }

  private onConnection(socket: Socket): void {
    const conn = this.options.events.nextId('c')
    this.conns.set(socket, conn)
    socket.setNoDelay(true)
    this.options.events.record({type: 'connection-open', proxy: this.options.name, conn, detail: {remote: `${socket.remoteAddress}:${socket.remotePort}`}})
    socket.once('close', () => {
      this.options.events.record({type: 'connection-close', proxy: this.options.name, conn})
    })
    socket.on('error', () => undefined) // recorded through clientError / the exchange
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const marked = markersFromHeaders(req.headers, this.markers)
    const {owner} = this.options
    const trial = marked.trial ?? owner?.trial
    const ids = {conn: this.conns.get(req.socket), request: this.options.events.nextId('r'), trial, attempt: marked.attempt, operation: marked.operation}
    const method = req.method ?? 'GET'
    const path = req.url ?? '/'
    if (this.options.intercept?.({env: this.env, rules: this.options.rules, req, res, ids, owner})) return
    ids.attempt ??= owner?.attemptOf([{method, path, headers: req.headers}])
    const {attempt} = ids
    if (this.options.events.admit('request')) this.options.events.record({type: 'request', proxy: this.options.name, ...ids, method, path})
    const decision = this.options.rules.size === 0 ? undefined : this.options.rules.decide({method, path, headers: req.headers, trial, attempt})
    void new Exchange(this.env, req, res, ids, decision?.action).run()
  }
}
