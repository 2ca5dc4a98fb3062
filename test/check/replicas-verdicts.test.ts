import {describe, expect, it} from 'vitest'
import type {CheckResult, EndpointReport} from '../../src/check/check-result.js'
import {RunDir} from '../../src/check/run-dir.js'
import {runCheck} from '../../src/check/run-check.js'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {formatTimeline} from '../../src/report/timeline.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {expectNothingLeft} from './replica-leftovers.js'

const SCENARIO = 'fixtures/replicas-demo.yaml'

function byName(result: CheckResult, name: string): EndpointReport {
  const endpoint = result.endpoints.find((e) => e.name === name)
  if (!endpoint) throw new Error(`no endpoint ${name}`)
  return endpoint
}

describe('replicated targets: failover verdicts of fixtures with known semantics', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`sync holds exactly-once, reply-first loses an acknowledged write, data-only executes twice after failover (seed ${seed})`, async () => {
      const scenario = await loadScenario(SCENARIO)
      const events = new EventLog()
      const seen: ProxyEvent[] = []
      events.on('event', (e) => seen.push(e))
      const runDir = RunDir.create()
      let result: CheckResult
      try {
        result = await runCheck({scenario, scenarioArg: SCENARIO, seed, events, runDir})
      } finally {
        await runDir.remove()
      }
      expect(result.aborted).toBeUndefined()
      for (const endpoint of result.endpoints) {
        expect(endpoint.notInjected).toEqual([])
        expect(endpoint.errors).toEqual([])
      }

      const sync = byName(result, 'sync-increment')
      expect(sync.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds'})
      for (const t of sync.trials) expect(t.executions).toBe(1)
      const syncBefore = sync.trials.find((t) => t.profile === 'crash-before-reply')
      // The retry failed over to the backup, which answered with the replicated saved reply.
      expect(syncBefore?.timeline.some((e) => e.type === 'delivery' && e.proxy === 'backup')).toBe(true)
      expect(syncBefore?.deliveriesAfterRestart).toBeGreaterThanOrEqual(1)

      const replyFirst = byName(result, 'reply-first-increment')
      expect(replyFirst.contracts).toMatchObject({atLeastOnce: 'broken', atMostOnce: 'holds'})
      expect(replyFirst.breaches.atLeastOnce?.reason).toBe('lost acknowledged effect: the client saw ok, then the primary crashed and the replica that took over did not have the effect')
      expect(replyFirst.breaches.atLeastOnce?.fault).toBe('crash-after-reply')
      expect(replyFirst.breaches.atLeastOnce?.timeline.some((e) => e.type === 'probe' && e.detail?.when === 'after failover')).toBe(true)

      const dataOnly = byName(result, 'data-only-increment')
      expect(dataOnly.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken'})
      expect(dataOnly.breaches.atMostOnce?.reason).toMatch(/executed 2 times after 2 deliveries/)
      expect(result.endpoints.every((e) => e.met)).toBe(true)

      // Every line of a failover timeline about a proxy or a server names its replica.
      const timeline = dataOnly.breaches.atMostOnce?.timeline ?? []
      for (const e of timeline) if (['request', 'delivery', 'reply', 'reply-end', 'fault'].includes(e.type)) expect(['primary', 'backup']).toContain(e.proxy)
      // So does every probe reading (effect.replica: backup): the replica it read.
      const lines = formatTimeline(timeline)
      expect(lines.some((l) => l.endsWith('probe   after failover: backup=1'))).toBe(true)
      expect(lines.some((l) => l.endsWith('probe   after: backup=2'))).toBe(true)

      // Nothing is left: no process of any replica, no port (two replicas, two proxies, no link proxy), no run folder.
      await expectNothingLeft(seen, runDir.path, 4)
    })
  }
})
