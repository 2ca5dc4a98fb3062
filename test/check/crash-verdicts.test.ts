import {describe, expect, it} from 'vitest'
import type {CheckResult, EndpointReport} from '../../src/check/check-result.js'
import {runCheck} from '../../src/check/run-check.js'
import type {ProxyEvent} from '../../src/events/event-log.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {trialEvents} from '../helpers/trial-events.js'

const SCENARIO = 'test/fixtures/crash-semantics.yaml'

async function checkCrashes(seed: number, extra?: (s: Awaited<ReturnType<typeof loadScenario>>) => void) {
  const scenario = await loadScenario(SCENARIO)
  extra?.(scenario)
  const {events, of} = trialEvents()
  const seen: ProxyEvent[] = []
  events.on('event', (e) => seen.push(e))
  const result = await runCheck({scenario, scenarioArg: SCENARIO, seed, events})
  const eventsOf = (endpoint: string, trial: number) => of(scenario.endpoints.findIndex((e) => e.name === endpoint), trial)
  return {result, events: seen, eventsOf}
}

function byName(result: CheckResult, name: string): EndpointReport {
  const endpoint = result.endpoints.find((e) => e.name === name)
  if (!endpoint) throw new Error(`no endpoint ${name}`)
  return endpoint
}

/** Plan and verdicts; the naive endpoint is left out: under load its retries may race its timeout. */
const shape = (r: CheckResult) => r.endpoints.filter((e) => e.name !== 'naive-in-memory').map((e) => ({name: e.name, contracts: e.contracts, trials: e.trials.map((t) => [t.id, t.profile, t.fault, t.executions])}))
const firstRuns = new Map<number, CheckResult>()

