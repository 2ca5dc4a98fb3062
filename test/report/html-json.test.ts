import {describe, expect, it} from 'vitest'
import {toJsonResult} from '../../src/check/json-result.js'
import {crashTimeline, dropReplyTimeline, endpoint, result, trial} from './html-fixtures.js'

describe('--json carries what the HTML report draws', () => {
  it('groups inconclusive trials by reason and keeps the timeline of each group’s first trial only', () => {
    const reasonA = 'the crash erased the first execution'
    const reasonB = 'no duplicate arrived'
    const trials = [trial(1, dropReplyTimeline()), trial(2, crashTimeline(), 'crash-after-reply'), trial(3, crashTimeline(), 'crash-after-reply'), trial(4, dropReplyTimeline())]
    const inconclusive = {
      atLeastOnce: [],
      atMostOnce: [{trial: 3, reason: reasonA}, {trial: 2, reason: reasonA}],
      exactlyOnce: [{trial: 2, reason: reasonA}],
      idempotent: [{trial: 4, reason: reasonB}],
      replyConsistent: [],
    }
    const json = JSON.parse(JSON.stringify(toJsonResult(result([endpoint({inconclusive, trials})])))) as ReturnType<typeof toJsonResult>
    const e = json.endpoints[0]
    expect(e?.inconclusiveGroups).toEqual([
      {reason: reasonA, contracts: ['atMostOnce', 'exactlyOnce'], trials: [2, 3]},
      {reason: reasonB, contracts: ['idempotent'], trials: [4]},
    ])
    expect(e?.trials.map((t) => t.timeline?.length ?? 0)).toEqual([0, crashTimeline().length, 0, dropReplyTimeline().length])
    // Crash, restart and probe readings travel inside the timeline.
    const drawn = e?.trials[1]?.timeline ?? []
    expect(drawn.filter((ev) => ev.type === 'supervisor')).toHaveLength(1)
    expect(drawn.filter((ev) => ev.type === 'probe').map((ev) => ev.detail?.when)).toEqual(['before', 'after restart', 'after'])
    // Field names already in the document stay as they were.
    expect(Object.keys(e ?? {})).toEqual(expect.arrayContaining(['name', 'contracts', 'breaches', 'inconclusive', 'inconclusiveTrials', 'trials']))
    expect(e?.inconclusiveTrials).toBe(3)
  })
})
