import http2, {type Http2Server, type Http2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream} from 'node:http2'
import {ListeningProxy, ProxyListener, type ListenAddress} from '../listener.js'
import {InFlightTracker} from '../in-flight.js'
import type {FaultProxyOptions} from '../proxy-options.js'
import {markersFromHeaders, singleHeader, type MarkerKeys, type RequestIds} from '../request-ids.js'
import {GrpcExchange, type GrpcExchangeEnv} from './exchange.js'
import {MalformedFrameError, MAX_MESSAGE_BYTES, parseMessages} from './frames.js'
import type {ProtoCatalog, RpcMethod} from '../../grpc/proto.js'
import {encodeGrpcMessage, GRPC_STATUS_CODES, PREVIOUS_ATTEMPTS_HEADER} from '../../grpc/status.js'
import {UpstreamSessions} from './upstream.js'

/** Metadata faultline's own client adds; the proxy reads and strips them. */
export const TRIAL_METADATA = 'x-faultline-trial'
export const ATTEMPT_METADATA = 'x-faultline-attempt'

/** Metadata keys carrying the operation's stable request id, first match wins. */
export const DEFAULT_OPERATION_METADATA = ['idempotency-key', 'x-idempotency-key', 'x-request-id', 'request-id']

/** Headers that belong to a connection, never forwarded (HTTP/2 forbids them anyway). */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'http2-settings'])

export interface GrpcFaultProxyOptions extends FaultProxyOptions {
  /** The gRPC server: `grpc://127.0.0.1:50051` or `http://127.0.0.1:50051` (h2c). */
  upstream: string
  /**
   * The services of the .proto: which methods are unary (only those can be faulted) and
   * how to decode replies for the evidence. Without it every call passes through.
   */
  catalog?: ProtoCatalog
  operationMetadata?: string[]
}

/** `http://host:port` of a grpc:// or http:// URL. */
export function h2cOrigin(url: string): string {
  const parsed = new URL(url)
  if (parsed.protocol !== 'grpc:' && parsed.protocol !== 'http:') {
    throw new TypeError(`a gRPC upstream must be a grpc:// or http:// URL, got ${url}`)
  }
  if (parsed.port === '') throw new TypeError(`a gRPC upstream needs a port, got ${url}`)
  return `http://${parsed.hostname}:${parsed.port}`
}

/** Message fields that commonly carry an operation's request id, when no metadata does. */
export const OPERATION_FIELDS = ['request_id', 'requestId', 'idempotency_key', 'idempotencyKey']

/** The request id inside a unary request message, if it has one of OPERATION_FIELDS. */
function operationFromMessage(method: RpcMethod, body: Buffer): string | undefined {
  const [message] = parseMessages(body)
  if (!message || message.compressed) return undefined
  try {
    const decoded = method.definition.requestDeserialize(message.data) as Record<string, unknown>
    for (const field of OPERATION_FIELDS) {
      const value = decoded[field]
      if (typeof value === 'string' && value !== '') return value
    }
  } catch {
    // not decodable with the proto: no operation id
  }
  return undefined
}

/**
 * The L7 gRPC proxy: unary gRPC over HTTP/2 cleartext on both sides. Each unary call may
 * get one fault as the rules decide; streaming calls and methods the proto does not name
 * pass through untouched (recorded as not targetable). Malformed traffic closes the
 * offending stream or connection and becomes an 'error' event.
 */
export class GrpcFaultProxy extends ListeningProxy {
  readonly tracker: InFlightTracker
  private readonly server: Http2Server
  private readonly upstream: UpstreamSessions
  private readonly env: GrpcExchangeEnv
  private readonly sessions = new Map<Http2Session, string>()
  private readonly markers: MarkerKeys
  private readonly authority: string

  constructor(private readonly options: GrpcFaultProxyOptions) {
    const origin = h2cOrigin(options.upstream)
    const server = http2.createServer()
    super(new ProxyListener(server, {...options, scheme: 'http'}))
    this.server = server
    this.authority = new URL(origin).host
    this.tracker = options.tracker ?? new InFlightTracker()
    this.upstream = new UpstreamSessions(origin, options.events, options.name)
    const operation = (options.operationMetadata ?? DEFAULT_OPERATION_METADATA).map((h) => h.toLowerCase())
    this.markers = {trial: TRIAL_METADATA, attempt: ATTEMPT_METADATA, operation}
    this.env = {
      name: options.name,
      upstream: this.upstream,
      events: options.events,
      tracker: this.tracker,
      hooks: options.hooks ?? {},
      captureBytes: options.captureBytes ?? 0,
      pending: new Set(),
    }
    this.server.on('session', (session) => this.onSession(session))
    this.server.on('stream', (stream, headers) => this.onStream(stream, headers))
    this.server.on('sessionError', (err: NodeJS.ErrnoException, session: Http2Session) => {
      options.events.record({
        type: 'error',
        proxy: options.name,
        conn: this.sessions.get(session),
        detail: {message: `malformed HTTP/2 traffic: ${err.message}`, code: err.code},
      })
    })
  }

  start(): Promise<ListenAddress> {
    return this.listener.start({protocol: 'grpc'})
  }

