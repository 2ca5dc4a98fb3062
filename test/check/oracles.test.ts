import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {ScenarioError} from '../../src/errors.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'

describe('oracles', () => {
  it('without an effect probe, compares replies and labels the verdicts inferred', async () => {
    const scenario = await loadScenario('test/fixtures/reply-oracle.yaml')
    const result = await runCheck({scenario, scenarioArg: 'reply-oracle.yaml', seed: 21})
    const [naive, dedup] = result.endpoints
    expect(naive).toMatchObject({oracle: 'reply', inferred: true})
    expect(naive?.contracts.atMostOnce).toBe('broken') // a second delivery got a new counter value
    expect(naive?.contracts.atLeastOnce).toBe('unknown') // replies cannot prove an effect
    expect(dedup).toMatchObject({oracle: 'reply', inferred: true, met: true})
    expect(dedup?.contracts.atMostOnce).toBe('holds')
    expect(dedup?.contracts.replyConsistent).toBe('holds')
  })

  it('rejects a probe that sees no effect of a clean execution, naming the endpoint', async () => {
    const scenario = await loadScenario('test/fixtures/no-effect.yaml')
    const run = runCheck({scenario, scenarioArg: 'no-effect.yaml', seed: 1})
    await expect(run).rejects.toBeInstanceOf(ScenarioError)
    await expect(run).rejects.toThrow(/endpoint "increment" sees no effect: \$\.value was 0 before and after a clean execution/)
  })
})

describe('effects applied after the reply', () => {
  it('are waited for before a lost effect is concluded (no false at-least-once breach)', async () => {
    const scenario = await loadScenario('test/fixtures/write-behind.yaml')
    const result = await runCheck({scenario, scenarioArg: 'write-behind.yaml', seed: 2})
    const endpoint = result.endpoints[0]
    expect(endpoint?.oracle).toBe('count')
    expect(endpoint?.contracts.atLeastOnce).toBe('holds')
    for (const t of endpoint?.trials ?? []) if (t.injected) expect(t.executions).toBe(1)
  })
})
