import {connect} from 'node:net'
import {existsSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {CheckResult, EndpointReport} from '../../src/check/check-result.js'
import {RunDir} from '../../src/check/run-dir.js'
import {runCheck} from '../../src/check/run-check.js'
import type {ProxyEvent} from '../../src/events/event-log.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {trialEvents} from '../helpers/trial-events.js'
import {liveGroupMembers} from '../supervisor/helpers.js'

const SCENARIO = 'fixtures/replicas-demo.yaml'

function byName(result: CheckResult, name: string): EndpointReport {
  const endpoint = result.endpoints.find((e) => e.name === name)
  if (!endpoint) throw new Error(`no endpoint ${name}`)
  return endpoint
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({port, host: '127.0.0.1'})
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Ports of every replica (from their commands) and every proxy (from their listen events). */
function portsOf(events: ProxyEvent[]): number[] {
  const replicas = events.flatMap((e) => (e.type === 'supervisor' && e.detail?.action === 'started' ? [Number(/--port (\d+)/.exec(String(e.detail.command))?.[1])] : []))
  const proxies = events.flatMap((e) => (e.type === 'listen' && typeof e.detail?.url === 'string' ? [Number(new URL(e.detail.url).port)] : []))
  return [...new Set([...replicas, ...proxies])]
}

describe('replicated targets: failover verdicts of fixtures with known semantics', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`sync holds exactly-once, reply-first loses an acknowledged write, data-only executes twice after failover (seed ${seed})`, async () => {
      const scenario = await loadScenario(SCENARIO)
      const {events, of} = trialEvents()
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
      const syncBeforeEvents = syncBefore ? of(scenario.endpoints.findIndex((e) => e.name === 'sync-increment'), syncBefore.id) : []
      expect(syncBeforeEvents.some((e) => e.type === 'delivery' && e.proxy === 'backup')).toBe(true)
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

      // Nothing is left: no process of any replica, no port, no run folder.
      const groups = seen.flatMap((e) => (e.type === 'supervisor' && e.detail?.action === 'started' ? [Number(e.detail.pid)] : []))
      expect(groups.length).toBeGreaterThanOrEqual(2)
      for (const pgid of groups) expect(liveGroupMembers(pgid)).toEqual([])
      const ports = portsOf(seen)
      expect(ports.length).toBe(4)
      for (const port of ports) expect(await accepts(port)).toBe(false)
      expect(existsSync(runDir.path)).toBe(false)
    })
  }
})
