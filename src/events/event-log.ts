import {EventEmitter} from 'node:events'

/** What an event says happened. Every fault decision and every delivery is one. */
export type ProxyEventType =
  | 'listen'
  | 'connection-open'
  | 'connection-close'
  | 'request' // a request arrived from the client
  | 'delivery' // a request was sent to the server (counts deliveries)
  | 'reply' // the server's reply head arrived at the proxy
  | 'reply-end' // the server's reply body ended at the proxy
  | 'forwarded' // the reply was passed on to the client in full
  | 'fault' // a fault fired; `fault` and `phase` say which and where
  | 'toxic' // an L4 toxic started on one connection and direction; detail.applied is the toxicity roll
  | 'supervisor' // the server process was killed, restarted, became ready
  | 'error' // malformed traffic or a broken connection, closed and recorded
  | 'attempt' // faultline's client sent an attempt (check runs)
  | 'attempt-result' // … and got a reply, a timeout or an error
  | 'probe' // the effect probe read the server's state
  | 'shrink' // shrinking re-ran a simpler candidate of a breaching trial; detail.broke lists what it broke
  | 'client' // a client command (client.command) started, wrote a line, exited or was killed

export interface ProxyEvent {
  /** Milliseconds since the Unix epoch, with sub-millisecond precision. */
  time: number
  type: ProxyEventType
  /** Proxy or link name, when the emitter serves several. */
  proxy?: string
  /** Connection id, unique within one event log. */
  conn?: string
  /** Proxy-assigned id of one client request (`r12`); its deliveries share it. */
  request?: string
  /** Trial id carried by faultline's own client, when there is one. */
  trial?: string
  /** The operation's stable request id (Idempotency-Key or equivalent), when known. */
  operation?: string
  /** 1 for the client's first attempt; from the client's own marker when present. */
  attempt?: number
  /** Delivery number of this request at the server: 1 for the original, 2+ for duplicates. */
  delivery?: number
  fault?: string
  phase?: string
  method?: string
  path?: string
  status?: number
  /** Anything else worth keeping: byte counts, error codes, delays. */
  detail?: Record<string, unknown>
}

export type ProxyEventInput = Omit<ProxyEvent, 'time'> & {time?: number}

/**
 * A consumer that takes only some events in full and only counts the rest, such as a live
 * log past the rate a person can read. An event nobody else takes in full is then never
 * built: emitters on a hot path ask `admit` first.
 */
export interface EventSampler {
  /** Whether the next event of this type is wanted in full. */
  wants(type: ProxyEventType): boolean
  /** An event it wanted. */
  take(event: ProxyEvent): void
  /** An event it did not want (possibly never built): only its type. */
  skip(type: ProxyEventType): void
}

/**
 * The event stream of one run. Emitters call `record`; consumers listen to 'event' (every
 * event, in full) or add an `EventSampler`. It keeps no history of its own: whoever needs
 * history subscribes.
 */
export class EventLog extends EventEmitter<{event: [ProxyEvent]}> {
  private seq = 0
  private readonly samplers = new Set<EventSampler>()

  record(input: ProxyEventInput): ProxyEvent {
    const event: ProxyEvent = {time: input.time ?? now(), ...input} as ProxyEvent
    if (this.listenerCount('event') > 0) this.emit('event', event)
    for (const sampler of this.samplers) {
      if (sampler.wants(event.type)) sampler.take(event)
      else sampler.skip(event.type)
    }
    return event
  }

  /**
   * Whether to build and `record` an event of this type now: false when no 'event' listener
   * and no sampler wants it, and then every sampler has counted it as skipped. An emitter
   * that asks records the event right after a true answer, or not at all.
   */
  admit(type: ProxyEventType): boolean {
    if (this.samplers.size === 0) return this.observed
    if (this.listenerCount('event') > 0) return true
    for (const sampler of this.samplers) if (sampler.wants(type)) return true
    for (const sampler of this.samplers) sampler.skip(type)
    return false
  }

  addSampler(sampler: EventSampler): void {
    this.samplers.add(sampler)
  }

  removeSampler(sampler: EventSampler): void {
    this.samplers.delete(sampler)
  }

  /** False when nobody listens: emitters may skip building costly event details. */
  get observed(): boolean {
    return this.samplers.size > 0 || this.listenerCount('event') > 0
  }

  /** A fresh id with a prefix, unique within this log (`c1`, `r7`). */
  nextId(prefix: string): string {
    this.seq += 1
    return `${prefix}${this.seq}`
  }
}

/** Wall-clock milliseconds with sub-millisecond precision. */
export function now(): number {
  return performance.timeOrigin + performance.now()
}
