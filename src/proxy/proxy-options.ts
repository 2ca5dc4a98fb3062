import type {EventLog} from '../events/event-log.js'
import type {InFlightTracker} from './in-flight.js'
import type {ProxyHooks} from './proxy-hooks.js'
import type {RuleSet} from './rule-set.js'
import type {TrialOwner} from './trial-owner.js'

/** What every L7 fault proxy is given, whatever its protocol. */
export interface FaultProxyOptions {
  /** The server under test, in the protocol's URL form. */
  upstream: string
  /** Default 127.0.0.1. */
  host?: string
  /** 0 picks a free port. */
  port?: number
  name?: string
  events: EventLog
  rules: RuleSet
  tracker?: InFlightTracker
  hooks?: ProxyHooks
  /** Reply bytes kept per delivery in 'reply-end' events (evidence for the check). */
  captureBytes?: number
  /** Everything through this listener is one trial's traffic (a client without markers); see trial-owner.ts. */
  owner?: TrialOwner
}
