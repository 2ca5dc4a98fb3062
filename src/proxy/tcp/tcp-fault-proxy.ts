import net, {type AddressInfo, type Socket} from 'node:net'
import {listenOn} from '../listen.js'
import {removePaths, selectJson} from '../../jsonpath.js'
import type {EventLog, ProxyEventInput} from '../../events/event-log.js'
import {describeFault, type FaultAction} from '../fault.js'
import {InFlightTracker} from '../in-flight.js'
import {applyFault, type FaultHandlers} from '../fault-handlers.js'
import {GAVE_UP_DURING_RESTART, waitOutRestart, type CrashPoint, type ProxyHooks} from '../proxy-hooks.js'
import type {RuleSet} from '../rule-set.js'
import {describeFraming, encodeFrame, FrameDecoder, FrameError, type Framing} from './framing.js'
import {pendingSleep} from '../pending-sleep.js'
import {deliverCopy} from '../duplicate-copy.js'

/**
 * The reserved top-level field of a JSON request frame that carries faultline's trial and
 * attempt markers: `{"$faultline": {"trial": "t0.3", "attempt": 2}, ...}`. The proxy reads it
 * and strips it before the frame goes to the server; frames without it pass byte for byte.
 */
export const MARKER_FIELD = '$faultline'

/** Framed TCP replies carry no status; events and the built-in client report this one. */
export const TCP_REPLY_STATUS = 0

export interface TcpFaultProxyOptions {
  /** The server under test: tcp://host:port (or host:port). */
  upstream: string
  host?: string
  /** 0 picks a free port. */
  port?: number
  name?: string
  events: EventLog
  rules: RuleSet
  tracker?: InFlightTracker
  hooks?: ProxyHooks
  framing: Framing
  /**
   * JSONPath of the id field that pairs a reply with its request (same path in both).
   * Without it replies are paired in order, and the proxy keeps that order towards the client.
   */
  replyId?: string
  /** JSONPath of the operation's stable request id inside request frames (for grouping attempts). */
  requestId?: string
  /** Reply bytes kept per delivery in 'reply-end' events (evidence for the check). */
  captureBytes?: number
  /**
   * Milliseconds a client may take to complete a request frame it has started (default
   * 60 s, as an HTTP server's headers timeout; 0 = no limit). A client that sends part of a
   * frame and stops is closed. A connection with no partial frame is never timed out here:
   * waiting for a held or delayed reply is not idleness.
   */
  frameTimeout?: number
}

export const DEFAULT_FRAME_TIMEOUT = 60_000

interface Address {
  host: string
  port: number
}

export function parseTcpAddress(value: string): Address {
  const url = new URL(value.includes('://') ? value : `tcp://${value}`)
  const port = Number(url.port)
  if (!url.hostname || !Number.isInteger(port) || port <= 0) throw new TypeError(`not a tcp://host:port address: ${value}`)
  return {host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port}
}

interface Cancelable {
  cancel(): void
}

interface ProxyEnv {
  name?: string
  upstream: Address
  events: EventLog
  rules: RuleSet
  tracker: InFlightTracker
  hooks: ProxyHooks
  framing: Framing
  replyId?: string
  requestId?: string
  captureBytes: number
  frameTimeout: number
  pending: Set<Cancelable>
  links: Set<FramedLink>
}

/**
 * The L7 proxy for RPC over plain TCP: frames both directions (newline-delimited JSON or
 * length-prefixed), applies at most one fault per request frame as its rules decide, and
 * pairs replies with requests in order or by an id field. Each client connection gets its
 * own upstream connection; duplicates and late copies go on fresh upstream connections so
 * their replies never reach the client. Malformed traffic closes that connection and
 * becomes an 'error' event.
 */
export class TcpFaultProxy {
  readonly tracker: InFlightTracker
  private readonly server: net.Server
  private readonly env: ProxyEnv
  private address?: AddressInfo
  private open = 0

