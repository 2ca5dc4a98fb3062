import {randomBytes, randomUUID} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {draftFromHar} from '../../src/init/from-har.js'
import {startFixtureProcess} from '../helpers/fixture-process.js'
import {recordHar, type RecordedCallSpec} from '../helpers/har-recorder.js'
import {writeAndLoad} from '../helpers/init-scenario.js'
import {testDir} from '../helpers/temp-dir.js'

/** A JSON-RPC client's traffic: per key a get, an increment with a request id, a get. */
function rpcTraffic(): RecordedCallSpec[] {
  const calls: RecordedCallSpec[] = []
  let id = 0
  const call = (method: string, params: unknown): RecordedCallSpec => ({method: 'POST', path: '/rpc', body: {jsonrpc: '2.0', id: ++id, method, params}})
  for (const method of ['increment', 'dedupIncrement']) {
    for (let i = 0; i < 2; i++) {
      const key = `acct${randomBytes(4).toString('hex')}`
      calls.push(call('get', {key}), call(method, {key, by: 1, requestId: randomUUID()}), call('get', {key}))
    }
  }
  return calls
}

describe('round trip over JSON-RPC: recorded calls -> init -> check', () => {
  it('finds the counters\' known verdicts, with every reply compared with the recorded one', async () => {
    const dir = testDir('fl-rpc-roundtrip-')
    const server = await startFixtureProcess('fixtures/servers/jsonrpc-counter.mjs')
    const harFile = join(dir, 'rpc.har')
    writeFileSync(harFile, JSON.stringify(await recordHar(server.url, rpcTraffic())))
    const {scenario} = await writeAndLoad(dir, await draftFromHar(harFile))
    expect(scenario.target).toMatchObject({protocol: 'jsonrpc', url: `${server.url}/rpc`, jsonrpc: {requestId: {param: '$.requestId'}}})
    expect(scenario.endpoints.map((e) => [e.name, e.effect?.select, e.recordedReply])).toEqual([
      ['increment', '$.value', {status: 200, body: {result: {key: '{{key}}', value: 1}}}],
      ['dedupIncrement', '$.value', {status: 200, body: {result: {key: '{{key}}', value: 1}}}],
    ])
    for (const endpoint of scenario.endpoints) endpoint.trials = 3
    scenario.client.timeout = 1000
    const result = await runCheck({scenario, scenarioArg: 'scenario.yaml', seed: 8})
    const [naive, dedup] = result.endpoints
    expect(naive?.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken', replyConsistent: 'broken'})
    expect(dedup?.contracts).toMatchObject({exactlyOnce: 'holds', replyConsistent: 'holds'})
  }, 120_000)
})
