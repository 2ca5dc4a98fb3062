import type {EventLog, ProxyEvent} from '../events/event-log.js'
import {describeFault, resolveFault, type FaultAction} from '../proxy/fault.js'
import {deriveRandom} from '../random.js'
import type {Profile} from '../scenario/types.js'
import type {AuditOperation, ObservedAttempt, SeenAttempt} from './attempt.js'
import type {FaultSchedule} from './fault-schedule.js'
import {OperationGrouper} from './grouping.js'
import {failsAtOnce} from './retry-case.js'

/** Client timeout that delay faults written as a multiple of it (`delayFactor`) are scaled by. */
const NOMINAL_CLIENT_TIMEOUT_MS = 1000

export interface AuditObserverOptions {
  schedule: FaultSchedule
  seed: number
  /** How many consecutive attempts of a faulted operation get its fault (1: the first only). */
  faultAttempts: number
  groupWindowMs: number
  events: EventLog
}

/**
 * What the audit sees of the workload's traffic. Each protocol's intake hands it every request
 * before it is forwarded; it groups the request into an operation and answers with the fault to
 * apply: the schedule's next profile for a new operation's first attempt (and for the next
 * `faultAttempts − 1` attempts), nothing for the others. The proxy's events then tell it which
 * faults fired and what the server answered.
 */
export class AuditObserver {
  private readonly grouper: OperationGrouper
  private readonly byRequest = new Map<string, ObservedAttempt>()
  /** JSON-RPC batches: the HTTP request's id → its calls' attempts, in batch order. */
  private readonly batches = new Map<string, ObservedAttempt[]>()
  private readonly onEvent = (event: ProxyEvent): void => this.record(event)

  constructor(private readonly options: AuditObserverOptions) {
    this.grouper = new OperationGrouper(options.groupWindowMs)
    options.events.on('event', this.onEvent)
  }

  get operations(): readonly AuditOperation[] {
    return this.grouper.operations
  }

  /** Stop listening to the proxy's events. */
  dispose(): void {
    this.options.events.off('event', this.onEvent)
  }

  /** A request arrived: group it and return the fault it gets, if any. */
  observe(attempt: SeenAttempt): FaultAction | undefined {
    const observed = this.add(attempt, true)
    this.byRequest.set(observed.request, observed)
    return observed.fault?.action
  }

  /**
   * The calls of one JSON-RPC batch (the HTTP request `exchange`), each its own attempt, in
   * batch order. The proxy faults at most one call of a batch: the first call that gets a
   * fault; the calls after it are grouped but get none. Returns that call's index and fault.
   */
  observeBatch(exchange: string, calls: readonly SeenAttempt[]): {call: number; action: FaultAction} | undefined {
    let chosen: {call: number; action: FaultAction} | undefined
    const observed = calls.map((call, index) => {
      const attempt = this.add(call, chosen === undefined)
      if (chosen === undefined && attempt.fault) chosen = {call: index, action: attempt.fault.action}
      return attempt
    })
    this.batches.set(exchange, observed)
    return chosen
  }

  /** Group an attempt; plan its fault when it may get one. */
  private add(attempt: SeenAttempt, faultable: boolean): ObservedAttempt {
    const observed: ObservedAttempt = {...attempt}
    const {operation, number} = this.grouper.add(observed)
    const planned = !faultable ? undefined : number === 1 ? this.plan(operation, observed) : this.repeat(operation, number)
    if (planned) observed.fault = {...planned, fired: false}
    return observed
  }

  private plan(operation: AuditOperation, attempt: ObservedAttempt): {profile: string; label: string; action: FaultAction} | undefined {
    const profile = this.options.schedule.next(attempt.route)
    if (!profile) return undefined
    const action = resolveFault(firstFault(profile), deriveRandom(this.options.seed, 'audit-fault', operation.id), NOMINAL_CLIENT_TIMEOUT_MS)
    return {profile: profile.name, label: describeFault(action), action}
  }

  /** A retry of a faulted operation gets the same fault while `faultAttempts` lasts. */
  private repeat(operation: AuditOperation, number: number): {profile: string; label: string; action: FaultAction} | undefined {
    if (number > this.options.faultAttempts) return undefined
    const fault = operation.attempts[0]?.attempt.fault
    return fault ? {profile: fault.profile, label: fault.label, action: fault.action} : undefined
  }

  private record(event: ProxyEvent): void {
    if (event.request === undefined) return
    const batch = this.batches.get(event.request)
    if (batch) return this.recordBatch(event, batch)
    const attempt = this.byRequest.get(event.request)
    if (attempt) this.recordOne(event, attempt)
  }

  /**
   * An event of a batch's HTTP exchange: a fault names its call; the reply's status is every
   * call's; the reply evidence is the faulted call's response (else the first call's).
   */
  private recordBatch(event: ProxyEvent, batch: ObservedAttempt[]): void {
    const focus = batch.find((a) => a.fault) ?? batch[0]
    if (event.type === 'fault') {
      const call = event.detail?.call
      const hit = typeof call === 'number' ? batch[call] : focus
      if (hit?.fault && !hit.fault.fired && failsAtOnce(hit.fault.action)) for (const other of batch) if (other !== hit) other.batchFailed = true
      if (hit) this.recordOne(event, hit)
    } else if (event.type === 'reply') {
      for (const attempt of batch) this.recordOne(event, attempt)
    } else if (focus) this.recordOne(event, focus)
  }

  private recordOne(event: ProxyEvent, attempt: ObservedAttempt): void {
    if (event.type === 'fault' && attempt.fault && !attempt.fault.fired) {
      attempt.fault.fired = true
      attempt.fault.firedAt = event.time
    } else if (event.type === 'reply' && event.status !== undefined && attempt.status === undefined) {
      attempt.status = event.status
    } else if (event.type === 'reply-end' && typeof event.detail?.body === 'string' && isErrorReply(event.detail.body)) {
      attempt.errorReply = true
    }
  }
}

/**
 * True when a reply's evidence is an error: an object with a non-null `error` member (a
 * JSON-RPC error response, a framed-TCP error frame). The JSON-RPC proxy gives the called
 * method's response as evidence, the TCP proxy the reply frame.
 */
export function isErrorReply(evidence: string): boolean {
  try {
    const value: unknown = JSON.parse(evidence)
    return value !== null && typeof value === 'object' && !Array.isArray(value) && (value as {error?: unknown}).error != null
  } catch {
    return false
  }
}

/** The fault a profile applies to a first attempt (its `attempt: 1` fault, else its first). */
export function firstFault(profile: Profile): Profile['faults'][number] {
  return profile.faults.find((f) => f.attempt === 1) ?? (profile.faults[0] as Profile['faults'][number])
}
