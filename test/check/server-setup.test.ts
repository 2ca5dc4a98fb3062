import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {RunDir} from '../../src/check/run-dir.js'
import {runCheck} from '../../src/check/run-check.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {ServerError} from '../../src/supervisor/index.js'

const SCENARIO = 'fixtures/grpc-seeded-bank.yaml'
const runDirs: RunDir[] = []

/** A run folder the test reads after the run (a library run removes its own), removed after the test. */
function keptRunDir(): RunDir {
  const dir = RunDir.create()
  runDirs.push(dir)
  return dir
}

afterEach(async () => {
  for (const dir of runDirs.splice(0)) await dir.remove()
})

const count = (text: string, pattern: RegExp): number => text.match(new RegExp(pattern, 'gm'))?.length ?? 0

describe('target.server.setup', () => {
  it('seeds the data once per run: not again on a crash restart, so the seeded balances and the effects survive', async () => {
    const scenario = await loadScenario(SCENARIO)
    const result = await runCheck({scenario, scenarioArg: SCENARIO, seed: 5, runDir: keptRunDir()})
    const log = result.serverLog as string

    expect(result.restarts.length).toBe(2)
    const text = readFileSync(log, 'utf8')
    expect(count(text, /^==> faultline .*: start #\d+ of /)).toBe(3)
    expect(count(text, /^==> faultline .*: setup: `mkdir -p /)).toBe(1)
    expect(count(text, /^seeded .*naive-accounts\.json$/)).toBe(1)
    // The setup ran (and finished) before the first start.
    expect(text.indexOf('seeded ')).toBeLessThan(text.indexOf('start #1 of'))

    // A setup run again on restart would have copied the seed over the saved balances:
    // a lost acknowledged effect.
    const [endpoint] = result.endpoints
    expect(endpoint?.contracts.atLeastOnce).toBe('holds')
    expect(result.ok).toBe(true)
    // The server loaded the seeded file and kept its account next to the trials' ones.
    const accounts = JSON.parse(readFileSync(join(dirname(log), 'data', 'naive-accounts.json'), 'utf8')) as Record<string, unknown>
    expect(accounts['opening-balance']).toEqual({balance: 100, deposits: 1})
    expect(Object.keys(accounts).length).toBeGreaterThan(1)
  })

  it('a failing setup stops the run as an environment failure (exit 3) quoting its output; the server never starts', async () => {
    const scenario = await loadScenario(SCENARIO)
    if (!scenario.target.server) throw new Error('the fixture has a server block')
    scenario.target.server.setup = 'echo "restoring snapshot" && echo "error: snapshot.tar not found" && exit 5'
    const error = await runCheck({scenario, scenarioArg: SCENARIO, seed: 1, runDir: keptRunDir()}).then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(error).toBeInstanceOf(ServerError)
    const failure = error as ServerError
    expect(failure.code).toBe('FL_SERVER_SETUP')
    expect(failure.exitCode).toBe(3)
    expect(failure.message).toContain('exited with code 5. The server was not started.')
    expect(failure.message).toContain('| error: snapshot.tar not found')
    expect(failure.logTail).toEqual(['restoring snapshot', 'error: snapshot.tar not found'])
    expect(readFileSync(failure.logFile, 'utf8')).not.toContain('start #1')
  })
})
