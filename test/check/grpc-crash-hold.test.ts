import {describe, expect, it} from 'vitest'
import type {CheckResult} from '../../src/check/check-result.js'
import {runCheck} from '../../src/check/run-check.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {trialEvents} from '../helpers/trial-events.js'

const SCENARIO = 'fixtures/grpc-memory-dedup.yaml'
async function check(seed: number, profiles: string[], trials: number) {
  const scenario = await loadScenario(SCENARIO)
  for (const endpoint of scenario.endpoints) {
    endpoint.profiles = profiles
    endpoint.trials = trials
  }
  // A library run removes its own run folder.
  const {events, of} = trialEvents()
  const result: CheckResult = await runCheck({scenario, scenarioArg: SCENARIO, seed, events})
  const [endpoint] = result.endpoints
  if (!endpoint) throw new Error('no endpoint in the report')
  return {endpoint, eventsOf: (trial: number) => of(0, trial)}
}

describe('gRPC calls held while the server restarts after a crash', () => {
  // Ten runs, each starting a server and restarting it once: about 15 s, twice that on a loaded machine.
  it('a retry after crash-before-reply reaches the restarted server: an in-memory dedup table never passes at-most-once (seeds 1–10)', {timeout: 120_000}, async () => {
    const verdicts: string[] = []
    for (let seed = 1; seed <= 10; seed++) {
      const {endpoint, eventsOf} = await check(seed, ['crash-before-reply'], 1)
      verdicts.push(endpoint.contracts.atMostOnce)
      expect(endpoint.contracts.atMostOnce, `seed ${seed}`).not.toBe('holds')
      expect(endpoint.met, `seed ${seed}`).toBe(false)
      for (const t of endpoint.trials) {
        // No attempt was refused while the server was down: the proxy held it instead.
        expect(eventsOf(t.id).some((e) => e.type === 'attempt-result' && e.detail?.status === 'UNAVAILABLE'), `seed ${seed}`).toBe(false)
      }
    }
    expect(verdicts.filter((v) => v === 'broken').length).toBeGreaterThanOrEqual(8)
  })

  it('after crash-after-reply the duplicate executes again on the restarted server; the effect itself survived', async () => {
    const {endpoint} = await check(3, ['crash-after-reply'], 2)
    expect(endpoint.contracts.atMostOnce).toBe('broken')
    expect(endpoint.contracts.atLeastOnce).toBe('holds')
    for (const t of endpoint.trials) {
      expect(t.effectAfterRestart).toBe(true)
      expect(t.deliveries).toBe(2)
      expect(t.executions).toBe(2)
    }
  })
})
