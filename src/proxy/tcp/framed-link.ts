import net, {type Socket} from 'node:net'
import type {ProxyEventInput} from '../../events/event-log.js'
import {FrameExchange} from './frame-exchange.js'
import {encodeFrame, FrameDecoder, FrameError} from './framing.js'
import {ReplyPairing} from './reply-pairing.js'
import {readRequestFrame, RequestFrameError, type RequestFrame} from './request-frame.js'
import type {TcpProxyEnv} from './tcp-env.js'

/** A reply's place towards the client; in-order links write replies in request order. */
export type Slot = {bytes?: Buffer; onWritten?: () => void}

/** One client connection, its upstream connection, and the request frames on them. */
export class FramedLink {
  readonly conn: string
  private readonly decoder: FrameDecoder
  private upstream?: Socket
  private upstreamDecoder?: FrameDecoder
  private readonly waiters: ReplyPairing
  /** Replies towards the client, in request order when replies are paired in order. */
  private readonly slots: Slot[] = []
  clientGone = false
  private destroyed = false
  /** Runs while a request frame has started but not completed. */
  private frameTimer: NodeJS.Timeout | undefined

  constructor(
    readonly env: TcpProxyEnv,
    readonly client: Socket,
  ) {
    this.conn = env.events.nextId('c')
    this.waiters = new ReplyPairing(env.replyId)
    this.decoder = new FrameDecoder(env.framing)
    this.record({type: 'connection-open', detail: {remote: `${client.remoteAddress}:${client.remotePort}`}})
    client.on('data', (chunk: Buffer) => this.onClientData(chunk))
    client.on('error', () => undefined) // the close that follows is what counts
    client.once('close', () => {
      if (!this.destroyed && this.decoder.buffered > 0) {
        this.record({type: 'error', detail: {message: 'the client closed in the middle of a request frame; its bytes were dropped', code: 'FL_FRAME_INCOMPLETE', bytes: this.decoder.buffered}})
      }
      this.record({type: 'connection-close'})
      this.onClientGone()
    })
  }

  record(event: ProxyEventInput): void {
    this.env.events.record({proxy: this.env.name, conn: this.conn, ...event})
  }

  get ordered(): boolean {
    return this.env.replyId === undefined
  }

  /** Tear everything down now (proxy close, malformed traffic, the server went away). */
  destroy(reset = false): void {
    if (this.destroyed) return
    this.destroyed = true
    this.clientGone = true
    this.stopFrameTimer()
    if (reset && typeof this.client.resetAndDestroy === 'function' && !this.client.destroyed) this.client.resetAndDestroy()
    else this.client.destroy()
    this.upstream?.destroy()
    this.waiters.failAll(new Error('connection closed'))
    this.env.links.delete(this)
  }

  private onClientGone(): void {
    if (this.clientGone && this.destroyed) return
    this.clientGone = true
    // Requests already at the server finish (their executions count); then the link closes.
    if (this.waiters.size === 0) this.destroy()
  }

  private fail(message: string, extra?: Record<string, unknown>): void {
    this.record({type: 'error', detail: {message, ...extra}})
    this.destroy()
  }

  private onClientData(chunk: Buffer): void {
    if (this.destroyed) return
    let frames: Buffer[]
    try {
      frames = this.decoder.push(chunk)
    } catch (err) {
      if (err instanceof FrameError) return this.fail(`malformed request stream: ${err.message}`, {code: err.code})
      throw err
    }
    this.watchPartialFrame(frames.length > 0)
    for (const frame of frames) {
      if (this.destroyed) return
      this.onRequestFrame(frame)
    }
  }

  /** A frame that completes resets the clock; a partial one left behind starts it. */
  private watchPartialFrame(progressed: boolean): void {
    if (progressed || this.decoder.buffered === 0) this.stopFrameTimer()
    if (this.decoder.buffered === 0 || this.frameTimer !== undefined || this.env.frameTimeout <= 0) return
    this.frameTimer = setTimeout(() => {
      this.frameTimer = undefined
      this.fail(`request frame not completed within ${this.env.frameTimeout} ms; connection closed`, {
        code: 'FL_FRAME_TIMEOUT',
        bytes: this.decoder.buffered,
      })
    }, this.env.frameTimeout)
  }

