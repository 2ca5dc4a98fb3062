import {describe, expect, it} from 'vitest'
import type {CheckResult, EndpointReport} from '../../src/check/check-result.js'
import {formatJUnitReport} from '../../src/report/junit-report.js'
import {formatMarkdownReport} from '../../src/report/markdown-report.js'

function endpoint(overrides: Partial<EndpointReport>): EndpointReport {
  return {
    name: 'e',
    expect: ['exactly-once'],
    met: true,
    oracle: 'count',
    inferred: false,
    contracts: {atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds', idempotent: 'holds', replyConsistent: 'unknown'},
    breaches: {},
    evidence: {atLeastOnce: [1], atMostOnce: [1], exactlyOnce: [1], idempotent: [1], replyConsistent: []},
    inconclusive: {atLeastOnce: [], atMostOnce: [], exactlyOnce: [], idempotent: [], replyConsistent: []},
    variants: {atLeastOnce: {drop: 1}, atMostOnce: {drop: 1}, exactlyOnce: {drop: 1}, idempotent: {drop: 1}, replyConsistent: {}},
    trials: [],
    notInjected: [],
    errors: [],
    ...overrides,
  }
}

const breach = {trial: 4, reason: 'executed 2 times after 2 deliveries', fault: 'drop-reply', timeline: [], replay: 'faultline check s.yaml --seed 9 --only naive --trial 4'}
const result: CheckResult = {
  seed: 9,
  ok: false,
  scenario: 's.yaml',
  durationMs: 1200,
  restarts: [],
  endpoints: [
    endpoint({name: 'dedup'}),
    endpoint({
      name: 'naive',
      met: false,
      unmetReason: 'exactly-once is broken',
      contracts: {atLeastOnce: 'holds', atMostOnce: 'broken', exactlyOnce: 'broken', idempotent: 'broken', replyConsistent: 'unknown'},
      breaches: {atMostOnce: breach, exactlyOnce: breach},
    }),
    endpoint({name: 'info', expect: []}),
  ],
}

describe('CI reports', () => {
  it('JUnit: one case per endpoint, a failed expectation is a failure with its replay line', () => {
    const xml = formatJUnitReport(result)
    expect(xml).toMatch(/<testsuites name="faultline check s.yaml" tests="3" failures="1" errors="0" skipped="1">/)
    expect(xml).toMatch(/<testcase classname="faultline.dedup" name="expect exactly-once"/)
    expect(xml).toMatch(/<failure message="exactly-once is broken; trial 4: executed 2 times after 2 deliveries; replay: faultline check s.yaml --seed 9 --only naive --trial 4" type="ExpectationFailed"\/>/)
    expect(xml).toMatch(/<property name="seed" value="9"\/>/)
  })

  it('Markdown: a row per endpoint and one paragraph per breaking trial', () => {
    const md = formatMarkdownReport(result)
    expect(md).toMatch(/^## faultline check `s.yaml`/)
    expect(md).toMatch(/2 of 3 endpoints met their expectation · seed `9`/)
    expect(md).toMatch(/\| naive \| ❌ exactly-once \| ✅ holds \| ❌ broken \| ❌ broken \| ❌ broken \| ❔ unknown \|/)
    expect(md.match(/\*\*naive: at-most-once, exactly-once broken\*\* by trial 4/g)).toHaveLength(1)
    expect(md).toContain('faultline check s.yaml --seed 9 --only naive --trial 4')
  })
})
