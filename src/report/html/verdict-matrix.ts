import type {EndpointReport} from '../../check/check-result.js'
import {inconclusiveGroups, type InconclusiveGroup} from '../../check/inconclusive-groups.js'
import {CONTRACT_LABELS, CONTRACT_NAMES, CONTRACT_ORDER, type ContractName} from '../../check/verdict.js'
import {expectationLabel} from '../expectation.js'
import {anchors} from './anchors.js'
import {escapeHtml} from './escape.js'

const SYMBOL = {holds: '✓', broken: '✗', unknown: '?'} as const

/**
 * The verdict matrix: a row per endpoint, a column per contract. Each cell says its state in
 * words and a symbol (colour only adds to them), marks the contracts the endpoint expects, and
 * links a broken contract or its inconclusive trials to their diagrams below.
 */
export function renderVerdictMatrix(endpoints: readonly EndpointReport[]): string {
  const head = CONTRACT_ORDER.map((n) => `<th scope="col">${CONTRACT_LABELS[n]}</th>`).join('')
  const rows = endpoints.map((e, i) => renderRow(e, i)).join('\n')
  return (
    `<div class="matrix-wrap"><table class="matrix" data-matrix>` +
    `<caption>Verdict per endpoint and contract; ★ expected marks what the scenario expects.</caption>` +
    `<thead><tr><th scope="col">endpoint</th><th scope="col">expectation</th>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody></table></div>`
  )
}

function renderRow(e: EndpointReport, index: number): string {
  const injected = e.trials.filter((t) => t.injected).length
  const about = e.aborted
    ? 'aborted'
    : `${e.oracle} oracle${e.inferred ? ' (inferred)' : ''} · ${e.trials.length} trial${e.trials.length === 1 ? '' : 's'}, ${injected} injected`
  const name = `<th scope="row" class="endpoint">${escapeHtml(e.name)}<span class="sub">${escapeHtml(about)}</span></th>`
  const expectation =
    e.expect.length === 0
      ? `<td class="expectation" data-label="expectation">none</td>`
      : `<td class="expectation ${e.met ? 'met' : 'unmet'}" data-label="expectation">${e.met ? '✓ met' : '✗ not met'}: ${escapeHtml(expectationLabel(e.expect))}` +
        (e.unmetReason && !e.met ? `<span class="sub">${escapeHtml(e.unmetReason)}</span>` : '') +
        `</td>`
  const groups = inconclusiveGroups(e)
  const cells = CONTRACT_ORDER.map((n) =>
    e.aborted
      ? `<td class="state state-aborted" data-contract="${n}" data-state="aborted" data-label="${CONTRACT_LABELS[n]}">aborted</td>`
      : renderCell(e, index, n, groups),
  )
  return `<tr data-endpoint="${escapeHtml(e.name)}">${name}${expectation}${cells.join('')}</tr>`
}

function renderCell(e: EndpointReport, index: number, name: ContractName, groups: InconclusiveGroup[]): string {
  const state = e.contracts[name]
  const wanted = e.expect.some((c) => CONTRACT_NAMES[c] === name)
  const breach = e.breaches[name]
  const verdict = `${SYMBOL[state]} ${state}`
  const shown = breach ? `<a href="#${anchors.breach(index, breach.trial)}">${verdict}</a>` : verdict
  const count = e.inconclusive[name].length
  // The first group that left this contract untested (a contract can be in several).
  const group = groups.findIndex((g) => g.contracts.includes(name))
  const inconclusive =
    count === 0
      ? ''
      : `<a class="sub" href="#${anchors.inconclusive(index, group)}">${count} inconclusive</a>`
  return (
    `<td class="state state-${state}${wanted ? ' wanted' : ''}" data-contract="${name}" data-state="${state}" data-label="${CONTRACT_LABELS[name]}">` +
    `${shown}${wanted ? ' <span class="expected">★ expected</span>' : ''}${inconclusive}</td>`
  )
}
