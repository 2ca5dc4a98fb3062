import {describe, expect, it} from 'vitest'
import type {TrialResult} from '../../src/check/trial-result.js'
import {computeVerdict} from '../../src/check/verdict.js'

function trial(overrides: Partial<TrialResult>): TrialResult {
  return {
    id: 1,
    profile: 'drop-reply',
    fault: 'drop-reply',
    variant: 'drop-reply',
    seeksSecondDelivery: true,
    injected: true,
    outcome: 'ok',
    attempts: 2,
    deliveries: 2,
    deliveriesAfterRestart: null,
    executions: 1,
    stateMatchesClean: true,
    effectVisible: true,
    effectAfterRestart: null,
    effectSurvivedCrash: null,
    stoppedEarly: false,
    replies: [],
    timeline: [],
    replay: 'faultline check x.yaml --seed 1 --only e --trial 1',
    ...overrides,
  }
}

describe('computeVerdict', () => {
  it('a trial whose fault did not fire counts for nothing, and untested contracts are unknown', () => {
    const v = computeVerdict('count', [trial({injected: false, executions: 5})], ['at-most-once'])
    expect(v.contracts.atMostOnce).toBe('unknown')
    expect(v.contracts.atLeastOnce).toBe('unknown')
    expect(v.met).toBe(false)
    expect(v.unmetReason).toMatch(/not tested/)
  })

  it('two executions break at-most-once and exactly-once, naming the first breaking trial', () => {
    const v = computeVerdict('count', [trial({id: 1}), trial({id: 2, executions: 2}), trial({id: 3, executions: 3})], ['exactly-once'])
    expect(v.contracts).toMatchObject({atMostOnce: 'broken', atLeastOnce: 'holds', exactlyOnce: 'broken'})
    expect(v.breaches.atMostOnce?.trial).toBe(2)
    expect(v.breaches.exactlyOnce?.trial).toBe(2)
    expect(v.met).toBe(false)
  })

  it('an ok outcome without an effect is a lost acknowledged effect', () => {
    const v = computeVerdict('count', [trial({executions: 0, effectVisible: false})], ['at-least-once'])
    expect(v.contracts.atLeastOnce).toBe('broken')
    expect(v.breaches.atLeastOnce?.reason).toMatch(/lost acknowledged effect/)
  })

  it('an effect gone after a crash restart breaks at-least-once even if a later duplicate re-applied it', () => {
    const v = computeVerdict('count', [trial({executions: 1, effectAfterRestart: false})], ['at-least-once'])
    expect(v.contracts.atLeastOnce).toBe('broken')
    expect(v.breaches.atLeastOnce?.reason).toMatch(/crashed and restarted/)
  })

  it('a crash that erased the first execution makes the re-execution no duplicate: neither at-most-once nor idempotent evidence', () => {
    // A naive in-memory server: the crash lost the first execution, the retry ran once on a fresh state.
    const erased = trial({id: 1, profile: 'crash-before-reply', deliveries: 2, executions: 1, stateMatchesClean: true, effectSurvivedCrash: false})
    const v = computeVerdict('count', [erased], [])
    expect(v.contracts.atMostOnce).toBe('unknown')
    expect(v.contracts.idempotent).toBe('unknown')
    expect(v.contracts.atLeastOnce).toBe('holds') // the client saw ok and the effect is there
    // The same trial on a server whose state survived is evidence both ways.
    const survived = computeVerdict('count', [{...erased, effectSurvivedCrash: true}], [])
    expect(survived.contracts).toMatchObject({atMostOnce: 'holds', idempotent: 'holds'})
    // A second execution after an erasing crash still breaks at-most-once.
    const twice = computeVerdict('count', [{...erased, executions: 2, stateMatchesClean: false}], [])
    expect(twice.contracts).toMatchObject({atMostOnce: 'broken', idempotent: 'broken'})
  })

  it('an indeterminate outcome with no effect does not break at-least-once when the client used every attempt', () => {
    const v = computeVerdict('count', [trial({outcome: 'indeterminate', executions: 0, effectVisible: false}), trial({id: 2})], ['at-least-once'])
    expect(v.contracts.atLeastOnce).toBe('holds')
    expect(v.evidence.atLeastOnce).toEqual([2])
  })

  it('a final error while retries were still allowed and nothing executed breaks at-least-once', () => {
    const v = computeVerdict('count', [trial({outcome: 'failed', stoppedEarly: true, executions: 0, effectVisible: false})], ['at-least-once'])
    expect(v.contracts.atLeastOnce).toBe('broken')
  })

  it('idempotent is judged only on trials the server saw more than once', () => {
    const v = computeVerdict('state', [trial({deliveries: 1, stateMatchesClean: false, executions: null}), trial({id: 2, deliveries: 2, stateMatchesClean: true, executions: null})], ['idempotent'])
    expect(v.contracts.idempotent).toBe('holds')
    expect(v.evidence.idempotent).toEqual([2])
    expect(v.contracts.atMostOnce).toBe('unknown') // the state oracle cannot count
    expect(v.met).toBe(true)
  })

  it('idempotent says nothing about a trial where nothing took effect', () => {
    const v = computeVerdict('count', [trial({outcome: 'indeterminate', deliveries: 3, executions: 0, effectVisible: false, stateMatchesClean: false})], ['idempotent'])
    expect(v.contracts.idempotent).toBe('unknown')
  })

  it('reply-consistent compares every reply of the operation', () => {
    const same = [{delivery: 1, attempt: 1, status: 200, ok: true, body: {v: 1}}, {delivery: 1, attempt: 2, status: 200, ok: true, body: {v: 1}}]
    const differ = [{delivery: 1, attempt: 1, status: 200, ok: true, body: {v: 1}}, {delivery: 2, attempt: 1, status: 200, ok: true, body: {v: 2}}]
    expect(computeVerdict('count', [trial({replies: same})], []).contracts.replyConsistent).toBe('holds')
    const broken = computeVerdict('count', [trial({replies: differ})], [])
    expect(broken.contracts.replyConsistent).toBe('broken')
    expect(broken.breaches.replyConsistent?.reason).toMatch(/attempt 1 \(duplicate delivery 2\) got 200/)
  })

  it('the reply oracle infers at-most-once from replayed replies and is labelled inferred', () => {
    const replayed = [{delivery: 1, status: 200, ok: true, body: {id: 'a'}}, {delivery: 2, status: 200, ok: true, body: {id: 'a'}}]
    const fresh = [{delivery: 1, status: 200, ok: true, body: {id: 'a'}}, {delivery: 2, status: 200, ok: true, body: {id: 'b'}}]
    const v1 = computeVerdict('reply', [trial({replies: replayed, executions: null})], ['at-most-once'])
    expect(v1).toMatchObject({inferred: true, met: true})
    expect(v1.contracts.atLeastOnce).toBe('unknown')
    const v2 = computeVerdict('reply', [trial({replies: fresh, executions: null})], ['at-most-once'])
    expect(v2.contracts.atMostOnce).toBe('broken')
  })

  it('the reply oracle compares only successful replies, by the protocol\'s own status (gRPC)', () => {
    // An UNAVAILABLE answer and an OK reply are not two executions; two OK replies that differ are.
    const retried = [
      {delivery: 1, attempt: 1, status: 'UNAVAILABLE', ok: false, body: ''},
      {delivery: 1, attempt: 2, status: 'OK', ok: true, body: {id: 'a'}},
    ]
    const v1 = computeVerdict('reply', [trial({replies: retried, executions: null})], [])
    expect(v1.contracts.atMostOnce).toBe('unknown')
    expect(v1.contracts.replyConsistent).toBe('broken')
    const twice = [
      {delivery: 1, status: 'OK', ok: true, body: {id: 'a'}},
      {delivery: 2, status: 'OK', ok: true, body: {id: 'b'}},
    ]
    const v2 = computeVerdict('reply', [trial({replies: twice, executions: null})], [])
    expect(v2.contracts.atMostOnce).toBe('broken')
    expect(v2.breaches.atMostOnce?.reason).toMatch(/duplicate delivery 2/)
  })

  it('trials that could not be measured count for nothing', () => {
    const v = computeVerdict('count', [trial({executions: 2, error: 'probe failed'})], [])
    expect(v.contracts.atMostOnce).toBe('unknown')
  })

  describe('the evidence rule', () => {
    it('a trial whose second delivery never arrived is inconclusive for at-most-once and idempotent, never holds', () => {
      const lone = trial({id: 1, deliveries: 1, attempts: 2, outcome: 'indeterminate', executions: 1})
      const v = computeVerdict('count', [lone], ['at-most-once'])
      expect(v.contracts.atMostOnce).toBe('unknown')
      expect(v.contracts.idempotent).toBe('unknown')
      expect(v.inconclusive.atMostOnce).toEqual([{trial: 1, reason: expect.stringMatching(/only one delivery/)}])
      expect(v.inconclusive.idempotent).toHaveLength(1)
      expect(v.met).toBe(false)
      expect(v.unmetReason).toMatch(/at-most-once is unknown: 1 trial was inconclusive/)
    })

    it('after a crash, only a delivery that reached the restarted server tests duplicates', () => {
      const noRetry = trial({id: 2, profile: 'crash-before-reply', deliveries: 2, deliveriesAfterRestart: 0, executions: 1})
      const retried = trial({id: 3, profile: 'crash-before-reply', deliveries: 2, deliveriesAfterRestart: 1, executions: 1})
      const v1 = computeVerdict('count', [noRetry], ['at-most-once'])
      expect(v1.contracts.atMostOnce).toBe('unknown')
      expect(v1.inconclusive.atMostOnce[0]?.reason).toMatch(/no retry reached the restarted server/)
      const v2 = computeVerdict('count', [noRetry, retried], ['at-most-once'])
      expect(v2.contracts.atMostOnce).toBe('holds')
      expect(v2.evidence.atMostOnce).toEqual([3])
    })

    it('a fault that never meant to cause a second delivery says nothing (not inconclusive)', () => {
      const dropped = trial({id: 4, profile: 'drop-request', seeksSecondDelivery: false, deliveries: 1, executions: 1})
      const v = computeVerdict('count', [dropped], [])
      expect(v.inconclusive.atMostOnce).toEqual([])
      expect(v.contracts.atMostOnce).toBe('unknown')
      expect(v.contracts.atLeastOnce).toBe('holds')
    })

    it('two executions break at-most-once even when the proxy saw only one delivery', () => {
      const v = computeVerdict('count', [trial({deliveries: 1, executions: 2})], ['at-most-once'])
      expect(v.contracts.atMostOnce).toBe('broken')
    })

    it('at-least-once is inconclusive when the probe cannot tell whether the operation took effect', () => {
      const blind = trial({id: 5, effectVisible: null, stateMatchesClean: true, unmeasurableEffect: 'the state before the trial already equals what one execution produces'})
      const v = computeVerdict('state', [blind], ['at-least-once'])
      expect(v.contracts.atLeastOnce).toBe('unknown')
      expect(v.inconclusive.atLeastOnce[0]?.reason).toMatch(/already equals/)
    })

    it('names the variants behind each contract', () => {
      const v = computeVerdict(
        'count',
        [trial({id: 1, variant: 'duplicate(concurrent)'}), trial({id: 2, variant: 'duplicate(sequential)'}), trial({id: 3, variant: 'duplicate(concurrent)'})],
        [],
      )
      expect(v.variants.atMostOnce).toEqual({'duplicate(concurrent)': 2, 'duplicate(sequential)': 1})
    })
  })

  describe('expectations', () => {
    it('a list is met only when every contract in it holds; reply-consistent can be expected', () => {
      // A payment whose retry gets 409 although the charge went through: exactly-once holds, the client is misled.
      const replies = [
        {delivery: 1, attempt: 1, status: 200, ok: true, body: {charged: true}},
        {delivery: 2, attempt: 2, status: 409, ok: false, body: {error: 'in progress'}},
      ]
      const t = trial({replies})
      expect(computeVerdict('count', [t], ['exactly-once']).met).toBe(true)
      const both = computeVerdict('count', [t], ['exactly-once', 'reply-consistent'])
      expect(both.met).toBe(false)
      expect(both.unmetReason).toBe('reply-consistent is broken')
    })
  })
})
