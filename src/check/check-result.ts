import type {ProxyEvent} from '../proxy/events.js'
import type {Contract} from '../scenario/types.js'
import type {OracleKind} from './oracle.js'
import type {TrialResult} from './trial-result.js'
import type {ContractName, Contracts} from './verdict.js'

export interface BreachReport {
  trial: number
  reason: string
  fault: string
  timeline: ProxyEvent[]
  replay: string
}

export interface EndpointReport {
  name: string
  expect: Contract
  met: boolean
  unmetReason?: string
  oracle: OracleKind
  inferred: boolean
  contracts: Contracts
  breaches: Partial<Record<ContractName, BreachReport>>
  evidence: Record<ContractName, number[]>
  trials: TrialResult[]
  /** Trials whose fault never fired; they count for nothing. */
  notInjected: number[]
  /** Trials that could not be measured, with why. */
  errors: Array<{trial: number; error: string}>
}

export interface CheckResult {
  seed: number
  /** Every endpoint met its expectation. */
  ok: boolean
  scenario: string
  durationMs: number
  endpoints: EndpointReport[]
  serverLog?: string
  /** Crash trials: milliseconds from kill to ready, per restart. */
  restarts: number[]
}
