import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import type {TrialResult} from '../../src/check/trial-result.js'
import {computeVerdict} from '../../src/check/verdict.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {ROOT} from '../helpers/run-cli.js'
import {testDir} from '../helpers/temp-dir.js'

function trial(overrides: Partial<TrialResult>): TrialResult {
  return {
    id: 1, profile: 'duplicate-sequential', fault: 'duplicate', variant: 'duplicate(sequential)', seeksSecondDelivery: true, injected: true,
    outcome: 'ok', attempts: 1, deliveries: 2, deliveriesAfterRestart: null, executions: null, stateMatchesClean: null, effectVisible: null,
    effectAfterRestart: null, effectSurvivedCrash: null, stoppedEarly: false, replies: [], timeline: [], replay: 'faultline check x.yaml --seed 1 --only e --trial 1',
    ...overrides,
  }
}

const saved = {status: 200, ok: true, body: {key: '{{key}}', value: 1}}

describe('a recorded reply', () => {
  it('breaks reply-consistent when the replies agree with each other but not with the recording', () => {
    const replies = [{delivery: 1, attempt: 1, ...saved}, {delivery: 2, attempt: 1, ...saved}]
    expect(computeVerdict('reply', [trial({replies})], []).contracts.replyConsistent).toBe('holds')
    const v = computeVerdict('reply', [trial({replies, recordedReply: {status: 201, body: {key: '{{key}}', value: 1}}})], [])
    expect(v.contracts.replyConsistent).toBe('broken')
    expect(v.breaches.replyConsistent?.reason).toMatch(/attempt 1 got 200 .* but the recording got 201 \{"key":"\{\{key\}\}","value":1\}/)
    expect(computeVerdict('reply', [trial({replies, recordedReply: {status: 200, body: saved.body}})], []).contracts.replyConsistent).toBe('holds')
  })

  it('is compared with every reply of a live check, volatile fields left out', async () => {
    const dir = testDir('fl-recorded-')
    const file = join(dir, 'recorded.yaml')
    const endpoint = (name: string, recorded: string) => `
  - name: ${name}
    request: {method: POST, path: /dedup/counters/{{key}}/increment, headers: {Idempotency-Key: "{{requestId}}"}, body: {by: 1}}
    volatile: [$.note]
    recorded: ${recorded}`
    writeFileSync(file, `version: 1
target:
  protocol: http
  url: http://127.0.0.1:{{port}}
  server: {command: node fixtures/servers/demo.mjs --port {{port}} --data {{runDir}}/data, ready: {http: /health}, cwd: ${JSON.stringify(ROOT)}}
client: {timeout: 1s, attempts: 3, backoff: 10ms}
endpoints:${endpoint('same', '{status: 200, body: {key: "{{key}}", value: 1, note: recorded at 09:00}}')}${endpoint('other', '{status: 200, body: {key: "{{key}}", value: 7}}')}
profiles: [duplicate-sequential]
trials: 2
`)
    const scenario = await loadScenario(file)
    expect(scenario.endpoints[0]?.recordedReply).toEqual({status: 200, body: {key: '{{key}}', value: 1, note: 'recorded at 09:00'}})
    const result = await runCheck({scenario, scenarioArg: file, seed: 3})
    const [same, other] = result.endpoints
    expect(same?.contracts.replyConsistent).toBe('holds')
    expect(other?.contracts.replyConsistent).toBe('broken')
    expect(other?.breaches.replyConsistent?.reason).toMatch(/but the recording got 200 \{"key":"\{\{key\}\}","value":7\}/)
  }, 60_000)
})
