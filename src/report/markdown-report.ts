import type {CheckResult} from '../check/check-result.js'
import {CONTRACT_LABELS, CONTRACT_ORDER as ORDER, type ContractName} from '../check/verdict.js'
import {summariseConformance} from './conformance-report.js'
import {expectationLabel} from './expectation.js'
import {formatMinimal, minimalCases} from './minimal-line.js'

const RULE_MARK = {conforms: '✅ conforms', violates: '❌ violates', inconclusive: '❔ inconclusive', 'not-checked': '➖ not checked'} as const
const MARK = {holds: '✅ holds', broken: '❌ broken', unknown: '❔ unknown'} as const

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

/**
 * A Markdown summary for CI job pages (e.g. `$GITHUB_STEP_SUMMARY`): one table row per
 * endpoint, then each breach with its replay command.
 */
export function formatMarkdownReport(result: CheckResult): string {
  const met = result.endpoints.filter((e) => e.met).length
  const lines = [
    `## faultline check \`${result.scenario}\``,
    '',
    `${met} of ${result.endpoints.length} endpoints met their expectation · seed \`${result.seed}\` · ${(result.durationMs / 1000).toFixed(1)} s`,
    '',
    `| endpoint | expect | ${ORDER.map((n) => CONTRACT_LABELS[n]).join(' | ')} |`,
    `|---|---|${ORDER.map(() => '---').join('|')}|`,
  ]
  for (const e of result.endpoints) {
    const expectation = e.expect.length === 0 ? (e.met ? 'none' : '❌ rules') : `${e.met ? '✅' : '❌'} ${expectationLabel(e.expect)}`
    const states = e.aborted ? ORDER.map(() => '⛔ aborted') : ORDER.map((n) => MARK[e.contracts[n]] + (e.inconclusive[n].length > 0 ? ` (${e.inconclusive[n].length} inconclusive)` : ''))
    lines.push(`| ${cell(e.name)} | ${expectation} | ${states.join(' | ')} |`)
  }
  for (const e of result.endpoints) {
    if (!e.conformance?.length) continue
    lines.push('', `**${cell(e.name)}: ${e.conformance[0]?.set} rules** (${summariseConformance(e.conformance)})`, '', '| rule | outcome | requirement | seen |', '|---|---|---|---|')
    for (const r of e.conformance) lines.push(`| ${r.rule} | ${RULE_MARK[r.outcome]} | ${cell(r.requirement)} | ${cell(r.detail)} |`)
  }
  if (result.aborted) lines.push('', `**Run aborted** (${result.aborted.code}): ${cell(result.aborted.message.split('\n')[0] ?? '')}`)
  for (const e of result.endpoints) {
    // One paragraph per breaking trial, naming every contract it broke.
    const byTrial = new Map<number, ContractName[]>()
    for (const name of ORDER) {
      const breach = e.breaches[name]
      if (breach) byTrial.set(breach.trial, [...(byTrial.get(breach.trial) ?? []), name])
    }
    for (const names of byTrial.values()) {
      const breach = e.breaches[names[0] as ContractName]
      if (!breach) continue
      const broken = names.map((n) => CONTRACT_LABELS[n]).join(', ')
      lines.push('', `**${cell(e.name)}: ${broken} broken** by trial ${breach.trial} (${cell(breach.fault)}): ${cell(breach.reason)}`, '', '```sh', breach.replay, '```')
      for (const found of minimalCases(e, names)) {
        lines.push('', cell(formatMinimal(found.names, found.minimal)))
        if (found.minimal.simpler) lines.push('', '```sh', found.minimal.replay, '```')
      }
    }
  }
  return `${lines.join('\n')}\n`
}
