import {describe, expect, it} from 'vitest'
import type {EndpointReport} from '../../src/check/check-result.js'
import {inconclusiveExamples} from '../../src/check/inconclusive-groups.js'
import {toJsonResult} from '../../src/check/json-result.js'
import {runCheck} from '../../src/check/run-check.js'
import type {MeasuredTrial} from '../../src/check/trial-result.js'
import {TrialTimelines} from '../../src/check/trial-timelines.js'
import type {ProxyEvent} from '../../src/events/event-log.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {trialEvents} from '../helpers/trial-events.js'
import {trial} from '../report/html-fixtures.js'

/** A measured count-oracle trial: two deliveries, one execution, the same reply twice, unless `overrides` say otherwise. */
function measured(id: number, overrides: Partial<MeasuredTrial> = {}): MeasuredTrial {
  const timeline: ProxyEvent[] = [{time: id, type: 'fault', trial: `t0.${id}`, fault: 'duplicate'}]
  return {
    ...trial(id, timeline, 'duplicate'),
    variant: 'duplicate(sequential)',
    executions: 1,
    stateMatchesClean: true,
    replies: [1, 2].map((delivery) => ({delivery, attempt: 1, status: 200, ok: true, body: {value: '{{key}}'}})),
    ...overrides,
  }
}

const twice = {executions: 2, stateMatchesClean: false}
const oneDelivery = {deliveries: 1}

/** The trial numbers that still carry a timeline. */
const withTimeline = (trials: Array<{id: number; timeline?: ProxyEvent[]}>) => trials.filter((t) => t.timeline !== undefined).map((t) => t.id)

/** The trials an endpoint's reports draw: the first breach of each contract and each inconclusive group's example. */
const evidenceTrials = (report: EndpointReport) =>
  [...new Set([...Object.values(report.breaches).map((b) => b.trial), ...inconclusiveExamples(report)])].sort((a, b) => a - b)

describe('TrialTimelines: which trials keep their event timeline', () => {
  it('keeps none of the trials that broke nothing and were conclusive', () => {
    const keeper = new TrialTimelines('count')
    const kept = [1, 2, 3, 4, 5].map((id) => keeper.keep(measured(id)))
    expect(withTimeline(kept)).toEqual([])
    expect(withTimeline(keeper.attach(kept))).toEqual([])
    expect(keeper.size).toBe(0)
  })

  it('keeps the lowest-numbered breach of each contract and of each inconclusive reason, whatever order the trials finish in', () => {
    const keeper = new TrialTimelines('count')
    // Trials finish out of order, as overlapping trials do.
    const finished = [measured(7, twice), measured(4, oneDelivery), measured(2), measured(5, twice), measured(9, oneDelivery), measured(3, oneDelivery), measured(8, {injected: false, ...twice})]
    const kept = finished.map((t) => keeper.keep(t))
    // The result holds facts only while the run goes on.
    expect(withTimeline(kept)).toEqual([])
    // Trial 5 replaced 7 as the first breach, trial 3 replaced 4 as the first "one delivery" trial;
    // trial 8 was not injected and counts for nothing.
    expect(keeper.size).toBe(2)
    const attached = keeper.attach(kept)
    expect(withTimeline(attached).sort((a, b) => a - b)).toEqual([3, 5])
    expect(attached.find((t) => t.id === 5)?.timeline).toEqual(finished[3]?.timeline)
  })

  it('a trial that is first for one reason keeps its timeline when a lower one replaces it for another', () => {
    const keeper = new TrialTimelines('count')
    // Trial 6 breaks at-most-once (2 executions) and idempotent; trial 4 breaks only idempotent.
    const kept = [keeper.keep(measured(6, twice)), keeper.keep(measured(4, {stateMatchesClean: false}))]
    expect(withTimeline(keeper.attach(kept)).sort((a, b) => a - b)).toEqual([4, 6])
  })

  it('keeps the facts every verdict and the --json document read', () => {
    const keeper = new TrialTimelines('count')
    const {timeline, ...facts} = measured(1, {unmeasurableEffect: 'why', gaveUp: 'exit code 1', recordedReply: {status: 200, body: {}}})
    expect(timeline).toHaveLength(1)
    expect(keeper.keep(measured(1, {unmeasurableEffect: 'why', gaveUp: 'exit code 1', recordedReply: {status: 200, body: {}}}))).toEqual(facts)
  })
})

