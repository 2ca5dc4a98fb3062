import {createHash} from 'node:crypto'
import {uniformFloat64} from 'pure-rand/distribution/uniformFloat64'
import {uniformInt} from 'pure-rand/distribution/uniformInt'
import {xoroshiro128plus} from 'pure-rand/generator/xoroshiro128plus'

/** A seeded source of random decisions. Never shared between independent consumers. */
export interface Random {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number
  /** True with the given probability. */
  chance(probability: number): boolean
  pick<T>(items: readonly T[]): T
}

/** A fresh run seed: a positive 31-bit integer, printed so the run can be reproduced. */
export function newSeed(): number {
  return 1 + Math.floor(Math.random() * 0x7ffffffe)
}

/**
 * A generator derived from the run seed and a path of names (endpoint, profile, trial…).
 * Deriving per consumer means the order in which trials execute never changes a decision.
 */
export function deriveRandom(seed: number, ...path: Array<string | number>): Random {
  const digest = createHash('sha256').update(`${seed}\0${path.join('\0')}`).digest()
  const rng = xoroshiro128plus(digest.readInt32LE(0))
  return {
    next: () => uniformFloat64(rng),
    int: (min, max) => uniformInt(rng, min, max),
    chance: (probability) => probability >= 1 || (probability > 0 && uniformFloat64(rng) < probability),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick() needs at least one item')
      return items[uniformInt(rng, 0, items.length - 1)] as (typeof items)[number]
    },
  }
}
