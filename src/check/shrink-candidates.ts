import {describeFault, resolveFault, type FaultAction} from '../proxy/fault.js'
import {deriveRandom, type Random} from '../random.js'
import type {ProfileFault, Scenario} from '../scenario/types.js'
import {runsAlone, type PlannedFault, type PlannedToxic, type PlannedTrial} from './plan.js'
import {compareSimplicity, describeFaults} from './shrink-order.js'

interface FaultSet {
  profile: string
  faults: PlannedFault[]
  toxics: PlannedToxic[]
}

/**
 * Every trial strictly simpler than `trial` (shrink-order.ts) that shrinking may re-run,
 * simplest first; candidate n (1-based) is what `--trial ID --candidate n` runs. Made from the
 * plan and the seed only, never from results, so the list is the same in every run. It holds:
 * the trial with one fault left out; each fault made simpler in place (an earlier attempt, a
 * simpler mode, the shortest delay its profile allows); and every single fault of the
 * endpoint's profiles, at its own attempt and at attempt 1.
 */
export function shrinkCandidates(scenario: Scenario, trial: PlannedTrial, seed: number): PlannedTrial[] {
  const random = deriveRandom(seed, trial.endpoint.name, trial.id, 'shrink')
  const timeout = scenario.client.timeout
  const {faults, toxics, profile} = trial
  const sets: FaultSet[] = []
  if (faults.length + toxics.length > 1) {
    faults.forEach((_, i) => sets.push({profile, faults: faults.filter((__, j) => j !== i), toxics}))
    toxics.forEach((_, i) => sets.push({profile, faults, toxics: toxics.filter((__, j) => j !== i)}))
  }
  faults.forEach((fault, i) => {
    const spec = profileFaultOf(scenario, trial, i)
    for (const simpler of simplerForms(fault, spec, random, timeout)) {
      sets.push({profile, faults: faults.map((f, j) => (j === i ? simpler : f)), toxics})
    }
  })
  for (const name of trial.endpoint.profiles) {
    for (const spec of scenario.profileCatalog.get(name)?.faults ?? []) {
      for (const single of singleFaults(spec, random, timeout)) sets.push({profile: name, faults: [single], toxics: []})
    }
  }
  const seen = new Set<string>([describeFaults(trial)])
  const simpler = sets.filter((set) => {
    const key = describeFaults(set)
    if (seen.has(key) || compareSimplicity(set, trial) >= 0) return false
    seen.add(key)
    return true
  })
  return simpler.sort(compareSimplicity).map((set, i) => candidateTrial(trial, set, i + 1))
}

/** Candidate `n` of a trial, or undefined when the trial has fewer. */
export function shrinkCandidate(scenario: Scenario, trial: PlannedTrial, seed: number, n: number): {candidate?: PlannedTrial; count: number} {
  const all = shrinkCandidates(scenario, trial, seed)
  return {candidate: all[n - 1], count: all.length}
}

function candidateTrial(trial: PlannedTrial, set: FaultSet, n: number): PlannedTrial {
  return {
    id: trial.id,
    endpoint: trial.endpoint,
    endpointIndex: trial.endpointIndex,
    profile: set.profile,
    faults: set.faults,
    toxics: set.toxics,
    variant: [...set.faults.map((f) => describeFault(f.action)), ...set.toxics.map((t) => `toxic ${t.toxic.type}`)].join(' + ') || 'none',
    exclusive: runsAlone(set.faults, set.toxics),
    candidate: n,
  }
}

/** The profile fault a planned trial's fault `index` was drawn from (planTrial keeps their order, toxics aside). */
function profileFaultOf(scenario: Scenario, trial: PlannedTrial, index: number): ProfileFault | undefined {
  return scenario.profileCatalog.get(trial.profile)?.faults.filter((f) => f.type !== 'toxic')[index]
}

/** Simpler forms of one planned fault: each earlier attempt, then simpler modes and the shortest delay of its range. */
function simplerForms(fault: PlannedFault, spec: ProfileFault | undefined, random: Random, timeout: number): PlannedFault[] {
  const forms: PlannedFault[] = []
  for (let attempt = 1; attempt < fault.attempt; attempt++) forms.push({...fault, attempt})
  const action = fault.action
  const withAction = (a: FaultAction): PlannedFault => ({...fault, action: a})
  if ((action.type === 'drop-request' || action.type === 'drop-reply') && action.mode === 'reset') forms.push(withAction({...action, mode: 'timeout'}))
  if (action.type === 'duplicate' && action.mode !== 'sequential') {
    forms.push(withAction({type: 'duplicate', mode: 'sequential', delay: 0}))
    if (action.mode === 'delayed') forms.push(withAction({type: 'duplicate', mode: 'concurrent', delay: 0}))
  }
  if (spec && (action.type === 'delay' || (action.type === 'duplicate' && action.mode === 'delayed'))) {
    const shortest = resolveFault(spec, random, timeout, {mode: 'mode' in action ? action.mode : undefined, timing: 'min'})
    if ('delay' in shortest && shortest.type === action.type && shortest.delay < action.delay) forms.push(withAction(shortest))
  }
  return forms
}

/** One fault of a profile as single-fault candidates: each of its modes, at the shortest timing, at its attempt and at attempt 1. */
function singleFaults(spec: ProfileFault, random: Random, timeout: number): PlannedFault[] {
  if (spec.type === 'toxic') return []
  const modes = spec.mode === undefined ? [undefined] : Array.isArray(spec.mode) ? spec.mode : [spec.mode]
  const attempts = [...new Set([1, spec.attempt])]
  return modes.flatMap((mode) => {
    const action = resolveFault(spec, random, timeout, {mode, timing: 'min'})
    return attempts.map((attempt) => ({action, attempt, probability: spec.probability}))
  })
}

