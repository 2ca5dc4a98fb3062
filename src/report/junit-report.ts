import junitModule, {type Builder} from 'junit-report-builder'
import type {BreachReport, CheckResult, EndpointReport} from '../check/check-result.js'
import {conformanceShortfall} from '../check/conformance/shortfall.js'
import {CONTRACT_LABELS, CONTRACT_ORDER as ORDER, type ContractName} from '../check/verdict.js'
import {expectationLabel} from './expectation.js'
import {formatMinimal} from './minimal-line.js'
import {formatTimeline} from './timeline.js'

// The package is CommonJS whose module.exports is the root builder itself; its typings describe
// an ES default export, so the default import is cast to what it is at run time.
const junit = junitModule as unknown as Builder


/** The contracts of an endpoint, its breaches and their replay lines, as plain text. */
function describeEndpoint(e: EndpointReport, seed: number): string {
  if (e.aborted) return `aborted before it finished: ${e.aborted}`
  const lines = [`oracle: ${e.oracle}${e.inferred ? ' (inferred)' : ''}; ${e.trials.length} trials, seed ${seed}`]
  for (const name of ORDER) {
    const breach = e.breaches[name]
    const inconclusive = e.inconclusive[name].length
    const unsure = inconclusive > 0 ? ` [${inconclusive} inconclusive]` : ''
    lines.push(`${CONTRACT_LABELS[name]}: ${e.contracts[name]}${unsure}${breach ? ` (trial ${breach.trial}: ${breach.reason})` : ''}`)
  }
  for (const name of ORDER) {
    const breach = e.breaches[name]
    if (!breach) continue
    lines.push('', `${CONTRACT_LABELS[name]} broken by trial ${breach.trial} (${breach.fault}):`, ...formatTimeline(breach.timeline), `replay: ${breach.replay}`)
    const minimal = e.minimal?.[name]
    if (minimal) lines.push(formatMinimal([name], minimal), ...(minimal.simpler ? [`replay minimal: ${minimal.replay}`] : []))
  }
  return lines.join('\n')
}

/** The expectation's own outcome: unmet only for its delivery contracts (profile set rules have test cases of their own). */
function verdictMet(e: EndpointReport): boolean {
  return e.met || (e.conformance !== undefined && e.unmetReason === conformanceShortfall(e.conformance))
}

/**
 * The check result as JUnit XML for CI: one test suite per endpoint with one test case, its
 * expectation. A failed expectation is a failure that names the breach and its replay line;
 * an endpoint without an expectation is a skipped case. The whole verdict is in system-out.
 */
export function formatJUnitReport(result: CheckResult): string {
  const builder = junit.newBuilder().name(`faultline check ${result.scenario}`)
  for (const e of result.endpoints) {
    const suite = builder.testSuite().name(e.name).property('seed', String(result.seed))
    const test = suite
      .testCase()
      .className(`faultline.${e.name}`)
      .name(e.expect.length === 0 ? 'no expectation' : `expect ${expectationLabel(e.expect)}`)
      .time(result.durationMs / 1000 / Math.max(1, result.endpoints.length))
      .standardOutput(describeEndpoint(e, result.seed))
    for (const rule of e.conformance ?? []) {
      const ruleCase = suite.testCase().className(`faultline.${e.name}.${rule.set}`).name(`${rule.rule}: ${rule.requirement}`).standardOutput(`${rule.reference}\n${rule.detail}`)
      if (rule.outcome === 'violates') ruleCase.failure(`${rule.rule} violated: ${rule.detail}`, 'RuleViolated')
      else if (rule.outcome !== 'conforms') ruleCase.skipped()
    }
    if (e.aborted) test.error(`aborted: ${e.aborted}`, 'Aborted')
    else if (e.expect.length === 0) test.skipped()
    else if (!verdictMet(e)) {
      const [name, breach] = (Object.entries(e.breaches)[0] ?? []) as [ContractName?, BreachReport?]
      const minimal = name ? e.minimal?.[name] : undefined
      const shrunk = name && minimal ? `; ${formatMinimal([name], minimal)}${minimal.simpler ? `; replay minimal: ${minimal.replay}` : ''}` : ''
      const detail = breach ? `; trial ${breach.trial}: ${breach.reason}; replay: ${breach.replay}${shrunk}` : ''
      test.failure(`${e.unmetReason ?? `${expectationLabel(e.expect)} not met`}${detail}`, 'ExpectationFailed')
    }
  }
  return builder.build()
}
