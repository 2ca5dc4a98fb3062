import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {ScenarioError} from '../../src/errors.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'

/**
 * fixtures/servers/jsonrpc-ledger.mjs credits 1.5 * 10^18 + 7 wei per execution to accounts
 * that start at 2^113 + 12345 wei and answers eth_getBalance with a hex string. Doubles are
 * 2^61 apart there: float arithmetic would read one transfer and two as the same step (1
 * execution each), so finding exactly 2 proves the count is exact.
 */
describe('check an Ethereum-style hex balance (fixtures/rpc-ledger.yaml)', () => {
  it('counts executions exactly: the naive transfer executes twice, the deduplicating one once', async () => {
    const file = 'fixtures/rpc-ledger.yaml'
    const scenario = await loadScenario(file)
    const result = await runCheck({scenario, scenarioArg: file, seed: 4})
    const [naive, dedup] = result.endpoints
    expect(naive?.name).toBe('naive-transfer')
    expect(naive?.errors).toEqual([])
    expect(naive?.oracle).toBe('count')
    expect(naive?.contracts).toMatchObject({
      atLeastOnce: 'holds',
      atMostOnce: 'broken',
      exactlyOnce: 'broken',
      replyConsistent: 'broken',
    })
    const twice = naive?.trials.filter((t) => t.injected && t.deliveries >= 2) ?? []
    expect(twice.length).toBeGreaterThan(0)
    // Whole executions only, never a float artefact such as 1.5 or 0.87 (a delivery cut short on a
    // loaded machine may execute nothing, so not necessarily one per delivery).
    for (const trial of twice)
      expect(Number.isInteger(trial.executions) && (trial.executions ?? 0) <= trial.deliveries).toBe(true)
    expect(twice.some((t) => t.deliveries === 2 && t.executions === 2)).toBe(true)
    const breach = naive?.trials.find((t) => t.id === naive.breaches.atMostOnce?.trial)
    expect(breach?.executions).toBeGreaterThanOrEqual(2)
    expect(naive?.breaches.atMostOnce?.reason).toBe(
      `executed ${breach?.executions} times after ${breach?.deliveries} deliveries`,
    )

    expect(dedup?.name).toBe('dedup-transfer')
    expect(dedup?.errors).toEqual([])
    expect(dedup?.contracts).toMatchObject({
      atLeastOnce: 'holds',
      atMostOnce: 'holds',
      exactlyOnce: 'holds',
      replyConsistent: 'holds',
    })
    for (const trial of dedup?.trials ?? []) expect([0, 1]).toContain(trial.executions)
  })
})

describe('a probe reading that as: number cannot convert', () => {
  it('stops the check with a scenario error at the selector that names the value', async () => {
    const file = 'fixtures/rpc-demo.yaml'
    const scenario = await loadScenario(file)
    const endpoint = scenario.endpoints.find((e) => e.name === 'naive-increment')
    if (!endpoint?.effect) throw new Error('fixture changed')
    endpoint.effect = {...endpoint.effect, select: '$.key', as: 'number'}
    endpoint.profiles = ['duplicate']
    endpoint.trials = 1
    scenario.endpoints = [endpoint]
    const run = runCheck({scenario, scenarioArg: file, seed: 1})
    await expect(run).rejects.toBeInstanceOf(ScenarioError)
    await expect(run).rejects.toThrow(
      /rpc-demo\.yaml:\d+:\d+: endpoints\[0\]\.effect\.select: the effect probe of endpoint "naive-increment" failed: as: number cannot read what \$\.key selected: the string "fl-[^"]+" is not a number/,
    )
  })
})