describe('verdicts under crash faults (fixtures with known semantics)', () => {
  for (const seed of [1, 2, 3]) {
    it(`durable dedup holds exactly-once, in-memory key table breaks at-most-once, ack-first loses an acknowledged effect (seed ${seed})`, async () => {
      const {result, eventsOf} = await checkCrashes(seed)
      firstRuns.set(seed, result)
      expect(result.seed).toBe(seed)
      for (const endpoint of result.endpoints) {
        expect(endpoint.notInjected).toEqual([])
        expect(endpoint.errors).toEqual([])
      }

      const durable = byName(result, 'durable')
      expect(durable.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds', replyConsistent: 'holds'})
      expect(durable.met).toBe(true)
      for (const t of durable.trials) {
        expect(t.executions).toBe(1)
        expect(t.outcome).toBe('ok')
        if (t.profile === 'crash-before-reply') {
          // The client never got the first reply: that attempt is indeterminate, a retry decided.
          expect(t.attempts).toBeGreaterThan(1)
          expect(eventsOf('durable', t.id).some((e) => e.type === 'attempt-result' && e.attempt === 1 && e.status === undefined)).toBe(true)
          // The execution was saved before the kill; the retry got the saved reply.
          expect(t.effectSurvivedCrash).toBe(true)
          expect(t.effectAfterRestart).toBeNull() // nothing was acknowledged before the crash
        }
        if (t.profile === 'crash-after-reply') {
          expect(t.attempts).toBe(1)
          expect(t.effectAfterRestart).toBe(true)
          expect(t.deliveries).toBe(2) // the duplicate reached the restarted server
        }
        if (t.profile === 'client-abort') expect(t.deliveries).toBeGreaterThanOrEqual(2)
      }
      // Every trial the at-most-once verdict rests on is a crash or abort trial.
      expect(durable.evidence.atMostOnce.length).toBe(durable.trials.length)

      const dedup = byName(result, 'dedup-in-memory-table')
      expect(dedup.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken', exactlyOnce: 'broken'})
      expect(dedup.breaches.atMostOnce?.reason).toMatch(/executed 2 times after 2 deliveries/)
      expect(dedup.breaches.atMostOnce?.fault).toBe('crash-after-reply')
      expect(dedup.met).toBe(true) // expect: at-least-once

      const ackFirst = byName(result, 'ack-first')
      expect(ackFirst.contracts).toMatchObject({atLeastOnce: 'broken', exactlyOnce: 'broken'})
      expect(ackFirst.breaches.atLeastOnce?.reason).toMatch(/^lost acknowledged effect/)
      for (const t of ackFirst.trials) expect(t.effectAfterRestart).toBe(false)
      // The effect is visible again at the end only because the duplicate re-applied it.
      expect(ackFirst.breaches.atLeastOnce?.timeline.some((e) => e.type === 'probe' && e.detail?.when === 'after restart')).toBe(true)

      // A naive in-memory server loses the first execution with the crash: the retry is no
      // duplicate of anything, so no verdict on duplicates may rest on it.
      const naive = byName(result, 'naive-in-memory')
      const erased = naive.trials[0]
      expect(erased?.effectSurvivedCrash).toBe(false)
      expect(naive.contracts.atLeastOnce).toBe('holds')
      expect(naive.contracts.atMostOnce).not.toBe('holds')
      // Under load a held retry may be delivered just as the client times out: then the naive
      // server really executes twice after the restart, and that breach is real.
      if ((erased?.executions ?? 0) <= 1) expect(naive.contracts).toMatchObject({atMostOnce: 'unknown', idempotent: 'unknown'})
      else expect(naive.contracts.atMostOnce).toBe('broken')

      // One restart per crash trial, each measured.
      const crashTrials = result.endpoints.flatMap((e) => e.trials).filter((t) => t.profile.startsWith('crash-'))
      expect(result.restarts).toHaveLength(crashTrials.length)
      for (const ms of result.restarts) expect(ms).toBeGreaterThan(0)
    })
  }

  it('crash trials run alone while other trials run concurrently', async () => {
    const {result, events} = await checkCrashes(7, (scenario) => {
      const naive = scenario.endpoints.find((e) => e.name === 'naive-in-memory')
      if (!naive) throw new Error('fixture changed')
      // Two endpoints are enough: one with crash trials, one whose trials may overlap.
      scenario.endpoints = [scenario.endpoints[0] as typeof naive, {...naive, name: 'naive-duplicates', profiles: ['duplicate', 'drop-reply'], trials: 6}]
      scenario.concurrency = 8
    })
    const windows = new Map<string, {from: number; to: number}>()
    for (const e of events) {
      if (e.trial === undefined) continue
      const w = windows.get(e.trial)
      windows.set(e.trial, w ? {from: Math.min(w.from, e.time), to: Math.max(w.to, e.time)} : {from: e.time, to: e.time})
    }
    const crashMarkers: string[] = []
    result.endpoints.forEach((endpoint, index) => {
      for (const t of endpoint.trials) if (t.profile.startsWith('crash-')) crashMarkers.push(`t${index}.${t.id}`)
    })
    expect(crashMarkers.length).toBeGreaterThan(0)
    for (const marker of crashMarkers) {
      const w = windows.get(marker)
      expect(w).toBeDefined()
      const intruders = events.filter((e) => e.trial !== undefined && e.trial !== marker && e.time > (w?.from ?? 0) && e.time < (w?.to ?? 0))
      expect(intruders.map((e) => `${e.trial} ${e.type}`)).toEqual([])
    }
    // …while the ordinary trials did overlap each other.
    const ordinary = [...windows.entries()].filter(([m]) => m.startsWith('t1.') && m !== 't1.0').map(([, w]) => w)
    const overlapped = ordinary.some((a, i) => ordinary.some((b, j) => i !== j && a.from < b.to && b.from < a.to))
    expect(overlapped).toBe(true)
  })

  it('the same seed gives the same crash trials and verdicts', async () => {
    const first = firstRuns.get(1) ?? (await checkCrashes(1)).result
    const again = await checkCrashes(1)
    expect(shape(again.result)).toEqual(shape(first))
  })
})
