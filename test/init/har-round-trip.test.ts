import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it, onTestFinished} from 'vitest'
// @ts-expect-error: a plain .mjs fixture without types
import {createCounterApp} from '../../fixtures/servers/counter.mjs'
import type {CheckResult} from '../../src/check/check-result.js'
import {runCheck} from '../../src/check/run-check.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import type {RequestTemplate, Scenario} from '../../src/scenario/types.js'
import {demoTraffic} from '../helpers/demo-traffic.js'
import {startFixtureProcess} from '../helpers/fixture-process.js'
import {runCli} from '../helpers/run-cli.js'
import {startHttpServer} from '../helpers/servers.js'
import type {CallSpec} from '../helpers/send-calls.js'
import {testDir} from '../helpers/temp-dir.js'
import {harErrors, harValidator} from '../record/har-validator.js'
import {recordCallsThroughCli} from '../record/record-calls.js'

/** The same settings demo-verdicts.test.ts uses, so a loaded machine gives the same verdicts. */
function tune(scenario: Scenario): Scenario {
  for (const endpoint of scenario.endpoints) endpoint.trials = 4
  scenario.client.timeout = 1000
  return scenario
}

/** Contracts per request path: the one thing both scenarios name alike. */
function verdictsByPath(scenario: Scenario, result: CheckResult): Record<string, unknown> {
  return Object.fromEntries(
    result.endpoints.map((e) => {
      const endpoint = scenario.endpoints.find((x) => x.name === e.name)
      return [(endpoint?.request as RequestTemplate).path, {oracle: e.oracle, contracts: e.contracts}]
    }),
  )
}

