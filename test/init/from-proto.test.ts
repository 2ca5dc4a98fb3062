import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {startBankServer} from '../../fixtures/servers/grpc-bank.mjs'
import {runCheck} from '../../src/check/run-check.js'
import {ScenarioError} from '../../src/errors.js'
import {draftFromProto} from '../../src/init/from-proto.js'
import {writeAndLoad} from '../helpers/init-scenario.js'
import {testDir} from '../helpers/temp-dir.js'

describe('init --from a .proto file', () => {
  it('proposes one endpoint per unary write with a probe, and check on it finds the banks\' known verdicts', async () => {
    const bank = await startBankServer({port: 0})
    onTestFinished(() => bank.close())
    const dir = testDir('fl-proto-')
    const draft = draftFromProto('fixtures/grpc/bank.proto', {upstream: `grpc://127.0.0.1:${bank.port}`, outDir: dir})
    const {scenario, text} = await writeAndLoad(dir, draft)
    expect(scenario.endpoints.map((e) => [e.name, e.expect])).toEqual([
      ['NaiveBank.Deposit', ['at-most-once']],
      ['DedupBank.Deposit', ['at-most-once']],
      ['FlakyBank.Deposit', ['at-most-once']],
    ])
    expect(scenario.endpoints[0]?.request).toEqual({
      method: 'bank.NaiveBank/Deposit',
      message: {account: '{{key}}', amount: 1, request_id: '{{requestId}}'},
      metadata: {'x-request-id': '{{requestId}}'},
    })
    expect(scenario.endpoints[0]?.effect).toMatchObject({request: {method: 'bank.NaiveBank/Balance', message: {account: '{{key}}'}}, select: '$.deposits'})
    expect(text).toContain('Streaming methods are not tested (faultline checks unary calls): bank.NaiveBank/Watch.')
    expect(text).toContain('Reads used as probes, not tested themselves: bank.NaiveBank/Balance')

    for (const endpoint of scenario.endpoints) endpoint.trials = 2
    scenario.endpoints = scenario.endpoints.slice(0, 2)
    scenario.client.timeout = 1000
    const result = await runCheck({scenario, scenarioArg: 'scenario.yaml', seed: 6})
    expect(result.endpoints[0]?.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken'})
    expect(result.endpoints[1]?.contracts).toMatchObject({exactlyOnce: 'holds'})
  }, 120_000)

  it('refuses a .proto that does not parse, naming its line', () => {
    const file = join(testDir('fl-proto-'), 'broken.proto')
    writeFileSync(file, 'syntax = "proto3";\npackage x;\n\nmessage A {\n  string a = 1\n}\n')
    let message = ''
    try {
      draftFromProto(file)
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError)
      message = (error as Error).message
    }
    expect(message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:6: cannot parse the \\.proto file: .*; fix the file so protoc would accept it$`))
  })
})
