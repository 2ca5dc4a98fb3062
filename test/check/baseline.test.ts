import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {ScenarioError} from '../../src/errors.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'

describe('the clean baseline', () => {
  it('is run again when its attempt timed out, so a retried cold start never becomes "one execution"', async () => {
    const file = 'test/fixtures/cold-start-naive.yaml'
    const result = await runCheck({scenario: await loadScenario(file), scenarioArg: file, seed: 1})
    const endpoint = result.endpoints[0]
    expect(endpoint?.baselineNote).toMatch(/needed 2 tries \(try 1 with a 300ms timeout: attempt 1: no reply within 300ms; attempt 2: 200/)
    // One execution is one increment: the naive counter's duplicates count as two.
    expect(endpoint?.trials.map((t) => t.executions)).toEqual([2, 2])
    expect(endpoint?.contracts.atMostOnce).toBe('broken')
    expect(endpoint?.met).toBe(false)
  })

  it('that never runs cleanly stops the run, saying attempt by attempt what happened and what to change', async () => {
    const file = 'test/fixtures/slower-than-timeout.yaml'
    const error = await runCheck({scenario: await loadScenario(file), scenarioArg: file, seed: 1}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ScenarioError)
    const message = (error as ScenarioError).message
    expect(message).toMatch(/^test\/fixtures\/slower-than-timeout\.yaml:\d+:\d+: endpoints\[0\]\.request: the clean baseline of endpoint "charge" never ran cleanly/)
    expect(message).toMatch(/try 1 with a 300ms timeout: attempt 1: no reply within 300ms; attempt 2: 409 \{"error":"a request with this Idempotency-Key is in progress"\}/)
    expect(message).toMatch(/try 4 with a 2400ms timeout/)
    expect(message).toMatch(/slower than client\.timeout \(300ms\).*raise client\.timeout/)
    expect(message).not.toContain('\n')
  })
})