  constructor(private readonly options: TcpFaultProxyOptions) {
    this.tracker = options.tracker ?? new InFlightTracker()
    this.env = {
      name: options.name,
      upstream: parseTcpAddress(options.upstream),
      events: options.events,
      rules: options.rules,
      tracker: this.tracker,
      hooks: options.hooks ?? {},
      framing: options.framing,
      replyId: options.replyId,
      requestId: options.requestId,
      captureBytes: options.captureBytes ?? 0,
      frameTimeout: options.frameTimeout ?? DEFAULT_FRAME_TIMEOUT,
      pending: new Set(),
      links: new Set(),
    }
    // A client that ends its side is gone (as for HTTP servers): Node then ends ours and closes.
    this.server = net.createServer({allowHalfOpen: false, noDelay: true}, (socket) => {
      // Counted down before the link records its 'connection-close' event.
      this.open += 1
      socket.once('close', () => (this.open -= 1))
      const link = new FramedLink(this.env, socket)
      this.env.links.add(link)
    })
  }

  get url(): string {
    if (!this.address) throw new Error('proxy not started')
    return `tcp://${this.address.address}:${this.address.port}`
  }

  get port(): number {
    if (!this.address) throw new Error('proxy not started')
    return this.address.port
  }

  /** Client connections open right now. */
  get connections(): number {
    return this.open
  }

  async start(): Promise<{host: string; port: number; url: string}> {
    const host = this.options.host ?? '127.0.0.1'
    this.address = await listenOn(this.server, host, this.options.port ?? 0)
    this.options.events.record({
      type: 'listen',
      proxy: this.options.name,
      detail: {url: this.url, upstream: this.options.upstream, framing: describeFraming(this.options.framing), replyId: this.options.replyId ?? 'in order'},
    })
    return {host: this.address.address, port: this.address.port, url: this.url}
  }

  /** Stop listening, cancel every held frame and timer, close every connection. */
  async close(): Promise<void> {
    for (const entry of [...this.env.pending]) entry.cancel()
    this.env.pending.clear()
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const link of [...this.env.links]) link.destroy()
    await closed
  }
}

type Slot = {bytes?: Buffer; onWritten?: () => void}

/** A pending reply on the link's upstream connection. */
interface Waiter {
  resolve(frame: Buffer): void
  reject(err: Error): void
}

/** One client connection, its upstream connection, and the request frames on them. */
class FramedLink {
  readonly conn: string
  private readonly decoder: FrameDecoder
  private upstream?: Socket
  private upstreamDecoder?: FrameDecoder
  private readonly inOrder: Waiter[] = []
  private readonly byId = new Map<string, Waiter[]>()
  /** Replies towards the client, in request order when replies are paired in order. */
  private readonly slots: Slot[] = []
  clientGone = false
  private destroyed = false
  /** Runs while a request frame has started but not completed. */
  private frameTimer: NodeJS.Timeout | undefined

  constructor(
    readonly env: ProxyEnv,
    readonly client: Socket,
  ) {
    this.conn = env.events.nextId('c')
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
    this.failWaiters(new Error('connection closed'))
    this.env.links.delete(this)
  }

  private onClientGone(): void {
    if (this.clientGone && this.destroyed) return
    this.clientGone = true
    // Requests already at the server finish (their executions count); then the link closes.
    if (this.waiting() === 0) this.destroy()
  }

