import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {planTrial, type PlannedFault, type PlannedTrial} from '../../src/check/plan.js'
import {shrinkCandidate, shrinkCandidates} from '../../src/check/shrink-candidates.js'
import {compareSimplicity, describeFaults} from '../../src/check/shrink-order.js'
import type {FaultAction} from '../../src/proxy/fault.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'

const at = (action: FaultAction, attempt = 1): PlannedFault => ({action, attempt, probability: 1})
const trial = (...faults: PlannedFault[]) => ({faults, toxics: []})
const dropReply = {type: 'drop-reply', mode: 'timeout'} as const
const dropRequest = {type: 'drop-request', mode: 'timeout'} as const
const duplicate = (mode: 'sequential' | 'concurrent' | 'delayed', delay = 0) => ({type: 'duplicate', mode, delay}) as const
const delay = (ms: number) => ({type: 'delay', phase: 'request', delay: ms}) as const

describe('the simplicity order', () => {
  it('puts fewer faults, earlier attempts, simpler kinds, sequential before concurrent, and shorter delays first', () => {
    const simplestFirst = [
      trial(at(dropRequest)),
      trial(at(dropReply)),
      trial(at(duplicate('sequential'))),
      trial(at(duplicate('concurrent'))),
      trial(at(duplicate('delayed', 10))),
      trial(at(duplicate('delayed', 100))),
      trial(at(delay(360))),
      trial(at(delay(600))),
      trial(at(dropRequest, 2)),
      trial(at(dropReply), at(duplicate('sequential'))),
      trial(at(dropReply), at(duplicate('sequential'), 2)),
    ]
    const shuffled = [...simplestFirst].reverse()
    expect(shuffled.sort(compareSimplicity).map(describeFaults)).toEqual(simplestFirst.map(describeFaults))
  })

  it('is a total order: antisymmetric, and 0 only for the same faults', () => {
    const action = fc.oneof(
      fc.constant<FaultAction>(dropRequest),
      fc.constant<FaultAction>(dropReply),
      fc.constantFrom('sequential', 'concurrent', 'delayed').chain((mode) => fc.integer({min: 0, max: 500}).map((d) => duplicate(mode as 'delayed', mode === 'delayed' ? d : 0))),
      fc.integer({min: 1, max: 2000}).map(delay),
    )
    const faults = fc.array(fc.record({action, attempt: fc.integer({min: 1, max: 4}), probability: fc.constant(1)}), {minLength: 1, maxLength: 3})
    fc.assert(
      fc.property(faults, faults, (a, b) => {
        const x = compareSimplicity(trial(...a), trial(...b))
        const y = compareSimplicity(trial(...b), trial(...a))
        // Compared as numbers: for equal faults x and y are 0, and -Math.sign(0) is -0, which toBe tells from 0.
        expect(Math.sign(x) === -Math.sign(y)).toBe(true)
        if (x === 0) expect(describeFaults(trial(...a))).toBe(describeFaults(trial(...b)))
      }),
    )
  })
})

describe('shrink candidates', () => {
  it('are strictly simpler than the trial, simplest first, numbered from 1, the same for a seed', async () => {
    const scenario = await loadScenario('test/fixtures/shrink-naive.yaml')
    const endpoint = scenario.endpoints[0]!
    for (const seed of [1, 2, 3]) {
      const first = planTrial(scenario, endpoint, 0, seed, 1)
      const candidates = shrinkCandidates(scenario, first, seed)
      expect(candidates.map(describeFaults).slice(0, 4)).toEqual([
        'drop-request on attempt 1',
        'drop-reply on attempt 1',
        'duplicate(sequential) on attempt 1',
        'duplicate(concurrent) on attempt 1',
      ])
      expect(candidates.map((c) => c.candidate)).toEqual(candidates.map((_, i) => i + 1))
      for (const c of candidates) expect(compareSimplicity(c, first)).toBeLessThan(0)
      for (let i = 1; i < candidates.length; i++) expect(compareSimplicity(candidates[i - 1]!, candidates[i]!)).toBeLessThan(0)
      expect(shrinkCandidates(scenario, first, seed).map(describeFaults)).toEqual(candidates.map(describeFaults))
    }
  })

  it('leave a fault out and move faults to earlier attempts', async () => {
    const scenario = await loadScenario('test/fixtures/shrink-two-faults.yaml')
    const first = planTrial(scenario, scenario.endpoints[0]!, 0, 1, 1)
    expect(describeFaults(first)).toBe('duplicate(concurrent) on attempt 1 + drop-reply on attempt 2')
    expect(shrinkCandidates(scenario, first, 1).map(describeFaults)).toEqual([
      'drop-reply on attempt 1',
      'duplicate(concurrent) on attempt 1',
      'drop-reply on attempt 2',
      'duplicate(concurrent) on attempt 1 + drop-reply on attempt 1',
      'duplicate(sequential) on attempt 1 + drop-reply on attempt 2',
    ])
  })

  it('of a concurrent duplicate are only sequential ones; a delayed one also tries the shortest gap of its range', async () => {
    const scenario = await loadScenario('test/fixtures/shrink-racy.yaml')
    const endpoint = scenario.endpoints[0]!
    const planned = [1, 2, 3, 4].map((id) => planTrial(scenario, endpoint, 0, 1, id))
    const byLabel = (label: string) => planned.find((t) => describeFaults(t) === label) as PlannedTrial
    expect(shrinkCandidates(scenario, byLabel('duplicate(concurrent) on attempt 1'), 1).map(describeFaults)).toEqual(['duplicate(sequential) on attempt 1'])
    expect(shrinkCandidates(scenario, byLabel('duplicate(sequential) on attempt 1'), 1)).toEqual([])
    expect(shrinkCandidates(scenario, byLabel('duplicate(delayed 100ms) on attempt 1'), 1).map(describeFaults)).toEqual([
      'duplicate(sequential) on attempt 1',
      'duplicate(concurrent) on attempt 1',
      'duplicate(delayed 10ms) on attempt 1',
    ])
  })

  it('are looked up by number for --candidate, with the count when out of range', async () => {
    const scenario = await loadScenario('test/fixtures/shrink-two-faults.yaml')
    const first = planTrial(scenario, scenario.endpoints[0]!, 0, 1, 1)
    const found = shrinkCandidate(scenario, first, 1, 2)
    expect(found.candidate && describeFaults(found.candidate)).toBe('duplicate(concurrent) on attempt 1')
    expect(found.candidate?.candidate).toBe(2)
    expect(shrinkCandidate(scenario, first, 1, 6)).toEqual({candidate: undefined, count: 5})
  })
})
