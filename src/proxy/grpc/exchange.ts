import http2, {type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream} from 'node:http2'
import {pipeline} from 'node:stream'
import type {EventLog, ProxyEventInput} from '../../events/event-log.js'
import {describeFault, type FaultAction} from '../fault.js'
import {applyFault, type FaultHandlers} from '../fault-handlers.js'
import type {InFlightTracker} from '../in-flight.js'
import {GAVE_UP_DURING_RESTART, waitOutRestart, type CrashPoint, type ProxyHooks} from '../proxy-hooks.js'
import {parseMessages} from './frames.js'
import {describeReplyMessage, type RpcMethod} from '../../grpc/proto.js'
import {GRPC_STATUS_CODES, grpcStatusName, PUSHBACK_HEADER, type GrpcStatusName} from '../../grpc/status.js'
import {callUpstream, callUpstreamBuffered, type GrpcReply, type UpstreamSessions} from './upstream.js'
import {pendingSleep, type Cancelable} from '../pending-sleep.js'
import {singleHeader, type RequestIds} from '../request-ids.js'
import {deliverCopy} from '../duplicate-copy.js'

/** What every exchange of one gRPC proxy shares. */
export interface GrpcExchangeEnv {
  name?: string
  upstream: UpstreamSessions
  events: EventLog
  tracker: InFlightTracker
  hooks: ProxyHooks
  /** Reply bytes kept in 'reply-end' events per delivery (0 keeps none). */
  captureBytes: number
  /** Timers and held streams to cancel when the proxy closes. */
  pending: Set<Cancelable>
}


/** One call as it goes to the server. */
export interface GrpcCall {
  /** The HTTP/2 path, `/bank.Bank/Deposit`. */
  path: string
  /** The method from the proto, when the proxy knows it. */
  method?: RpcMethod
  /** Request headers for the server: pseudo-headers and metadata, faultline markers stripped. */
  headers: OutgoingHttpHeaders
}

/** RST_STREAM code of every reset fault: the client cannot tell whether the call ran. */
export const RESET_CODE = http2.constants.NGHTTP2_INTERNAL_ERROR

