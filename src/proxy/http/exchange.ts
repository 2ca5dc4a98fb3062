import type {IncomingMessage, ServerResponse} from 'node:http'
import {Readable} from 'node:stream'
import type {Dispatcher} from 'undici'
import type {FaultAction, StatusAnswer} from '../fault.js'
import {FaultExchange, type FaultExchangeEnv, type PartialReply} from '../faults/fault-exchange.js'
import {ReplyCapture} from '../reply-capture.js'
import type {RequestIds} from '../request-ids.js'
import {outboundReplyHeaders, outboundRequestHeaders} from './headers.js'
import {hasRequestBody, readAll} from './request-body.js'
import {httpStatusReply} from './status-reply.js'
import {deliver, deliverBuffered, sendThenClose, type BufferedReply, type UpstreamRequest} from './upstream-delivery.js'

/** Why a crash-before-reply delivery stops at the reply head. */
const HELD_FOR_CRASH = 'server crashed before its reply left'

/** Request bodies up to this many bytes (with a content-length) are buffered before forwarding. */
const SMALL_BODY = 64 * 1024

/** What every exchange of one proxy shares. */
export interface ExchangeEnv extends FaultExchangeEnv {
  dispatcher: Dispatcher
  upstreamUrl: URL
  /** Path prefix of the upstream URL, '' when none. */
  basePath: string
  /** Reply bytes kept in 'reply-end' events per delivery (0 keeps none). */
  captureBytes: number
}

/**
 * A request whose body the caller already read (the JSON-RPC codec parses it first), and
 * how to turn a reply into comparable evidence for 'reply-end' events.
 */
export interface PreparedRequest {
  body: Buffer | null
  /** The 'reply-end' evidence for a reply body; undefined keeps the raw text. */
  replyEvidence?: (body: Buffer) => string | undefined
  /** Extra fields for this exchange's 'delivery' events (e.g. the JSON-RPC method). */
  deliveryDetail?: Record<string, unknown>
  /** How a status fault answers this request (JSON-RPC: an error object); plain HTTP by default. */
  statusReply?: (answer: StatusAnswer) => BufferedReply
}

/**
 * One client request and everything the proxy does about it: forward it, or apply one
 * fault to it. Each delivery to the server is recorded with its number (1 for the
 * original, 2+ for duplicates) and counted in flight for the trial until it completes.
 */
export class Exchange extends FaultExchange<BufferedReply> {
  private deliveries = 0
  private gone = false
  /** The request body, read once before a fault runs (a fault may send it more than once, or later). */
  private body: Buffer | null = null

  constructor(
    private readonly http: ExchangeEnv,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    ids: RequestIds,
    fault: FaultAction | undefined,
    private readonly prepared?: PreparedRequest,
  ) {
    super(http, ids, fault)
    res.once('close', () => {
      this.gone = !res.writableFinished
    })
  }

  get clientGone(): boolean {
    return this.gone
  }

  protected override leftDuringRestart(): boolean {
    return this.gone || this.res.destroyed
  }

  protected override gaveUpDuringRestart(): void {
    this.req.resume()
    super.gaveUpDuringRestart()
  }

  protected override async prepare(): Promise<void> {
    this.body = await this.readBody()
  }

  // ---- primitives ----------------------------------------------------------------------

  forward(): Promise<void> {
    return this.streamToClient(this.body, true)
  }

  deliverBuffered(): Promise<BufferedReply> {
    return this.deliverAndRead(this.body)
  }

  async deliverCopy(): Promise<void> {
    await this.deliverAndRead(this.body)
  }

  sendReply(reply: BufferedReply): Promise<void> {
    return this.writeReply(reply, 1)
  }

  sendStatus(answer: StatusAnswer): Promise<void> {
    return this.writeReply(this.prepared?.statusReply?.(answer) ?? httpStatusReply(answer))
  }

  /** Nothing is written; the client's timeout decides. The proxy's close cancels it. */
  hold(): Promise<void> {
    return new Promise((resolve) => {
      if (this.gone || this.res.destroyed) return resolve()
      const entry = {cancel: () => this.res.destroy()}
      this.http.pending.add(entry)
      this.res.once('close', () => {
        this.http.pending.delete(entry)
        resolve()
      })
    })
  }

