import type {BreachReport, EndpointReport} from '../../check/check-result.js'
import {inconclusiveGroups, type InconclusiveGroup} from '../../check/inconclusive-groups.js'
import {CONTRACT_LABELS, CONTRACT_ORDER, type ContractName} from '../../check/verdict.js'
import type {ProxyEvent} from '../../events/event-log.js'
import {anchors} from './anchors.js'
import {escapeHtml} from './escape.js'
import {layoutSequence} from './sequence-layout.js'
import {renderSequenceSvg} from './sequence-svg.js'

/**
 * An endpoint's evidence: one figure per trial that broke contracts (naming all it broke) and
 * one per group of inconclusive trials (drawn with the group's first trial), each with its
 * sequence diagram, the timeline as text and the replay command. Empty when there is none.
 */
export function renderEvidence(e: EndpointReport, index: number): string {
  const figures = [...breachFigures(e, index), ...inconclusiveFigures(e, index)]
  const notes = endpointNotes(e)
  if (figures.length === 0 && notes.length === 0) return ''
  const id = anchors.endpoint(index)
  return (
    `<section class="endpoint-evidence" aria-labelledby="${id}"><h3 id="${id}">${escapeHtml(e.name)}</h3>` +
    `${notes.length > 0 ? `<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}${figures.join('\n')}</section>`
  )
}

function breachFigures(e: EndpointReport, index: number): string[] {
  const byTrial = new Map<number, {breach: BreachReport; contracts: ContractName[]}>()
  for (const name of CONTRACT_ORDER) {
    const breach = e.breaches[name]
    if (!breach) continue
    const entry = byTrial.get(breach.trial) ?? {breach, contracts: []}
    entry.contracts.push(name)
    byTrial.set(breach.trial, entry)
  }
  return [...byTrial.values()].map(({breach, contracts}) =>
    figure({
      id: anchors.breach(index, breach.trial),
      kind: 'breach',
      endpoint: e.name,
      contracts,
      trial: breach.trial,
      caption: `✗ ${labels(contracts)} broken by trial ${breach.trial} (${breach.fault}): ${breach.reason}`,
      timeline: breach.timeline,
      replay: breach.replay,
    }),
  )
}

function inconclusiveFigures(e: EndpointReport, index: number): string[] {
  return inconclusiveGroups(e).map((group: InconclusiveGroup, g) => {
    const trial = group.trials[0] as number
    const result = e.trials.find((t) => t.id === trial)
    const trials = `trial${group.trials.length === 1 ? '' : 's'} ${group.trials.join(', ')}`
    return figure({
      id: anchors.inconclusive(index, g),
      kind: 'inconclusive',
      endpoint: e.name,
      contracts: group.contracts,
      trial,
      caption: `? ${labels(group.contracts)} inconclusive in ${trials}: ${group.reason}. Drawn: trial ${trial}${result ? ` (${result.fault})` : ''}.`,
      timeline: result?.timeline ?? [],
      replay: result?.replay,
    })
  })
}

interface FigureInput {
  id: string
  kind: 'breach' | 'inconclusive'
  endpoint: string
  contracts: ContractName[]
  trial: number
  caption: string
  timeline: readonly ProxyEvent[]
  replay?: string
}

function figure(f: FigureInput): string {
  const layout = layoutSequence(f.timeline)
  const diagram =
    layout.steps.length === 0
      ? `<p class="sub">No events were recorded for trial ${f.trial}.</p>`
      : `<div class="diagram" role="region" tabindex="0" aria-label="sequence diagram of trial ${f.trial}">` +
        `${renderSequenceSvg(layout, `Sequence of trial ${f.trial} of ${f.endpoint}`)}</div>` +
        `<details><summary>Timeline of trial ${f.trial} as text</summary><ol class="timeline">` +
        layout.steps
          .map(
            (s) =>
              `<li><span class="time">+${s.at.toFixed(1)} ms</span> ${s.from}${s.to ? ` → ${s.to}` : ''}: ${escapeHtml(s.label)}</li>`,
          )
          .join('') +
        `</ol></details>`
  return (
    `<figure class="evidence kind-${f.kind}" id="${f.id}" data-kind="${f.kind}" data-endpoint="${escapeHtml(f.endpoint)}" ` +
    `data-contracts="${f.contracts.join(' ')}" data-trial="${f.trial}"><figcaption>${escapeHtml(f.caption)}</figcaption>` +
    `${diagram}${f.replay !== undefined ? replayBlock(f.id, f.replay) : ''}</figure>`
  )
}

function replayBlock(id: string, command: string): string {
  const code = `${id}-replay`
  return (
    `<div class="replay"><span class="sub">replay:</span> <code id="${code}">${escapeHtml(command)}</code> ` +
    `<button type="button" class="copy" data-copy="${escapeHtml(command)}" aria-controls="${code}">Copy</button></div>`
  )
}

function endpointNotes(e: EndpointReport): string[] {
  const notes: string[] = []
  if (e.aborted) notes.push(`aborted before it finished: ${e.aborted.split('\n')[0]}`)
  if (e.baselineNote) notes.push(`baseline: ${e.baselineNote}`)
  if (e.notInjected.length > 0)
    notes.push(`not injected (count for nothing): trials ${e.notInjected.join(', ')}`)
  for (const err of e.errors) notes.push(`trial ${err.trial} not measured: ${err.error}`)
  return notes
}

function labels(contracts: readonly ContractName[]): string {
  return contracts.map((n) => CONTRACT_LABELS[n]).join(', ')
}
