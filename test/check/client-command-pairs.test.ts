import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'

/**
 * Pair verdicts: a real client library (fixtures/clients/) in front of a fixture server whose
 * semantics are known by construction, as a client.command scenario, on seeds 1 to 5. Each
 * scenario's profiles are chosen so the verdict follows from the library's documented retry
 * policy and the server's code; the scenario files say why, case by case.
 */
async function pairVerdicts(file: string, options: {env?: NodeJS.ProcessEnv; command?: (command: string) => string; seeds?: number[]} = {}) {
  // The seeds run side by side: each run has its own server, port and proxies.
  return Promise.all(
    (options.seeds ?? SEEDS).map(async (seed) => {
      const scenario = await loadScenario(file)
      if (options.command && scenario.clientCommand) scenario.clientCommand.command = options.command(scenario.clientCommand.command)
      const result = await runCheck({scenario, scenarioArg: file, seed, env: options.env ?? process.env})
      const [endpoint] = result.endpoints
      // Every planned fault fired: the verdicts rest on injected trials only.
      expect(endpoint?.notInjected).toEqual([])
      return {seed, ...endpoint?.contracts}
    }),
  )
}

const SEEDS = [1, 2, 3, 4, 5]
// Five runs of a real client library per test, on a loaded two-core machine.
const PAIR_TIMEOUT = 180_000

const onEverySeed = (contracts: Record<string, string>) => SEEDS.map((seed) => expect.objectContaining({seed, ...contracts}))

describe('client.command: pair verdicts of real client libraries, seeds 1–5', {timeout: PAIR_TIMEOUT}, () => {
  it('plain fetch × naive counter, POST: a lost request is never retried (at-least-once broken); a duplicate executes twice', async () => {
    expect(await pairVerdicts('fixtures/pair-fetch-naive.yaml')).toEqual(onEverySeed({atLeastOnce: 'broken', atMostOnce: 'broken'}))
  })

  it('undici RetryAgent × dedup counter, POST with a fixed Idempotency-Key: POST is never retried (at-least-once broken), duplicates are replayed (at-most-once holds)', async () => {
    expect(await pairVerdicts('fixtures/pair-retryagent-dedup-post.yaml')).toEqual(onEverySeed({atLeastOnce: 'broken', atMostOnce: 'holds'}))
  })

  it('undici RetryAgent × PUT store: retried after resets and 503 (at-least-once holds), repeats leave one state (idempotent holds)', async () => {
    expect(await pairVerdicts('fixtures/pair-retryagent-put.yaml')).toEqual(onEverySeed({atLeastOnce: 'holds', idempotent: 'holds'}))
  })

  it('the same PUT scenario with plain fetch instead: the verdict follows the client (at-least-once broken)', async () => {
    const fetchOnce = (command: string) => command.replace('undici-retry-agent.mjs', 'fetch-once.mjs')
    expect(await pairVerdicts('fixtures/pair-retryagent-put.yaml', {command: fetchOnce, seeds: [1]})).toEqual([expect.objectContaining({atLeastOnce: 'broken'})])
  })

  it('grpc-js with a retryPolicy × DedupBank: UNAVAILABLE is retried (at-least-once holds), the retry after an executed call is deduplicated (at-most-once holds)', async () => {
    const env = {...process.env, GRPC_RETRY: '--retry-policy'}
    expect(await pairVerdicts('fixtures/pair-grpc-deposit.yaml', {env})).toEqual(onEverySeed({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds'}))
  })

  it('grpc-js without a retryPolicy × DedupBank: UNAVAILABLE ends the call (at-least-once broken)', async () => {
    const env = {...process.env, GRPC_RETRY: ''}
    expect(await pairVerdicts('fixtures/pair-grpc-deposit.yaml', {env})).toEqual(onEverySeed({atLeastOnce: 'broken'}))
  })

  it('urllib3 Retry × PUT store: retried on 503 and after a reset reply (at-least-once and idempotent hold)', async () => {
    expect(await pairVerdicts('fixtures/pair-urllib3-put.yaml')).toEqual(onEverySeed({atLeastOnce: 'holds', idempotent: 'holds'}))
  })

  it('urllib3 Retry × naive counter, POST: a 503 is not retried for POST (at-least-once broken)', async () => {
    expect(await pairVerdicts('fixtures/pair-urllib3-post.yaml')).toEqual(onEverySeed({atLeastOnce: 'broken'}))
  })
})
