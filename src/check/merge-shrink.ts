import type {EndpointReport, MinimalCase} from './check-result.js'
import {CONTRACT_ORDER, type ContractName} from './verdict.js'

/**
 * The shrinking of an endpoint merged from shards. Each shard shrank the first breach of each
 * contract within its own slice; the merged first breach is the lowest trial number over all
 * shards, and the shard holding that trial broke the contract first there too, so it shrank
 * exactly that breach: its minimal case is the one the unsharded run finds. The cost is what
 * the unsharded run spends: a first-breach trial's search stops once its last contract is
 * decided, so it costs the most re-runs (and milliseconds) any of its contracts took; the
 * searches other shards made for breaches that are not first over the whole run are left out.
 * Nothing when no shard shrank (`--no-shrink`).
 */
export function mergeShrink(breaches: EndpointReport['breaches'], shards: readonly EndpointReport[]): Pick<EndpointReport, 'minimal' | 'shrink'> {
  if (!shards.some((s) => s.shrink)) return {}
  const minimal: Partial<Record<ContractName, MinimalCase>> = {}
  const cost = new Map<number, {reruns: number; ms: number}>()
  for (const name of CONTRACT_ORDER) {
    const breach = breaches[name]
    if (!breach) continue
    const found = shards.find((s) => s.breaches[name]?.trial === breach.trial && s.minimal?.[name])?.minimal?.[name]
    if (!found) continue
    minimal[name] = found
    const group = cost.get(breach.trial) ?? {reruns: 0, ms: 0}
    cost.set(breach.trial, {reruns: Math.max(group.reruns, found.reruns), ms: Math.max(group.ms, found.ms)})
  }
  const groups = [...cost.values()]
  return {minimal, shrink: {reruns: groups.reduce((sum, g) => sum + g.reruns, 0), ms: groups.reduce((sum, g) => sum + g.ms, 0)}}
}
