import {arrayOf, jsonText, objectEndingWith} from './pretty-json-chunks.js'
import type {CheckResult, EndpointReport} from '../check/check-result.js'
import {inconclusiveExamples} from '../check/inconclusive-groups.js'
import {endpointJson, resultJson, trialJson} from '../check/json-result.js'

/**
 * The `--json` document as text in pieces, byte for byte `JSON.stringify(toJsonResult(result),
 * null, 2) + '\n'`, built from the same parts as `toJsonResult`: each trial becomes its JSON
 * object and text only when its piece is asked for, so a run of 10,000 trials is written without
 * the whole document, as objects or as text, ever being held.
 */
export function* jsonResultChunks(result: CheckResult): Generator<string> {
  yield* objectEndingWith(resultJson(result), 'endpoints', '', (indent) => arrayOf(result.endpoints, indent, endpointChunks))
  yield '\n'
}

function* endpointChunks(e: EndpointReport, indent: string): Generator<string> {
  const examples = inconclusiveExamples(e)
  yield* objectEndingWith(endpointJson(e), 'trials', indent, (inner) => arrayOf(e.trials, inner, function* (t, depth) {
    yield jsonText(trialJson(t, examples), depth)
  }))
}
