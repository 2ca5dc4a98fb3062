import {describe, expect, it} from 'vitest'
import type {MinimalCase} from '../../src/check/check-result.js'
import {formatMinimal} from '../../src/report/minimal-line.js'

const base: MinimalCase = {fault: 'drop-reply on attempt 1', trial: '3c2', simpler: true, reason: 'executed 2 times', reruns: 2, ms: 1234, replay: 'faultline check s.yaml', timeline: []}

describe('the minimal-case line', () => {
  it('names the simpler fault, the contracts it breaks and what the search cost', () => {
    expect(formatMinimal(['atMostOnce', 'idempotent'], base)).toBe('minimal: drop-reply on attempt 1 breaks at-most-once, idempotent; 2 re-runs, 1.2 s')
  })

  it('says when the first breach stayed the simplest, and why', () => {
    const itself = {...base, trial: '3', simpler: false}
    expect(formatMinimal(['atMostOnce'], {...itself, reruns: 1})).toBe('minimal: drop-reply on attempt 1 breaks at-most-once (trial 3 itself: no simpler fault broke it; 1 re-run, 1.2 s)')
    expect(formatMinimal(['atMostOnce'], {...itself, reruns: 0, ms: 0})).toBe("minimal: drop-reply on attempt 1 breaks at-most-once (trial 3 itself: the endpoint's profiles hold no simpler fault)")
    expect(formatMinimal(['atMostOnce'], {...itself, reruns: 8, cutShort: 'reruns'})).toContain('8 re-runs, 1.2 s; stopped at the re-run limit, simpler faults untried)')
    expect(formatMinimal(['atMostOnce'], {...itself, reruns: 0, ms: 0, cutShort: 'time'})).toContain('0 re-runs, 0.0 s; stopped at the time limit, simpler faults untried)')
  })
})
