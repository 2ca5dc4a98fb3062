import type {ConformanceRuleResult} from './rule-result.js'

/** Why the endpoint fails its profile set (`idempotency-key rules violated: replay, in-flight`), or undefined when none was. */
export function conformanceShortfall(results: readonly ConformanceRuleResult[]): string | undefined {
  const violated = results.filter((r) => r.outcome === 'violates')
  if (violated.length === 0) return undefined
  return `${violated[0]?.set} rule${violated.length === 1 ? '' : 's'} violated: ${violated.map((r) => r.rule).join(', ')}`
}
