import {describe, expect, it} from 'vitest'
import type {CheckResult, EndpointReport} from '../../src/check/check-result.js'
import {toJsonResult} from '../../src/check/json-result.js'
import {measureTrial, type Baseline} from '../../src/check/oracle.js'
import type {PlannedTrial} from '../../src/check/plan.js'
import {ProbeNumber} from '../../src/check/probe-number.js'
import type {PlainReading, ProbeReading} from '../../src/check/probe.js'
import {fromJsonResult} from '../../src/check/result-from-json.js'
import {runCheck} from '../../src/check/run-check.js'
import type {RawTrial} from '../../src/check/trial-runner.js'
import {computeVerdict} from '../../src/check/verdict.js'
import {formatTimeline} from '../../src/report/timeline.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import type {Endpoint} from '../../src/scenario/types.js'

/**
 * effect.replica any|all: every replica read straight, the readings combined by the rule
 * (docs/replicas.md). The fixture, fixtures/servers/replicated-counter.mjs, has known
 * semantics; each expectation below is worked out from its code.
 */

function byName(result: CheckResult, name: string): EndpointReport {
  const endpoint = result.endpoints.find((e) => e.name === name)
  if (!endpoint) throw new Error(`no endpoint ${name}`)
  return endpoint
}

const SEEDS = [1, 2, 3, 4, 5]
// Two replicas started per run, a primary restart per crash trial, on a loaded two-core machine.
const RUN_TIMEOUT = 90_000