  resetClient(): void {
    const socket = this.req.socket
    if (socket.destroyed) return
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
    else socket.destroy()
  }

  failClient(err: Error): void {
    if (this.gone || this.res.destroyed) return
    if (this.res.headersSent) {
      this.res.destroy(err)
      return
    }
    const body = JSON.stringify({error: `faultline: upstream failed: ${err.message}`})
    this.res.writeHead(502, {'content-type': 'application/json', 'x-faultline-error': 'upstream'})
    this.res.end(body)
  }

  partialReply(reply: BufferedReply): PartialReply {
    const half = reply.body.subarray(0, Math.floor(reply.body.length / 2))
    const send = () => {
      this.res.writeHead(reply.status, outboundReplyHeaders(reply.headers))
      if (half.length > 0) this.res.write(half, () => this.resetClient())
      else {
        this.res.flushHeaders()
        setImmediate(() => this.resetClient())
      }
    }
    return {bytesSent: half.length, of: reply.body.length, send}
  }

  async deliverUntilReply(): Promise<boolean> {
    const {delivery, started} = this.nextDelivery(this.body)
    // The server answered: its reply is at the proxy, not yet at the client.
    const {reply, handle} = deliverBuffered(this.http.dispatcher, this.upstreamRequest(this.body), {
      head: (status) => {
        this.record({type: 'reply', delivery, status})
        handle.abort(new Error(HELD_FOR_CRASH))
      },
      start: started,
    })
    const outcome = await reply.then(
      () => 'replied',
      (err: Error) => err.message,
    )
    if (outcome === HELD_FOR_CRASH) return true
    this.record({type: 'error', delivery, detail: {message: `no reply to crash before: ${outcome}`}})
    this.resetClient()
    return false
  }

  abortAfterSending(): Promise<void> {
    const {started} = this.nextDelivery(this.body)
    const request = {...this.upstreamRequest(this.body), body: this.body}
    // Once the whole request is on the wire, the client "crashes": both connections close.
    const sent = () => {
      this.recordFault('after-request-sent')
      this.resetClient()
    }
    return this.inFlight(() => sendThenClose(this.http.upstreamUrl, request, {started, sent}))
  }

  // ---- building blocks -------------------------------------------------------------------

