import {describe, expect, it} from 'vitest'
import type {CheckResult} from '../../src/check/check-result.js'
import {toJsonResult} from '../../src/check/json-result.js'
import {runCheck, type CheckOptions} from '../../src/check/run-check.js'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {formatJUnitReport} from '../../src/report/junit-report.js'
import {formatMarkdownReport} from '../../src/report/markdown-report.js'
import {formatCheckReport} from '../../src/report/terminal-report.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'

const NAIVE = 'test/fixtures/shrink-naive.yaml'
const RACY = 'test/fixtures/shrink-racy.yaml'
const TWO_FAULTS = 'test/fixtures/shrink-two-faults.yaml'

/** A check of one fixture, with every `shrink` event it recorded. */
async function check(file: string, seed: number, options: Partial<CheckOptions> = {}): Promise<{result: CheckResult; reruns: ProxyEvent[]}> {
  const scenario = await loadScenario(file)
  const events = new EventLog()
  const reruns: ProxyEvent[] = []
  events.on('event', (e) => {
    if (e.type === 'shrink') reruns.push(e)
  })
  const result = await runCheck({scenario, scenarioArg: file, seed, events, shrink: true, ...options})
  return {result, reruns}
}

const broke = (e: ProxyEvent) => e.detail?.broke as string[]

describe('shrinking on the naive counter', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`finds a dropped reply on attempt 1 as the minimal breach of at-most-once (seed ${seed})`, async () => {
      const {result, reruns} = await check(NAIVE, seed)
      const endpoint = result.endpoints[0]!
      // The first breach is the delay past the timeout (the first profile), not the simplest fault.
      expect(endpoint.breaches.atMostOnce?.fault).toMatch(/^delay\(request \d+ms\)$/)
      const minimal = endpoint.minimal?.atMostOnce
      expect(minimal).toMatchObject({fault: 'drop-reply on attempt 1', simpler: true, trial: '1c2', reruns: 2})
      expect(minimal?.replay).toBe(`faultline check ${NAIVE} --seed ${seed} --only naive-increment --trial 1 --candidate 2`)
      // The simpler dropped request was tried first and broke nothing: it never makes a second delivery.
      expect(reruns.map((e) => [e.detail?.candidate, e.detail?.fault])).toEqual([
        [1, 'drop-request on attempt 1'],
        [2, 'drop-reply on attempt 1'],
      ])
      expect(broke(reruns[0]!)).toEqual([])
      expect(broke(reruns[1]!)).toEqual(expect.arrayContaining(['at-most-once', 'exactly-once', 'idempotent']))
      expect(endpoint.shrink?.reruns).toBe(2)
      expect(minimal?.timeline.some((e) => e.type === 'fault' && e.fault === 'drop-reply')).toBe(true)
    })
  }

  it('shrinks a two-fault trial to one fault on the earliest attempt', async () => {
    const {result, reruns} = await check(TWO_FAULTS, 1)
    const endpoint = result.endpoints[0]!
    expect(endpoint.breaches.atMostOnce?.fault).toBe('duplicate(concurrent) + drop-reply')
    expect(endpoint.minimal?.atMostOnce).toMatchObject({fault: 'drop-reply on attempt 1', simpler: true, trial: '1c1', reruns: 1})
    expect(reruns).toHaveLength(1)
  })
})

describe('shrinking on the racy dedup counter', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`needs a concurrent duplicate: no sequential one breaks at-most-once (seed ${seed})`, async () => {
      const {result, reruns} = await check(RACY, seed)
      const endpoint = result.endpoints[0]!
      expect(endpoint.contracts.atMostOnce).toBe('broken')
      const minimal = endpoint.minimal?.atMostOnce
      expect(minimal?.fault).toBe('duplicate(concurrent) on attempt 1')
      // Either the first breach was the concurrent duplicate itself, or a delayed one shrank to it.
      expect(minimal?.simpler).toBe(endpoint.breaches.atMostOnce?.fault !== 'duplicate(concurrent)')
      const sequential = reruns.filter((e) => e.detail?.fault === 'duplicate(sequential) on attempt 1')
      expect(sequential).toHaveLength(1)
      expect(broke(sequential[0]!)).not.toContain('at-most-once')
      for (const e of reruns) expect(e.detail?.of).toBe(endpoint.breaches.atMostOnce?.trial)
    })
  }
})

