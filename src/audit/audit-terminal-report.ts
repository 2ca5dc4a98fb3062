import {Chalk, type ChalkInstance} from 'chalk'
import Table from 'cli-table3'
import type {Finding, RouteFindings} from './findings.js'
import type {FindingName} from './findings.js'
import type {UnmetRequirement} from './requirements.js'
import type {AuditResult} from './run-audit.js'
import type {WorkloadRun} from './workload.js'

export interface AuditReportOptions {
  color: boolean
  /** Also list every operation, its attempts, and why they were grouped. */
  verbose: boolean
  required: readonly FindingName[]
  unmet: readonly UnmetRequirement[]
}

function paint(c: ChalkInstance, f: Finding): string {
  if (f.wanted === undefined) return f.status === 'not observed' ? c.yellow(f.status) : f.status
  if (f.status === 'not observed') return c.yellow(f.status)
  return f.status === f.wanted ? c.green(f.status) : c.red(f.status)
}

function describeRun(run: WorkloadRun, n: number): string {
  const end = run.stopped === 'deadline' ? 'killed at its deadline' : run.stopped === 'interrupted' ? 'stopped (interrupted)' : run.signal ? `ended by ${run.signal}` : `exit ${run.exitCode}`
  return `run ${n}: ${end} after ${(run.durationMs / 1000).toFixed(1)} s${run.leftovers ? '; processes it left running were stopped' : ''}`
}

function routeTable(route: RouteFindings, c: ChalkInstance, required: readonly FindingName[]): string {
  const table = new Table({head: ['finding', 'answer', 'how it was seen'], colWidths: [30, 14, 70], wordWrap: true, style: {head: [], border: []}})
  for (const f of route.findings) table.push([required.includes(f.name) ? `${f.name} *` : f.name, paint(c, f), f.summary])
  return table.toString()
}

function verboseLines(route: RouteFindings, origin: number, c: ChalkInstance): string[] {
  const lines: string[] = []
  for (const op of route.operations) {
    lines.push(`  ${c.bold(op.id)}`)
    op.attempts.forEach(({attempt: a, reason}, i) => {
      const at = `+${((a.time - origin) / 1000).toFixed(3)} s`
      const fault = a.fault ? c.red(` FAULT ${a.fault.label}${a.fault.fired ? '' : ' (did not fire)'}`) : ''
      const key = a.key ? ` ${a.key.source}=${a.key.value}` : ''
      lines.push(`    ${at}  attempt ${i + 1} ${a.request} ${a.method} ${a.target}${key}${fault}`)
      lines.push(c.dim(`        grouped: ${reason.rule}: ${reason.detail}`))
    })
  }
  return lines
}

/** The audit result as terminal text: one findings table per route. Pure: colour only when asked. */
export function formatAuditReport(result: AuditResult, options: AuditReportOptions): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const out = [c.bold(`faultline audit ${result.upstream}`) + c.dim(`  ${result.protocol} · seed ${result.seed} · profiles ${result.profiles.join(', ')}`), '']
  result.runs.forEach((run, i) => out.push(c.dim(describeRun(run, i + 1))))
  if (result.routes.length === 0) out.push('', c.yellow('the workload sent nothing through the proxy: nothing to report'))
  for (const route of result.routes) {
    const faulted = route.operations.filter((op) => op.attempts[0]?.attempt.fault?.fired).length
    out.push('', `${c.bold(route.route)}  ${c.dim(`${route.operations.length} operations, ${faulted} faulted`)}`, routeTable(route, c, options.required))
    if (options.verbose) out.push(...verboseLines(route, result.origin, c))
  }
  out.push('')
  if (options.required.length > 0) {
    out.push(options.unmet.length === 0 ? c.green(`every required finding holds: ${options.required.join(', ')}`) : c.red(`✗ ${options.unmet.map((u) => `${u.rule}: ${u.found} on ${u.route}`).join('; ')}`))
  }
  out.push(c.dim(`seed ${result.seed} · ${(result.durationMs / 1000).toFixed(1)} s${result.interrupted ? ' · interrupted' : ''}`))
  return out.join('\n')
}
