import {randomBytes, randomUUID} from 'node:crypto'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {CheckResult} from '../../src/check/check-result.js'
import {runCheck} from '../../src/check/run-check.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import type {JsonRpcRequestTemplate, Scenario} from '../../src/scenario/types.js'
import {startFixtureProcess} from '../helpers/fixture-process.js'
import {runCli} from '../helpers/run-cli.js'
import type {CallSpec} from '../helpers/send-calls.js'
import {testDir} from '../helpers/temp-dir.js'
import {harErrors, harValidator} from '../record/har-validator.js'
import {recordCallsThroughCli} from '../record/record-calls.js'

/** A JSON-RPC client's traffic: per key a get, an increment with a request id, a get. */
function rpcTraffic(): CallSpec[] {
  const calls: CallSpec[] = []
  let id = 0
  const call = (method: string, params: unknown): CallSpec => ({method: 'POST', path: '/rpc', body: {jsonrpc: '2.0', id: ++id, method, params}})
  for (const method of ['increment', 'dedupIncrement']) {
    for (let i = 0; i < 2; i++) {
      const key = `acct${randomBytes(4).toString('hex')}`
      calls.push(call('get', {key}), call(method, {key, by: 1, requestId: randomUUID()}), call('get', {key}))
    }
  }
  return calls
}

/** The same settings for both scenarios, so a loaded machine gives both the same verdicts. */
function tune(scenario: Scenario): Scenario {
  for (const endpoint of scenario.endpoints) endpoint.trials = 3
  scenario.client.timeout = 1000
  return scenario
}

/** Oracle and contracts per JSON-RPC method: the one thing both scenarios name alike. */
function verdictsByMethod(scenario: Scenario, result: CheckResult): Record<string, unknown> {
  return Object.fromEntries(
    result.endpoints.map((e) => {
      const request = scenario.endpoints.find((x) => x.name === e.name)?.request as JsonRpcRequestTemplate
      return [request.calls[0]?.method, {oracle: e.oracle, contracts: e.contracts}]
    }),
  )
}

describe('round trip over JSON-RPC: a client through faultline record --protocol jsonrpc -> init --from -> check', () => {
  it('gives the verdicts of the hand-written rpc-demo scenario for the recorded methods, every reply compared with the recorded one', async () => {
    const dir = testDir('fl-rpc-roundtrip-')
    const server = await startFixtureProcess('fixtures/servers/jsonrpc-counter.mjs')
    const calls = rpcTraffic()
    const recorded = await recordCallsThroughCli(server.url, calls, {protocol: 'jsonrpc'})
    expect(recorded.code).toBe(0)
    expect(harErrors(harValidator(), recorded.har)).toBe('')
    expect(recorded.har.log.entries.map((e) => JSON.parse(e.request.postData?.text ?? 'null') as unknown)).toEqual(calls.map((c) => c.body))
    const scenarioFile = join(dir, 'scenario.yaml')
    expect(await runCli(['init', '--from', recorded.file, '--out', scenarioFile])).toMatchObject({code: 0})
    const scenario = await loadScenario(scenarioFile)
    expect(scenario.target).toMatchObject({protocol: 'jsonrpc', url: `${server.url}/rpc`, jsonrpc: {requestId: {param: '$.requestId'}}})
    expect(scenario.endpoints.map((e) => [e.name, e.effect?.select, e.recordedReply])).toEqual([
      ['increment', '$.value', {status: 200, body: {result: {key: '{{key}}', value: 1}}}],
      ['dedupIncrement', '$.value', {status: 200, body: {result: {key: '{{key}}', value: 1}}}],
    ])
    const generated = tune(scenario)
    // The hand-written scenario's endpoints for the same methods (not its batch endpoint: a client sent no batch).
    const handWritten = tune(await loadScenario('fixtures/rpc-demo.yaml'))
    handWritten.endpoints = handWritten.endpoints.filter((e) => !(e.request as JsonRpcRequestTemplate).batch)
    expect(handWritten.endpoints.map((e) => e.name)).toEqual(['naive-increment', 'dedup-increment'])

    for (const seed of [1, 2]) {
      const fromHar = await runCheck({scenario: generated, scenarioArg: 'scenario.yaml', seed})
      const demo = await runCheck({scenario: handWritten, scenarioArg: 'fixtures/rpc-demo.yaml', seed})
      expect(verdictsByMethod(generated, fromHar)).toEqual(verdictsByMethod(handWritten, demo))
      // And they are the verdicts known by construction.
      expect(verdictsByMethod(generated, fromHar)).toMatchObject({
        increment: {oracle: 'count', contracts: {atLeastOnce: 'holds', atMostOnce: 'broken', replyConsistent: 'broken'}},
        dedupIncrement: {oracle: 'count', contracts: {exactlyOnce: 'holds', replyConsistent: 'holds'}},
      })
    }
  }, 240_000)
})
