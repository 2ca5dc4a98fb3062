import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {scenarioFromSource} from '../../src/init/source-scenario.js'
import {demoTraffic} from '../helpers/demo-traffic.js'
import {startFixtureProcess} from '../helpers/fixture-process.js'
import {runCli} from '../helpers/run-cli.js'
import type {CallSpec} from '../helpers/send-calls.js'
import {testDir} from '../helpers/temp-dir.js'
import {harErrors, harValidator} from '../record/har-validator.js'
import {recordCallsThroughCli} from '../record/record-calls.js'

interface JsonReport {
  seed: number
  endpoints: Array<{name: string; expect: string[]; met: boolean; oracle: string; inferred: boolean; contracts: Record<string, string>; trials: Array<{profile: string; replay: string}>}>
}

/** A client that only writes: two increments per counter and two PUTs, each on a fresh key. */
function writesOnly(): CallSpec[] {
  return demoTraffic().filter((call) => call.method !== 'GET')
}

describe('faultline check --from a HAR recording (the built binary)', () => {
  it('replays what faultline record recorded of a client under the given profiles and reports their verdicts', async () => {
    const dir = testDir('fl-check-from-')
    const server = await startFixtureProcess('fixtures/servers/demo.mjs', ['--data', join(dir, 'data')])
    const recorded = await recordCallsThroughCli(server.url, demoTraffic())
    expect(recorded.code).toBe(0)
    expect(harErrors(harValidator(), recorded.har)).toBe('')
    const har = recorded.file

    const r = await runCli(['check', '--from', har, '--upstream', server.url, '--profiles', 'drop-reply,duplicate-sequential', '--seed', '3', '--json'], {timeoutMs: 180_000})
    // The naive counter breaks the guessed at-most-once: exit 1, as for any unmet expectation.
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout) as JsonReport
    expect(report.seed).toBe(3)
    const byName = Object.fromEntries(report.endpoints.map((e) => [e.name, e]))
    expect(Object.keys(byName)).toEqual(['post-naive-counters-increment', 'post-dedup-counters-increment', 'put-put-kv'])
    // The client read each write's resource before and after it: those reads are the effect probes.
    expect(report.endpoints.map((e) => [e.oracle, e.inferred])).toEqual([['count', false], ['count', false], ['state', false]])
    expect(byName['post-naive-counters-increment']?.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken', replyConsistent: 'broken'})
    expect(byName['post-dedup-counters-increment']).toMatchObject({met: true, contracts: {exactlyOnce: 'holds', replyConsistent: 'holds'}})
    expect(byName['put-put-kv']).toMatchObject({met: true, contracts: {idempotent: 'holds'}})
    const trials = report.endpoints.flatMap((e) => e.trials)
    expect(new Set(trials.map((t) => t.profile))).toEqual(new Set(['drop-reply', 'duplicate-sequential']))
    expect(trials[0]?.replay).toBe(`faultline check --from ${har} --upstream ${server.url} --profiles drop-reply,duplicate-sequential --seed 3 --only post-naive-counters-increment --trial 1`)
  }, 200_000)

  it('judges by the replies alone (inferred) a recording of a client that never reads', async () => {
    const dir = testDir('fl-check-from-')
    const server = await startFixtureProcess('fixtures/servers/demo.mjs', ['--data', join(dir, 'data')])
    const recorded = await recordCallsThroughCli(server.url, writesOnly())
    expect(recorded.code).toBe(0)
    expect(harErrors(harValidator(), recorded.har)).toBe('')
    const {scenario, replayArgs} = await scenarioFromSource(recorded.file, {profiles: ['duplicate']})
    for (const endpoint of scenario.endpoints) endpoint.trials = 3
    scenario.client.timeout = 1000
    const result = await runCheck({scenario, scenarioArg: replayArgs.join(' '), seed: 1})
    const byName = Object.fromEntries(result.endpoints.map((e) => [e.name, {oracle: e.oracle, inferred: e.inferred, contracts: e.contracts}]))
    expect(Object.keys(byName)).toEqual(['post-naive-counters-increment', 'post-dedup-counters-increment', 'put-put-kv'])
    // By construction: the naive counter answers a duplicate with the next value, the dedup counter replays its reply.
    expect(byName['post-naive-counters-increment']).toMatchObject({oracle: 'reply', inferred: true, contracts: {atMostOnce: 'broken', replyConsistent: 'broken'}})
    expect(byName['post-dedup-counters-increment']).toMatchObject({oracle: 'reply', inferred: true, contracts: {atMostOnce: 'holds', replyConsistent: 'holds'}})
    expect(byName['put-put-kv']).toMatchObject({oracle: 'reply', inferred: true, contracts: {replyConsistent: 'holds'}})
  }, 120_000)

  it('refuses bad combinations and names in one line with exit 2', async () => {
    const dir = testDir('fl-check-from-')
    const remote = join(dir, 'remote.har')
    writeFileSync(remote, JSON.stringify({log: {version: '1.2', creator: {name: 't', version: '1'}, entries: [
      {startedDateTime: '2026-11-30T09:00:00Z', time: 1, request: {method: 'POST', url: 'https://api.example.com/orders', headers: [], postData: {mimeType: 'application/json', text: '{"n":1}'}}, response: {status: 201, content: {text: '{"id":"ord_1a2b3c"}'}}},
    ]}}))
    const cases: Array<[string[], string]> = [
      [['check', 'fixtures/demo.yaml', '--from', 'fixtures/har/demo.har'], 'faultline: give a scenario file or --from fixtures/har/demo.har, not both\n'],
      [['check', 'fixtures/demo.yaml', '--upstream', 'http://127.0.0.1:1'], 'faultline: --upstream goes with --from; a scenario file names its target.url itself\n'],
      [['check', '--from', 'fixtures/har/demo.har', '--profiles', 'drop-replay'], 'faultline: --profiles: unknown profile "drop-replay" (did you mean drop-reply?); faultline profiles lists them\n'],
      [['check', '--from', remote], 'faultline: --upstream: the recording went to https://api.example.com, which faultline never contacts; give --upstream with the loopback URL of the server to test, e.g. --upstream http://127.0.0.1:3000\n'],
      [['check'], 'faultline: give a scenario file (faultline check scenario.yaml), or --from a HAR recording with --upstream URL\n'],
    ]
    for (const [args, stderr] of cases) {
      const r = await runCli(args)
      expect({args, code: r.code, stderr: r.stderr}).toEqual({args, code: 2, stderr})
    }
  }, 120_000)
})