describe('shrinking, its bounds and its reports', () => {
  it('gives the same minimal case for the same seed, and reports it everywhere breaches are shown', async () => {
    const a = await check(NAIVE, 7)
    const b = await check(NAIVE, 7)
    const shape = (r: CheckResult) =>
      Object.fromEntries(Object.entries(r.endpoints[0]!.minimal ?? {}).map(([name, m]) => [name, [m.fault, m.trial, m.simpler, m.reruns, m.replay]]))
    expect(shape(b.result)).toEqual(shape(a.result))
    expect(Object.keys(shape(a.result)).sort()).toEqual(['atMostOnce', 'exactlyOnce', 'idempotent', 'replyConsistent'])
    expect(b.reruns.map((e) => e.detail)).toEqual(a.reruns.map((e) => e.detail))

    const text = formatCheckReport(a.result, {color: false})
    expect(text).toMatch(/minimal: drop-reply on attempt 1 breaks at-most-once, exactly-once, idempotent, reply-consistent; 2 re-runs, \d+\.\d s/)
    expect(text).toContain(`replay minimal: faultline check ${NAIVE} --seed 7 --only naive-increment --trial 1 --candidate 2`)
    expect(text).toMatch(/shrinking: 2 re-runs, \d+\.\d s/)
    expect(formatMarkdownReport(a.result)).toContain('minimal: drop-reply on attempt 1 breaks at-most-once, exactly-once, idempotent, reply-consistent')
    const json = toJsonResult(a.result).endpoints[0]!
    expect(json.minimal.atMostOnce).toMatchObject({fault: 'drop-reply on attempt 1', trial: '1c2', reruns: 2})
    expect(json.shrink?.reruns).toBe(2)
    // An expectation of at-least-once is met here; JUnit names the minimal case beside the breach in its output.
    expect(formatJUnitReport(a.result)).toContain('minimal: drop-reply on attempt 1 breaks at-most-once')
  })

  it('is off unless asked: no minimal case and no re-runs', async () => {
    const {result, reruns} = await check(NAIVE, 8, {shrink: undefined})
    expect(result.endpoints[0]!.contracts.atMostOnce).toBe('broken')
    expect(result.endpoints[0]!.minimal).toBeUndefined()
    expect(result.endpoints[0]!.shrink).toBeUndefined()
    expect(reruns).toEqual([])
    expect(toJsonResult(result).endpoints[0]!.minimal).toEqual({})
    expect(formatCheckReport(result, {color: false})).not.toContain('minimal:')
  })

  it('stops at its re-run bound and says so', async () => {
    const {result, reruns} = await check(NAIVE, 9, {shrink: {reruns: 1}})
    expect(reruns).toHaveLength(1)
    const minimal = result.endpoints[0]!.minimal?.atMostOnce
    // The one re-run allowed (a dropped request) broke nothing: the first breach stays, cut short.
    expect(minimal).toMatchObject({trial: '1', simpler: false, reruns: 1, cutShort: 'reruns'})
    expect(minimal?.fault).toMatch(/^delay\(request \d+ms\) on attempt 1$/)
    expect(formatCheckReport(result, {color: false})).toContain('(trial 1 itself: no simpler fault broke it; 1 re-run')
  })

  it('stops at its time bound and says so', async () => {
    const {result, reruns} = await check(NAIVE, 10, {shrink: {ms: 0}})
    expect(reruns).toEqual([])
    expect(result.endpoints[0]!.minimal?.atMostOnce).toMatchObject({trial: '1', simpler: false, reruns: 0, cutShort: 'time'})
  })
})