  private waiting(): number {
    let n = this.inOrder.length
    for (const list of this.byId.values()) n += list.length
    return n
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
    let message: unknown
    try {
      message = JSON.parse(payload.toString('utf8'))
    } catch (err) {
      return this.fail(`malformed request frame: not JSON (${(err as Error).message})`, {bytes: payload.length})
    }
    let trial: string | undefined
    let attempt: number | undefined
    let forward = payload
    if (message !== null && typeof message === 'object' && !Array.isArray(message) && MARKER_FIELD in message) {
      const {[MARKER_FIELD]: marker, ...rest} = message as Record<string, unknown>
      const m = (marker ?? {}) as {trial?: unknown; attempt?: unknown}
      trial = m.trial === undefined ? undefined : String(m.trial)
      attempt = typeof m.attempt === 'number' ? m.attempt : undefined
      message = rest
      forward = Buffer.from(JSON.stringify(rest))
    }
    let id: string | undefined
    if (this.env.replyId !== undefined) {
      const found = selectJson(message, this.env.replyId)
      if (!found.found || (typeof found.value !== 'string' && typeof found.value !== 'number')) {
        return this.fail(`request frame has no id at ${this.env.replyId}; replies are paired by it`)
      }
      id = JSON.stringify(found.value)
    }
    let operation: string | undefined
    if (this.env.requestId !== undefined) {
      const found = selectJson(message, this.env.requestId)
      if (found.found && (typeof found.value === 'string' || typeof found.value === 'number')) operation = String(found.value)
    }
    const ids = {conn: this.conn, request: this.env.events.nextId('r'), trial, attempt, operation}
    this.env.events.record({proxy: this.env.name, ...ids, type: 'request', detail: {bytes: payload.length}})
    const decision = this.env.rules.decide({method: 'FRAME', path: '', headers: {}, trial, attempt, message})
    const slot: Slot = {}
    if (this.ordered) this.slots.push(slot)
    void new FrameExchange(this, ids, forward, id, slot, decision?.action).run()
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
      this.failWaiters(new Error('the server closed the connection'))
      this.destroy(true)
    })
    return socket
  }

  /** Write a request frame on the link's upstream connection; resolves with its reply frame. */
  sendUpstream(frame: Buffer, id: string | undefined): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.destroyed) return reject(new Error('connection closed'))
      const waiter: Waiter = {resolve, reject}
      if (id === undefined) this.inOrder.push(waiter)
      else this.byId.set(id, [...(this.byId.get(id) ?? []), waiter])
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
      const waiter = this.takeWaiter(frame)
      if (waiter) waiter.resolve(frame)
      else this.record({type: 'error', detail: {message: 'a reply frame from the server matches no pending request; dropped', bytes: frame.length}})
    }
    if (this.clientGone && this.waiting() === 0) this.destroy()
  }

  private takeWaiter(frame: Buffer): Waiter | undefined {
    if (this.env.replyId === undefined) return this.inOrder.shift()
    let id: string | undefined
    try {
      const found = selectJson(JSON.parse(frame.toString('utf8')), this.env.replyId)
      if (found.found) id = JSON.stringify(found.value)
    } catch {
      id = undefined
    }
    if (id === undefined) return undefined
    const list = this.byId.get(id)
    const waiter = list?.shift()
    if (list && list.length === 0) this.byId.delete(id)
    return waiter
  }

  private failWaiters(err: Error): void {
    const all = [...this.inOrder, ...[...this.byId.values()].flat()]
    this.inOrder.length = 0
    this.byId.clear()
    for (const waiter of all) waiter.reject(err)
  }
}

/** Deliver one frame on a fresh connection and read its reply (duplicates, late copies). */
function deliverAlone(env: ProxyEnv, frame: Buffer, id: string | undefined, onWritten?: (socket: Socket) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({host: env.upstream.host, port: env.upstream.port, noDelay: true})
    const decoder = new FrameDecoder(env.framing)
    let settled = false
    const entry: Cancelable = {cancel: () => finish(new Error('proxy closed'))}
    env.pending.add(entry)
    const finish = (err: Error | undefined, reply?: Buffer) => {
      if (settled) return
      settled = true
      env.pending.delete(entry)
      socket.destroy()
      if (err) reject(err)
      else resolve(reply as Buffer)
    }
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const reply of decoder.push(chunk)) {
          if (id !== undefined) {
            const found = selectJson(JSON.parse(reply.toString('utf8')), env.replyId as string)
            if (!found.found || JSON.stringify(found.value) !== id) continue
          }
          return finish(undefined, reply)
        }
      } catch (err) {
        finish(err as Error)
      }
    })
    socket.on('error', (err) => finish(err))
    socket.once('close', () => finish(new Error('the server closed the connection before replying')))
    socket.write(encodeFrame(env.framing, frame), () => onWritten?.(socket))
  })
}

interface FrameIds {
  conn: string
  request: string
  trial?: string
  attempt?: number
  operation?: string
}

/** One request frame and everything the proxy does about it (mirrors the HTTP Exchange). */
class FrameExchange implements FaultHandlers {
  private deliveries = 0

