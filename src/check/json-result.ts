import type {CheckResult} from './check-result.js'

/** The `--json` document: stable field names, no colour, timelines only for breaches. */
export type CheckJson = ReturnType<typeof toJsonResult>

export function toJsonResult(result: CheckResult) {
  return {
    seed: result.seed,
    ok: result.ok,
    scenario: result.scenario,
    durationMs: Math.round(result.durationMs),
    serverLog: result.serverLog,
    restarts: result.restarts.map((ms) => Math.round(ms)),
    aborted: result.aborted,
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
      /** Per broken contract, the simplest failing case shrinking found ({} when it was off). */
      minimal: Object.fromEntries(Object.entries(e.minimal ?? {}).map(([name, m]) => [name, {...m, ms: Math.round(m.ms)}])),
      /** What shrinking cost: re-runs and milliseconds (absent when it was off). */
      shrink: e.shrink ? {reruns: e.shrink.reruns, ms: Math.round(e.shrink.ms)} : undefined,
      evidence: e.evidence,
      inconclusive: e.inconclusive,
      /** Trials that were inconclusive for at least one contract. */
      inconclusiveTrials: new Set(Object.values(e.inconclusive).flatMap((list) => list.map((i) => i.trial))).size,
      variants: e.variants,
      baselineNote: e.baselineNote,
      notInjected: e.notInjected,
      errors: e.errors,
      conformance: e.conformance,
      trials: e.trials.map((t) => ({
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
      })),
    })),
  }
}
