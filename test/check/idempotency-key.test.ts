import {beforeAll, describe, expect, it} from 'vitest'
import type {CheckResult, EndpointReport} from '../../src/check/check-result.js'
import {toJsonResult} from '../../src/check/json-result.js'
import {runCheck} from '../../src/check/run-check.js'
import {formatJUnitReport} from '../../src/report/junit-report.js'
import {formatMarkdownReport} from '../../src/report/markdown-report.js'
import {formatCheckReport} from '../../src/report/terminal-report.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {IDEMPOTENCY_KEY_SET} from '../../src/scenario/profile-sets.js'

// fixtures/idempotency-key.yaml: one payments endpoint that follows the Idempotency-Key draft rule
// by rule, and one per rule that breaks exactly that rule (fixtures/servers/idempotency-key-payments.mjs).
const FILE = 'fixtures/idempotency-key.yaml'
const BROKEN: Record<string, string> = {
  'broken-replay': 'replay',
  'broken-replay-error': 'replay-error',
  'broken-in-flight': 'in-flight',
  'broken-payload': 'payload-mismatch',
  'broken-missing-key': 'missing-key',
}
const RULES = IDEMPOTENCY_KEY_SET.rules.map((r) => r.name)

let result: CheckResult
beforeAll(async () => {
  result = await runCheck({scenario: await loadScenario(FILE), scenarioArg: FILE, seed: 1})
}, 120_000)

const endpoint = (name: string) => result.endpoints.find((e) => e.name === name) as EndpointReport
const outcomes = (name: string) => Object.fromEntries((endpoint(name).conformance ?? []).map((r) => [r.rule, r.outcome]))

describe('the idempotency-key profile set', () => {
  it('finds every rule kept by the conforming server', () => {
    expect(outcomes('conforming')).toEqual(Object.fromEntries(RULES.map((r) => [r, 'conforms'])))
    expect(endpoint('conforming').met).toBe(true)
  })

  for (const [name, rule] of Object.entries(BROKEN)) {
    it(`catches the one rule ${name} breaks, and only that one`, () => {
      expect(outcomes(name)).toEqual(Object.fromEntries(RULES.map((r) => [r, r === rule ? 'violates' : 'conforms'])))
      const report = endpoint(name)
      expect(report.met).toBe(false)
      expect(report.unmetReason).toBe(`idempotency-key rule violated: ${rule}`)
      const violated = report.conformance?.find((r) => r.rule === rule)
      // The evidence: the requests it sent and the proxy's events for them.
      expect(violated?.exchanges.length).toBeGreaterThan(0)
      expect(violated?.timeline.some((e) => e.type === 'delivery')).toBe(true)
      expect(violated?.reference).toMatch(/^draft-ietf-httpapi-idempotency-key-header-06 §2\.[67]/)
    })
  }

  it('shows the in-flight evidence: the twin reached the server before the first reply left it', () => {
    const rule = endpoint('broken-in-flight').conformance?.find((r) => r.rule === 'in-flight')
    const deliveries = rule?.timeline.filter((e) => e.type === 'delivery') ?? []
    const firstReply = rule?.timeline.find((e) => e.type === 'reply')
    expect(deliveries.length).toBeGreaterThanOrEqual(2)
    expect(deliveries[1]!.time).toBeLessThan(firstReply!.time)
    expect(rule?.detail).toMatch(/waited and got the first reply/)
  })

  it('reports each rule in every output', () => {
    const junit = formatJUnitReport(result)
    for (const rule of RULES) expect(junit).toContain(`name="${rule}: `)
    expect(junit).toContain('RuleViolated')
    const markdown = formatMarkdownReport(result)
    expect(markdown).toContain('| in-flight | ❌ violates |')
    const terminal = formatCheckReport(result, {color: false})
    expect(terminal).toContain('✗ payload-mismatch  violates')
    const json = JSON.parse(JSON.stringify(toJsonResult(result))) as {endpoints: Array<{conformance: Array<{rule: string; outcome: string}>}>}
    expect(json.endpoints[0]?.conformance.map((r) => r.outcome)).toEqual(RULES.map(() => 'conforms'))
    expect(result.ok).toBe(false)
  })
})

describe('rules the scenario gives nothing to check with', () => {
  let partial: CheckResult
  beforeAll(async () => {
    const scenario = await loadScenario(FILE)
    const only = scenario.endpoints[0]!
    only.idempotencyKey = {header: 'Idempotency-Key', required: false}
    partial = await runCheck({scenario, scenarioArg: FILE, seed: 1, only: 'conforming'})
  }, 60_000)

  it('are not checked, and say what to write', () => {
    const byRule = Object.fromEntries((partial.endpoints[0]?.conformance ?? []).map((r) => [r.rule, r]))
    expect(byRule['replay-error']?.outcome).toBe('not-checked')
    expect(byRule['replay-error']?.detail).toMatch(/give idempotencyKey\.errorBody/)
    expect(byRule['payload-mismatch']?.outcome).toBe('conforms')
    expect(byRule['missing-key']?.outcome).toBe('not-checked')
    expect(byRule['missing-key']?.detail).toMatch(/required is false/)
    expect(partial.endpoints[0]?.met).toBe(true)
  })
})
