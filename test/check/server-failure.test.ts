import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {EXIT} from '../../src/errors.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'

describe('a server that fails during a check run', () => {
  it('exits on its own mid-run: the run stops with an environment failure quoting its log tail', async () => {
    const scenario = await loadScenario('test/fixtures/exits-mid-run.yaml')
    const result = await runCheck({scenario, scenarioArg: 'test/fixtures/exits-mid-run.yaml', seed: 1})
    expect(result.ok).toBe(false)
    expect(result.aborted).toMatchObject({code: 'FL_SERVER_EXIT', exitCode: EXIT.environment})
    expect(result.aborted?.message).toMatch(/exited with code 70 unexpectedly/)
    expect(result.aborted?.message).toMatch(/\| exits-mid-run: giving up on purpose at increment 6/)
    // It did not run all 20 trials against a dead server: the endpoint is aborted, not judged.
    expect(result.endpoints[0]).toMatchObject({name: 'increment', met: false, aborted: expect.stringMatching(/exited with code 70/)})
    expect(result.endpoints[0]?.trials).toEqual([])
  })

  it('will not come back after a crash: the run stops with exit 3 and the restart log tail', async () => {
    const scenario = await loadScenario('test/fixtures/restart-fails.yaml')
    const result = await runCheck({scenario, scenarioArg: 'test/fixtures/restart-fails.yaml', seed: 1})
    expect(result.aborted?.exitCode).toBe(EXIT.environment)
    expect(result.aborted?.message).toMatch(/exited with code 1 before it became ready/)
    expect(result.aborted?.message).toMatch(/refusing to start again/)
  })

  it('keeps the verdicts of endpoints that finished before the server died, and marks the rest aborted', async () => {
    const file = 'test/fixtures/exits-after-first-endpoint.yaml'
    const result = await runCheck({scenario: await loadScenario(file), scenarioArg: file, seed: 3})
    expect(result.aborted?.code).toBe('FL_SERVER_EXIT')
    const [first, second] = result.endpoints
    expect(first).toMatchObject({name: 'first', met: true})
    expect(first?.aborted).toBeUndefined()
    expect(first?.contracts.atLeastOnce).toBe('holds')
    expect(first?.contracts.atMostOnce).toBe('broken')
    expect(second).toMatchObject({name: 'second', met: false, aborted: expect.stringMatching(/giving up on purpose after 7 requests/)})
  })
})
