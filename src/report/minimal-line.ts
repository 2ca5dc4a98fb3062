import type {EndpointReport, MinimalCase} from '../check/check-result.js'
import {CONTRACT_LABELS, CONTRACT_ORDER, type ContractName} from '../check/verdict.js'

/** `1 re-run, 0.4 s`. */
export function formatShrinkCost(reruns: number, ms: number): string {
  return `${reruns} re-run${reruns === 1 ? '' : 's'}, ${(ms / 1000).toFixed(1)} s`
}

/** An endpoint's minimal cases among `contracts`, one entry per case, naming every contract it breaks. */
export function minimalCases(e: EndpointReport, contracts: readonly ContractName[] = CONTRACT_ORDER): Array<{names: ContractName[]; minimal: MinimalCase}> {
  const byTrial = new Map<string, {names: ContractName[]; minimal: MinimalCase}>()
  for (const name of contracts) {
    const minimal = e.minimal?.[name]
    if (!minimal) continue
    const entry = byTrial.get(minimal.trial)
    if (entry) entry.names.push(name)
    else byTrial.set(minimal.trial, {names: [name], minimal})
  }
  return [...byTrial.values()]
}

/**
 * One line for a minimal case:
 * `minimal: drop-reply on attempt 1 breaks at-most-once, idempotent; 3 re-runs, 1.2 s`, or,
 * when no simpler re-run broke them, says so (and whether the search hit its bound first).
 */
export function formatMinimal(names: readonly ContractName[], m: MinimalCase): string {
  const head = `minimal: ${m.fault} breaks ${names.map((n) => CONTRACT_LABELS[n]).join(', ')}`
  const cost = formatShrinkCost(m.reruns, m.ms)
  if (m.simpler) return `${head}; ${cost}`
  if (m.reruns === 0 && m.cutShort === undefined) return `${head} (trial ${m.trial} itself: the endpoint's profiles hold no simpler fault)`
  const bound = m.cutShort === 'reruns' ? '; stopped at the re-run limit, simpler faults untried' : m.cutShort === 'time' ? '; stopped at the time limit, simpler faults untried' : ''
  return `${head} (trial ${m.trial} itself: no simpler fault broke it; ${cost}${bound})`
}
