import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {classifyBackoff, describeBackoff} from '../../src/audit/backoff.js'

describe('classifyBackoff', () => {
  it('needs one operation with two waits', () => {
    expect(classifyBackoff([[500], [510]])).toBeUndefined()
  })

  it('reads doubling waits as exponential, equal waits as fixed, waits at once as immediate', () => {
    expect(classifyBackoff([[500, 1000, 2000]])).toMatchObject({shape: 'exponential', factor: 2, firstMs: 500, jitter: 'unknown'})
    expect(classifyBackoff([[100, 100, 110], [100, 105]])).toMatchObject({shape: 'fixed', jitter: 'no'})
    expect(classifyBackoff([[0, 1, 0]])).toMatchObject({shape: 'immediate'})
    // urllib3: no wait before the first retry, then doubling.
    expect(classifyBackoff([[0, 200, 400]])).toMatchObject({shape: 'exponential', factor: 2})
  })

  it('sees jitter when the same retry waited differently in two operations', () => {
    const reading = classifyBackoff([[30, 180, 40], [90, 60]])
    expect(reading).toMatchObject({shape: 'irregular', jitter: 'yes'})
    expect(describeBackoff(reading!)).toBe('irregular (first 30 ms), with jitter')
  })

  it('reads the schedule from the shortest wait before each retry: one operation slowed by load does not change it', () => {
    expect(classifyBackoff([[500, 1000, 2000], [900, 1000, 2100]])).toMatchObject({shape: 'exponential', factor: 2, firstMs: 500})
  })

  it('keeps doubling waits exponential while load delays each wait by up to a quarter of its length', () => {
    // (2w + d2) / (w + d1) ≥ 2w / 1.25w = 1.6 ≥ GROWTH_RATIO for any d1 ≤ w/4, d2 ≥ 0.
    fc.assert(
      fc.property(fc.integer({min: 50, max: 1000}), fc.array(fc.double({min: 0, max: 0.25, noNaN: true}), {minLength: 2, maxLength: 5}), (base, load) => {
        const waits = load.map((share, i) => base * 2 ** i * (1 + share))
        expect(classifyBackoff([waits])?.shape).toBe('exponential')
      }),
    )
  })
})
