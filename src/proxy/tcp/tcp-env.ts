import type {EventLog} from '../../events/event-log.js'
import type {InFlightTracker} from '../in-flight.js'
import type {Cancelable} from '../pending-sleep.js'
import type {ProxyHooks} from '../proxy-hooks.js'
import type {RuleSet} from '../rule-set.js'
import type {Framing} from './framing.js'
import type {TrialOwner} from '../trial-owner.js'

/** Framed TCP replies carry no status; events and the built-in client report this one. */
export const TCP_REPLY_STATUS = 0

export interface TcpAddress {
  host: string
  port: number
}

export function parseTcpAddress(value: string): TcpAddress {
  const url = new URL(value.includes('://') ? value : `tcp://${value}`)
  const port = Number(url.port)
  if (!url.hostname || !Number.isInteger(port) || port <= 0) throw new TypeError(`not a tcp://host:port address: ${value}`)
  return {host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port}
}

/** What every link and exchange of one TCP fault proxy shares. */
export interface TcpProxyEnv {
  name?: string
  upstream: TcpAddress
  events: EventLog
  rules: RuleSet
  tracker: InFlightTracker
  hooks: ProxyHooks
  framing: Framing
  replyId?: string
  requestId?: string
  captureBytes: number
  frameTimeout: number
  /** Timers and held frames to cancel when the proxy closes. */
  pending: Set<Cancelable>
  /** Open client connections, destroyed when the proxy closes. */
  links: Set<{destroy(): void}>
  /** Set when the listener serves one trial's unmarked client (trial-owner.ts). */
  owner?: TrialOwner
}
