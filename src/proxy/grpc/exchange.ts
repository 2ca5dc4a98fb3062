import http2, {type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream} from 'node:http2'
import {pipeline} from 'node:stream'
import type {RpcMethod} from '../../grpc/proto.js'
import {encodeGrpcMessage, GRPC_STATUS_CODES, grpcStatusForHttp, grpcStatusName, PUSHBACK_HEADER} from '../../grpc/status.js'
import type {FaultAction, StatusAnswer} from '../fault.js'
import {FaultExchange, type FaultExchangeEnv, type PartialReply} from '../faults/fault-exchange.js'
import {ReplyCapture} from '../reply-capture.js'
import {singleHeader, type RequestIds} from '../request-ids.js'
import {replyEvidence, requestEvidence} from './reply-evidence.js'
import {callUpstream, callUpstreamBuffered, type GrpcReply, type UpstreamSessions} from './upstream.js'

/** What every exchange of one gRPC proxy shares. */
export interface GrpcExchangeEnv extends FaultExchangeEnv {
  upstream: UpstreamSessions
  /** Reply bytes kept in 'reply-end' events per delivery (0 keeps none). */
  captureBytes: number
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

/**
 * One unary call (or one passthrough stream) and everything the proxy does about it: the
 * gRPC primitives the faults (faults/*.ts) are written against. Every delivery to the server
 * is recorded with its number (1 the original, 2+ duplicates) and counted in flight for its
 * trial until it completes.
 */
export class GrpcExchange extends FaultExchange<GrpcReply> {
  private deliveries = 0

  constructor(
    private readonly grpc: GrpcExchangeEnv,
    private readonly s: ServerHttp2Stream,
    private readonly call: GrpcCall,
    ids: RequestIds,
    /** The whole request (unary), or null to pipe the client's stream through (streaming). */
    private readonly body: Buffer | null,
    fault: FaultAction | undefined,
  ) {
    super(grpc, ids, body === null ? undefined : fault)
    s.on('error', () => undefined) // a client reset is seen through 'close'
  }

  get clientGone(): boolean {
    return this.s.destroyed || this.s.closed
  }

  protected override passThrough(): Promise<void> {
    return this.stream(this.body)
  }

  // ---- primitives ----------------------------------------------------------------------

  forward(): Promise<void> {
    return this.stream(this.body, true)
  }

  deliverBuffered(): Promise<GrpcReply> {
    return this.deliverAndRead()
  }

  /** A real second call on the current session; its reply is recorded only. */
  async deliverCopy(): Promise<void> {
    await this.deliverAndRead()
  }

  async sendReply(reply: GrpcReply): Promise<void> {
    if (this.clientGone) return
    const s = this.s
    if (reply.trailersOnly) {
      s.respond({...reply.headers, ':status': reply.httpStatus}, {endStream: true})
      this.record({type: 'forwarded', delivery: 1, status: reply.httpStatus})
      return
    }
    s.respond({...reply.headers, ':status': reply.httpStatus}, {waitForTrailers: true})
    s.once('wantTrailers', () => {
      s.sendTrailers(reply.trailers)
      this.record({type: 'forwarded', delivery: 1, status: reply.httpStatus})
    })
    s.end(reply.data)
  }

  /** Keep the client waiting until it gives up (its deadline); the proxy's close cancels the stream. */
  hold(): Promise<void> {
    return new Promise((resolve) => {
      if (this.clientGone) return resolve()
      const entry = {cancel: () => this.resetStream(http2.constants.NGHTTP2_CANCEL)}
      this.grpc.pending.add(entry)
      this.s.once('close', () => {
        this.grpc.pending.delete(entry)
        resolve()
      })
    })
  }

  resetClient(): void {
    this.resetStream(RESET_CODE)
  }

  failClient(err: Error): void {
    if (this.clientGone) return
    if (this.s.headersSent) {
      this.resetClient()
      return
    }
    // What a gRPC proxy answers when the upstream fails (as Envoy does): UNAVAILABLE.
    this.sendTrailersOnly(GRPC_STATUS_CODES.UNAVAILABLE, `faultline: upstream failed: ${err.message}`)
  }

  partialReply(reply: GrpcReply): PartialReply {
    const half = reply.data.subarray(0, Math.floor(reply.data.length / 2))
    const send = () => {
      const headers = {...reply.headers}
      delete headers['grpc-status']
      delete headers['grpc-message']
      this.s.respond({...headers, ':status': reply.httpStatus})
      if (half.length > 0) this.s.write(half, () => this.resetClient())
      else setImmediate(() => this.resetClient())
    }
    return {bytesSent: half.length, of: reply.data.length, detail: {rstCode: RESET_CODE}, send}
  }

  async deliverUntilReply(): Promise<boolean> {
    let delivery: number | undefined
    let answered = false
    const {reply, handle} = callUpstreamBuffered(
      this.grpc.upstream.current(),
      this.call.headers,
      this.body ?? Buffer.alloc(0),
      {
        head: (status, headers, only) => {
          answered = true
          this.recordReply(delivery ?? this.nextDelivery(), status, headers, only)
          handle.abort()
        },
        start: () => (delivery = this.nextDelivery()),
      },
    )
    const outcome = await reply.then(
      () => 'replied',
      (err: Error) => err.message,
    )
    if (answered) return true
    this.resetClient()
    this.record({type: 'error', delivery, detail: {message: `no reply to crash before: ${outcome}`}})
    return false
  }

  abortAfterSending(): Promise<void> {
    return this.inFlight(async () => {
      const session = this.grpc.upstream.fresh()
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
    })
  }

