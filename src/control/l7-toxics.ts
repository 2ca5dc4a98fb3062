import type {FaultAction} from '../proxy/fault.js'
import type {FaultRule} from '../proxy/rule-set.js'
import type {ToxicSpec} from '../proxy/l4/toxic.js'
import type {ToxicTypeSpec} from './toxic-catalog.js'

/**
 * faultline's L7 faults as toxic types on the Toxiproxy API, for proxies with
 * `protocol: http`. Toxiproxy attributes are numbers, so choices are numbers too:
 *   nth     fire only on the nth request through the proxy (0 = every request)
 *   reset   drop-request / drop-reply: 1 resets the connection, 0 holds it (client times out)
 *   mode    duplicate: 0 sequential, 1 concurrent, 2 delayed
 *   delay   milliseconds (delay; duplicate with mode 2)
 *   reply   delay: 1 delays the reply, 0 the request
 * `toxicity` is the probability per request (L4 toxics roll it per connection).
 * One line per type; `toL7Action` maps a spec to the proxy's fault action.
 */
export const L7_TOXIC_TYPES: readonly ToxicTypeSpec[] = [
  {type: 'drop-request', attributes: {nth: 'integer', reset: 'integer'}},
  {type: 'drop-reply', attributes: {nth: 'integer', reset: 'integer'}},
  {type: 'duplicate', attributes: {nth: 'integer', mode: 'integer', delay: 'number'}},
  {type: 'delay', attributes: {nth: 'integer', delay: 'number', reply: 'integer'}},
  {type: 'reset', attributes: {nth: 'integer'}},
]

const L7_NAMES = new Set(L7_TOXIC_TYPES.map((t) => t.type))

export function isL7Toxic(type: string): boolean {
  return L7_NAMES.has(type)
}

const DUPLICATE_MODES = ['sequential', 'concurrent', 'delayed'] as const

export function toL7Action(spec: ToxicSpec): FaultAction {
  const a = spec.attributes
  switch (spec.type) {
    case 'drop-request':
    case 'drop-reply':
      return {type: spec.type, mode: a.reset ? 'reset' : 'timeout'}
    case 'duplicate':
      return {type: 'duplicate', mode: DUPLICATE_MODES[a.mode ?? 0] ?? 'sequential', delay: a.delay ?? 0}
    case 'delay':
      return {type: 'delay', phase: a.reply ? 'reply' : 'request', delay: a.delay ?? 0}
    case 'reset':
      return {type: 'reset', phase: 'mid-reply'}
    default:
      throw new TypeError(`not an L7 toxic: ${spec.type}`)
  }
}

/** The proxy rule a toxic stands for: global counting, toxicity as the probability. */
export function toL7Rule(spec: ToxicSpec): FaultRule {
  const nth = spec.attributes.nth
  return {
    id: spec.name,
    nth: nth && nth > 0 ? nth : undefined,
    limit: nth && nth > 0 ? 1 : undefined,
    probability: spec.toxicity,
    scope: 'global',
    action: toL7Action(spec),
  }
}
