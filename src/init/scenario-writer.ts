import {Document, isMap, isNode, type YAMLMap} from 'yaml'
import type {DraftEndpoint, DraftScenario} from './draft.js'

/** Comment lines as YAML comment text: each line gets the leading space `# ` needs. */
function comment(lines: string[]): string {
  return lines.map((l) => (l === '' ? '' : ` ${l}`)).join('\n')
}

function endpointData(e: DraftEndpoint): Record<string, unknown> {
  const out: Record<string, unknown> = {name: e.name, request: e.request}
  if (e.effect) out.effect = {request: e.effect.request, select: e.effect.select}
  out.expect = e.expect
  if (e.volatile.length > 0) out.volatile = e.volatile
  if (e.recorded) out.recorded = e.recorded
  return out
}

/**
 * The scenario file `init` writes: the draft's fields in the scenario format, with its notes as
 * comments (above each endpoint, beside each guessed `expect`), through the yaml package's
 * Document API so comments and quoting are the library's.
 */
export function writeScenario(draft: DraftScenario): string {
  const data: Record<string, unknown> = {version: 1, target: draft.target}
  if (draft.client) data.client = draft.client
  data.endpoints = draft.endpoints.map(endpointData)
  if (draft.profiles) data.profiles = draft.profiles
  const doc = new Document(data)
  doc.commentBefore = comment(draft.header)
  draft.endpoints.forEach((e, i) => {
    const node = doc.getIn(['endpoints', i], true)
    if (!isMap(node)) return
    ;(node as YAMLMap).commentBefore = comment(e.notes)
    const expect = (node as YAMLMap).get('expect', true)
    if (isNode(expect)) expect.comment = ` ${e.expectNote}`
    const recorded = (node as YAMLMap).get('recorded', true)
    if (isNode(recorded)) recorded.commentBefore = ' the reply the recording got; every reply is compared with it'
  })
  if (draft.footer.length > 0) doc.comment = comment(draft.footer)
  return doc.toString({lineWidth: 0, flowCollectionPadding: false})
}
