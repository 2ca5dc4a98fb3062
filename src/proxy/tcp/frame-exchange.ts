import type {ProxyEventInput} from '../../events/event-log.js'
import {removePaths} from '../../jsonpath.js'
import {deliverCopy} from '../duplicate-copy.js'
import {describeFault, type FaultAction} from '../fault.js'
import {applyFault, type FaultHandlers} from '../fault-handlers.js'
import {pendingSleep} from '../pending-sleep.js'
import {GAVE_UP_DURING_RESTART, waitOutRestart, type CrashPoint} from '../proxy-hooks.js'
import type {RequestIds} from '../request-ids.js'
import {deliverAlone} from './deliver-alone.js'
import type {FramedLink, Slot} from './framed-link.js'
import {encodeFrame} from './framing.js'
import {TCP_REPLY_STATUS, type TcpProxyEnv} from './tcp-env.js'

/** One request frame and everything the proxy does about it (mirrors the HTTP Exchange). */
export class FrameExchange implements FaultHandlers {
  private deliveries = 0

  constructor(
    private readonly link: FramedLink,
    private readonly ids: RequestIds,
    private readonly frame: Buffer,
    private readonly id: string | undefined,
    private readonly slot: Slot,
    private readonly fault: FaultAction | undefined,
  ) {}

  private get env(): TcpProxyEnv {
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
