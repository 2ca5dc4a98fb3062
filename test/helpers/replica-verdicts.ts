import {describe, it} from 'vitest'
import type {CheckResult, EndpointReport} from '../../src/check/check-result.js'
import {RunDir} from '../../src/check/run-dir.js'
import {runCheck} from '../../src/check/run-check.js'
import type {ProxyEvent} from '../../src/events/event-log.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {formatTimeline} from '../../src/report/timeline.js'
import {expectNothingLeft} from '../check/replica-leftovers.js'
import {trialEvents} from './trial-events.js'

function byName(result: CheckResult, name: string): EndpointReport {
  const endpoint = result.endpoints.find((e) => e.name === name)
  if (!endpoint) throw new Error(`no endpoint ${name}`)
  return endpoint
}

/** One run of a replicated scenario: its result, every event, any trial's events, and its (removed) run folder. */
export async function runReplicated(file: string, seed: number) {
  const scenario = await loadScenario(file)
  const {events, of} = trialEvents()
  const seen: ProxyEvent[] = []
  events.on('event', (e) => seen.push(e))
  const runDir = RunDir.create()
  try {
    const result: CheckResult = await runCheck({scenario, scenarioArg: file, seed, events, runDir})
    return {scenario, result, seen, of, runDir: runDir.path}
  } finally {
    await runDir.remove()
  }
}

/**
 * The failover verdicts of a replicated counter demo (sync, reply-first, data-only endpoints
 * over one primary and one backup, probes reading the backup) on seeds 1–5, for a protocol
 * whose fixture shares the replication logic of fixtures/servers/lib/replicated-counter.mjs
 * (http: replicated-counter.mjs, jsonrpc: -rpc.mjs, grpc: -grpc.mjs).
 * Each expected verdict follows from the fixture and the oracles, as written beside it.
 */
export function describeReplicaVerdicts(protocol: string, scenarioFile: string): void {
  // One seed at a time: while a killed primary is down, its port is free, and a socket of a
  // run beside it could take it before the restart (EADDRINUSE), which side by side runs made likely.
  describe(`replicated ${protocol} targets: failover verdicts of fixtures with known semantics`, () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      it(`sync holds exactly-once, reply-first loses an acknowledged write, data-only executes twice after failover (seed ${seed})`, {timeout: 120_000}, async ({expect}) => {
        const {scenario, result, seen, of, runDir} = await runReplicated(scenarioFile, seed)
        expect(result.aborted).toBeUndefined()
        for (const endpoint of result.endpoints) {
          expect(endpoint.notInjected).toEqual([])
          expect(endpoint.errors).toEqual([])
        }

        // sync: the primary replicates the new value and the request id with its saved reply
        // before it replies. crash-before-reply: the backup already has the id, so the retry
        // that fails over to it gets the saved reply (1 execution). crash-after-reply: the
        // client's ok is backed by the backup's copy (at-least-once), and the late duplicate
        // on the restarted primary finds the id in the state it copied (1 execution).
        const sync = byName(result, 'sync-increment')
        expect(sync.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds'})
        for (const t of sync.trials) expect(t.executions).toBe(1)
        const syncBefore = sync.trials.find((t) => t.profile === 'crash-before-reply')
        // Its events come from the run's event log (the result keeps evidence timelines only).
        const syncBeforeEvents = syncBefore ? of(scenario.endpoints.findIndex((e) => e.name === 'sync-increment'), syncBefore.id) : []
        expect(syncBeforeEvents.some((e) => e.type === 'delivery' && e.proxy === 'backup')).toBe(true)
        expect(syncBefore?.deliveriesAfterRestart).toBeGreaterThanOrEqual(1)

        // reply-first: the primary replies, then replicates --lag ms later (1 s in the demos). crash-after-reply
        // kills it right after the client got ok, long before the replication, so the backup
        // the probe reads after the failover has no effect: a lost acknowledged effect.
        // at-most-once holds: a duplicate is answered from the primary's own table.
        const replyFirst = byName(result, 'reply-first-increment')
        expect(replyFirst.contracts).toMatchObject({atLeastOnce: 'broken', atMostOnce: 'holds'})
        expect(replyFirst.breaches.atLeastOnce?.reason).toBe('lost acknowledged effect: the client saw ok, then the primary crashed and the replica that took over did not have the effect')
        expect(replyFirst.breaches.atLeastOnce?.fault).toBe('crash-after-reply')
        expect(replyFirst.breaches.atLeastOnce?.timeline.some((e) => e.type === 'probe' && e.detail?.when === 'after failover')).toBe(true)

        // data-only: the primary replicates the new value but not the request id before it
        // replies. crash-before-reply: the backup holds 1, the client's retry fails over to
        // it and, with no record of the id, it executes again: 2 executions (at-most-once
        // broken). at-least-once holds: every ok is on the backup.
        const dataOnly = byName(result, 'data-only-increment')
        expect(dataOnly.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken'})
        expect(dataOnly.breaches.atMostOnce?.reason).toMatch(/executed 2 times after 2 deliveries/)
        expect(dataOnly.breaches.atMostOnce?.fault).toBe('crash-before-reply')
        const timeline = dataOnly.breaches.atMostOnce?.timeline ?? []
        // The retry went to the backup, and every line about a proxy or a server names its replica.
        expect(timeline.some((e) => e.type === 'delivery' && e.proxy === 'backup')).toBe(true)
        for (const e of timeline) if (['request', 'delivery', 'reply', 'reply-end', 'fault'].includes(e.type)) expect(['primary', 'backup']).toContain(e.proxy)
        expect(result.endpoints.every((e) => e.met)).toBe(true)

        // So does every probe reading (effect.replica: backup): the replica it read.
        const lines = formatTimeline(timeline)
        expect(lines.some((l) => l.endsWith('probe   after failover: backup=1'))).toBe(true)
        expect(lines.some((l) => l.endsWith('probe   after: backup=2'))).toBe(true)

        // Nothing is left: no process of any replica, no port (two replicas, two proxies, no link proxy), no run folder.
        expectNothingLeft(seen, runDir, 4)
      })
    }
  })
}