describe('effect.replica all|any against the replicated counter, seeds 1–5', {timeout: RUN_TIMEOUT}, () => {
  for (const seed of SEEDS) {
    it(`reply-first/all loses the acknowledged write on the backup, sync/all holds exactly-once, data-only/any executes twice (seed ${seed})`, async () => {
      const file = 'test/fixtures/replicas-any-all.yaml'
      const result = await runCheck({scenario: await loadScenario(file), scenarioArg: file, seed})
      expect(result.aborted).toBeUndefined()
      for (const endpoint of result.endpoints) {
        expect(endpoint.notInjected).toEqual([])
        expect(endpoint.errors).toEqual([])
      }

      // reply-first under crash-after-reply: the primary executes, replies, and would replicate
      // 300 ms later; the proxy passes the reply on (the client sees ok) and SIGKILLs the
      // primary at once, so the write never reaches the backup. Right after the failover the
      // primary is down (not read) and the backup reads 0: under `all` the acknowledged effect
      // is missing on the backup.
      const replyFirst = byName(result, 'reply-first-all')
      expect(replyFirst.contracts.atLeastOnce).toBe('broken')
      const lost = replyFirst.breaches.atLeastOnce
      expect(lost?.reason).toBe('lost acknowledged effect on backup: the client saw ok, then the primary crashed and backup did not have the effect right after the failover (primary was down at the failover probe and not read)')
      const lines = formatTimeline(lost?.timeline ?? [])
      expect(lines.some((l) => l.endsWith('probe   after failover: primary=down backup=0'))).toBe(true)
      expect(lines.some((l) => l.endsWith('probe   before: primary=0 backup=0'))).toBe(true)
      const crashed = replyFirst.trials[0]
      expect(crashed?.replicas?.readings.map((r) => [r.replica, r.afterFailover])).toEqual([
        ['primary', 'down'],
        ['backup', {kind: 'value', value: 0}],
      ])

      // sync replicates the value and the request id to the backup before it replies. A crash
      // before or after the reply leaves the backup with the effect (1 after the failover); the
      // retry (or the late duplicate to the restarted primary, which copied the backup's table)
      // is deduplicated: every replica reads 1 at the end, exactly-once holds under `all`.
      const sync = byName(result, 'sync-all')
      expect(sync.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds'})
      for (const t of sync.trials) {
        expect(t.replicas?.readings.map((r) => [r.replica, r.after, r.executions])).toEqual([
          ['primary', {kind: 'value', value: 1}, 1],
          ['backup', {kind: 'value', value: 1}, 1],
        ])
      }

      // data-only replicates the new value before replying but not the request id. After a
      // crash before the reply the client's retry fails over to the backup, which does not know
      // the id and executes again (2); the restarted primary copies the backup (2). A
      // duplicate on any replica is a duplicate under `any` too: both replicas executed twice.
      const dataOnly = byName(result, 'data-only-any')
      expect(dataOnly.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken'})
      expect(dataOnly.breaches.atMostOnce?.reason).toBe('executed 2 times on primary, backup after 2 deliveries')
    })
  }

  for (const seed of SEEDS) {
    it(`all and any differ when one backup never gets the write: lost on backup-2 under all, held under any (seed ${seed})`, async () => {
      // Three replicas; the primary replicates to the first backup only, so backup-2 reads 0
      // after every write. Under `all` the acknowledged effect is missing on backup-2; under
      // `any` the primary and the backup have it. The duplicate the proxy makes is deduplicated
      // (sync keeps the request id): no replica executed twice.
      const file = 'test/fixtures/replicas-three.yaml'
      const result = await runCheck({scenario: await loadScenario(file), scenarioArg: file, seed})
      const all = byName(result, 'sync-all')
      expect(all.contracts).toMatchObject({atLeastOnce: 'broken', atMostOnce: 'holds'})
      expect(all.breaches.atLeastOnce?.reason).toBe('lost acknowledged effect on backup-2: the client saw ok but backup-2 never had the effect')
      const any = byName(result, 'sync-any')
      expect(any.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds'})
    })
  }
})

/** A crash trial's raw measurements with the given per-replica readings. */
function rawTrial(endpoint: Endpoint, readings: {before: ProbeReading; after: ProbeReading; afterRestart?: ProbeReading}): RawTrial {
  const planned = {id: 1, endpoint, endpointIndex: 0, profile: 'crash-after-reply', faults: [{action: {type: 'crash-after-reply'}, attempt: 1}], toxics: [], variant: 'crash-after-reply', exclusive: true} as unknown as PlannedTrial
  return {
    planned,
    marker: 't0.1',
    substitutions: [],
    operation: {outcome: 'ok', attempts: [{attempt: 1, result: 'reply', status: 200, durationMs: 1}], stoppedEarly: false},
    ...readings,
    crashPoint: 'after-reply',
    timeline: [
      {time: 0, type: 'fault', trial: 't0.1', attempt: 1, fault: 'crash-after-reply'},
      {time: 1, type: 'delivery', trial: 't0.1', attempt: 1, delivery: 1},
      {time: 2, type: 'delivery', trial: 't0.1', attempt: 1, delivery: 2},
    ],
  } as RawTrial
}

const value = (v: number): PlainReading => ({kind: 'value', value: v})
const COUNT: Baseline = {oracle: 'count', unit: ProbeNumber.fromNumber(1)}

function endpointWith(replica: 'any' | 'all'): Endpoint {
  return {name: 'inc', effect: {request: {method: 'GET', path: '/c'}, select: '$.value', oracle: 'auto', volatile: [], replica}} as unknown as Endpoint
}

describe('effect.replica any|all: replicas that could not be read', () => {
  for (const rule of ['any', 'all'] as const) {
    it(`no replica read before and after: the trial is inconclusive, never a pass (${rule})`, () => {
      const down: ProbeReading = {kind: 'replicas', readings: [{replica: 'primary', down: true}, {replica: 'backup', down: true}]}
      const t = measureTrial(endpointWith(rule), COUNT, rawTrial(endpointWith(rule), {before: down, after: down}), 'replay', 1000)
      expect(t.unmeasurableEffect).toBe('no replica could be read (primary, backup down), so nothing can be counted')
      const verdict = computeVerdict('count', [t], ['exactly-once'])
      expect(verdict.contracts.atLeastOnce).toBe('unknown')
      expect(verdict.contracts.atMostOnce).toBe('unknown')
      expect(verdict.inconclusive.atLeastOnce?.[0]?.reason).toMatch(/no replica could be read/)
      expect(verdict.inconclusive.atMostOnce?.[0]?.reason).toMatch(/no replica could be read/)
    })
  }

  it('a replica down only at the failover probe is left out of the crash reading, and the evidence says so', () => {
    const endpoint = endpointWith('all')
    const before: ProbeReading = {kind: 'replicas', readings: [{replica: 'primary', reading: value(0)}, {replica: 'backup', reading: value(0)}]}
    const after: ProbeReading = {kind: 'replicas', readings: [{replica: 'primary', reading: value(1)}, {replica: 'backup', reading: value(1)}]}
    const failover: ProbeReading = {kind: 'replicas', readings: [{replica: 'primary', down: true}, {replica: 'backup', reading: value(1)}]}
    const t = measureTrial(endpoint, COUNT, rawTrial(endpoint, {before, after, afterRestart: failover}), 'replay', 1000)
    expect(t.effectAfterRestart).toBe(true)
    expect(computeVerdict('count', [t], ['at-least-once']).contracts.atLeastOnce).toBe('holds')

    // The JSON result carries every replica's readings, and reads back as it was written.
    const json = toJsonResult({seed: 1, ok: true, scenario: 'x.yaml', durationMs: 1, restarts: [], endpoints: [{...computeVerdict('count', [t], []), name: 'inc', expect: [], oracle: 'count', inferred: false, trials: [t], notInjected: [], errors: [], variants: {}} as unknown as EndpointReport]})
    const back = fromJsonResult(JSON.parse(JSON.stringify(json)) as typeof json)
    expect(back.endpoints[0]?.trials[0]?.replicas).toEqual(t.replicas)
    expect(t.replicas?.readings[0]).toMatchObject({replica: 'primary', afterFailover: 'down', executions: 1})
  })

  it('a duplicate on one replica is a duplicate under any, naming that replica', () => {
    const endpoint = endpointWith('any')
    const before: ProbeReading = {kind: 'replicas', readings: [{replica: 'primary', reading: value(0)}, {replica: 'backup', reading: value(0)}]}
    const after: ProbeReading = {kind: 'replicas', readings: [{replica: 'primary', reading: value(1)}, {replica: 'backup', reading: value(2)}]}
    const t = measureTrial(endpoint, COUNT, rawTrial(endpoint, {before, after}), 'replay', 1000)
    const verdict = computeVerdict('count', [t], ['at-most-once'])
    expect(verdict.contracts.atMostOnce).toBe('broken')
    expect(verdict.breaches.atMostOnce?.reason).toBe('executed 2 times on backup after 2 deliveries')
  })
})
