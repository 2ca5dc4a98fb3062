import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import type {Scenario} from '../../src/scenario/types.js'
import {trialEvents} from '../helpers/trial-events.js'

/** Run a client.command fixture scenario once, after `edit`; its one endpoint's report, and each trial's events. */
async function check(file: string, edit: (scenario: Scenario) => void = () => undefined, seed = 1) {
  const scenario = await loadScenario(file)
  edit(scenario)
  const {events, of} = trialEvents()
  const result = await runCheck({scenario, scenarioArg: file, seed, events})
  const [endpoint] = result.endpoints
  if (!endpoint) throw new Error('no endpoint report')
  return Object.assign(endpoint, {eventsOf: (trial: number) => of(0, trial)})
}

/** Point the scenario's command and match at another operation of the same server. */
function operation(scenario: Scenario, from: string, to: string, match: NonNullable<Scenario['endpoints'][number]['match']>) {
  const command = scenario.clientCommand
  const endpoint = scenario.endpoints[0]
  if (!command || !endpoint) throw new Error('fixture changed')
  command.command = command.command.replace(from, to)
  endpoint.match = match
}

describe('client.command over each protocol', {timeout: 120_000}, () => {
  it('JSON-RPC: attempts are the calls of the matched method; the read before them passes untouched', async () => {
    const report = await check('fixtures/pair-jsonrpc.yaml')
    expect(report.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds', replyConsistent: 'holds'})
    const trial = report.trials.find((t) => t.profile === 'drop-request')
    const timeline = trial ? report.eventsOf(trial.id) : []
    const requests = timeline.filter((e) => e.type === 'request')
    // The client's `get` first (no attempt number), then dedupIncrement twice: the fault hit attempt 1.
    expect(requests.map((e) => e.attempt)).toEqual([undefined, 1, 2])
    expect(timeline.find((e) => e.type === 'fault')).toMatchObject({fault: 'drop-request', attempt: 1})
    expect(trial).toMatchObject({outcome: 'ok', attempts: 2, deliveries: 1})
  })

  it('JSON-RPC: the same client on the naive method executes the duplicate (at-most-once broken)', async () => {
    const report = await check('fixtures/pair-jsonrpc.yaml', (s) => operation(s, ' dedupIncrement', ' increment', {rpcMethod: 'increment'}))
    expect(report.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken'})
  })

  it('framed TCP: attempts are the frames whose fields match', async () => {
    const report = await check('fixtures/pair-tcp.yaml')
    expect(report.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds'})
    const naive = await check('fixtures/pair-tcp.yaml', (s) => operation(s, '"op":"dedupIncrement"', '"op":"increment"', {fields: {'$.op': 'increment'}}))
    expect(naive.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken'})
  })

  it('a match no request of the client fits: the baseline says so instead of judging untested trials', async () => {
    const error = await check('fixtures/pair-tcp.yaml', (s) => {
      const endpoint = s.endpoints[0]
      if (endpoint) endpoint.match = {fields: {'$.op': 'nothing'}}
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    )
    expect(error?.message).toMatch(/endpoints\[0\]\.match: the clean baseline .*no request matched the endpoint, so no attempt was made/)
  })

  it('crash faults: the server restarts under a client command; an acknowledged PUT lost with the in-memory store breaks at-least-once', async () => {
    const report = await check('fixtures/pair-retryagent-put.yaml', (s) => {
      for (const endpoint of s.endpoints) endpoint.profiles = ['crash-before-reply', 'crash-after-reply']
    })
    const before = report.trials.find((t) => t.profile === 'crash-before-reply')
    const after = report.trials.find((t) => t.profile === 'crash-after-reply')
    // Killed before replying: RetryAgent retries the PUT on the restarted server, which executes it.
    expect(before).toMatchObject({injected: true, outcome: 'ok', effectVisible: true})
    // Killed right after the reply the client accepted: the store forgot it.
    expect(after).toMatchObject({injected: true, outcome: 'ok', effectAfterRestart: false})
    expect(report.contracts.atLeastOnce).toBe('broken')
    expect(report.breaches.atLeastOnce?.reason).toMatch(/lost acknowledged effect/)
  })
})
