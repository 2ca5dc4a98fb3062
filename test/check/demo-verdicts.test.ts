import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import type {CheckResult} from '../../src/check/check-result.js'
import {trialEvents} from '../helpers/trial-events.js'

/** The demo's crash endpoints, proven in crash-verdicts.test.ts (and end to end in check-cli.test.ts). */
const CRASH_ENDPOINTS = ['durable-increment', 'dedup-after-crash', 'ack-first-increment']

/** The demo fixtures' semantics are known by construction; every seed must find them. The result, and each trial's events. */
async function checkDemo(seed: number, trials = 4) {
  const scenario = await loadScenario('fixtures/demo.yaml')
  scenario.endpoints = scenario.endpoints.filter((e) => !CRASH_ENDPOINTS.includes(e.name))
  for (const endpoint of scenario.endpoints) endpoint.trials = trials
  // A client timeout a loaded CI machine does not reach by itself (the demo's 300ms can be).
  scenario.client.timeout = 1000
  const {events, of} = trialEvents()
  const result = await runCheck({scenario, scenarioArg: 'fixtures/demo.yaml', seed, events})
  return {result, eventsOf: of}
}

function byName(result: CheckResult, name: string) {
  const endpoint = result.endpoints.find((e) => e.name === name)
  if (!endpoint) throw new Error(`no endpoint ${name}`)
  return endpoint
}

describe('check on the demo fixtures', () => {
  for (const seed of [1, 2, 3]) {
    it(`gives the verdicts known by construction (seed ${seed})`, async () => {
      const {result, eventsOf} = await checkDemo(seed)
      expect(result.seed).toBe(seed)
      expect(result.ok).toBe(true)

      const naive = byName(result, 'naive-increment')
      expect(naive.oracle).toBe('count')
      expect(naive.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken', exactlyOnce: 'broken', idempotent: 'broken'})
      // drop-reply makes the naive server execute once per attempt: it must be the evidence.
      const breach = naive.breaches.atMostOnce
      expect(breach?.timeline.some((e) => e.type === 'fault')).toBe(true)
      expect(breach?.replay).toMatch(new RegExp(`--seed ${seed} --only naive-increment --trial \\d+$`))

      const dedup = byName(result, 'dedup-increment')
      expect(dedup.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds', idempotent: 'holds', replyConsistent: 'holds'})

      const put = byName(result, 'put-value')
      expect(put.oracle).toBe('state')
      expect(put.contracts).toMatchObject({idempotent: 'holds', atLeastOnce: 'holds', atMostOnce: 'unknown'})

      for (const [index, endpoint] of result.endpoints.entries()) {
        // A trial counts as injected only when the events prove its fault fired. On a loaded
        // machine an attempt can time out before it even reaches the proxy (then the trial
        // rightly counts for nothing), so only demand that nearly all fired.
        for (const t of endpoint.trials) expect(t.injected).toBe(eventsOf(index, t.id).some((e) => e.type === 'fault'))
        expect(endpoint.notInjected.length + endpoint.errors.length).toBeLessThanOrEqual(endpoint.trials.length / 4)
        for (const profile of new Set(endpoint.trials.map((t) => t.profile))) {
          expect(endpoint.trials.some((t) => t.profile === profile && t.injected && t.error === undefined)).toBe(true)
        }
      }
    })
  }

  it('the same seed gives the same trial plan and verdicts', async () => {
    const {result: a} = await checkDemo(99, 3)
    const {result: b} = await checkDemo(99, 3)
    const shape = (r: CheckResult) =>
      r.endpoints.map((e) => ({name: e.name, contracts: e.contracts, trials: e.trials.map((t) => [t.id, t.profile, t.fault])}))
    expect(shape(b)).toEqual(shape(a))
    const {result: c} = await checkDemo(100, 3)
    expect(shape(c).map((e) => e.trials)).not.toEqual(shape(a).map((e) => e.trials))
  })

  it('replays a single trial with --only and --trial', async () => {
    const scenario = await loadScenario('fixtures/demo.yaml')
    const result = await runCheck({scenario, scenarioArg: 'fixtures/demo.yaml', seed: 5, only: 'naive-increment', trial: 13})
    expect(result.endpoints).toHaveLength(1)
    expect(result.endpoints[0]?.trials.map((t) => t.id)).toEqual([13])
    expect(result.endpoints[0]?.trials[0]?.profile).toBe('drop-reply')
  })
})

describe('check on a deduplicating server with a race', () => {
  for (const seed of [11, 12]) {
    it(`finds the double execution that only concurrent duplicates expose (seed ${seed})`, async () => {
      const scenario = await loadScenario('test/fixtures/racy-dedup.yaml')
      const result = await runCheck({scenario, scenarioArg: 'test/fixtures/racy-dedup.yaml', seed})
      const endpoint = result.endpoints[0]
      expect(endpoint?.contracts.atMostOnce).toBe('broken')
      expect(endpoint?.met).toBe(false)
      const breaking = endpoint?.trials.find((t) => t.id === endpoint.breaches.atMostOnce?.trial)
      expect(breaking?.profile).toBe('duplicate-concurrent')
      // Sequential duplicates never broke it.
      for (const t of endpoint?.trials ?? []) if (t.profile === 'duplicate-sequential') expect(t.executions).toBe(1)
    })
  }
})