  /** A trailers-only reply; `retryAfter` becomes gRFC A6 pushback. HTTP statuses map as gRPC maps them. */
  async sendStatus(answer: StatusAnswer): Promise<void> {
    const status = answer.status === undefined ? 'UNAVAILABLE' : typeof answer.status === 'number' ? grpcStatusForHttp(answer.status) : answer.status
    const pushback: Record<string, string> = answer.retryAfter === undefined ? {} : {[PUSHBACK_HEADER]: String(answer.retryAfter * 1000)}
    this.sendTrailersOnly(GRPC_STATUS_CODES[status], `faultline: injected ${status}${answer.phase === 'reply' ? ' after the server answered' : ''}`, pushback)
  }

  // ---- building blocks -------------------------------------------------------------------

  /** Record one more delivery: called once the call left on a connected session (a refused connection delivers nothing). */
  private nextDelivery(): number {
    this.deliveries += 1
    // With evidence kept, a unary call's delivery also says what was asked (a recording reads it).
    const detail = this.grpc.captureBytes > 0 && this.body ? {detail: {body: requestEvidence(this.call.method, this.body)}} : {}
    this.record({type: 'delivery', delivery: this.deliveries, method: 'POST', path: this.call.path, ...detail})
    return this.deliveries
  }

  /** The 'reply-end' evidence of one reply (reply-evidence.ts). */
  private recordReplyEnd(delivery: number, httpStatus: number, data: Buffer, bytes: number, trailers: IncomingHttpHeaders, streamed?: Buffer[]): void {
    const body = this.grpc.captureBytes > 0 ? {method: this.call.method, data} : undefined
    const detail = replyEvidence(trailers, bytes, body)
    // A streamed call's request was piped, never held: its evidence comes with the reply.
    if (streamed) detail.request = requestEvidence(this.call.method, Buffer.concat(streamed))
    this.record({type: 'reply-end', delivery, status: httpStatus, detail})
  }

  private recordReply(delivery: number, httpStatus: number, headers: IncomingHttpHeaders, trailersOnly: boolean): void {
    const detail: Record<string, unknown> = {}
    if (trailersOnly) detail.rpcStatus = grpcStatusName(Number(singleHeader(headers['grpc-status'])))
    this.record({type: 'reply', delivery, status: httpStatus, detail})
  }

  /** Deliver once more, read the reply in full, record it; the client never sees it by itself. */
  private async deliverAndRead(): Promise<GrpcReply> {
    let delivery: number | undefined
    return this.inFlight(async () => {
      try {
        const {reply} = callUpstreamBuffered(
          this.grpc.upstream.current(),
          this.call.headers,
          this.body ?? Buffer.alloc(0),
          {
            head: (status, headers, only) => this.recordReply(delivery ?? this.nextDelivery(), status, headers, only),
            start: () => (delivery = this.nextDelivery()),
          },
        )
        const result = await reply
        this.recordReplyEnd(delivery ?? 1, result.httpStatus, result.data, result.data.length, result.trailers)
        return result
      } catch (err) {
        this.record({type: 'error', delivery, detail: {message: (err as Error).message, phase: 'delivery'}})
        this.recordedErrors.add(err as Error)
        throw err
      }
    })
  }

  /**
   * Deliver and stream the reply to the client as it arrives, holding backpressure. If the
   * client goes away mid-way the delivery is abandoned (unless `keepIfClientGone`).
   * `body` null pipes the client's request stream (streaming passthrough).
   */
  private stream(body: Buffer | null, keepIfClientGone = false): Promise<void> {
    let delivery: number | undefined
    const s = this.s
    const capture = new ReplyCapture(this.grpc.captureBytes)
    let httpStatus = 0
    let trailersOnly = false
    let done = false
    return new Promise<void>((resolve, reject) => {
      // With evidence kept, note the first bytes of a piped request as they pass.
      const streamed = body === null && this.grpc.captureBytes > 0 ? ([] as Buffer[]) : undefined
      const requestBody =
        body ??
        ((req: http2.ClientHttp2Stream) => {
          pipeline(s, req, () => undefined)
          if (streamed) watchRequest(s, this.grpc.captureBytes, streamed)
        })
      const handle = callUpstream(this.grpc.upstream.current(), this.call.headers, requestBody, {
        start: () => {
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
          capture.add(chunk)
          if (this.clientGone) return true
          if (s.write(chunk)) return true
          s.once('drain', () => handle.resume())
          return false
        },
        end: (trailers) => {
          done = true
          cleanup()
          this.recordReplyEnd(delivery ?? 1, httpStatus, capture.kept() ?? Buffer.alloc(0), capture.bytes, trailers, streamed)
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
          this.recordedErrors.add(err)
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

  /** A trailers-only reply with `code`, as a gRPC server or proxy answers an error. */
  private sendTrailersOnly(code: number, message: string, extra: Record<string, string> = {}): void {
    if (this.clientGone) return
    this.s.respond(
      {':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message), ...extra},
      {endStream: true},
    )
  }

  private resetStream(code: number): void {
    if (!this.s.closed && !this.s.destroyed) this.s.close(code)
  }
}

/** Collect the first `limit` bytes a client stream sends into `seen` as they pass (the pipe still reads them). */
function watchRequest(s: ServerHttp2Stream, limit: number, seen: Buffer[]): void {
  let size = 0
  const onData = (chunk: Buffer) => {
    if (size < limit) seen.push(chunk.subarray(0, limit - size))
    size += chunk.length
    if (size >= limit) s.off('data', onData)
  }
  s.on('data', onData)
}
