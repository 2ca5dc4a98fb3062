import type {EventLog, ProxyEventInput} from '../../events/event-log.js'
import {deliverCopy} from '../duplicate-copy.js'
import {describeFault, type FaultAction, type StatusAnswer} from '../fault.js'
import type {InFlightTracker} from '../in-flight.js'
import {pendingSleep, type Cancelable} from '../pending-sleep.js'
import type {CrashRestart} from '../../fault-spec.js'
import {GAVE_UP_DURING_RESTART, waitOutRestart, type CrashPoint, type LinkFault, type ProxyHooks} from '../proxy-hooks.js'
import type {RequestIds} from '../request-ids.js'
import {runFault} from './registry.js'

/** The error a request records when its server cannot be reached. */
export const UNREACHABLE_MESSAGES = {
  down: 'the server is down (a crash fault left it down for the rest of the trial); connection reset, not delivered',
  partitioned: 'the server is partitioned off; dropped, not delivered',
} as const

/** What an exchange needs of its proxy, whatever the protocol. */
export interface FaultExchangeEnv {
  name?: string
  events: EventLog
  tracker: InFlightTracker
  hooks: ProxyHooks
  /** Timers and held requests to cancel when the proxy closes. */
  pending: Set<Cancelable>
}

/** Half a reply: what the 'fault' event says of it, and how to send it and reset. */
export interface PartialReply {
  bytesSent: number
  of: number
  /** Protocol detail for the 'fault' event (gRPC: the RST_STREAM code). */
  detail?: Record<string, unknown>
  send(): void
}

/**
 * The primitives a protocol implements once; every fault (faults/*.ts) is written against
 * them. `R` is the protocol's buffered reply.
 */
export interface ExchangePrimitives<R> {
  /** The client went away (closed, reset, gave up). */
  readonly clientGone: boolean
  /** Deliver the request and pass the reply to the client as it comes. */
  forward(): Promise<void>
  /** Deliver the request and read the whole reply (recorded as evidence, not sent). */
  deliverBuffered(): Promise<R>
  /** Deliver once more on the side: the reply is recorded, never sent to the client. */
  deliverCopy(): Promise<void>
  /** Send a reply read earlier to the client. */
  sendReply(reply: R): Promise<void>
  /** Never answer: resolves once the client gave up or the proxy closed. */
  hold(): Promise<void>
  /** Reset the client's connection now. */
  resetClient(): void
  /** Tell the client the proxy failed (or close it, when the reply already started). */
  failClient(err: Error): void
  /** How many bytes half of `reply` is on the wire (plus protocol detail), and how to send that half and reset. */
  partialReply(reply: R): PartialReply
  /**
   * Deliver and stop at the server's reply, which never leaves the proxy. Resolves true
   * when there was a reply to crash before; false (recorded, client reset) otherwise.
   */
  deliverUntilReply(): Promise<boolean>
  /** Deliver and, once the whole request is sent, close both connections as a crashed client would. */
  abortAfterSending(): Promise<void>
  /** Send the client a status of the faultline's own instead of the server's reply (HTTP 503, a gRPC status, a JSON-RPC error, an error frame). */
  sendStatus(answer: StatusAnswer): Promise<void>
}

/**
 * What every protocol's exchange shares: the run (in-flight tracking, the restart hold, the
 * fault dispatch, the error path), event recording, crash and quiet delivery. A protocol
 * extends it and implements the primitives.
 */
export abstract class FaultExchange<R> implements ExchangePrimitives<R> {
  /** Errors already recorded where they happened, so `run` does not record them twice. */
  protected readonly recordedErrors = new WeakSet<Error>()

  constructor(
    protected readonly env: FaultExchangeEnv,
    readonly ids: RequestIds,
    readonly fault: FaultAction | undefined,
  ) {}

  abstract readonly clientGone: boolean
  abstract forward(): Promise<void>
  abstract deliverBuffered(): Promise<R>
  abstract deliverCopy(): Promise<void>
  abstract sendReply(reply: R): Promise<void>
  abstract hold(): Promise<void>
  abstract resetClient(): void
  abstract failClient(err: Error): void
  abstract partialReply(reply: R): PartialReply
  abstract deliverUntilReply(): Promise<boolean>
  abstract abortAfterSending(): Promise<void>

  abstract sendStatus(answer: StatusAnswer): Promise<void>

  /** Read what a fault needs before it starts (HTTP: the request body); nothing by default. */
  protected async prepare(): Promise<void> {}

  /** The request with no fault: forwarded as cheaply as the protocol can (streamed). */
  protected passThrough(): Promise<void> {
    return this.forward()
  }

  /** Whether the client left while the server restarted (then the request is not delivered). */
  protected leftDuringRestart(): boolean {
    return this.clientGone
  }