  /** Write a whole reply; `delivery`: the server's reply it forwards ('forwarded' event), none for faultline's own. */
  protected writeReply(reply: BufferedReply, delivery?: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.gone || this.res.destroyed) return resolve()
      this.res.writeHead(reply.status, outboundReplyHeaders(reply.headers))
      this.res.end(reply.body, () => {
        if (delivery !== undefined) this.record({type: 'forwarded', delivery, status: reply.status})
        resolve()
      })
      this.res.once('close', () => resolve())
    })
  }

  /** The request toward the server; a body read in full states its own length (a JSON-RPC batch call may send part of it). */
  private upstreamRequest(body: Buffer | Readable | null): UpstreamRequest {
    const headers = outboundRequestHeaders(this.req.headers, this.http.upstreamUrl.host)
    if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length)
    return {method: this.req.method ?? 'GET', path: this.http.basePath + (this.req.url ?? '/'), headers, body}
  }

  /** Read the whole request body (needed whenever the request is sent more than once or later). */
  private async readBody(): Promise<Buffer | null> {
    if (this.prepared) return this.prepared.body
    if (!hasRequestBody(this.req.headers)) {
      this.req.resume()
      return null
    }
    return readAll(this.req)
  }

  /**
   * Number the next delivery. Its 'delivery' event is recorded by `started()`, once the
   * request is being written on a connected socket: a send the server never received (a
   * refused connection during a restart) is not a delivery.
   */
  private nextDelivery(body: Buffer | Readable | null): {delivery: number; started: () => void} {
    this.deliveries += 1
    const delivery = this.deliveries
    const detail = this.deliveryDetail(body)
    let recorded = false
    const started = () => {
      if (recorded) return
      recorded = true
      this.record({type: 'delivery', delivery, method: this.req.method, path: this.req.url, ...(detail ? {detail} : {})})
    }
    return {delivery, started}
  }

  /** Extra fields for the 'delivery' event of a delivery that sends `body`. */
  protected deliveryDetail(_body: Buffer | Readable | null): Record<string, unknown> | undefined {
    return this.prepared?.deliveryDetail
  }

  private recordReplyEnd(delivery: number, status: number, body: Buffer | undefined, bytes: number): void {
    const detail: Record<string, unknown> = {bytes}
    if (body && this.http.captureBytes > 0) {
      detail.body = this.prepared?.replyEvidence?.(body) ?? body.subarray(0, this.http.captureBytes).toString('utf8')
    }
    this.record({type: 'reply-end', delivery, status, detail})
  }

  /**
   * Deliver `body`, read the reply in full, record it; the client never sees it. `counted`
   * false: the body does not hold the request under test (the rest of a JSON-RPC batch), so
   * it is no delivery of it and only a failure is recorded.
   */
  protected deliverAndRead(body: Buffer | null, counted = true): Promise<BufferedReply> {
    const {delivery, started} = counted ? this.nextDelivery(body) : {delivery: undefined, started: undefined}
    return this.inFlight(async () => {
      try {
        const head = (status: number) => {
          if (delivery !== undefined) this.record({type: 'reply', delivery, status})
        }
        const result = await deliverBuffered(this.http.dispatcher, this.upstreamRequest(body), {head, start: started}).reply
        if (delivery !== undefined) this.recordReplyEnd(delivery, result.status, result.body, result.body.length)
        return result
      } catch (err) {
        this.record({type: 'error', delivery, detail: {message: (err as Error).message, phase: 'delivery'}})
        throw err
      }
    })
  }

  /**
   * Deliver and stream the reply to the client as it arrives, holding backpressure.
   * If the client goes away mid-way the delivery is abandoned (unless `keepIfClientGone`).
   */
  private streamToClient(body: Buffer | Readable | null, keepIfClientGone = false): Promise<void> {
    const {delivery, started} = this.nextDelivery(body)
    const {res} = this
    const capture = new ReplyCapture(this.http.captureBytes)
    let status = 0
    // A small reply of known length is held until complete and written with its head in one
    // call; larger or chunked replies stream through with backpressure.
    let held: Buffer[] | undefined
    return new Promise<void>((resolve, reject) => {
      const handle = deliver(this.http.dispatcher, this.upstreamRequest(body), {
        start: started,
        head: (s, headers) => {
          status = s
          this.record({type: 'reply', delivery, status: s})
          if (this.clientGone || res.headersSent) return
          res.writeHead(s, outboundReplyHeaders(headers))
          const length = Number(headers['content-length'])
          if (length <= SMALL_BODY) held = []
        },
        data: (chunk) => {
          capture.add(chunk)
          if (this.clientGone) return true
          if (held) {
            held.push(chunk)
            return true
          }
          if (res.write(chunk)) return true
          res.once('drain', () => handle.resume())
          return false
        },
        end: () => {
          cleanup()
          this.recordReplyEnd(delivery, status, capture.kept(), capture.bytes)
          if (!this.clientGone) {
            const rest = held === undefined || held.length === 0 ? undefined : held.length === 1 ? held[0] : Buffer.concat(held)
            if (this.http.events.observed) res.end(rest, () => this.record({type: 'forwarded', delivery, status}))
            else res.end(rest)
          }
          resolve()
        },
        error: (err) => {
          cleanup()
          this.record({type: 'error', delivery, detail: {message: err.message, phase: 'delivery'}})
          reject(err)
        },
      })
      const onClose = () => {
        if (!res.writableFinished && !keepIfClientGone) handle.abort(new Error('client went away'))
      }
      const cleanup = () => res.off('close', onClose)
      res.once('close', onClose)
    })
  }

  /** No fault: small bodies are read first, large or chunked ones stream through. */
  protected override async passThrough(): Promise<void> {
    if (this.prepared) return this.streamToClient(this.prepared.body)
    if (!hasRequestBody(this.req.headers)) {
      this.req.resume()
      return this.streamToClient(null)
    }
    // Small bodies of known length are read first: the server then gets head and body in one
    // write. Large or chunked bodies stream through with backpressure.
    const length = Number(this.req.headers['content-length'])
    if (length <= SMALL_BODY) return this.streamToClient(await this.readBody())
    await this.streamToClient(this.req)
  }
}
