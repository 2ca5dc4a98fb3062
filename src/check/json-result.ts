import type {CheckResult} from './check-result.js'

/** The `--json` document: stable field names, no colour, timelines only for breaches. */
export type CheckJson = ReturnType<typeof toJsonResult>

/** The format of the `--json` document; `faultline merge` and `faultline report` read this one. */
export const RESULT_VERSION = 1

/**
 * Each trial carries every measurement the contract rules read (contract-rules.ts), so a saved
 * result, or the shards of one, can be judged again exactly as the run judged it.
 */
export function toJsonResult(result: CheckResult) {
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
    endpoints: result.endpoints.map((e) => ({
      name: e.name,
      expect: e.expect,
      met: e.met,
      unmetReason: e.unmetReason,
      aborted: e.aborted,
      oracle: e.oracle,
      inferred: e.inferred,
      contracts: e.contracts,
      breaches: e.breaches,
      evidence: e.evidence,
      inconclusive: e.inconclusive,
      /** Trials that were inconclusive for at least one contract. */
      inconclusiveTrials: new Set(Object.values(e.inconclusive).flatMap((list) => list.map((i) => i.trial))).size,
      variants: e.variants,
      baselineNote: e.baselineNote,
      notInjected: e.notInjected,
      errors: e.errors,
      trials: e.trials.map((t) => ({
        id: t.id,
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
        seeksSecondDelivery: t.seeksSecondDelivery,
        effectVisible: t.effectVisible,
        unmeasurableEffect: t.unmeasurableEffect,
        effectSurvivedCrash: t.effectSurvivedCrash,
        stoppedEarly: t.stoppedEarly,
        replies: t.replies,
      })),
    })),
  }
}
