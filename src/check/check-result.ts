import type {ProxyEvent} from '../events/event-log.js'
import type {Contract} from '../scenario/types.js'
import type {ConformanceRuleResult} from './conformance/rule-result.js'
import type {OracleKind} from './oracle.js'
import type {ShardInfo} from './shard.js'
import type {TrialResult} from './trial-result.js'
import type {ContractName, Contracts, Inconclusive} from './verdict.js'

export interface BreachReport {
  trial: number
  /** Set when the breaching trial was a simpler candidate of `trial` (`--candidate`). */
  candidate?: number
  reason: string
  fault: string
  timeline: ProxyEvent[]
  replay: string
}

/**
 * The simplest fault found that still breaks a contract (shrink.ts): a simpler candidate
 * re-run from the first breach, or the first breach itself when no simpler one broke it.
 */
export interface MinimalCase {
  /** `drop-reply on attempt 1`. */
  fault: string
  /** The trial that shows it, as its tag: `11` (the first breach itself) or `11c2` (its 2nd simpler candidate). */
  trial: string
  /** True when a re-run simpler than the first breach broke the contract. */
  simpler: boolean
  reason: string
  /** Re-runs this contract's search took (until it found this case, or in all). */
  reruns: number
  /** Milliseconds those re-runs took. */
  ms: number
  /** Set when the search stopped at its bound with simpler candidates untried: `reruns` or `time`. */
  cutShort?: 'reruns' | 'time'
  /** The command that runs this case again. */
  replay: string
  timeline: ProxyEvent[]
}

export interface EndpointReport {
  name: string
  /** Every contract the endpoint must provide (empty: none). */
  expect: Contract[]
  met: boolean
  unmetReason?: string
  /** Set when the run ended before this endpoint finished (the environment failed), saying why. */
  aborted?: string
  /** The oracle the baseline chose; `none` when the endpoint was aborted before its baseline. */
  oracle: OracleKind | 'none'
  inferred: boolean
  contracts: Contracts
  breaches: Partial<Record<ContractName, BreachReport>>
  /** Per broken contract, the simplest failing case shrinking found (absent when shrinking was off). */
  minimal?: Partial<Record<ContractName, MinimalCase>>
  /** What shrinking cost this endpoint in all: re-runs and milliseconds (absent when it was off). */
  shrink?: {reruns: number; ms: number}
  evidence: Record<ContractName, number[]>
  /** Trials meant to test a contract that could not (no second delivery arrived, …), with why. */
  inconclusive: Record<ContractName, Inconclusive[]>
  /** Per contract, how many evidence trials ran each fault variant. */
  variants: Record<ContractName, Record<string, number>>
  /** Set when the clean baseline needed more than one try, saying why. */
  baselineNote?: string
  trials: TrialResult[]
  /** Trials whose fault never fired; they count for nothing. */
  notInjected: number[]
  /** Trials that could not be measured, with why. */
  errors: Array<{trial: number; error: string}>
  /** The rules of a profile set such as idempotency-key, each with its outcome and evidence. */
  conformance?: ConformanceRuleResult[]
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
  /**
   * Set when the environment failed mid-run (the server died or would not come back): the
   * endpoints that finished are reported, the others are marked aborted, and the run exits
   * with `exitCode` (3).
   */
  aborted?: {code: string; message: string; exitCode: number}
  /** Set when the run was one shard of a larger run (`check --shard`); `faultline merge` combines them. */
  shard?: ShardInfo
}
