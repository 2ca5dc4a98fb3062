import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {trialEvents} from '../helpers/trial-events.js'

/** The HTTP status faults through a whole check, on the demo's naive and deduplicating counters. */
async function check(profiles: string[]) {
  const scenario = await loadScenario('fixtures/demo.yaml')
  scenario.endpoints = scenario.endpoints.filter((e) => e.name === 'naive-increment' || e.name === 'dedup-increment')
  for (const endpoint of scenario.endpoints) {
    endpoint.profiles = profiles
    endpoint.trials = 1
  }
  const {events, of} = trialEvents()
  const result = await runCheck({scenario, scenarioArg: 'fixtures/demo.yaml', seed: 3, events})
  const byName = (name: string) => result.endpoints.find((e) => e.name === name)
  /** The events of the naive counter's trial `trial`. */
  const naiveEvents = (trial: number) => of(scenario.endpoints.findIndex((e) => e.name === 'naive-increment'), trial)
  return {naive: byName('naive-increment'), dedup: byName('dedup-increment'), naiveEvents}
}

describe('check with status faults over HTTP', () => {
  it('503 after the server executed: the retry runs again on the naive counter, not on the deduplicating one', async () => {
    const {naive, dedup} = await check(['status-503-after-reply'])
    expect(naive?.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken'})
    expect(dedup?.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds'})
  })

  it('429 with Retry-After: the client waits the second it was told, then succeeds', async () => {
    const {naive, naiveEvents} = await check(['status-429-retry-after'])
    const trial = naive?.trials[0]
    expect(trial?.outcome).toBe('ok')
    const timeline = trial ? naiveEvents(trial.id) : []
    const told = timeline.find((e) => e.type === 'attempt-result' && e.attempt === 1)
    expect(told).toMatchObject({status: 429, detail: {retryAfterMs: 1000}})
    const second = timeline.find((e) => e.type === 'attempt' && e.attempt === 2)
    expect((second?.time ?? 0) - (told?.time ?? 0)).toBeGreaterThanOrEqual(999)
  })
})