  /** Stop listening, cancel every held call and timer, close every session both ways. */
  close(): Promise<void> {
    return this.listener.close(this.env.pending, () => {
      for (const session of this.sessions.keys()) session.destroy()
      this.upstream.close()
    })
  }

  private onSession(session: Http2Session): void {
    const conn = this.options.events.nextId('c')
    this.sessions.set(session, conn)
    const socket = session.socket
    this.options.events.record({type: 'connection-open', proxy: this.options.name, conn, detail: {remote: `${socket?.remoteAddress}:${socket?.remotePort}`, protocol: 'h2c'}})
    session.on('error', () => undefined) // recorded through sessionError
    session.once('close', () => {
      this.sessions.delete(session)
      this.options.events.record({type: 'connection-close', proxy: this.options.name, conn})
    })
  }

  private outboundHeaders(headers: IncomingHttpHeaders, path: string): OutgoingHttpHeaders {
    const out: OutgoingHttpHeaders = {':method': 'POST', ':path': path, ':scheme': 'http', ':authority': this.authority}
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || name.startsWith(':') || CONNECTION_HEADERS.has(name)) continue
      if (name === TRIAL_METADATA || name === ATTEMPT_METADATA) continue
      out[name] = value
    }
    return out
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => undefined)
    const {events, name} = {events: this.options.events, name: this.options.name}
    const marked = markersFromHeaders(headers, this.markers)
    const path = singleHeader(headers[':path']) ?? '/'
    const {owner} = this.options
    const trial = marked.trial ?? owner?.trial
    const attempt = marked.attempt ?? owner?.attemptOf([{method: 'POST', path, headers}])
    const ids: RequestIds = {conn: this.sessions.get(stream.session as Http2Session), request: events.nextId('r'), trial, attempt, operation: marked.operation}
    const method = singleHeader(headers[':method']) ?? ''
    const rpc = this.options.catalog?.methodByPath(path)
    const detail: Record<string, unknown> = {rpc: path.replace(/^\//, '')}
    const previous = singleHeader(headers[PREVIOUS_ATTEMPTS_HEADER])
    if (previous !== undefined) detail.previousRpcAttempts = Number(previous)
    const timeout = singleHeader(headers['grpc-timeout'])
    if (timeout !== undefined) detail.grpcTimeout = timeout
    const contentType = singleHeader(headers['content-type']) ?? ''
    const record = (type: 'request' | 'error', extra: Record<string, unknown>) =>
      events.record({type, proxy: name, ...ids, method, path, detail: {...detail, ...extra}})

    if (method !== 'POST' || !contentType.startsWith('application/grpc')) {
      record('error', {message: `not a gRPC call: ${method} with content-type ${contentType || '(none)'}`})
      if (!stream.closed) stream.respond({':status': method !== 'POST' ? 405 : 415}, {endStream: true})
      return
    }
    const call = {path, method: rpc, headers: this.outboundHeaders(headers, path)}
    if (!rpc?.unary) {
      record('request', {targetable: false, reason: rpc ? 'streaming call' : 'method not in the proto'})
      void new GrpcExchange(this.env, stream, call, ids, null, undefined).run()
      return
    }
    record('request', {targetable: true})
    this.tracker.begin(trial)
    void this.readUnary(stream)
      .then(async (body) => {
        if (body === undefined) return
        ids.operation ??= operationFromMessage(rpc, body)
        const decision = this.options.rules.decide({method: 'POST', path, headers, trial, attempt, request: ids.request, body})
        await new GrpcExchange(this.env, stream, call, ids, body, decision?.action).run()
      })
      .catch((err: Error) => {
        const malformed = err instanceof MalformedFrameError
        events.record({type: 'error', proxy: name, ...ids, detail: {message: malformed ? `malformed gRPC request: ${err.message}` : err.message, phase: 'request'}})
        // Close the offending stream: with an INTERNAL status when it can still be answered.
        if (stream.closed || stream.destroyed) return
        if (stream.headersSent) stream.close(http2.constants.NGHTTP2_PROTOCOL_ERROR)
        else {
          stream.respond(
            {':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(GRPC_STATUS_CODES.INTERNAL), 'grpc-message': encodeGrpcMessage(`faultline: ${err.message}`)},
            {endStream: true},
          )
        }
      })
      .finally(() => this.tracker.end(trial))
  }

  /**
   * Read a unary call's request in full: exactly one length-prefixed message. Undefined when
   * the client went away first. Throws MalformedFrameError for anything else.
   */
  private async readUnary(stream: ServerHttp2Stream): Promise<Buffer | undefined> {
    const chunks: Buffer[] = []
    let size = 0
    try {
      for await (const chunk of stream) {
        size += (chunk as Buffer).length
        if (size > MAX_MESSAGE_BYTES + 5) throw new MalformedFrameError(`request larger than ${MAX_MESSAGE_BYTES} bytes`)
        chunks.push(chunk as Buffer)
      }
    } catch (err) {
      if (err instanceof MalformedFrameError) throw err
      return undefined // reset by the client while sending
    }
    if (stream.closed && stream.rstCode !== undefined && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) return undefined
    const body = Buffer.concat(chunks)
    const messages = parseMessages(body)
    if (messages.length !== 1) throw new MalformedFrameError(`a unary call must carry exactly one message, got ${messages.length}`)
    return body
  }
}
