import type {BreachReport, MinimalCase} from './check-result.js'
import {measureTrial, type Baseline} from './oracle.js'
import {trialTag, type PlannedTrial} from './plan.js'
import {shrinkCandidates} from './shrink-candidates.js'
import {describeFaults} from './shrink-order.js'
import type {TrialGate} from './trial-gate.js'
import {runTrial, trialMarker, type TrialEnvironment} from './trial-runner.js'
import {CONTRACT_LABELS, CONTRACT_ORDER, computeVerdict, type ContractName} from './verdict.js'

/** How far shrinking may go. */
export interface ShrinkLimits {
  /** Re-runs per first-breach trial; contracts broken by the same trial share them, so no contract gets more. */
  reruns: number
  /** Milliseconds for all of an endpoint's shrinking: no re-run starts after them (a running one finishes). */
  ms: number
}

export const DEFAULT_SHRINK_LIMITS: ShrinkLimits = {reruns: 8, ms: 30_000}

export interface ShrinkInput {
  env: TrialEnvironment
  gate: TrialGate
  baseline: Baseline
  /** The endpoint's breaches, each naming the first trial that broke its contract. */
  breaches: Partial<Record<ContractName, BreachReport>>
  /** The planned trial of a number (the plan is made again, the same for the seed). */
  planned: (id: number) => PlannedTrial
  /** The command that runs a (candidate) trial again. */
  replay: (trial: PlannedTrial) => string
  limits: ShrinkLimits
}

export interface ShrinkOutcome {
  minimal: Partial<Record<ContractName, MinimalCase>>
  reruns: number
  ms: number
}

/**
 * Search for the simplest fault that still breaks each broken contract: the first breach's
 * simpler candidates (shrink-candidates.ts) are re-run simplest first, one at a time, each on
 * fresh keys; a contract's minimal case is the first candidate that breaks it again, or the
 * first breach itself. Contracts broken by the same trial share its re-runs. Bounded by
 * `limits`; every re-run is a `shrink` event naming the contracts it broke.
 */
export async function shrinkBreaches(input: ShrinkInput): Promise<ShrinkOutcome> {
  const started = performance.now()
  const deadline = started + input.limits.ms
  const groups = new Map<number, ContractName[]>()
  for (const name of CONTRACT_ORDER) {
    const breach = input.breaches[name]
    if (breach) groups.set(breach.trial, [...(groups.get(breach.trial) ?? []), name])
  }
  const minimal: ShrinkOutcome['minimal'] = {}
  let reruns = 0
  for (const [id, contracts] of groups) {
    const found = await shrinkGroup(input, input.planned(id), contracts, deadline)
    reruns += found.reruns
    Object.assign(minimal, found.minimal)
  }
  return {minimal, reruns, ms: performance.now() - started}
}

/** Shrink the contracts one trial broke first; their searches share its re-runs. */
async function shrinkGroup(input: ShrinkInput, original: PlannedTrial, contracts: ContractName[], deadline: number): Promise<ShrinkOutcome> {
  const {env, gate, baseline, limits} = input
  const endpoint = original.endpoint
  const started = performance.now()
  const candidates = shrinkCandidates(env.scenario, original, env.seed)
  const pending = new Set(contracts)
  const minimal: ShrinkOutcome['minimal'] = {}
  let reruns = 0
  for (const candidate of candidates) {
    // An interrupted or halted run stops shrinking; what was found so far stands.
    if (pending.size === 0 || reruns >= limits.reruns || performance.now() >= deadline || env.signal?.aborted) break
    const raw = await gate.run(candidate.exclusive, () => runTrial(env, candidate))
    reruns += 1
    const replay = input.replay(candidate)
    const result = measureTrial(endpoint, baseline, raw, replay, env.scenario.client.timeout)
    const verdict = computeVerdict(baseline.oracle, [result], [])
    const broke = [...pending].filter((name) => verdict.contracts[name] === 'broken')
    env.events.record({
      type: 'shrink',
      trial: trialMarker(candidate),
      detail: {of: original.id, candidate: candidate.candidate, fault: describeFaults(candidate), broke: broke.map((n) => CONTRACT_LABELS[n])},
    })
    for (const name of broke) {
      pending.delete(name)
      const reason = verdict.breaches[name]?.reason ?? 'broken'
      minimal[name] = {fault: describeFaults(candidate), trial: trialTag(candidate), simpler: true, reason, reruns, ms: performance.now() - started, replay, timeline: result.timeline}
    }
  }
  const untried = reruns < candidates.length && pending.size > 0
  const cutShort = !untried ? undefined : reruns >= limits.reruns ? ('reruns' as const) : ('time' as const)
  for (const name of pending) {
    const breach = input.breaches[name] as BreachReport
    minimal[name] = {
      fault: describeFaults(original),
      trial: trialTag(original),
      simpler: false,
      reason: breach.reason,
      reruns,
      ms: performance.now() - started,
      ...(cutShort ? {cutShort} : {}),
      replay: breach.replay,
      timeline: breach.timeline,
    }
  }
  return {minimal, reruns, ms: performance.now() - started}
}
