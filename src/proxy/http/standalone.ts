import type {EventLog} from '../../events/event-log.js'
import type {FaultSpec} from '../fault.js'
import type {RequestMatch} from '../request-match.js'
import {RuleSet, type FaultRule} from '../rule-set.js'
import {HttpFaultProxy} from './http-fault-proxy.js'
import type {HttpTimeouts} from './timeouts.js'

/** A profile's fault with the targeting the standalone proxy reads (a validated profile fault has it). */
export interface StandaloneFaultSpec extends FaultSpec {
  match?: RequestMatch
  nth?: number
  probability?: number
}

export interface StandaloneFault {
  fault: StandaloneFaultSpec
  match?: RequestMatch
  nth?: number
  probability?: number
}

export interface StandaloneProxyOptions {
  listenHost: string
  listenPort: number
  upstream: string
  faults: StandaloneFault[]
  seed: number
  events: EventLog
  /** How long to wait for clients (defaults: DEFAULT_HTTP_TIMEOUTS). */
  timeouts?: Partial<HttpTimeouts>
}

/**
 * The rules of a standalone proxy: one per fault, global counting. A profile fault's
 * `attempt` only means something to `check` (which knows attempts), so it is ignored here;
 * its `match`, `nth` and `probability` apply to all traffic.
 */
export function standaloneRules(faults: StandaloneFault[], seed: number, clientTimeout = 1000): RuleSet {
  const rules = new RuleSet(seed)
  faults.forEach((f, index) => {
    const rule: FaultRule = {
      id: `rule${index + 1}`,
      match: f.match ?? f.fault.match,
      nth: f.nth ?? f.fault.nth,
      probability: f.probability ?? f.fault.probability,
      scope: 'global',
      action: {profileFault: f.fault, clientTimeout},
    }
    rules.add(rule)
  })
  return rules
}

/** Start an L7 HTTP proxy with standalone rules. Crash faults need `check` (a supervisor). */
export async function startStandaloneHttpProxy(options: StandaloneProxyOptions): Promise<HttpFaultProxy> {
  const proxy = new HttpFaultProxy({
    upstream: options.upstream,
    host: options.listenHost,
    port: options.listenPort,
    events: options.events,
    rules: standaloneRules(options.faults, options.seed),
    timeouts: options.timeouts,
  })
  await proxy.start()
  return proxy
}
