import {describe, expect, it} from 'vitest'
import type {CheckResult} from '../../src/check/check-result.js'
import {classifyGrpcStatus, isTransportStatus} from '../../src/check/protocols/grpc-protocol.js'
import {runCheck} from '../../src/check/run-check.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import type {ClientPolicy} from '../../src/scenario/types.js'
import {trialEvents} from '../helpers/trial-events.js'

/**
 * The demo scenario with a client timeout a loaded 2-core machine does not reach by itself
 * (the demo's 300ms is: an attempt that times out spuriously is retried, and its delivery is
 * abandoned, possibly before the server read it).
 */
async function loadDemo() {
  const scenario = await loadScenario('fixtures/grpc-demo.yaml')
  scenario.client.timeout = 1000
  return scenario
}

/** The gRPC fixtures' semantics are known by construction; every seed must find them. */
async function checkGrpcDemo(seed: number, trials = 3): Promise<CheckResult> {
  const scenario = await loadDemo()
  for (const endpoint of scenario.endpoints) endpoint.trials = trials
  return runCheck({scenario, scenarioArg: 'fixtures/grpc-demo.yaml', seed})
}

function byName(result: CheckResult, name: string) {
  const endpoint = result.endpoints.find((e) => e.name === name)
  if (!endpoint) throw new Error(`no endpoint ${name}`)
  return endpoint
}

