import {describe, expect, it} from 'vitest'
import type {CheckResult} from '../../src/check/check-result.js'
import {runCheck} from '../../src/check/run-check.js'
import type {ProxyEvent} from '../../src/events/event-log.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import type {Scenario} from '../../src/scenario/types.js'
import {trialEvents} from '../helpers/trial-events.js'

interface Checked {
  result: CheckResult
  /** The events of trial `trial` of the endpoint named `endpoint`. */
  eventsOf: (endpoint: string, trial: number) => ProxyEvent[]
}

/** The JSON-RPC and framed TCP fixtures' semantics are known by construction; every seed must find them. */
async function check(file: string, seed: number, trials?: number): Promise<Checked> {
  const scenario = await loadScenario(file)
  if (trials !== undefined) for (const endpoint of scenario.endpoints) endpoint.trials = trials
  return checkScenario(scenario, file, seed)
}

async function checkScenario(scenario: Scenario, file: string, seed: number): Promise<Checked> {
  const {events, of} = trialEvents()
  const result = await runCheck({scenario, scenarioArg: file, seed, events})
  return {result, eventsOf: (endpoint, trial) => of(scenario.endpoints.findIndex((e) => e.name === endpoint), trial)}
}

function byName(result: CheckResult, name: string) {
  const endpoint = result.endpoints.find((e) => e.name === name)
  if (!endpoint) throw new Error(`no endpoint ${name}`)
  return endpoint
}

/**
 * Faults fire and trials are measured. On a loaded machine an attempt can reach the proxy only
 * after the client gave up on it; such a trial is reported `not injected` and counts for
 * nothing, which is correct, so a few are tolerated here.
 */
function everyFaultFired({result, eventsOf}: Checked): void {
  for (const endpoint of result.endpoints) {
    expect(endpoint.notInjected.length, endpoint.name).toBeLessThanOrEqual(endpoint.trials.length / 4)
    expect(endpoint.errors, endpoint.name).toEqual([])
    for (const t of endpoint.trials) if (t.injected) expect(eventsOf(endpoint.name, t.id).some((e) => e.type === 'fault')).toBe(true)
  }
}

describe('check over JSON-RPC (fixtures/rpc-demo.yaml)', () => {
  for (const seed of [1, 2]) {
    it(`gives the verdicts known by construction (seed ${seed})`, async () => {
      const checked = await check('fixtures/rpc-demo.yaml', seed, 3)
      const {result, eventsOf} = checked
      expect(result.ok).toBe(true)
      everyFaultFired(checked)
      const naive = byName(result, 'naive-increment')
      expect(naive.oracle).toBe('count')
      expect(naive.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken', exactlyOnce: 'broken'})
      expect(naive.breaches.atMostOnce?.timeline.some((e) => e.type === 'fault')).toBe(true)
      for (const name of ['dedup-increment', 'dedup-in-batch']) {
        // Replies compare equal across attempts although every attempt has a new JSON-RPC id.
        expect(byName(result, name).contracts, name).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds', replyConsistent: 'holds'})
      }
      // In the batch endpoint the faults hit the first call (the call under test), never the read after it.
      for (const trial of byName(result, 'dedup-in-batch').trials) {
        for (const fault of eventsOf('dedup-in-batch', trial.id).filter((e) => e.type === 'fault')) expect(fault.detail?.rpcMethod ?? 'dedupIncrement').toBe('dedupIncrement')
      }
    })
  }

  it('a duplicated call inside a batch executes twice on the naive method: at-most-once broken by a batch duplicate', async () => {
    const scenario = await loadScenario('fixtures/rpc-demo.yaml')
    const batch = scenario.endpoints.find((e) => e.name === 'dedup-in-batch')
    if (!batch?.request || !('calls' in batch.request)) throw new Error('fixture changed')
    const first = batch.request.calls[0]
    if (!first) throw new Error('fixture changed')
    first.method = 'increment'
    batch.profiles = ['duplicate']
    batch.trials = 3
    scenario.endpoints = [batch]
    const {result, eventsOf} = await checkScenario(scenario, 'fixtures/rpc-demo.yaml', 3)
    const endpoint = byName(result, 'dedup-in-batch')
    expect(endpoint.contracts.atMostOnce).toBe('broken')
    expect(endpoint.trials.some((t) => t.injected)).toBe(true)
    for (const trial of endpoint.trials.filter((t) => t.injected)) {
      expect(trial.executions).toBe(2)
      const faults = eventsOf('dedup-in-batch', trial.id).filter((e) => e.type === 'fault')
      expect(faults.map((f) => f.detail?.call)).toEqual([0])
    }
  })
})

describe('check over framed TCP', () => {
  for (const seed of [1, 2]) {
    it(`length-prefixed, replies paired by id (fixtures/tcp-demo.yaml, seed ${seed})`, async () => {
      const checked = await check('fixtures/tcp-demo.yaml', seed, 3)
      const {result} = checked
      expect(result.ok).toBe(true)
      everyFaultFired(checked)
      expect(byName(result, 'naive-increment').contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken', exactlyOnce: 'broken'})
      expect(byName(result, 'dedup-increment').contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds', replyConsistent: 'holds'})
    })
  }

  for (const seed of [5, 6]) {
    it(`ndjson in order, concurrent duplicates included (seed ${seed})`, async () => {
      const checked = await check('test/fixtures/tcp-ndjson-concurrent.yaml', seed)
      const {result} = checked
      expect(result.ok).toBe(true)
      everyFaultFired(checked)
      const naive = byName(result, 'naive-increment')
      expect(naive.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken'})
      for (const t of naive.trials) if (t.injected && t.profile === 'duplicate-concurrent') expect(t.executions).toBe(2)
      const dedup = byName(result, 'dedup-increment')
      expect(dedup.contracts).toMatchObject({atMostOnce: 'holds', exactlyOnce: 'holds', replyConsistent: 'holds'})
      for (const t of dedup.trials) expect(t.executions).toBe(1)
    })
  }
})