  private stopFrameTimer(): void {
    if (this.frameTimer !== undefined) clearTimeout(this.frameTimer)
    this.frameTimer = undefined
  }

  private onRequestFrame(payload: Buffer): void {
    let frame: RequestFrame
    try {
      frame = readRequestFrame(payload, this.env)
    } catch (err) {
      if (err instanceof RequestFrameError) return this.fail(err.message, err.detail)
      throw err
    }
    const {message, operation} = frame
    const {owner} = this.env
    const trial = frame.trial ?? owner?.trial
    const attempt = frame.attempt ?? owner?.attemptOf([{method: 'FRAME', path: '', headers: {}, message}])
    const ids = {conn: this.conn, request: this.env.events.nextId('r'), trial, attempt, operation}
    const detail: Record<string, unknown> = {bytes: payload.length}
    // With evidence kept, the request's own text too (a recording reads it), as replies have.
    if (this.env.captureBytes > 0) detail.body = payload.subarray(0, this.env.captureBytes).toString('utf8')
    this.env.events.record({proxy: this.env.name, ...ids, type: 'request', detail})
    const decision = this.env.rules.decide({method: 'FRAME', path: '', headers: {}, trial, attempt, message, request: ids.request})
    const slot: Slot = {}
    if (this.ordered) this.slots.push(slot)
    void new FrameExchange(this, ids, frame.forward, frame.id, slot, decision?.action).run()
  }

  // ---- towards the client ------------------------------------------------------------

  /** Put a reply in its slot; in-order links write replies in request order. */
  fill(slot: Slot, bytes: Buffer, onWritten: () => void): void {
    if (this.clientGone || this.client.destroyed) return
    slot.bytes = bytes
    slot.onWritten = onWritten
    if (!this.ordered) return this.write(slot)
    while (this.slots[0]?.bytes) this.write(this.slots.shift() as Slot)
  }

  private write(slot: Slot): void {
    const done = slot.onWritten
    this.client.write(slot.bytes as Buffer, () => done?.())
  }

  resetClient(): void {
    this.destroy(true)
  }

  // ---- towards the server ------------------------------------------------------------

  private ensureUpstream(): Socket {
    if (this.upstream) return this.upstream
    const {host, port} = this.env.upstream
    const socket = net.connect({host, port, noDelay: true})
    this.upstream = socket
    this.upstreamDecoder = new FrameDecoder(this.env.framing)
    socket.on('data', (chunk: Buffer) => this.onUpstreamData(chunk))
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!this.destroyed) this.record({type: 'error', detail: {message: `server connection: ${err.message}`, code: err.code}})
    })
    socket.once('close', () => {
      if (this.destroyed) return
      // The server closed (or crashed): what is pending there will never be answered.
      this.waiters.failAll(new Error('the server closed the connection'))
      this.destroy(true)
    })
    return socket
  }

  /** Write a request frame on the link's upstream connection; resolves with its reply frame. */
  sendUpstream(frame: Buffer, id: string | undefined): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.destroyed) return reject(new Error('connection closed'))
      this.waiters.add(id, {resolve, reject})
      this.ensureUpstream().write(encodeFrame(this.env.framing, frame))
    })
  }

  private onUpstreamData(chunk: Buffer): void {
    let frames: Buffer[]
    try {
      frames = (this.upstreamDecoder as FrameDecoder).push(chunk)
    } catch (err) {
      if (err instanceof FrameError) return this.fail(`malformed reply stream from the server: ${err.message}`, {code: err.code})
      throw err
    }
    for (const frame of frames) {
      const waiter = this.waiters.take(frame)
      if (waiter) waiter.resolve(frame)
      else this.record({type: 'error', detail: {message: 'a reply frame from the server matches no pending request; dropped', bytes: frame.length}})
    }
    if (this.clientGone && this.waiters.size === 0) this.destroy()
  }
}