/** `grpc-message` is percent-encoded (PROTOCOL-HTTP2.md). */
export function encodeGrpcMessage(message: string): string {
  return Array.from(Buffer.from(message, 'utf8'))
    .map((b) => (b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('')
}

export function decodeGrpcMessage(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value
  if (text === undefined) return undefined
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * One unary call (or one passthrough stream) and everything the proxy does about it:
 * forward it, or apply one fault. Every delivery to the server is recorded with its number
 * (1 the original, 2+ duplicates) and counted in flight for its trial until it completes.
 */
export class GrpcExchange implements FaultHandlers {
  private deliveries = 0
  /** Errors already recorded as 'error' events (so `run` does not record them twice). */
  private readonly recorded = new WeakSet<Error>()

  constructor(
    private readonly env: GrpcExchangeEnv,
    private readonly stream: ServerHttp2Stream,
    private readonly call: GrpcCall,
    private readonly ids: RequestIds,
    /** The whole request (unary), or null to pipe the client's stream through (streaming). */
    private readonly body: Buffer | null,
    private readonly fault: FaultAction | undefined,
  ) {
    stream.on('error', () => undefined) // a client reset is seen through 'close'
  }

  private get clientGone(): boolean {
    return this.stream.destroyed || this.stream.closed
  }

  async run(): Promise<void> {
    const {tracker} = this.env
    tracker.begin(this.ids.trial)
    try {
      await this.dispatchFault()
    } catch (err) {
      // A failed delivery was recorded where it failed, with its delivery number.
      if (!this.recorded.has(err as Error)) this.record({type: 'error', detail: {message: (err as Error).message, code: (err as NodeJS.ErrnoException).code}})
      this.failClient(err as Error)
    } finally {
      tracker.end(this.ids.trial)
    }
  }

  private async dispatchFault(): Promise<void> {
    // While the server restarts after a crash fault, wait for it rather than answer UNAVAILABLE.
    if (!(await waitOutRestart(this.env.hooks, () => this.clientGone))) {
      this.record({type: 'error', detail: {message: GAVE_UP_DURING_RESTART}})
      return
    }
    if (!this.fault || this.body === null) return this.forward(this.body)
    return applyFault(this.fault, this)
  }

  async dropRequest(mode: 'timeout' | 'reset'): Promise<void> {
    this.recordFault('request', {mode})
    return this.holdOrReset(mode)
  }

  async dropReply(mode: 'timeout' | 'reset'): Promise<void> {
    await this.deliverAndRead()
    this.recordFault('reply', {mode})
    return this.holdOrReset(mode)
  }

  // ---- building blocks -------------------------------------------------------------

  private record(event: Omit<ProxyEventInput, 'request'>): void {
    const {conn, request, trial, attempt, operation} = this.ids
    this.env.events.record({proxy: this.env.name, conn, request, trial, attempt, operation, ...event})
  }

  private recordFault(phase: string, detail?: Record<string, unknown>): void {
    if (!this.fault) return
    this.record({type: 'fault', fault: this.fault.type, phase, detail: {label: describeFault(this.fault), ...detail}})
  }

  /** Record one more delivery: called once the call left on a connected session (a refused connection delivers nothing). */
  private nextDelivery(): number {
    this.deliveries += 1
    this.record({type: 'delivery', delivery: this.deliveries, method: 'POST', path: this.call.path})
    return this.deliveries
  }

  private recordReply(delivery: number, httpStatus: number, headers: IncomingHttpHeaders, trailersOnly: boolean): void {
    const detail: Record<string, unknown> = {}
    if (trailersOnly) detail.rpcStatus = grpcStatusName(Number(singleHeader(headers['grpc-status'])))
    this.record({type: 'reply', delivery, status: httpStatus, detail})
  }

  /**
   * The evidence of one reply: its gRPC status by name (`rpcStatus`, `ok`), message,
   * pushback, and the reply message decoded with the proto (else base64) as `body`.
   */
  private recordReplyEnd(delivery: number, httpStatus: number, data: Buffer, bytes: number, trailers: IncomingHttpHeaders): void {
    const statusText = singleHeader(trailers['grpc-status'])
    const code = statusText === undefined ? GRPC_STATUS_CODES.UNKNOWN : Number(statusText)
    const detail: Record<string, unknown> = {bytes, rpcStatus: grpcStatusName(code), ok: code === 0}
    if (statusText === undefined) detail.missingStatus = true
    const message = decodeGrpcMessage(trailers['grpc-message'])
    if (message) detail.grpcMessage = message
    const pushback = singleHeader(trailers[PUSHBACK_HEADER])
    if (pushback !== undefined) detail.pushbackMs = pushback
    if (this.env.captureBytes > 0) detail.body = this.describeBody(data, bytes)
    this.record({type: 'reply-end', delivery, status: httpStatus, detail})
  }

  private describeBody(data: Buffer, bytes: number): string {
    if (data.length === bytes) {
      try {
        const messages = parseMessages(data)
        if (messages.length === 0) return ''
        if (messages.length === 1) {
          const only = messages[0] as (typeof messages)[number]
          return describeReplyMessage(this.call.method, only.data, only.compressed)
        }
      } catch {
        // not well-formed: keep the raw bytes
      }
    }
    return `base64:${data.toString('base64')}`
  }

  /** Deliver once more, read the reply in full, record it; the client never sees it by itself. */
  private async deliverAndRead(): Promise<GrpcReply> {
    let delivery: number | undefined
    this.env.tracker.begin(this.ids.trial)
    try {
      const {reply} = callUpstreamBuffered(
        this.env.upstream.current(),
        this.call.headers,
        this.body ?? Buffer.alloc(0),
        (status, headers, only) => this.recordReply(delivery ?? this.nextDelivery(), status, headers, only),
        () => (delivery = this.nextDelivery()),
      )
      const result = await reply
      this.recordReplyEnd(delivery ?? 1, result.httpStatus, result.data, result.data.length, result.trailers)
      return result
    } catch (err) {
      this.record({type: 'error', delivery, detail: {message: (err as Error).message, phase: 'delivery'}})
      this.recorded.add(err as Error)
      throw err
    } finally {
      this.env.tracker.end(this.ids.trial)
    }
  }

  /** A duplicate or late delivery whose failure must not affect the client. */
  private async deliverQuietly(): Promise<void> {
    await this.deliverAndRead().catch(() => undefined)
  }

  /**
   * Deliver and stream the reply to the client as it arrives, holding backpressure. If the
   * client goes away mid-way the delivery is abandoned (unless `keepIfClientGone`).
   * `body` null pipes the client's request stream (streaming passthrough).
   */
  private forward(body: Buffer | null, keepIfClientGone = false): Promise<void> {
    let delivery: number | undefined
    const s = this.stream
    const capture: Buffer[] = []
    let captured = 0
    let bytes = 0
    let httpStatus = 0
    let trailersOnly = false
    let done = false
    return new Promise<void>((resolve, reject) => {
      const requestBody =
        body ??
        ((req: http2.ClientHttp2Stream) => {
          pipeline(s, req, () => undefined)
        })
      const handle = callUpstream(this.env.upstream.current(), this.call.headers, requestBody, {
        sent: () => {
          delivery = this.nextDelivery()
        },
        head: (status, headers, only) => {
          httpStatus = status
          trailersOnly = only
          delivery ??= this.nextDelivery()
          this.recordReply(delivery, status, headers, only)
          if (this.clientGone) return
          s.respond({...headers, ':status': status}, only ? {endStream: true} : {waitForTrailers: true})
        },
        data: (chunk) => {
          bytes += chunk.length
          if (captured < this.env.captureBytes) {
            capture.push(chunk)
            captured += chunk.length
          }
          if (this.clientGone) return true
          if (s.write(chunk)) return true
          s.once('drain', () => handle.resume())
          return false
        },
        end: (trailers) => {
          done = true
          cleanup()
          this.recordReplyEnd(delivery ?? 1, httpStatus, Buffer.concat(capture), bytes, trailers)
          if (this.clientGone) return resolve()
          if (trailersOnly) {
            this.record({type: 'forwarded', delivery, status: httpStatus})
            return resolve()
          }
          s.once('wantTrailers', () => {
            s.sendTrailers(trailers)
            this.record({type: 'forwarded', delivery, status: httpStatus})
          })
          s.end()
          resolve()
        },
        error: (err) => {
          done = true
          cleanup()
          this.record({type: 'error', delivery, detail: {message: err.message, phase: 'delivery'}})
          this.recorded.add(err)
          reject(err)
        },
      })
      const onClose = () => {
        if (!done && !keepIfClientGone) handle.abort()
      }
      const cleanup = () => s.off('close', onClose)
      s.once('close', onClose)
    })
  }

  /** Send a reply that was read in full. */
  private sendReply(reply: GrpcReply, delivery: number): void {
    if (this.clientGone) return
    const s = this.stream
    if (reply.trailersOnly) {
      s.respond({...reply.headers, ':status': reply.httpStatus}, {endStream: true})
      this.record({type: 'forwarded', delivery, status: reply.httpStatus})
      return
    }
    s.respond({...reply.headers, ':status': reply.httpStatus}, {waitForTrailers: true})
    s.once('wantTrailers', () => {
      s.sendTrailers(reply.trailers)
      this.record({type: 'forwarded', delivery, status: reply.httpStatus})
    })
    s.end(reply.data)
  }

  /** A trailers-only reply with `code`, as a gRPC server or proxy answers an error. */
  private sendStatus(code: number, message: string): void {
    if (this.clientGone) return
    this.stream.respond(
      {':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message)},
      {endStream: true},
    )
  }

  /** Keep the client waiting until it gives up (its deadline), or reset the stream. */
  private holdOrReset(mode: 'timeout' | 'reset'): Promise<void> {
    if (mode === 'reset') {
      this.resetClient()
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      if (this.clientGone) return resolve()
      const entry = {cancel: () => this.resetClient(http2.constants.NGHTTP2_CANCEL)}
      this.env.pending.add(entry)
      this.stream.once('close', () => {
        this.env.pending.delete(entry)
        resolve()
      })
    })
  }

  private resetClient(code: number = RESET_CODE): void {
    if (!this.stream.closed && !this.stream.destroyed) this.stream.close(code)
  }

  private failClient(err: Error): void {
    if (this.clientGone) return
    if (this.stream.headersSent) {
      this.resetClient()
      return
    }
    // What a gRPC proxy answers when the upstream fails (as Envoy does): UNAVAILABLE.
    this.sendStatus(GRPC_STATUS_CODES.UNAVAILABLE, `faultline: upstream failed: ${err.message}`)
  }

  private sleep(ms: number): Promise<void> {
    return pendingSleep(ms, this.env.pending)
  }

  // ---- faults ------------------------------------------------------------------------

  async duplicate(mode: 'sequential' | 'concurrent' | 'delayed', delay: number): Promise<void> {
    this.recordFault('request', {mode, delay: mode === 'delayed' ? delay : undefined, copies: 2})
    if (mode === 'sequential') {
      await this.forward(this.body, true).catch((err) => this.failClient(err))
      await this.deliverQuietly()
      return
    }
    // Delivery 1 is the client's; its reply is the one the client gets. The copy is a real second call.
    const first = this.forward(this.body, true).catch((err) => this.failClient(err))
    const second = deliverCopy(mode, delay, () => this.deliverQuietly(), {tracker: this.env.tracker, trial: this.ids.trial, pending: this.env.pending})
    await Promise.all([first, second])
  }

  async delayRequest(delay: number): Promise<void> {
    this.recordFault('request', {delay})
    await this.sleep(delay)
    if (this.clientGone) {
      // The client gave up; the late request still reaches the server, as on a real network.
      await this.deliverQuietly()
      return
    }
    await this.forward(this.body, true)
  }

  async delayReply(delay: number): Promise<void> {
    const reply = await this.deliverAndRead()
    this.recordFault('reply', {delay})
    await this.sleep(delay)
    this.sendReply(reply, 1)
  }

  async resetMidReply(): Promise<void> {
    const reply = await this.deliverAndRead()
    const half = reply.data.subarray(0, Math.floor(reply.data.length / 2))
    this.recordFault('mid-reply', {bytesSent: half.length, of: reply.data.length, rstCode: RESET_CODE})
    if (this.clientGone) return
    const headers = {...reply.headers}
    delete headers['grpc-status']
    delete headers['grpc-message']
    this.stream.respond({...headers, ':status': reply.httpStatus})
    if (half.length > 0) this.stream.write(half, () => this.resetClient())
    else setImmediate(() => this.resetClient())
  }

  async answerStatus(status: GrpcStatusName, phase: 'request' | 'reply'): Promise<void> {
    const code = GRPC_STATUS_CODES[status]
    if (phase === 'reply') await this.deliverAndRead()
    this.recordFault(phase, {status, forwarded: phase === 'reply'})
    this.sendStatus(code, `faultline: injected ${status}${phase === 'reply' ? ' after the server answered' : ''}`)
  }

  private async crash(point: CrashPoint): Promise<boolean> {
    const crash = this.env.hooks.crash
    if (!crash) {
      this.record({type: 'error', fault: this.fault?.type, phase: point, detail: {message: 'no supervisor: crash faults need a server block'}})
      return false
    }
    this.recordFault(point)
    await crash({point, trial: this.ids.trial, request: this.ids.request})
    return true
  }

  async crashBeforeReply(): Promise<void> {
    let delivery: number | undefined
    this.env.tracker.begin(this.ids.trial)
    try {
      // The server answered: its reply is at the proxy, not yet at the client. Kill it now.
      let answered = false
      const {reply, handle} = callUpstreamBuffered(
        this.env.upstream.current(),
        this.call.headers,
        this.body ?? Buffer.alloc(0),
        (status, headers, only) => {
          answered = true
          this.recordReply(delivery ?? this.nextDelivery(), status, headers, only)
          handle.abort()
        },
        () => (delivery = this.nextDelivery()),
      )
      const outcome = await reply.then(
        () => 'replied',
        (err: Error) => err.message,
      )
      this.resetClient()
      if (!answered) {
        this.record({type: 'error', delivery, detail: {message: `no reply to crash before: ${outcome}`}})
        return
      }
      await this.crash('before-reply')
    } finally {
      this.env.tracker.end(this.ids.trial)
    }
  }

  async crashAfterReply(): Promise<void> {
    const reply = await this.deliverAndRead()
    this.sendReply(reply, 1)
    if (!(await this.crash('after-reply'))) return
    // The restarted server now sees the same request again, as a retry or late duplicate would.
    await this.deliverQuietly()
  }

  async clientAbort(): Promise<void> {
    this.env.tracker.begin(this.ids.trial)
    const session = this.env.upstream.fresh()
    try {
      await new Promise<void>((resolve) => {
        session.once('close', () => resolve())
        let req: http2.ClientHttp2Stream
        try {
          req = session.request(this.call.headers, {endStream: false})
        } catch {
          session.destroy()
          return
        }
        req.on('error', () => undefined)
        req.on('response', () => undefined)
        req.once('ready', () => this.nextDelivery())
        req.end(this.body ?? undefined, () => {
          // A PING is answered after the frames before it were read: the whole call reached the server.
          const sent = session.ping(() => {
            this.recordFault('after-request-sent')
            this.resetClient()
            session.destroy()
          })
          if (!sent) session.destroy()
        })
      })
    } finally {
      this.env.tracker.end(this.ids.trial)
    }
  }
}
