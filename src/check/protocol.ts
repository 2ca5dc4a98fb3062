import type {EventLog} from '../events/event-log.js'
import type {InFlightTracker} from '../proxy/in-flight.js'
import type {ProxyHooks} from '../proxy/proxy-hooks.js'
import type {RuleSet} from '../proxy/rule-set.js'
import type {TrialOwner} from '../proxy/trial-owner.js'
import type {ClientPolicy, Scenario} from '../scenario/types.js'

/**
 * What `check` needs of one RPC protocol (http, jsonrpc, grpc, tcp): a fault proxy that
 * understands its messages, a client transport, and how its replies end an attempt.
 * One file per protocol implements this; `protocols/registry.ts` lists them.
 */
export interface ProtocolAdapter {
  readonly protocol: string
  /** Start the message-level fault proxy in front of the server. */
  startProxy(options: ProxyStartOptions): Promise<RunningFaultProxy>
  /**
   * A transport for the built-in client: attempts go through the proxy at `proxyUrl`.
   * Each attempt carries the trial and attempt markers the proxy reads (and strips).
   */
  createClient(proxyUrl: string, scenario: Scenario): Transport
  /** A transport for effect probes, straight to the server (never through the proxy). */
  createProbeClient(targetUrl: string, scenario: Scenario): Transport
}

export interface ProxyStartOptions {
  /** The server's address as the scenario gives it (after {{port}}). */
  upstream: string
  events: EventLog
  rules: RuleSet
  hooks: ProxyHooks
  /** Reply bytes kept per delivery in 'reply-end' events (evidence for the oracles). */
  captureBytes: number
  scenario: Scenario
  /** A trial's own listener for a client command: all its traffic is that trial's (trial-owner.ts). */
  owner?: TrialOwner
  /** Count in-flight work here instead of in a tracker of the proxy's own (a trial's listener shares the run's). */
  tracker?: InFlightTracker
}

export interface RunningFaultProxy {
  /** Where clients connect, in the form `createClient` expects. */
  url: string
  tracker: InFlightTracker
  close(): Promise<void>
}

/** Which trial and attempt an attempt belongs to; the proxy targets faults with these. */
export interface AttemptMarkers {
  trial: string
  attempt: number
}

/** A protocol's reply to one request, as the client saw it. */
export interface TransportReply {
  /** Status as the protocol names it: an HTTP status, a gRPC code name, a JSON-RPC error code. */
  status: number | string
  /** How this reply ends or continues an operation under the client policy. */
  classification: 'ok' | 'retry' | 'failed' | 'indeterminate'
  /** The reply payload as JSON when it is JSON (probes select from it), else its text. */
  body: unknown
  /** The body is a JSON value even when it is a string (a JSON-RPC `result`), never reply text. */
  bodyIsJson?: boolean
  /** The resource does not exist (HTTP 404, gRPC NOT_FOUND…): a probe reads it as absent. */
  notFound: boolean
  /** The server asked for this delay before a retry (HTTP Retry-After, gRPC pushback); replaces the backoff once. */
  retryAfterMs?: number
  /**
   * On a replicated target the next attempt goes to the next replica (client.failoverOn):
   * the reply in a few words for the timeline, e.g. `-32001 not leader`.
   */
  failover?: string
}

/**
 * Whether a retried reply sends the next attempt to the next replica: its status is in
 * client.failoverOn, or the scenario lists none (then every retried reply fails over).
 */
export function failsOver(policy: ClientPolicy, status: number | string, classification: TransportReply['classification']): boolean {
  return classification === 'retry' && (policy.failoverOn === undefined || policy.failoverOn.includes(status))
}

export interface Transport {
  /**
   * Send one rendered request (the endpoint's request after templates) and read the whole
   * reply. Rejects on timeouts (via `signal`) and connection errors.
   */
  send(request: unknown, markers: AttemptMarkers | undefined, policy: ClientPolicy, signal: AbortSignal): Promise<TransportReply>
  close(): Promise<void>
}
