import type {EndpointReport} from './check-result.js'
import {CONTRACT_ORDER, type ContractName} from './verdict.js'

/** Inconclusive trials of one endpoint that share a reason, and the contracts they left untested. */
export interface InconclusiveGroup {
  reason: string
  contracts: ContractName[]
  /** In trial order; the first one is the group's example (its timeline is kept and drawn). */
  trials: number[]
}

/** An endpoint's inconclusive trials grouped by reason, contracts in the order reports show them. */
export function inconclusiveGroups(endpoint: Pick<EndpointReport, 'inconclusive'>): InconclusiveGroup[] {
  const groups = new Map<string, InconclusiveGroup>()
  // Each group's trials so far, so a run of thousands of inconclusive trials is not quadratic.
  const seen = new Map<string, Set<number>>()
  for (const name of CONTRACT_ORDER) {
    for (const {trial, reason} of endpoint.inconclusive[name]) {
      const group = groups.get(reason) ?? {reason, contracts: [], trials: []}
      groups.set(reason, group)
      const trials = seen.get(reason) ?? new Set<number>()
      seen.set(reason, trials)
      if (!group.contracts.includes(name)) group.contracts.push(name)
      if (!trials.has(trial)) {
        trials.add(trial)
        group.trials.push(trial)
      }
    }
  }
  for (const group of groups.values()) group.trials.sort((a, b) => a - b)
  return [...groups.values()]
}

/** The trials whose timelines an inconclusive group is shown with: one example per group. */
export function inconclusiveExamples(endpoint: Pick<EndpointReport, 'inconclusive'>): Set<number> {
  return new Set(inconclusiveGroups(endpoint).map((g) => g.trials[0] as number))
}
