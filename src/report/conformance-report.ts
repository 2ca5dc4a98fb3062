import type {ChalkInstance} from 'chalk'
import type {ConformanceRuleResult, RuleOutcome} from '../check/conformance/rule-result.js'
import {formatTimeline} from './timeline.js'

const MARK: Record<RuleOutcome, string> = {conforms: '✓', violates: '✗', inconclusive: '?', 'not-checked': '-'}

/** The rules of an endpoint's profile sets, one line each; a violated rule also shows its requests and timeline. */
export function formatConformanceLines(results: readonly ConformanceRuleResult[], c: ChalkInstance): string[] {
  if (results.length === 0) return []
  const width = Math.max(...results.map((r) => r.rule.length))
  const lines = ['', c.bold(`${results[0]?.set} rules`) + c.dim(` (${results[0]?.reference.split(' ')[0]})`)]
  for (const r of results) {
    const paint = r.outcome === 'conforms' ? c.green : r.outcome === 'violates' ? c.red : r.outcome === 'inconclusive' ? c.yellow : c.dim
    lines.push(`  ${paint(`${MARK[r.outcome]} ${r.rule.padEnd(width)}  ${r.outcome}`)}  ${r.requirement}: ${r.detail}`)
    if (r.outcome !== 'violates') continue
    for (const x of r.exchanges) lines.push(c.dim(`      ${x.label}: ${x.status} ${x.body}`))
    for (const line of formatTimeline(r.timeline)) lines.push(c.dim(`      ${line}`))
  }
  return lines
}

/** `2 conform, 1 violated, 1 inconclusive, 1 not checked` for one endpoint's rules. */
export function summariseConformance(results: readonly ConformanceRuleResult[]): string {
  const count = (o: RuleOutcome) => results.filter((r) => r.outcome === o).length
  const parts = [
    [count('conforms'), 'conform'],
    [count('violates'), 'violated'],
    [count('inconclusive'), 'inconclusive'],
    [count('not-checked'), 'not checked'],
  ] as const
  return parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(', ')
}
