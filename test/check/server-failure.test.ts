import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {EnvironmentError} from '../../src/errors.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {ServerError} from '../../src/supervisor/server-error.js'

describe('a server that fails during a check run', () => {
  it('exits on its own mid-run: the run stops with an environment error quoting its log tail', async () => {
    const scenario = await loadScenario('test/fixtures/exits-mid-run.yaml')
    const started = performance.now()
    const error = await runCheck({scenario, scenarioArg: 'test/fixtures/exits-mid-run.yaml', seed: 1}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ServerError)
    const serverError = error as ServerError
    expect(serverError).toBeInstanceOf(EnvironmentError)
    expect(serverError.exitCode).toBe(3)
    expect(serverError.code).toBe('FL_SERVER_EXIT')
    expect(serverError.message).toMatch(/exited with code 70 unexpectedly/)
    expect(serverError.message).toMatch(/\| exits-mid-run: giving up on purpose at increment 6/)
    expect(performance.now() - started).toBeLessThan(15_000) // it did not run all 20 trials against a dead server
  })

  it('will not come back after a crash: the run stops with exit 3 and the restart log tail', async () => {
    const scenario = await loadScenario('test/fixtures/restart-fails.yaml')
    const error = await runCheck({scenario, scenarioArg: 'test/fixtures/restart-fails.yaml', seed: 1}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ServerError)
    expect((error as ServerError).exitCode).toBe(3)
    expect((error as ServerError).message).toMatch(/exited with code 1 before it became ready/)
    expect((error as ServerError).message).toMatch(/refusing to start again/)
  })
})