  constructor(
    private readonly link: FramedLink,
    private readonly ids: FrameIds,
    private readonly frame: Buffer,
    private readonly id: string | undefined,
    private readonly slot: Slot,
    private readonly fault: FaultAction | undefined,
  ) {}

  private get env(): ProxyEnv {
    return this.link.env
  }

  async run(): Promise<void> {
    const {tracker} = this.env
    tracker.begin(this.ids.trial)
    try {
      await this.dispatchFault()
    } catch (err) {
      this.record({type: 'error', detail: {message: (err as Error).message, code: (err as NodeJS.ErrnoException).code}})
      this.link.resetClient()
    } finally {
      tracker.end(this.ids.trial)
    }
  }

  private async dispatchFault(): Promise<void> {
    // While the server restarts after a crash fault, wait for it rather than hit a closed port.
    if (!(await waitOutRestart(this.env.hooks, () => this.link.clientGone))) {
      this.record({type: 'error', detail: {message: GAVE_UP_DURING_RESTART}})
      return
    }
    if (!this.fault) return this.toClient(await this.deliverMain())
    return applyFault(this.fault, this)
  }

  async dropRequest(mode: 'timeout' | 'reset'): Promise<void> {
    this.recordFault('request', {mode})
    return this.holdOrReset(mode)
  }

  async dropReply(mode: 'timeout' | 'reset'): Promise<void> {
    await this.deliverMain()
    this.recordFault('reply', {mode})
    return this.holdOrReset(mode)
  }

  /** gRPC only (the scenario loader keeps it off tcp targets): forward untouched, and say so. */
  async answerStatus(): Promise<void> {
    this.record({type: 'error', fault: 'status', detail: {message: 'status faults apply to gRPC targets only; forwarded untouched'}})
    return this.toClient(await this.deliverMain())
  }

  // ---- building blocks -------------------------------------------------------------

  private record(event: Omit<ProxyEventInput, 'request'>): void {
    this.env.events.record({proxy: this.env.name, ...this.ids, ...event})
  }

  private recordFault(phase: string, detail?: Record<string, unknown>): void {
    if (!this.fault) return
    this.record({type: 'fault', fault: this.fault.type, phase, detail: {label: describeFault(this.fault), ...detail}})
  }

  private recordReply(delivery: number, reply: Buffer): void {
    this.record({type: 'reply', delivery, status: TCP_REPLY_STATUS})
    const detail: Record<string, unknown> = {bytes: reply.length}
    if (this.env.captureBytes > 0) detail.body = this.evidence(reply)
    this.record({type: 'reply-end', delivery, status: TCP_REPLY_STATUS, detail})
  }

  /**
   * A reply as evidence for the oracles: without its id field when replies are paired by id
   * (a correlation id belongs to the message, not to what the server answered).
   */
  private evidence(reply: Buffer): string {
    const text = reply.subarray(0, this.env.captureBytes).toString('utf8')
    if (this.env.replyId === undefined || reply.length > this.env.captureBytes) return text
    try {
      return JSON.stringify(removePaths(JSON.parse(text), [this.env.replyId])) ?? text
    } catch {
      return text
    }
  }

  private async tracked<T>(work: (delivery: number) => Promise<T>): Promise<T> {
    this.deliveries += 1
    const delivery = this.deliveries
    this.record({type: 'delivery', delivery, detail: {bytes: this.frame.length}})
    this.env.tracker.begin(this.ids.trial)
    try {
      return await work(delivery)
    } catch (err) {
      this.record({type: 'error', delivery, detail: {message: (err as Error).message, phase: 'delivery'}})
      throw err
    } finally {
      this.env.tracker.end(this.ids.trial)
    }
  }

  /** Deliver on the client's own upstream connection; resolves with the reply frame. */
  private deliverMain(): Promise<Buffer> {
    return this.tracked(async (delivery) => {
      const reply = await this.link.sendUpstream(this.frame, this.id)
      this.recordReply(delivery, reply)
      return reply
    })
  }

