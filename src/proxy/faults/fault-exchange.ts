import type {EventLog, ProxyEventInput} from '../../events/event-log.js'
import {deliverCopy} from '../duplicate-copy.js'
import {describeFault, type FaultAction, type StatusAnswer} from '../fault.js'
import type {InFlightTracker} from '../in-flight.js'
import {pendingSleep, type Cancelable} from '../pending-sleep.js'
import {GAVE_UP_DURING_RESTART, waitOutRestart, type CrashPoint, type ProxyHooks} from '../proxy-hooks.js'
import type {RequestIds} from '../request-ids.js'
import {runFault} from './registry.js'

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
  async crash(point: CrashPoint): Promise<boolean> {
    const crash = this.env.hooks.crash
    if (!crash) {
      this.record({type: 'error', fault: this.fault?.type, phase: point, detail: {message: 'no supervisor: crash faults need a server block'}})
      return false
    }
    this.recordFault(point)
    await crash({point, trial: this.ids.trial, request: this.ids.request})
    return true
  }
}
