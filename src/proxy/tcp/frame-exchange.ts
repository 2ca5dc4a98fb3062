import {removePaths} from '../../jsonpath.js'
import type {FaultAction, StatusAnswer} from '../fault.js'
import {FaultExchange, type PartialReply} from '../faults/fault-exchange.js'
import type {RequestIds} from '../request-ids.js'
import {deliverAlone} from './deliver-alone.js'
import {errorFrame} from './error-frame.js'
import type {FramedLink, Slot} from './framed-link.js'
import {encodeFrame} from './framing.js'
import {TCP_REPLY_STATUS, type TcpProxyEnv} from './tcp-env.js'

/**
 * One request frame and everything the proxy does about it: the framed-TCP primitives the
 * faults (faults/*.ts) are written against. A reply is one frame.
 */
export class FrameExchange extends FaultExchange<Buffer> {
  private deliveries = 0

  constructor(
    private readonly link: FramedLink,
    ids: RequestIds,
    private readonly frame: Buffer,
    private readonly id: string | undefined,
    private readonly slot: Slot,
    fault: FaultAction | undefined,
  ) {
    super(link.env, ids, fault)
  }

  private get tcp(): TcpProxyEnv {
    return this.link.env
  }

  get clientGone(): boolean {
    return this.link.clientGone
  }

  // ---- primitives ----------------------------------------------------------------------

  async forward(): Promise<void> {
    await this.sendReply(await this.deliverMain())
  }

  deliverBuffered(): Promise<Buffer> {
    return this.deliverMain()
  }

  /** On a fresh connection, so its reply never reaches the client. */
  async deliverCopy(): Promise<void> {
    await this.tracked(async (delivery) => {
      const reply = await deliverAlone(this.tcp, this.frame, this.id)
      this.recordReply(delivery, reply)
    })
  }

  /** The configured error frame, paired to the request like a server reply. */
  sendStatus(answer: StatusAnswer): Promise<void> {
    return this.sendReply(errorFrame(answer, this.tcp.replyId, this.id), undefined)
  }

  /** `delivery`: the server's reply it forwards ('forwarded' event); undefined for faultline's own frame. */
  sendReply(reply: Buffer, delivery: number | undefined = 1): Promise<void> {
    return new Promise((resolve) => {
      if (this.link.clientGone) return resolve()
      const done = () => {
        this.link.client.off('close', done)
        resolve()
      }
      this.link.client.once('close', done)
      this.link.fill(this.slot, encodeFrame(this.tcp.framing, reply), () => {
        if (delivery !== undefined) this.record({type: 'forwarded', delivery, status: TCP_REPLY_STATUS})
        done()
      })
    })
  }

  /** Never answer: the client's timeout decides (in-order links stall behind it). */
  hold(): Promise<void> {
    return new Promise((resolve) => {
      if (this.link.clientGone) return resolve()
      const entry = {cancel: () => resolve()}
      this.tcp.pending.add(entry)
      this.link.client.once('close', () => {
        this.tcp.pending.delete(entry)
        resolve()
      })
    })
  }

  resetClient(): void {
    this.link.resetClient()
  }

  failClient(): void {
    this.link.resetClient()
  }

  partialReply(reply: Buffer): PartialReply {
    const bytes = encodeFrame(this.tcp.framing, reply)
    const half = Math.floor(bytes.length / 2)
    return {bytesSent: half, of: bytes.length, send: () => this.link.fill(this.slot, bytes.subarray(0, half), () => this.link.resetClient())}
  }

  /** The reply frame is read in full and kept at the proxy; a failed delivery throws. */
  async deliverUntilReply(): Promise<boolean> {
    await this.deliverMain()
    return true
  }

  async abortAfterSending(): Promise<void> {
    await this.tracked(
      (delivery) =>
        new Promise<void>((resolve) => {
          // Once the whole frame is on the wire the client "crashes": both connections close.
          deliverAlone(this.tcp, this.frame, this.id, (socket) => {
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

  // ---- building blocks -------------------------------------------------------------------

  private recordReply(delivery: number, reply: Buffer): void {
    this.record({type: 'reply', delivery, status: TCP_REPLY_STATUS})
    const detail: Record<string, unknown> = {bytes: reply.length}
    if (this.tcp.captureBytes > 0) detail.body = this.evidence(reply)
    this.record({type: 'reply-end', delivery, status: TCP_REPLY_STATUS, detail})
  }

  /**
   * A reply as evidence for the oracles: without its id field when replies are paired by id
   * (a correlation id belongs to the message, not to what the server answered).
   */
  private evidence(reply: Buffer): string {
    const text = reply.subarray(0, this.tcp.captureBytes).toString('utf8')
    if (this.tcp.replyId === undefined || reply.length > this.tcp.captureBytes) return text
    try {
      return JSON.stringify(removePaths(JSON.parse(text), [this.tcp.replyId])) ?? text
    } catch {
      return text
    }
  }

  private tracked<T>(work: (delivery: number) => Promise<T>): Promise<T> {
    this.deliveries += 1
    const delivery = this.deliveries
    this.record({type: 'delivery', delivery, detail: {bytes: this.frame.length}})
    return this.inFlight(async () => {
      try {
        return await work(delivery)
      } catch (err) {
        this.record({type: 'error', delivery, detail: {message: (err as Error).message, phase: 'delivery'}})
        throw err
      }
    })
  }

  /** Deliver on the client's own upstream connection; resolves with the reply frame. */
  private deliverMain(): Promise<Buffer> {
    return this.tracked(async (delivery) => {
      const reply = await this.link.sendUpstream(this.frame, this.id)
      this.recordReply(delivery, reply)
      return reply
    })
  }
}