describe('check on the gRPC demo fixtures', () => {
  for (const seed of [1, 2, 3]) {
    it(`gives the verdicts known by construction (seed ${seed})`, async () => {
      const result = await checkGrpcDemo(seed)
      expect(result.ok).toBe(true)

      const naive = byName(result, 'naive-deposit')
      expect(naive.oracle).toBe('count')
      expect(naive.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken', exactlyOnce: 'broken'})
      expect(naive.breaches.atMostOnce?.timeline.some((e) => e.type === 'fault')).toBe(true)
      // The naive bank executes every delivery, duplicates included (they are real second calls).
      for (const t of naive.trials) expect(t.executions).toBe(t.deliveries)
      for (const t of naive.trials) if (t.profile === 'duplicate') expect(t.executions).toBeGreaterThanOrEqual(2)

      const dedup = byName(result, 'dedup-deposit')
      expect(dedup.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds', replyConsistent: 'holds'})
      for (const t of dedup.trials) expect(t.executions).toBe(1)

      const flaky = byName(result, 'flaky-deposit')
      expect(flaky.contracts.atLeastOnce).toBe('holds')
      // Its first answer is always UNAVAILABLE, and the built-in client retried every time.
      for (const t of flaky.trials) expect(t.outcome).toBe('ok')

      for (const endpoint of result.endpoints) {
        expect(endpoint.notInjected).toEqual([])
        expect(endpoint.errors).toEqual([])
      }
    })
  }

  it('the built-in client waits the server pushback before retrying UNAVAILABLE', async () => {
    const scenario = await loadDemo()
    scenario.client.backoff = 0
    const {events, of} = trialEvents()
    await runCheck({scenario, scenarioArg: 'fixtures/grpc-demo.yaml', seed: 4, only: 'flaky-deposit', trial: 1, events})
    const timeline = of(scenario.endpoints.findIndex((e) => e.name === 'flaky-deposit'), 1)
    const unavailable = timeline.find((e) => e.type === 'attempt-result' && e.detail?.status === 'UNAVAILABLE')
    expect(unavailable?.detail?.retryAfterMs).toBe(20)
    const next = timeline.find((e) => e.type === 'attempt' && e.attempt === (unavailable?.attempt ?? 0) + 1)
    expect((next?.time ?? 0) - (unavailable?.time ?? 0)).toBeGreaterThanOrEqual(19)
  })

  it('a concurrent duplicate executes twice on the naive bank; the dedup bank replays its saved reply', async () => {
    const scenario = await loadDemo()
    scenario.endpoints = scenario.endpoints.filter((e) => e.name !== 'flaky-deposit')
    for (const endpoint of scenario.endpoints) {
      endpoint.profiles = ['duplicate-concurrent']
      endpoint.trials = 3
    }
    const result = await runCheck({scenario, scenarioArg: 'fixtures/grpc-demo.yaml', seed: 8})
    for (const t of byName(result, 'naive-deposit').trials) expect(t.executions).toBe(2)
    const dedup = byName(result, 'dedup-deposit')
    for (const t of dedup.trials) {
      expect(t.deliveries).toBe(2)
      expect(t.executions).toBe(1)
      // Both deliveries got the same reply: the same transaction id.
      expect(t.replies).toHaveLength(2)
      expect(t.replies[1]?.body).toEqual(t.replies[0]?.body)
    }
    expect(dedup.contracts).toMatchObject({exactlyOnce: 'holds', replyConsistent: 'holds'})
  })

  it('a status fault after execution breaks at-most-once on the naive bank and not on the dedup bank', async () => {
    const scenario = await loadDemo()
    for (const endpoint of scenario.endpoints) {
      endpoint.profiles = ['status-unavailable-after-reply']
      endpoint.trials = 2
    }
    const result = await runCheck({scenario, scenarioArg: 'fixtures/grpc-demo.yaml', seed: 9})
    expect(byName(result, 'naive-deposit').contracts.atMostOnce).toBe('broken')
    expect(byName(result, 'dedup-deposit').contracts.exactlyOnce).toBe('holds')
  })
})

describe('crash faults on a gRPC server', () => {
  it('kills and restarts the server at the call; a lost acknowledged effect breaks at-least-once', async () => {
    const scenario = await loadScenario('test/fixtures/grpc-crash.yaml')
    const {events, of} = trialEvents()
    const result = await runCheck({scenario, scenarioArg: 'test/fixtures/grpc-crash.yaml', seed: 21, events})
    const endpoint = byName(result, 'naive-deposit')
    const eventsOf = (trial: number) => of(scenario.endpoints.findIndex((e) => e.name === 'naive-deposit'), trial)
    expect(result.restarts.length).toBe(4)
    expect(endpoint.notInjected).toEqual([])
    expect(endpoint.contracts.atLeastOnce).toBe('broken')
    const breaking = endpoint.trials.find((t) => t.id === endpoint.breaches.atLeastOnce?.trial)
    expect(breaking?.profile).toBe('crash-after-reply')
    expect(endpoint.breaches.atLeastOnce?.reason).toMatch(/lost acknowledged effect/)
    // Retries that arrive while the server restarts (20ms backoff against a >100ms restart) are
    // held by the proxy, not refused: none got UNAVAILABLE, and the retry after crash-before-reply
    // was delivered to the restarted server.
    for (const t of endpoint.trials) {
      const timeline = eventsOf(t.id)
      expect(timeline.some((e) => e.type === 'attempt-result' && e.detail?.status === 'UNAVAILABLE')).toBe(false)
      if (t.profile !== 'crash-before-reply') continue
      const restarted = timeline.findIndex((e) => e.type === 'supervisor' && e.detail?.action === 'restarted')
      expect(restarted).toBeGreaterThan(-1)
      expect(timeline.slice(restarted).some((e) => e.type === 'delivery')).toBe(true)
    }
    // Every delivery here was answered.
    for (const t of endpoint.trials) {
      const timeline = eventsOf(t.id)
      const key = (e: {request?: string; delivery?: number}) => `${e.request}#${e.delivery}`
      const answered = new Set(timeline.filter((e) => e.type === 'reply').map(key))
      for (const d of timeline.filter((e) => e.type === 'delivery')) expect(answered.has(key(d))).toBe(true)
    }
  })
})

describe('gRPC status classification', () => {
  const policy: ClientPolicy = {timeout: 100, attempts: 3, backoff: 0, backoffFactor: 2, retryOn: ['UNAVAILABLE', 'RESOURCE_EXHAUSTED']}
  it('maps codes to outcomes', () => {
    expect(classifyGrpcStatus('OK', policy)).toBe('ok')
    expect(classifyGrpcStatus('UNAVAILABLE', policy)).toBe('retry')
    expect(classifyGrpcStatus('RESOURCE_EXHAUSTED', policy)).toBe('retry')
    expect(classifyGrpcStatus('UNAVAILABLE', {...policy, retryOn: []})).toBe('indeterminate')
    expect(classifyGrpcStatus('INTERNAL', policy)).toBe('indeterminate')
    expect(classifyGrpcStatus('INVALID_ARGUMENT', policy)).toBe('failed')
    expect(classifyGrpcStatus('NOT_FOUND', policy)).toBe('failed')
  })
  it('tells statuses a client synthesised from transport events', () => {
    expect(isTransportStatus('DEADLINE_EXCEEDED', 'Deadline exceeded')).toBe(true)
    expect(isTransportStatus('CANCELLED', 'Call cancelled')).toBe(true)
    expect(isTransportStatus('INTERNAL', 'Received RST_STREAM with code 2 (Internal server error)')).toBe(true)
    expect(isTransportStatus('INTERNAL', 'database on fire')).toBe(false)
    expect(isTransportStatus('UNAVAILABLE', 'Connection dropped')).toBe(false)
  })
})