/** The demo's naive and deduplicating counters under duplicates and lost replies, one attempt per operation. */
async function checkCounters(trials: number) {
  const scenario = await loadScenario('fixtures/demo.yaml')
  scenario.endpoints = scenario.endpoints.filter((e) => e.name === 'naive-increment' || e.name === 'dedup-increment')
  for (const endpoint of scenario.endpoints) {
    endpoint.trials = trials
    // drop-reply with no retry: the fault fires, no second delivery arrives, so the trial is inconclusive.
    endpoint.profiles = endpoint.name === 'naive-increment' ? ['duplicate', 'drop-reply'] : ['duplicate']
  }
  // One attempt, and a timeout a loaded machine does not reach by itself.
  scenario.client = {...scenario.client, attempts: 1, timeout: 2000}
  const {events, of} = trialEvents()
  const result = await runCheck({scenario, scenarioArg: 'fixtures/demo.yaml', seed: 4, events})
  const byName = (name: string) => {
    const index = result.endpoints.findIndex((e) => e.name === name)
    return {report: result.endpoints[index] as EndpointReport, eventsOf: (trial: number) => of(index, trial)}
  }
  return {result, naive: byName('naive-increment'), dedup: byName('dedup-increment')}
}

describe('a check run keeps only the timelines its evidence needs', {timeout: 120_000}, () => {
  it('keeps exactly the timelines of the first breach of each contract and of each inconclusive example: none on an endpoint with no breach', async () => {
    const {result, naive, dedup} = await checkCounters(6)

    expect(dedup.report.contracts.atMostOnce).toBe('holds')
    expect(dedup.report.breaches).toEqual({})
    expect(dedup.report.trials).toHaveLength(6)
    // No breach: only an inconclusive trial's timeline could stay, and a quiet machine has none.
    expect(withTimeline(dedup.report.trials)).toEqual(evidenceTrials(dedup.report))
    expect(withTimeline(dedup.report.trials).length).toBeLessThanOrEqual(1)

    const {report} = naive
    expect(report.contracts.atMostOnce).toBe('broken')
    const breach = report.breaches.atMostOnce
    if (!breach) throw new Error('at-most-once has no breach')
    // The breach's timeline is the trial's event history until it was measured, fault included
    // (on a loaded machine a late event of the trial, such as a connection closing, can follow).
    const history = (id: number) => naive.eventsOf(id)
    expect(breach.timeline.length).toBeGreaterThan(0)
    expect(history(breach.trial).slice(0, breach.timeline.length)).toEqual(breach.timeline)
    expect(breach.timeline.some((e) => e.type === 'fault')).toBe(true)
    const examples = inconclusiveExamples(report)
    expect(examples.size).toBeGreaterThan(0)
    // Exactly the first breach of each contract and the example of each inconclusive group keep theirs.
    expect(withTimeline(report.trials)).toEqual(evidenceTrials(report))
    expect(withTimeline(report.trials).length).toBeLessThan(report.trials.length)
    for (const id of examples) {
      const timeline = report.trials.find((t) => t.id === id)?.timeline ?? []
      expect(timeline.length).toBeGreaterThan(0)
      expect(history(id).slice(0, timeline.length)).toEqual(timeline)
    }

    // The --json document draws from them as before: the inconclusive examples carry their timelines.
    const json = toJsonResult(result).endpoints.find((e) => e.name === 'naive-increment')
    expect(json?.trials.filter((t) => 'timeline' in t).map((t) => t.id)).toEqual([...examples].sort((a, b) => a - b))
  })
})
