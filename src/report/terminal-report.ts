import {Chalk, type ChalkInstance} from 'chalk'
import Table from 'cli-table3'
import type {CheckResult, EndpointReport} from '../check/check-result.js'
import {CONTRACT_LABELS, CONTRACT_NAMES, CONTRACT_ORDER as ORDER, type ContractName, type ContractState, type Inconclusive} from '../check/verdict.js'
import {formatConformanceLines, summariseConformance} from './conformance-report.js'
import {expectationLabel} from './expectation.js'
import {formatMinimal, formatShrinkCost, minimalCases} from './minimal-line.js'
import {formatTimeline} from './timeline.js'

export interface TerminalReportOptions {
  color: boolean
}


/** The whole check result as terminal text. Pure: colour only when asked. */
export function formatCheckReport(result: CheckResult, options: TerminalReportOptions): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const out: string[] = [c.bold(`faultline check ${result.scenario}`) + c.dim(`  seed ${result.seed}`), '']
  for (const endpoint of result.endpoints) out.push(...formatEndpoint(endpoint, c), '')
  const met = result.endpoints.filter((e) => e.met).length
  const failed = result.endpoints.length - met
  const summary = `${result.endpoints.length} endpoint${result.endpoints.length === 1 ? '' : 's'}: ${met} met, ${failed} failed`
  out.push(
    (failed === 0 ? c.green(summary) : c.red(summary)) +
      c.dim(` · seed ${result.seed} · ${(result.durationMs / 1000).toFixed(1)} s`) +
      (result.restarts.length > 0 ? c.dim(` · ${formatRestarts(result.restarts)}`) : ''),
  )
  if (result.serverLog) out.push(c.dim(`server log: ${result.serverLog}`))
  if (result.aborted) out.push(c.red(`run aborted (${result.aborted.code}): ${result.aborted.message.split('\n')[0]}`))
  return out.join('\n')
}

/** `3 restarts, kill → ready min 210 / median 240 / max 300 ms`. */
export function formatRestarts(restarts: number[]): string {
  const sorted = [...restarts].sort((a, b) => a - b)
  const mid = sorted.length / 2
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  const ms = (n: number) => Math.round(n)
  const count = `${sorted.length} restart${sorted.length === 1 ? '' : 's'}`
  return `${count}, kill → ready min ${ms(sorted[0]!)} / median ${ms(median)} / max ${ms(sorted.at(-1)!)} ms`
}

function paint(c: ChalkInstance, state: ContractState): string {
  return state === 'holds' ? c.green(state) : state === 'broken' ? c.red(state) : c.yellow(state)
}