  async run(): Promise<void> {
    const {tracker} = this.env
    tracker.begin(this.ids.trial)
    try {
      // While the server restarts after a crash fault, wait for it rather than hit a closed port.
      if (!(await waitOutRestart(this.env.hooks, () => this.leftDuringRestart()))) {
        this.gaveUpDuringRestart()
        return
      }
      // A server left down or cut off: nothing reaches it, whatever fault the request carries.
      const unreachable = this.env.hooks.unreachable?.()
      if (unreachable) return await this.notDelivered(unreachable)
      if (!this.fault) return await this.passThrough()
      await this.prepare()
      await runFault(this, this.fault)
    } catch (err) {
      if (!this.recordedErrors.has(err as Error)) {
        this.record({type: 'error', detail: {message: (err as Error).message, code: (err as NodeJS.ErrnoException).code}})
      }
      this.failClient(err as Error)
    } finally {
      tracker.end(this.ids.trial)
    }
  }

  /** The server is down (the client's connection is reset) or partitioned (the client is held until it gives up). */
  private async notDelivered(why: 'down' | 'partitioned'): Promise<void> {
    if (why === 'down') {
      this.record({type: 'error', detail: {message: UNREACHABLE_MESSAGES.down}})
      this.resetClient()
      return
    }
    await this.prepare()
    this.record({type: 'error', detail: {message: UNREACHABLE_MESSAGES.partitioned}})
    await this.hold()
  }

  /** The client left while the server restarted: the request is never delivered. */
  protected gaveUpDuringRestart(): void {
    this.record({type: 'error', detail: {message: GAVE_UP_DURING_RESTART}})
  }

  record(event: Omit<ProxyEventInput, 'request'>): void {
    if (!this.env.events.admit(event.type)) return
    const {conn, request, trial, attempt, operation} = this.ids
    this.env.events.record({proxy: this.env.name, conn, request, trial, attempt, operation, ...event})
  }

  recordFault(phase: string, detail?: Record<string, unknown>): void {
    if (!this.fault) return
    this.record({type: 'fault', fault: this.fault.type, phase, detail: {label: describeFault(this.fault), ...detail}})
  }

  sleep(ms: number): Promise<void> {
    return pendingSleep(ms, this.env.pending)
  }

  /** A duplicate or late delivery whose failure must not affect the client. */
  deliverQuietly(): Promise<void> {
    return this.deliverCopy().catch(() => undefined)
  }

  /** The duplicate's copy beside the client's own delivery: at once, or `delay` ms later. */
  deliverCopyBeside(mode: 'concurrent' | 'delayed', delay: number): Promise<void> {
    return deliverCopy(mode, delay, () => this.deliverQuietly(), {tracker: this.env.tracker, trial: this.ids.trial, pending: this.env.pending})
  }

  /** Hold the client (`timeout`) or reset its connection (`reset`). */
  holdOrReset(mode: 'timeout' | 'reset'): Promise<void> {
    if (mode === 'timeout') return this.hold()
    this.resetClient()
    return Promise.resolve()
  }

  /** Count work in flight for this trial while `work` runs (the probe waits for it). */
  async inFlight<T>(work: () => Promise<T>): Promise<T> {
    this.env.tracker.begin(this.ids.trial)
    try {
      return await work()
    } finally {
      this.env.tracker.end(this.ids.trial)
    }
  }

  /** Ask the supervisor to kill the server here; false (recorded) when there is none. */
  async crash(point: CrashPoint, restart?: CrashRestart): Promise<boolean> {
    const crash = this.env.hooks.crash
    if (!crash) {
      this.record({type: 'error', fault: this.fault?.type, phase: point, detail: {message: 'no supervisor: crash faults need a server block'}})
      return false
    }
    this.recordFault(point)
    await crash({point, trial: this.ids.trial, request: this.ids.request, ...(restart && {restart})})
    return true
  }

  /** Cut the server off for `durationMs` from here; false (recorded) when the proxy has no replicas to fail over to. */
  async partition(phase: string, durationMs: number): Promise<boolean> {
    const partition = this.env.hooks.partition
    if (!partition) {
      this.record({type: 'error', fault: this.fault?.type, phase, detail: {message: 'no replicas: partition faults need target.replicas'}})
      return false
    }
    this.recordFault(phase, {durationMs})
    await partition({trial: this.ids.trial, request: this.ids.request, durationMs})
    return true
  }

  /** Fault the replication link for the rest of the trial; false (recorded) when there is no link. */
  async faultLink(action: LinkFault): Promise<boolean> {
    const faultLink = this.env.hooks.faultLink
    if (!faultLink) {
      this.record({type: 'error', fault: action.type, phase: 'replication', detail: {message: 'no replication link: replication faults need target.replicas with {{replicationUrl}}'}})
      return false
    }
    this.recordFault('replication')
    await faultLink({trial: this.ids.trial, request: this.ids.request, action})
    return true
  }
}
