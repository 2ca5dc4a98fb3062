import type {CheckResult, EndpointReport} from './check-result.js'
import type {TrialResult} from './trial-result.js'
import {inconclusiveExamples, inconclusiveGroups} from './inconclusive-groups.js'

/**
 * The `--json` document: stable field names, no colour. It carries everything the HTML report
 * draws: the timeline of each breach (in `breaches`) and of one example trial per inconclusive
 * group (on that trial), crash and restart events and probe readings included.
 */
export type CheckJson = ReturnType<typeof toJsonResult>

/** The format of the `--json` document; `faultline merge` and `faultline report` read this one. */
export const RESULT_VERSION = 1

/**
 * Each trial carries every measurement the contract rules read (contract-rules.ts), so a saved
 * result, or the shards of one, can be judged again exactly as the run judged it.
 *
 * The document is put together from three parts, `resultJson`, `endpointJson` and `trialJson`:
 * `endpoints` is the last field of the result and `trials` the last of each endpoint, so
 * `jsonResultChunks` (src/report/json-result-stream.ts) writes the same text from the same
 * parts, one trial at a time.
 */
export function toJsonResult(result: CheckResult) {
  return {
    ...resultJson(result),
    endpoints: result.endpoints.map((e) => {
      const examples = inconclusiveExamples(e)
      return {...endpointJson(e), trials: e.trials.map((t) => trialJson(t, examples))}
    }),
  }
}

/** The result's fields before `endpoints`. */
export function resultJson(result: CheckResult) {
  return {
    version: RESULT_VERSION,
    seed: result.seed,
    ok: result.ok,
    scenario: result.scenario,
    durationMs: Math.round(result.durationMs),
    serverLog: result.serverLog,
    restarts: result.restarts.map((ms) => Math.round(ms)),
    aborted: result.aborted,
    shard: result.shard,
  }
}

/** An endpoint's fields before `trials`. */
export function endpointJson(e: EndpointReport) {
  return {
    name: e.name,
    expect: e.expect,
    met: e.met,
    unmetReason: e.unmetReason,
    aborted: e.aborted,
    oracle: e.oracle,
    inferred: e.inferred,
    contracts: e.contracts,
    breaches: e.breaches,
    /** Per broken contract, the simplest failing case shrinking found ({} when it was off). */
    minimal: Object.fromEntries(Object.entries(e.minimal ?? {}).map(([name, m]) => [name, {...m, ms: Math.round(m.ms)}])),
    /** What shrinking cost: re-runs and milliseconds (absent when it was off). */
    shrink: e.shrink ? {reruns: e.shrink.reruns, ms: Math.round(e.shrink.ms)} : undefined,
    evidence: e.evidence,
    inconclusive: e.inconclusive,
    /** Trials that were inconclusive for at least one contract. */
    inconclusiveTrials: new Set(Object.values(e.inconclusive).flatMap((list) => list.map((i) => i.trial))).size,
    /** Inconclusive trials grouped by reason; the first trial of each carries its timeline. */
    inconclusiveGroups: inconclusiveGroups(e),
    variants: e.variants,
    baselineNote: e.baselineNote,
    notInjected: e.notInjected,
    errors: e.errors,
    conformance: e.conformance,
  }
}

/**
 * One trial's fields; only the example trial of an inconclusive group (`examples`, from
 * `inconclusiveExamples`) keeps its timeline (breach timelines are in `breaches`).
 */
export function trialJson(t: TrialResult, examples: ReadonlySet<number>) {
  return {
    id: t.id,
    candidate: t.candidate,
    profile: t.profile,
    fault: t.fault,
    variant: t.variant,
    injected: t.injected,
    attempts: t.attempts,
    deliveries: t.deliveries,
    deliveriesAfterRestart: t.deliveriesAfterRestart,
    executions: t.executions,
    outcome: t.outcome,
    stateMatchesClean: t.stateMatchesClean,
    effectAfterRestart: t.effectAfterRestart,
    error: t.error,
    replay: t.replay,
    // What the verdict rules read besides the fields above, so merge and report can judge again.
    seeksSecondDelivery: t.seeksSecondDelivery,
    effectVisible: t.effectVisible,
    unmeasurableEffect: t.unmeasurableEffect,
    effectSurvivedCrash: t.effectSurvivedCrash,
    stoppedEarly: t.stoppedEarly,
    gaveUp: t.gaveUp,
    replies: t.replies,
    recordedReply: t.recordedReply,
    replicas: t.replicas,
    ...(examples.has(t.id) ? {timeline: t.timeline ?? []} : {}),
  }
}
