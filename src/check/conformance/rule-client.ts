import {randomUUID} from 'node:crypto'
import type {EventLog, ProxyEvent} from '../../events/event-log.js'
import {renderTemplate} from '../../scenario/template.js'
import {deadlineSignal} from '../deadline-signal.js'
import type {RenderedRequest} from '../http-request.js'
import type {TransportReply} from '../protocol.js'
import {shorten} from '../shorten.js'
import type {TrialEnvironment} from '../trial-runner.js'
import type {RuleExchange} from './rule-result.js'

/** One request a rule sends: its marker (for the proxy's events) and its reply or failure. */
export interface SentRequest {
  marker: string
  exchange: RuleExchange
  reply?: TransportReply
}

/**
 * Sends a rule's requests through the proxy, one attempt each (no retries: the rule decides
 * what a repeat is), each under its own marker so the proxy's events show when it reached the
 * server and when the server answered.
 */
export class RuleClient {
  private sent = 0
  private readonly taken = new Set<string>()
  private readonly kept: ProxyEvent[] = []
  constructor(
    private readonly env: TrialEnvironment,
    private readonly prefix: string,
  ) {}

  /** Fresh `{{key}}` and `{{requestId}}` for one use of a rule (`tag`), and a renderer of templates with them. */
  values(tag: string): {render: (value: unknown) => unknown; key: string} {
    const key = `fl-${this.env.runId}-${this.prefix}-${tag}`
    const requestId = randomUUID()
    const vars = {...this.env.baseVars, key, requestId, trial: tag, attempt: 1}
    return {render: (value) => renderTemplate(value, vars), key}
  }

  /** A marker for the next request, watched by the collector from now on. */
  nextMarker(): string {
    this.sent += 1
    const marker = `${this.prefix}.${this.sent}`
    this.env.collector.watch(marker)
    return marker
  }

  async send(request: RenderedRequest, label: string, marker = this.nextMarker()): Promise<SentRequest> {
    const policy = this.env.scenario.client
    const deadline = deadlineSignal(policy.timeout, this.env.signal)
    try {
      const reply = await this.env.client.send(request, {trial: marker, attempt: 1}, policy, deadline.signal)
      const body = typeof reply.body === 'string' ? reply.body : (JSON.stringify(reply.body) ?? '')
      return {marker, reply, exchange: {label, status: reply.status, body: shorten(body, 200)}}
    } catch (err) {
      this.env.signal?.throwIfAborted()
      const status = deadline.timedOut ? `no reply within ${policy.timeout}ms` : (err as Error).message
      return {marker, exchange: {label, status, body: ''}}
    } finally {
      deadline.dispose()
    }
  }

  /** Wait until the server has quieted for these markers, then take their events (kept for the timeline too). */
  async take(markers: string[]): Promise<ProxyEvent[]> {
    const fresh = markers.filter((m) => !this.taken.has(m))
    for (const marker of fresh) await this.env.tracker.waitQuiet(marker, this.env.scenario.settle, this.env.signal)
    for (const marker of fresh) {
      this.kept.push(...this.env.collector.take(marker))
      this.env.tracker.forget(marker)
      this.taken.add(marker)
    }
    const wanted = new Set(markers)
    return this.kept.filter((e) => e.trial !== undefined && wanted.has(e.trial)).sort((a, b) => a.time - b.time)
  }
}

/** Resolves with the first event that matches, or undefined once `until` settles first. */
export function nextEvent(events: EventLog, match: (event: ProxyEvent) => boolean, until: Promise<unknown>): Promise<ProxyEvent | undefined> {
  return new Promise((resolve) => {
    const listener = (event: ProxyEvent) => {
      if (!match(event)) return
      events.off('event', listener)
      resolve(event)
    }
    events.on('event', listener)
    void until.finally(() => {
      events.off('event', listener)
      resolve(undefined)
    })
  })
}
