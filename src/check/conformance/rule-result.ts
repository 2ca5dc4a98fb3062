import type {ProxyEvent} from '../../events/event-log.js'

/**
 * How one conformance rule came out. `inconclusive`: the run could not create the situation
 * the rule is about (say why); `not-checked`: the scenario opted out or lacks what the rule
 * needs (say what to write).
 */
export type RuleOutcome = 'conforms' | 'violates' | 'inconclusive' | 'not-checked'

/** One request a rule sent and what came back, as evidence. */
export interface RuleExchange {
  /** What the request was for: `first`, `repeat`, `concurrent twin`, `no key`. */
  label: string
  /** The reply status, or `timeout` / the error when there was none. */
  status: number | string
  /** The reply body, shortened. */
  body: string
}

export interface ConformanceRuleResult {
  /** The profile set: `idempotency-key`. */
  set: string
  rule: string
  /** What the rule requires, in one line. */
  requirement: string
  /** Where the requirement is written down. */
  reference: string
  outcome: RuleOutcome
  /** What was seen, in one line. */
  detail: string
  exchanges: RuleExchange[]
  /** The proxy's events for the rule's requests. */
  timeline: ProxyEvent[]
}
