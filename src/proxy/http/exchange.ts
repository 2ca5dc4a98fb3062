import http, {type IncomingHttpHeaders, type IncomingMessage, type ServerResponse} from 'node:http'
import {Readable} from 'node:stream'
import type {Dispatcher} from 'undici'
import {describeFault, type FaultAction} from '../fault.js'
import type {EventLog, ProxyEventInput} from '../../events/event-log.js'
import type {InFlightTracker} from '../in-flight.js'
import {applyFault, type FaultHandlers} from '../fault-handlers.js'
import {GAVE_UP_DURING_RESTART, waitOutRestart, type CrashPoint, type ProxyHooks} from '../proxy-hooks.js'
import {hasRequestBody, outboundReplyHeaders, outboundRequestHeaders} from './headers.js'
import {deliver, deliverBuffered, type BufferedReply, type UpstreamRequest} from './upstream-delivery.js'
import {pendingSleep, type Cancelable} from '../pending-sleep.js'
import type {RequestIds} from '../request-ids.js'
import {deliverCopy} from '../duplicate-copy.js'

/** Request bodies up to this many bytes (with a content-length) are buffered before forwarding. */
const SMALL_BODY = 64 * 1024

/** What every exchange of one proxy shares. */
export interface ExchangeEnv {
  name?: string
  dispatcher: Dispatcher
  upstreamUrl: URL
  /** Path prefix of the upstream URL, '' when none. */
  basePath: string
  events: EventLog
  tracker: InFlightTracker
  hooks: ProxyHooks
  /** Reply bytes kept in 'reply-end' events per delivery (0 keeps none). */
  captureBytes: number
  /** Timers and sockets to cancel when the proxy closes. */
  pending: Set<Cancelable>
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
}


/**
 * One client request and everything the proxy does about it: forward it, or apply one
 * fault to it. Each delivery to the server is recorded with its number (1 for the
 * original, 2+ for duplicates) and counted in flight for the trial until it completes.
 */
export class Exchange implements FaultHandlers {
  private deliveries = 0
  private clientGone = false

  constructor(
    private readonly env: ExchangeEnv,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly ids: RequestIds,
    private readonly fault: FaultAction | undefined,
    private readonly prepared?: PreparedRequest,
  ) {
    res.once('close', () => {
      this.clientGone = !res.writableFinished
    })
  }

  async run(): Promise<void> {
    const {tracker} = this.env
    tracker.begin(this.ids.trial)
    try {
      await this.dispatchFault()
    } catch (err) {
      this.record({type: 'error', detail: {message: (err as Error).message, code: (err as NodeJS.ErrnoException).code}})
      this.failClient(err as Error)
    } finally {
      tracker.end(this.ids.trial)
    }
  }

  private async dispatchFault(): Promise<void> {
    if (!(await waitOutRestart(this.env.hooks, () => this.clientGone || this.res.destroyed))) {
      this.req.resume()
      this.record({type: 'error', detail: {message: GAVE_UP_DURING_RESTART}})
      return
    }
    if (!this.fault) return this.forwardStreaming()
    return applyFault(this.fault, this)
  }

  /** gRPC only (the scenario loader keeps it off HTTP targets): forward untouched, and say so. */
  async answerStatus(): Promise<void> {
    this.record({type: 'error', fault: 'status', detail: {message: 'status faults apply to gRPC targets only; forwarded untouched'}})
    return this.forwardStreaming()
  }

  // ---- building blocks -------------------------------------------------------------

  private record(event: Omit<ProxyEventInput, 'request'>): void {
    if (!this.env.events.observed) return
    const {conn, request, trial, attempt, operation} = this.ids
    this.env.events.record({proxy: this.env.name, conn, request, trial, attempt, operation, ...event})
  }

  private recordFault(phase: string, detail?: Record<string, unknown>): void {
    if (!this.fault) return
    this.record({type: 'fault', fault: this.fault.type, phase, detail: {label: describeFault(this.fault), ...detail}})
  }