  /** Deliver on a fresh connection; its reply is recorded, never sent to the client. */
  private deliverAlone(): Promise<Buffer> {
    return this.tracked(async (delivery) => {
      const reply = await deliverAlone(this.env, this.frame, this.id)
      this.recordReply(delivery, reply)
      return reply
    })
  }

  private deliverQuietly(): Promise<void> {
    return this.deliverAlone().then(
      () => undefined,
      () => undefined,
    )
  }

  private toClient(reply: Buffer, delivery = 1): Promise<void> {
    return new Promise((resolve) => {
      if (this.link.clientGone) return resolve()
      const done = () => {
        this.link.client.off('close', done)
        resolve()
      }
      this.link.client.once('close', done)
      this.link.fill(this.slot, encodeFrame(this.env.framing, reply), () => {
        this.record({type: 'forwarded', delivery, status: TCP_REPLY_STATUS})
        done()
      })
    })
  }

  /** Never answer (the client's timeout decides; in-order links stall behind it), or reset. */
  private holdOrReset(mode: 'timeout' | 'reset'): Promise<void> {
    if (mode === 'reset') {
      this.link.resetClient()
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      if (this.link.clientGone) return resolve()
      const entry = {cancel: () => resolve()}
      this.env.pending.add(entry)
      this.link.client.once('close', () => {
        this.env.pending.delete(entry)
        resolve()
      })
    })
  }

  private sleep(ms: number): Promise<void> {
    return pendingSleep(ms, this.env.pending)
  }

  // ---- faults ------------------------------------------------------------------------

  async duplicate(mode: 'sequential' | 'concurrent' | 'delayed', delay: number): Promise<void> {
    this.recordFault('request', {mode, delay: mode === 'delayed' ? delay : undefined, copies: 2})
    const original = async () => this.toClient(await this.deliverMain())
    if (mode === 'sequential') {
      await original().catch(() => this.link.resetClient())
      await this.deliverQuietly()
      return
    }
    // Delivery 1 is the client's; its reply is the one the client gets.
    const first = original().catch(() => this.link.resetClient())
    const second = deliverCopy(mode, delay, () => this.deliverQuietly(), {tracker: this.env.tracker, trial: this.ids.trial, pending: this.env.pending})
    await Promise.all([first, second])
  }

  async delayRequest(delay: number): Promise<void> {
    this.recordFault('request', {delay})
    await this.sleep(delay)
    // The client gave up: the late request still reaches the server, as on a real network.
    if (this.link.clientGone) return this.deliverQuietly()
    await this.toClient(await this.deliverMain())
  }

  async delayReply(delay: number): Promise<void> {
    const reply = await this.deliverMain()
    this.recordFault('reply', {delay})
    await this.sleep(delay)
    await this.toClient(reply)
  }

  async resetMidReply(): Promise<void> {
    const reply = await this.deliverMain()
    const bytes = encodeFrame(this.env.framing, reply)
    const half = Math.floor(bytes.length / 2)
    this.recordFault('mid-reply', {bytesSent: half, of: bytes.length})
    if (this.link.clientGone) return
    this.link.fill(this.slot, bytes.subarray(0, half), () => this.link.resetClient())
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
    // The server answered: its reply is at the proxy, not yet at the client. Kill it now.
    this.env.tracker.begin(this.ids.trial)
    try {
      await this.deliverMain()
      this.link.resetClient()
      await this.crash('before-reply')
    } finally {
      this.env.tracker.end(this.ids.trial)
    }
  }

  async crashAfterReply(): Promise<void> {
    await this.toClient(await this.deliverMain())
    if (!(await this.crash('after-reply'))) return
    // The restarted server now sees the same request again, as a retry or late duplicate would.
    await this.deliverQuietly()
  }

  async clientAbort(): Promise<void> {
    await this.tracked(
      (delivery) =>
        new Promise<void>((resolve) => {
          // Once the whole frame is on the wire the client "crashes": both connections close.
          deliverAlone(this.env, this.frame, this.id, (socket) => {
            this.recordFault('after-request-sent', {delivery})
            this.link.resetClient()
            socket.destroy()
          }).then(
            () => resolve(),
            () => resolve(),
          )
        }),
    )
  }
}
