import {describe, expect, it} from 'vitest'
import type {CheckResult, EndpointReport} from '../../src/check/check-result.js'
import type {ConformanceRuleResult} from '../../src/check/conformance/rule-result.js'
import {toJsonResult, type CheckJson} from '../../src/check/json-result.js'
import {fromJsonResult} from '../../src/check/result-from-json.js'
import {formatHtmlReport} from '../../src/report/html/index.js'
import {formatJUnitReport} from '../../src/report/junit-report.js'
import {formatMarkdownReport} from '../../src/report/markdown-report.js'
import {formatCheckReport} from '../../src/report/terminal-report.js'
import {breachOf, crashTimeline, dropReplyTimeline, endpoint, result, trial} from '../report/html-fixtures.js'

/** A saved result as `faultline report` reads it: the `--json` text parsed again. */
function saved(r: CheckResult): CheckJson {
  return JSON.parse(JSON.stringify(toJsonResult(r))) as CheckJson
}

function renderings(r: CheckResult) {
  return {terminal: formatCheckReport(r, {color: false}), junit: formatJUnitReport(r), markdown: formatMarkdownReport(r), html: formatHtmlReport(r)}
}

function rule(name: string, outcome: ConformanceRuleResult['outcome']): ConformanceRuleResult {
  return {
    set: 'idempotency-key',
    rule: name,
    requirement: `the ${name} rule`,
    reference: 'draft-ietf-httpapi-idempotency-key-header §2.6',
    outcome,
    detail: `${name}: ${outcome}`,
    exchanges: [{label: 'first', status: 201, body: '{"id":1}'}, {label: 'repeat', status: 201, body: '{"id":2}'}],
    timeline: dropReplyTimeline('/pay'),
  }
}

/** An endpoint with every field the newer features add: a shrunk breach, inconclusive groups, profile set rules, a candidate, a client that gave up, a recorded reply. */
function everything(): EndpointReport {
  const breach = trial(3, dropReplyTimeline())
  const crashed = {...trial(2, crashTimeline(), 'crash-after-reply'), gaveUp: 'exit code 1'}
  const candidate = {...trial(4, dropReplyTimeline('/other'), 'duplicate'), candidate: 2}
  const recorded = {...trial(5, dropReplyTimeline('/rec')), recordedReply: {status: 200, body: {value: 1}}}
  const simpler = dropReplyTimeline('/simpler')
  return endpoint({
    met: false,
    unmetReason: 'at-most-once is broken; idempotency-key rule violated: replay',
    contracts: {atLeastOnce: 'holds', atMostOnce: 'broken', exactlyOnce: 'broken', idempotent: 'unknown', replyConsistent: 'unknown'},
    breaches: {atMostOnce: breachOf(breach), exactlyOnce: breachOf(breach)},
    minimal: {
      atMostOnce: {fault: 'drop-reply on attempt 1', trial: '3c1', simpler: true, reason: 'executed 2 times', reruns: 1, ms: 140, replay: `${breach.replay} --candidate 1`, timeline: simpler},
      exactlyOnce: {fault: breach.fault, trial: '3', simpler: false, reason: 'executed 2 times', reruns: 4, ms: 610, cutShort: 'reruns', replay: breach.replay, timeline: breach.timeline},
    },
    shrink: {reruns: 4, ms: 610},
    inconclusive: {
      atLeastOnce: [],
      atMostOnce: [{trial: 2, reason: 'the crash erased the first execution'}],
      exactlyOnce: [{trial: 2, reason: 'the crash erased the first execution'}],
      idempotent: [{trial: 4, reason: 'no duplicate arrived'}, {trial: 5, reason: 'no duplicate arrived'}],
      replyConsistent: [],
    },
    trials: [trial(1, dropReplyTimeline('/one')), crashed, breach, candidate, recorded],
    conformance: [rule('replay', 'violates'), rule('in-flight', 'conforms'), rule('missing-key', 'not-checked')],
  })
}

describe('a saved --json result read back (faultline report)', () => {
  it('renders the same terminal report, JUnit, Markdown and HTML as the run it was saved from', () => {
    const original = result([everything(), endpoint({name: 'plain'})])
    const back = fromJsonResult(saved(original))
    const want = renderings(original)
    const got = renderings(back)
    for (const key of Object.keys(want) as Array<keyof typeof want>) expect(got[key], key).toBe(want[key])
    // The inconclusive groups' example trials were drawn from their timelines, which came back.
    expect(want.html).toContain('kind-inconclusive')
    expect(back.endpoints[0]?.trials.map((t) => t.timeline?.length)).toEqual([undefined, crashTimeline().length, dropReplyTimeline().length, dropReplyTimeline().length, undefined])
  })

  it('saves again as the same document, field for field', () => {
    const json = saved(result([everything()]))
    const again = saved(fromJsonResult(json))
    expect(JSON.stringify(again)).toBe(JSON.stringify(json))
    const e = again.endpoints[0]
    expect(e?.trials.map((t) => [t.candidate, t.gaveUp, t.recordedReply])).toEqual([
      [undefined, undefined, undefined],
      [undefined, 'exit code 1', undefined],
      [undefined, undefined, undefined],
      [2, undefined, undefined],
      [undefined, undefined, {status: 200, body: {value: 1}}],
    ])
    expect(Object.keys(e?.minimal ?? {})).toEqual(['atMostOnce', 'exactlyOnce'])
    expect(e?.conformance?.map((r) => r.outcome)).toEqual(['violates', 'conforms', 'not-checked'])
  })

  it('keeps shrinking off apart from shrinking on with nothing to shrink', () => {
    const off = fromJsonResult(saved(result([endpoint({})]))).endpoints[0]
    const none = fromJsonResult(saved(result([endpoint({minimal: {}, shrink: {reruns: 0, ms: 0}})]))).endpoints[0]
    expect([off?.minimal, off?.shrink]).toEqual([undefined, undefined])
    expect([none?.minimal, none?.shrink]).toEqual([{}, {reruns: 0, ms: 0}])
  })
})