describe('round trip: a client through faultline record -> init --from -> check', () => {
  it('gives the verdicts of the hand-written demo scenario for the recorded endpoints', async () => {
    const dir = testDir('fl-roundtrip-')
    const server = await startFixtureProcess('fixtures/servers/demo.mjs', ['--data', join(dir, 'data')])
    const calls = demoTraffic()
    const recorded = await recordCallsThroughCli(server.url, calls)
    expect(recorded.code).toBe(0)
    expect(harErrors(harValidator(), recorded.har)).toBe('')
    expect(recorded.har.log.entries.map((e) => [e.request.method, e.request.url])).toEqual(calls.map((c) => [c.method, new URL(c.path, server.url).href]))
    expect(recorded.har.log.entries.map((e) => e.response.status)).toEqual(recorded.statuses)

    const scenarioFile = join(dir, 'scenario.yaml')
    const init = await runCli(['init', '--from', recorded.file, '--out', scenarioFile])
    expect(init).toMatchObject({code: 0, stderr: expect.stringMatching(/wrote .*scenario\.yaml \(3 endpoints\)/) as unknown})
    const generated = tune(await loadScenario(scenarioFile))
    expect(generated.target).toMatchObject({protocol: 'http', url: server.url})
    const demo = tune(await loadScenario('fixtures/demo.yaml'))
    const recordedPaths = generated.endpoints.map((e) => (e.request as RequestTemplate).path)
    // The demo lists the dedup server twice (once for its crash profile); keep the endpoints the traffic has, once.
    demo.endpoints = demo.endpoints.filter((e, i, all) => recordedPaths.includes((e.request as RequestTemplate).path) && e.profiles.join() === demo.profiles.join() && all.findIndex((o) => (o.request as RequestTemplate).path === (e.request as RequestTemplate).path) === i)
    expect(demo.endpoints.map((e) => e.name)).toEqual(['naive-increment', 'dedup-increment', 'put-value'])

    for (const seed of [1, 2]) {
      const fromHar = await runCheck({scenario: generated, scenarioArg: 'scenario.yaml', seed})
      const handWritten = await runCheck({scenario: demo, scenarioArg: 'fixtures/demo.yaml', seed})
      expect(verdictsByPath(generated, fromHar)).toEqual(verdictsByPath(demo, handWritten))
      // And they are the verdicts known by construction.
      expect(verdictsByPath(generated, fromHar)).toMatchObject({
        '/naive/counters/{{key}}/increment': {oracle: 'count', contracts: {atLeastOnce: 'holds', atMostOnce: 'broken'}},
        '/dedup/counters/{{key}}/increment': {oracle: 'count', contracts: {exactlyOnce: 'holds', replyConsistent: 'holds'}},
        '/put/kv/{{key}}': {oracle: 'state', contracts: {idempotent: 'holds'}},
      })
    }
  }, 240_000)

  it('leaves out a request the server never answered while recording (status 0), and the scenario still checks', async () => {
    // The naive counter, whose connection is reset on the first increment: the recorder writes that entry with status 0.
    const app = createCounterApp() as (req: IncomingMessage, res: ServerResponse) => void
    let resetOne = true
    const server = await startHttpServer((req, res) => {
      if (req.method === 'POST' && resetOne) {
        resetOne = false
        req.socket.destroy()
        return
      }
      app(req, res)
    })
    onTestFinished(server.close)
    const dir = testDir('fl-roundtrip-')
    const keys = [randomBytes(6).toString('hex'), randomBytes(6).toString('hex')]
    const calls: CallSpec[] = [
      {method: 'POST', path: `/counters/${randomBytes(6).toString('hex')}/increment`, body: {by: 1}},
      ...keys.flatMap((key) => [{method: 'GET', path: `/counters/${key}`}, {method: 'POST', path: `/counters/${key}/increment`, body: {by: 1}}, {method: 'GET', path: `/counters/${key}`}]),
    ]
    const recorded = await recordCallsThroughCli(server.url, calls)
    expect(recorded.code).toBe(0)
    expect(harErrors(harValidator(), recorded.har)).toBe('')
    expect(recorded.har.log.entries.map((e) => e.response.status)).toEqual([0, 200, 200, 200, 200, 200, 200])

    const scenarioFile = join(dir, 'scenario.yaml')
    expect(await runCli(['init', '--from', recorded.file, '--out', scenarioFile])).toMatchObject({code: 0})
    const scenario = await loadScenario(scenarioFile)
    expect(readFileSync(scenarioFile, 'utf8')).toContain('# 1 request(s) that got no reply (status 0')
    const [increment] = scenario.endpoints
    expect(scenario.endpoints).toHaveLength(1)
    expect(increment).toMatchObject({recordedReply: {status: 200, body: {key: '{{key}}', value: 1}}, effect: {select: '$.value'}})
    for (const endpoint of scenario.endpoints) endpoint.trials = 2
    scenario.client.timeout = 1000
    const result = await runCheck({scenario, scenarioArg: 'scenario.yaml', seed: 1})
    expect(result.endpoints[0]).toMatchObject({oracle: 'count', contracts: {atMostOnce: 'broken', atLeastOnce: 'holds'}})
  }, 120_000)

  it('reads the replies of a server that compresses them (the client accepts gzip, as fetch does)', async () => {
    const counters = new Map<string, number>()
    const server = await startHttpServer((req, res) => {
      const [, key, write] = /^\/counters\/(\w+)(\/increment)?$/.exec(req.url ?? '') ?? []
      if (key === undefined) return void res.writeHead(404).end()
      if (write) counters.set(key, (counters.get(key) ?? 0) + 1)
      req.resume()
      res.writeHead(200, {'content-type': 'application/json', 'content-encoding': 'gzip'})
      res.end(gzipSync(JSON.stringify({key, value: counters.get(key) ?? 0})))
    })
    onTestFinished(server.close)
    const dir = testDir('fl-roundtrip-')
    const headers = {'accept-encoding': 'gzip, deflate'}
    const calls: CallSpec[] = [randomBytes(6).toString('hex'), randomBytes(6).toString('hex')].flatMap((key) => [
      {method: 'GET', path: `/counters/${key}`, headers},
      {method: 'POST', path: `/counters/${key}/increment`, headers, body: {by: 1}},
      {method: 'GET', path: `/counters/${key}`, headers},
    ])
    const recorded = await recordCallsThroughCli(server.url, calls)
    expect(recorded.code).toBe(0)
    expect(harErrors(harValidator(), recorded.har)).toBe('')

    const scenarioFile = join(dir, 'scenario.yaml')
    expect(await runCli(['init', '--from', recorded.file, '--out', scenarioFile])).toMatchObject({code: 0})
    const [increment] = (await loadScenario(scenarioFile)).endpoints
    // The reads' counts are what the probe is guessed from; the write's reply is what every reply is compared with.
    expect(increment).toMatchObject({effect: {select: '$.value'}, recordedReply: {status: 200, body: {key: '{{key}}', value: 1}}})
  }, 120_000)
})