  private upstreamRequest(body: Buffer | Readable | null): UpstreamRequest {
    return {
      method: this.req.method ?? 'GET',
      path: this.env.basePath + (this.req.url ?? '/'),
      headers: outboundRequestHeaders(this.req.headers, this.env.upstreamUrl.host),
      body,
    }
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
  private nextDelivery(): {delivery: number; started: () => void} {
    this.deliveries += 1
    const delivery = this.deliveries
    const detail = this.prepared?.deliveryDetail
    let recorded = false
    const started = () => {
      if (recorded) return
      recorded = true
      this.record({type: 'delivery', delivery, method: this.req.method, path: this.req.url, ...(detail ? {detail} : {})})
    }
    return {delivery, started}
  }

  private recordReplyEnd(delivery: number, status: number, body: Buffer | undefined, bytes: number): void {
    const detail: Record<string, unknown> = {bytes}
    if (body && this.env.captureBytes > 0) {
      detail.body = this.prepared?.replyEvidence?.(body) ?? body.subarray(0, this.env.captureBytes).toString('utf8')
    }
    this.record({type: 'reply-end', delivery, status, detail})
  }

  /** Deliver once more, read the reply in full, record it; the client never sees it. */
  private async deliverAndRead(body: Buffer | null, onHead?: (status: number) => void): Promise<BufferedReply> {
    const {delivery, started} = this.nextDelivery()
    this.env.tracker.begin(this.ids.trial)
    try {
      const {reply} = deliverBuffered(
        this.env.dispatcher,
        this.upstreamRequest(body),
        (status) => {
          this.record({type: 'reply', delivery, status})
          onHead?.(status)
        },
        started,
      )
      const result = await reply
      this.recordReplyEnd(delivery, result.status, result.body, result.body.length)
      return result
    } catch (err) {
      this.record({type: 'error', delivery, detail: {message: (err as Error).message, phase: 'delivery'}})
      throw err
    } finally {
      this.env.tracker.end(this.ids.trial)
    }
  }

  /** A duplicate or late delivery whose failure must not affect the client. */
  private async deliverQuietly(body: Buffer | null): Promise<void> {
    await this.deliverAndRead(body).catch(() => undefined)
  }

  /**
   * Deliver and stream the reply to the client as it arrives, holding backpressure.
   * If the client goes away mid-way the delivery is abandoned (unless `keepIfClientGone`).
   */
  private streamToClient(body: Buffer | Readable | null, keepIfClientGone = false): Promise<void> {
    const {delivery, started} = this.nextDelivery()
    const {res} = this
    const capture: Buffer[] = []
    let captured = 0
    let bytes = 0
    let status = 0
    // A small reply of known length is held until complete and written with its head in one
    // call; larger or chunked replies stream through with backpressure.
    let held: Buffer[] | undefined
    return new Promise<void>((resolve, reject) => {
      const handle = deliver(this.env.dispatcher, this.upstreamRequest(body), {
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
          bytes += chunk.length
          if (captured < this.env.captureBytes) {
            capture.push(chunk)
            captured += chunk.length
          }
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
          this.recordReplyEnd(delivery, status, captured > 0 ? Buffer.concat(capture) : undefined, bytes)
          if (!this.clientGone) {
            const rest = held === undefined || held.length === 0 ? undefined : held.length === 1 ? held[0] : Buffer.concat(held)
            if (this.env.events.observed) res.end(rest, () => this.record({type: 'forwarded', delivery, status}))
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

  private sendToClient(reply: BufferedReply): Promise<void> {
    return new Promise((resolve) => {
      if (this.clientGone || this.res.destroyed) return resolve()
      this.res.writeHead(reply.status, outboundReplyHeaders(reply.headers))
      this.res.end(reply.body, () => {
        this.record({type: 'forwarded', delivery: 1, status: reply.status})
        resolve()
      })
      this.res.once('close', () => resolve())
    })
  }

  /** Keep the client waiting until it gives up (its timeout), or reset its connection. */
  private holdOrReset(mode: 'timeout' | 'reset'): Promise<void> {
    if (mode === 'reset') {
      this.resetClient()
      return Promise.resolve()
    }
    // Held: nothing is written; the client's timeout decides. The proxy's close cancels it.
    return new Promise((resolve) => {
      if (this.clientGone || this.res.destroyed) return resolve()
      const entry = {cancel: () => this.res.destroy()}
      this.env.pending.add(entry)
      this.res.once('close', () => {
        this.env.pending.delete(entry)
        resolve()
      })
    })
  }

  private resetClient(): void {
    const socket = this.req.socket
    if (socket.destroyed) return
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
    else socket.destroy()
  }

  private failClient(err: Error): void {
    if (this.clientGone || this.res.destroyed) return
    if (this.res.headersSent) {
      this.res.destroy(err)
      return
    }
    const body = JSON.stringify({error: `faultline: upstream failed: ${err.message}`})
    this.res.writeHead(502, {'content-type': 'application/json', 'x-faultline-error': 'upstream'})
    this.res.end(body)
  }

  private sleep(ms: number): Promise<void> {
    return pendingSleep(ms, this.env.pending)
  }

  // ---- faults ------------------------------------------------------------------------

  private async forwardStreaming(): Promise<void> {
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

  async dropRequest(mode: 'timeout' | 'reset'): Promise<void> {
    await this.readBody()
    this.recordFault('request', {mode})
    await this.holdOrReset(mode)
  }

  async dropReply(mode: 'timeout' | 'reset'): Promise<void> {
    const body = await this.readBody()
    await this.deliverAndRead(body)
    this.recordFault('reply', {mode})
    await this.holdOrReset(mode)
  }

  async duplicate(mode: 'sequential' | 'concurrent' | 'delayed', delay: number): Promise<void> {
    const body = await this.readBody()
    this.recordFault('request', {mode, delay: mode === 'delayed' ? delay : undefined, copies: 2})
    if (mode === 'sequential') {
      await this.streamToClient(body, true).catch((err) => this.failClient(err))
      await this.deliverQuietly(body)
      return
    }
    // Delivery 1 is the client's; its reply is the one the client gets.
    const first = this.streamToClient(body, true).catch((err) => this.failClient(err))
    const second = deliverCopy(mode, delay, () => this.deliverQuietly(body), {tracker: this.env.tracker, trial: this.ids.trial, pending: this.env.pending})
    await Promise.all([first, second])
  }

  async delayRequest(delay: number): Promise<void> {
    const body = await this.readBody()
    this.recordFault('request', {delay})
    await this.sleep(delay)
    if (this.clientGone) {
      // The client gave up; the late request still reaches the server, as on a real network.
      await this.deliverQuietly(body)
      return
    }
    await this.streamToClient(body, true)
  }

  async delayReply(delay: number): Promise<void> {
    const body = await this.readBody()
    const reply = await this.deliverAndRead(body)
    this.recordFault('reply', {delay})
    await this.sleep(delay)
    await this.sendToClient(reply)
  }

  async resetMidReply(): Promise<void> {
    const body = await this.readBody()
    const reply = await this.deliverAndRead(body)
    this.recordFault('mid-reply', {bytesSent: Math.floor(reply.body.length / 2), of: reply.body.length})
    if (this.clientGone) return
    this.res.writeHead(reply.status, outboundReplyHeaders(reply.headers))
    const half = reply.body.subarray(0, Math.floor(reply.body.length / 2))
    if (half.length > 0) this.res.write(half, () => this.resetClient())
    else {
      this.res.flushHeaders()
      setImmediate(() => this.resetClient())
    }
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
    const body = await this.readBody()
    const {delivery, started} = this.nextDelivery()
    this.env.tracker.begin(this.ids.trial)
    try {
      // The server answered: its reply is at the proxy, not yet at the client. Kill it now.
      const {reply, handle} = deliverBuffered(
        this.env.dispatcher,
        this.upstreamRequest(body),
        (status) => {
          this.record({type: 'reply', delivery, status})
          handle.abort(new Error('server crashed before its reply left'))
        },
        started,
      )
      const outcome = await reply.then(
        () => 'replied',
        (err: Error) => err.message,
      )
      if (outcome !== 'server crashed before its reply left') {
        this.record({type: 'error', delivery, detail: {message: `no reply to crash before: ${outcome}`}})
        this.resetClient()
        return
      }
      // The kill goes out first (synchronously inside the hook), then the client sees its connection die.
      const crashed = this.crash('before-reply')
      this.resetClient()
      await crashed
    } finally {
      this.env.tracker.end(this.ids.trial)
    }
  }

  async crashAfterReply(): Promise<void> {
    const body = await this.readBody()
    const reply = await this.deliverAndRead(body)
    await this.sendToClient(reply)
    if (!(await this.crash('after-reply'))) return
    // The restarted server now sees the same request again, as a retry or late duplicate would.
    await this.deliverQuietly(body)
  }

  async clientAbort(): Promise<void> {
    const body = await this.readBody()
    const {started} = this.nextDelivery()
    this.env.tracker.begin(this.ids.trial)
    try {
      // A fresh connection (no pool), so closing it is what the server would see of a crashed client.
      await new Promise<void>((resolve) => {
        const url = this.env.upstreamUrl
        const upstream = http.request({
          host: url.hostname,
          port: url.port,
          method: this.req.method,
          path: this.env.basePath + (this.req.url ?? '/'),
          headers: outboundRequestHeaders(this.req.headers, this.env.upstreamUrl.host) as IncomingHttpHeaders,
          agent: false,
        })
        upstream.on('error', () => resolve())
        upstream.on('close', () => resolve())
        upstream.on('response', (r) => r.resume())
        upstream.once('socket', (socket) => socket.once('connect', started))
        // Once the whole request is on the wire, the client "crashes": both connections close.
        upstream.end(body ?? undefined, () => {
          this.recordFault('after-request-sent')
          this.resetClient()
          upstream.destroy()
        })
      })
    } finally {
      this.env.tracker.end(this.ids.trial)
    }
  }
}

/** Read a whole message body with plain stream events (cheaper than an async iterator per request). */
function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)))
    stream.once('error', reject)
    stream.once('close', () => {
      if (!stream.complete) reject(new Error('the client closed the connection before sending the whole request'))
    })
  })
}
