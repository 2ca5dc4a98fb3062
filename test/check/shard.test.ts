import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {parseShard, ShardSlice} from '../../src/check/shard.js'

describe('parseShard', () => {
  it('reads INDEX/TOTAL', () => {
    expect(parseShard('2/3')).toEqual({index: 2, total: 3})
    expect(parseShard(' 1 / 1 ')).toEqual({index: 1, total: 1})
  })

  it('refuses anything else with one line saying what to write', () => {
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0', '-1/3', '1/1001', '']) {
      expect(() => parseShard(bad)).toThrow(/write INDEX\/TOTAL with 1 ≤ INDEX ≤ TOTAL, e\.g\. --shard 2\/3$/)
    }
  })
})

describe('ShardSlice', () => {
  const plan = fc.record({
    counts: fc.array(fc.integer({min: 1, max: 60}), {minLength: 1, maxLength: 6}),
    total: fc.integer({min: 1, max: 9}),
    seed: fc.integer({min: 0, max: 2 ** 31}),
  })

  it('deals every (endpoint × trial) to exactly one shard, evenly', () => {
    fc.assert(
      fc.property(plan, ({counts, total, seed}) => {
        const slices = Array.from({length: total}, (_, i) => new ShardSlice({index: i + 1, total}, counts, seed))
        const sizes = slices.map((s) => counts.reduce((sum, _, position) => sum + s.count(position), 0))
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
        counts.forEach((count, position) => {
          const owners = Array.from({length: count}, (_, i) => slices.filter((s) => s.has(position, i + 1)).length)
          expect(owners.every((n) => n === 1)).toBe(true)
          const dealt = slices.flatMap((s) => [...s.trials(position)]).sort((a, b) => a - b)
          expect(dealt).toEqual(Array.from({length: count}, (_, i) => i + 1))
          for (const s of slices) {
            const ids = [...s.trials(position)]
            expect(ids.length).toBe(s.count(position))
            expect(ids.every((id) => s.has(position, id))).toBe(true)
          }
        })
      }),
    )
  })

  it('gives every shard an even share of each endpoint', () => {
    const slices = [1, 2, 3].map((index) => new ShardSlice({index, total: 3}, [40, 40, 2], 7))
    for (const s of slices) {
      expect(s.count(0)).toBeGreaterThanOrEqual(13)
      expect(s.count(1)).toBeGreaterThanOrEqual(13)
    }
  })

  it('is the same for the same seed and may differ for another', () => {
    const ids = (seed: number) => [1, 2, 3, 4].map((index) => [...new ShardSlice({index, total: 4}, [10, 3], seed).trials(1)])
    expect(ids(5)).toEqual(ids(5))
    const rotations = new Set(Array.from({length: 20}, (_, seed) => JSON.stringify(ids(seed))))
    expect(rotations.size).toBeGreaterThan(1)
  })
  it("gives every endpoint's profile set rules to exactly one shard, also an endpoint that plans no trials", () => {
    const withEmpty = fc.record({
      counts: fc.array(fc.integer({min: 0, max: 30}), {minLength: 1, maxLength: 6}),
      total: fc.integer({min: 1, max: 9}),
      seed: fc.integer({min: 0, max: 2 ** 31}),
    })
    fc.assert(
      fc.property(withEmpty, ({counts, total, seed}) => {
        const slices = Array.from({length: total}, (_, i) => new ShardSlice({index: i + 1, total}, counts, seed))
        counts.forEach((count, position) => {
          const owners = slices.filter((s) => s.runsConformance(position))
          expect(owners).toHaveLength(1)
          // The shard that runs trial 1, when there is one.
          if (count > 0) expect(owners[0]?.has(position, 1)).toBe(true)
        })
      }),
    )
  })
})
