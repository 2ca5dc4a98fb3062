import http2, {type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders} from 'node:http2'
import type {EventLog} from '../../events/event-log.js'
import {readWhole, type ReplySink, type WholeReply, type WholeReplyEvents} from '../reply-sink.js'

/** A reply read in full from the server. */
export interface GrpcReply {
  /** The HTTP :status (200 for every gRPC reply that is not a transport failure). */
  httpStatus: number
  /** Response headers, without pseudo-headers. */
  headers: IncomingHttpHeaders
  /** The length-prefixed messages, as they came. */
  data: Buffer
  /** Trailers; for a trailers-only reply these are the response headers. */
  trailers: IncomingHttpHeaders
  /** The server answered with headers only (no message): an error status, typically. */
  trailersOnly: boolean
}

/**
 * Receives one gRPC reply as it streams in: its head is the HTTP status, the headers and
 * whether it is trailers-only; its end carries the trailers. `start` is not called when
 * connecting failed.
 */
export type GrpcReplySink = ReplySink<[httpStatus: number, headers: IncomingHttpHeaders, trailersOnly: boolean], [trailers: IncomingHttpHeaders]>

/** What a gRPC whole-reply caller hears before the reply ends. */
export type GrpcReplyEvents = WholeReplyEvents<[httpStatus: number, headers: IncomingHttpHeaders, trailersOnly: boolean]>

export interface UpstreamCallHandle {
  /** Continue after `data` returned false. */
  resume(): void
  /** Abandon the call: RST_STREAM(CANCEL) toward the server. */
  abort(): void
}

export class UpstreamResetError extends Error {
  constructor(readonly rstCode: number) {
    super(`the server reset the stream (RST_STREAM code ${rstCode})`)
  }
}

/**
 * The proxy's side toward the server: one HTTP/2 cleartext (h2c, prior knowledge) session,
 * opened on first use and reopened once it is lost (server restart, GOAWAY, error).
 */
export class UpstreamSessions {
  private session?: ClientHttp2Session
  private readonly extra = new Set<ClientHttp2Session>()

  constructor(
    readonly origin: string,
    private readonly events: EventLog,
    private readonly name?: string,
  ) {}

  /** The shared session, reconnecting if the last one is gone. */
  current(): ClientHttp2Session {
    const s = this.session
    if (s && !s.closed && !s.destroyed) return s
    const session = this.open()
    this.session = session
    session.once('goaway', () => {
      if (this.session === session) this.session = undefined
    })
    return session
  }

  /** A session of its own, closed by the caller (client-abort: the server sees the connection go). */
  fresh(): ClientHttp2Session {
    const session = this.open()
    this.extra.add(session)
    session.once('close', () => this.extra.delete(session))
    return session
  }

  private open(): ClientHttp2Session {
    const session = http2.connect(this.origin)
    session.on('error', (err: NodeJS.ErrnoException) => {
      this.events.record({type: 'error', proxy: this.name, detail: {message: `upstream session: ${err.message}`, code: err.code, phase: 'upstream'}})
    })
    session.once('close', () => {
      if (this.session === session) this.session = undefined
    })
    return session
  }

  close(): void {
    this.session?.destroy()
    this.session = undefined
    for (const s of this.extra) s.destroy()
    this.extra.clear()
  }
}

/**
 * Send one call to the server on `session` and stream its reply into `sink`. Exactly one
 * of `end` or `error` is called. `body` is the whole request, or a function that pipes
 * the client's request stream (streaming passthrough).
 */
export function callUpstream(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body: Buffer | ((req: http2.ClientHttp2Stream) => void),
  sink: GrpcReplySink,
): UpstreamCallHandle {
  let settled = false
  const finish = (fn: () => void) => {
    if (settled) return
    settled = true
    fn()
  }
  let req: http2.ClientHttp2Stream
  try {
    req = session.request(headers, {endStream: false})
  } catch (err) {
    queueMicrotask(() => finish(() => sink.error(err as Error)))
    return {resume: () => undefined, abort: () => undefined}
  }
  let trailers: IncomingHttpHeaders = {}
  let trailersOnly = false
  // 'ready': the stream has an id, so the session is connected and the headers are on their way.
  req.once('ready', () => sink.start?.())
  req.on('response', (h) => {
    const status = Number(h[':status'] ?? 0)
    trailersOnly = h['grpc-status'] !== undefined
    if (trailersOnly) trailers = withoutPseudo(h)
    sink.head(status, withoutPseudo(h), trailersOnly)
  })
  req.on('trailers', (t) => {
    trailers = withoutPseudo(t)
  })
  req.on('data', (chunk: Buffer) => {
    if (!sink.data(chunk)) req.pause()
  })
  req.on('end', () => finish(() => sink.end(trailers)))
  req.on('error', (err) => finish(() => sink.error(err)))
  req.on('close', () => {
    if (settled) return
    // Closed without 'end': a reset from the server (or the session died).
    finish(() => sink.error(new UpstreamResetError(req.rstCode ?? 0)))
  })
  if (typeof body === 'function') body(req)
  else req.end(body)
  return {
    resume: () => req.resume(),
    abort: () => {
      if (!req.closed) req.close(http2.constants.NGHTTP2_CANCEL)
    },
  }
}

/** Call and read the whole reply into memory. */
export function callUpstreamBuffered(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body: Buffer,
  events?: GrpcReplyEvents,
): WholeReply<GrpcReply, UpstreamCallHandle> {
  return readWhole(
    (sink: GrpcReplySink) => callUpstream(session, headers, body, sink),
    ([httpStatus = 0, head = {}, trailersOnly = false], data, [trailers]) => ({httpStatus, headers: head, data, trailers, trailersOnly}),
    events,
  )
}

export function withoutPseudo(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':')) out[name] = value
  return out
}