function formatEndpoint(e: EndpointReport, c: ChalkInstance): string[] {
  const label = expectationLabel(e.expect)
  if (e.aborted) {
    return [`${c.bold(e.name)}  ${c.red(`aborted before it finished${e.expect.length > 0 ? ` · expect ${label} ✗ not met` : ''}`)}`, c.dim(`    ${e.aborted.split('\n')[0]}`)]
  }
  if (e.trials.length === 0 && e.conformance) return formatRulesOnly(e, c)
  const injected = e.trials.filter((t) => t.injected).length
  const expectation = e.expect.length === 0
    ? e.met ? c.dim('expect none') : c.red(`✗ ${e.unmetReason ?? 'not met'}`)
    : e.met ? c.green(`expect ${label} ✓ met`) : c.red(`expect ${label} ✗ ${e.unmetReason ?? 'not met'}`)
  const head = `${c.bold(e.name)}  ${c.dim(`${e.oracle} oracle${e.inferred ? ' (inferred)' : ''} · ${e.trials.length} trials, ${injected} injected`)}  ${expectation}`
  const table = new Table({
    head: ['contract', 'verdict', 'trials', 'inconcl.', 'first breach'],
    style: {head: options(c), border: options(c)},
    colWidths: [20, 9, 8, 10, 55],
    wordWrap: true,
  })
  const wanted = new Set<ContractName>(e.expect.map((x) => CONTRACT_NAMES[x]))
  for (const name of ORDER) {
    const breach = e.breaches[name]
    const label = wanted.has(name) ? c.bold(`${CONTRACT_LABELS[name]} *`) : CONTRACT_LABELS[name]
    const inconclusive = e.inconclusive[name].length
    table.push([label, paint(c, e.contracts[name]), String(e.evidence[name].length), inconclusive > 0 ? c.yellow(String(inconclusive)) : '', breach ? `trial ${breach.trial}: ${breach.reason}` : ''])
  }
  const lines = [head, table.toString(), ...formatConformanceLines(e.conformance ?? [], c)]
  if (e.baselineNote) lines.push(c.yellow(`baseline: ${e.baselineNote}`))
  // What backs each expected contract that holds (exactly-once: both of its halves).
  const backing = new Set<ContractName>([...wanted].flatMap((n) => (n === 'exactlyOnce' ? ['atLeastOnce', 'atMostOnce'] : [n])) as ContractName[])
  for (const name of ORDER) {
    if (!backing.has(name) || e.contracts[name] !== 'holds') continue
    lines.push(c.dim(`${CONTRACT_LABELS[name]} holds on: ${formatVariants(e.variants[name])}`))
  }
  for (const name of ORDER) {
    if (name === 'exactlyOnce' || e.inconclusive[name].length === 0) continue
    lines.push(c.yellow(`${CONTRACT_LABELS[name]} inconclusive: ${formatInconclusive(e.inconclusive[name])}`))
  }
  if (e.notInjected.length > 0) lines.push(c.dim(`not injected (count for nothing): trials ${e.notInjected.join(', ')}`))
  for (const err of e.errors) lines.push(c.yellow(`trial ${err.trial} not measured: ${err.error}`))
  const shown = new Set<number>()
  for (const name of ORDER) {
    const breach = e.breaches[name]
    if (!breach || shown.has(breach.trial)) continue
    shown.add(breach.trial)
    const tag = breach.candidate === undefined ? '' : `, simpler candidate ${breach.candidate}`
    lines.push('', c.red(`✗ ${CONTRACT_LABELS[name]} broken by trial ${breach.trial}${tag} (${breach.fault}): ${breach.reason}`))
    for (const line of formatTimeline(breach.timeline)) lines.push(c.dim(`    ${line}`))
    lines.push(`    replay: ${c.cyan(breach.replay)}`)
    for (const {names, minimal} of minimalCases(e, ORDER.filter((n) => e.breaches[n]?.trial === breach.trial))) {
      lines.push(`    ${c.green(formatMinimal(names, minimal))}`)
      if (minimal.simpler) lines.push(`      replay minimal: ${c.cyan(minimal.replay)}`)
    }
  }
  if (e.shrink && e.shrink.reruns > 0) lines.push('', c.dim(`shrinking: ${formatShrinkCost(e.shrink.reruns, e.shrink.ms)}`))
  return lines
}

/** An endpoint that ran a profile set's rules and no fault trials: no contract table, just its rules. */
function formatRulesOnly(e: EndpointReport, c: ChalkInstance): string[] {
  const rules = e.conformance ?? []
  const verdict = e.met ? c.green(`✓ ${summariseConformance(rules)}`) : c.red(`✗ ${e.unmetReason ?? 'not met'}`)
  return [`${c.bold(e.name)}  ${verdict}`, ...formatConformanceLines(rules, c).slice(1)]
}

/** `duplicate(concurrent) ×2, duplicate(sequential) ×1`. */
function formatVariants(variants: Record<string, number>): string {
  return Object.entries(variants)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([variant, n]) => `${variant} ×${n}`)
    .join(', ')
}

/** Trials grouped by reason: `trials 3, 7: no retry reached the restarted server`. */
function formatInconclusive(list: Inconclusive[]): string {
  const byReason = new Map<string, number[]>()
  for (const {trial, reason} of list) byReason.set(reason, [...(byReason.get(reason) ?? []), trial])
  return [...byReason].map(([reason, trials]) => `trial${trials.length === 1 ? '' : 's'} ${trials.join(', ')}: ${reason}`).join('; ')
}

function options(c: ChalkInstance): string[] {
  return c.level > 0 ? ['cyan'] : []
}
