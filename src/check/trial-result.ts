import type {ProxyEvent} from '../events/event-log.js'
import type {PlainReading} from './probe.js'
import type {ReplicaRule} from './replica-probe.js'
import type {Outcome} from './retrying-client.js'

/** effect.replica any|all: one replica's readings and what they measured on their own (replica-oracle.ts). */
export interface ReplicaMeasure {
  replica: string
  /** `down`: the replica was down then and was not read. */
  before: PlainReading | 'down'
  after: PlainReading | 'down'
  /** Crash trials: the reading right after the failover. */
  afterFailover?: PlainReading | 'down'
  /** False when the replica was down before or after the trial: nothing was counted on it. */
  measured: boolean
  executions?: number | null
  effectVisible?: boolean | null
  stateMatchesClean?: boolean | null
  effectAfterRestart?: boolean | null
  effectSurvivedCrash?: boolean | null
}

/** A reply the server produced for one delivery, normalised for comparison. */
export interface DeliveredReply {
  delivery: number
  attempt?: number
  /** HTTP status, or the protocol's own status (a gRPC code name) when it has one. */
  status: number | string
  /** The reply reports success (HTTP 2xx, gRPC OK). */
  ok: boolean
  /** Parsed JSON with the trial's own values replaced and volatile fields removed, else raw text. */
  body: unknown
  /** The reply body as the server sent it (up to the proxy's capture limit), for display. */
  text?: string
}

/** What one trial measured. Everything a verdict needs, plus the evidence behind it (where it is kept). */
export interface TrialResult {
  id: number
  /** Set when this is a simpler candidate of trial `id` (shrinking, `--candidate`). */
  candidate?: number
  profile: string
  fault: string
  /** The fault's variant without its exact timings (`duplicate(delayed)`), for coverage per contract. */
  variant: string
  /** Was the fault meant to make a second delivery reach the server (a retry or a duplicate)? */
  seeksSecondDelivery: boolean
  /** Did at least one planned fault fire? A trial that was not injected counts for nothing. */
  injected: boolean
  outcome: Outcome
  attempts: number
  /** Times the request arrived at the server (all attempts and duplicates). */
  deliveries: number
  /** Crash trials: deliveries that reached the restarted server; null when nothing crashed. */
  deliveriesAfterRestart: number | null
  /** Executions counted by the effect probe; null when the oracle cannot count. */
  executions: number | null
  /** State oracle: did the final state equal the state after one clean execution? */
  stateMatchesClean: boolean | null
  /** Was the effect visible at all after the trial (count ≥ 1 or state changed)? */
  effectVisible: boolean | null
  /** Why effectVisible is null although the probe answered (e.g. the state already looked executed). */
  unmeasurableEffect?: string
  /**
   * crash-after-reply trials whose client accepted the reply that left just before the
   * crash: was that acknowledged effect still visible right after the restart, before
   * any further delivery? false is a lost acknowledged effect. null otherwise.
   */
  effectAfterRestart: boolean | null
  /**
   * Crash trials (either point): did the effect of the deliveries before the crash survive
   * the restart? When it did not, later deliveries executed on a state that had forgotten
   * the first, so they say nothing about duplicates (at-most-once, idempotent).
   */
  effectSurvivedCrash: boolean | null
  /** The client still had attempts left when it stopped on a final answer. */
  stoppedEarly: boolean
  /** A client command (client.command) that did not end ok, and how it ended; it gave up on the operation. */
  gaveUp?: string
  replies: DeliveredReply[]
  /** The reply a recording saw (status, body normalised as `replies`), when the scenario has one. */
  recordedReply?: {status: number; body: unknown}
  /** effect.replica any|all: every replica's readings; the fields above combine them by `rule`. */
  replicas?: {rule: ReplicaRule; readings: ReplicaMeasure[]}
  /** Set when the trial could not be measured (probe failed, server died). */
  error?: string
  /**
   * The trial's events. A run keeps them only where something reads them later (trial-timelines.ts):
   * on the first trial that broke each contract and on the first trial of each inconclusive
   * reason. Every other trial of a result has none; its events are in the `--events` file.
   */
  timeline?: ProxyEvent[]
  replay: string
}

/** A trial just measured, its whole timeline still attached. */
export type MeasuredTrial = TrialResult & {timeline: ProxyEvent[]}
