import {UsageError} from '../errors.js'
import {deriveRandom} from '../random.js'
import type {Endpoint} from '../scenario/types.js'
import {countTrials} from './plan.js'

/** One slice of a run for one CI machine: `index` of `total`, 1-based (`--shard 2/3`). */
export interface Shard {
  index: number
  total: number
}

/** What a shard result records so that its slices can be checked and merged. */
export interface ShardInfo extends Shard {
  /** Every endpoint of the whole (unsharded) run, in order, with how many trials it plans. */
  plan: Array<{name: string; trials: number}>
}

/** The most shards a run may be cut into (more than any CI matrix runs). */
export const MAX_SHARDS = 1000

/** `2/3` → {index: 2, total: 3}; anything else is bad usage that says what to write (the caller names the flag). */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  const hint = 'write INDEX/TOTAL with 1 ≤ INDEX ≤ TOTAL, e.g. --shard 2/3'
  if (!match) throw new UsageError(`${text}: ${hint}`)
  const index = Number(match[1])
  const total = Number(match[2])
  if (total < 1 || total > MAX_SHARDS) throw new UsageError(`${text}: TOTAL must be 1 to ${MAX_SHARDS}; ${hint}`)
  if (index < 1 || index > total) throw new UsageError(`${text}: INDEX must be 1 to ${total}; ${hint}`)
  return {index, total}
}

/**
 * Which trials of a run belong to one shard. Every (endpoint × profile × trial) of the run is
 * numbered in plan order (endpoint by endpoint, each endpoint's trials profile by profile),
 * and the units are dealt round-robin to the shards, starting at a shard drawn from the seed.
 * So every shard gets an even share of every profile (crash trials, which run alone, are
 * spread too), the slices never overlap and together cover the run, and the same seed and
 * scenario always give the same slices on any machine.
 */
export class ShardSlice {
  private readonly offsets: number[]
  private readonly rotation: number

  constructor(
    readonly shard: Shard,
    /** Trials per endpoint of the whole run, in plan order. */
    private readonly counts: readonly number[],
    seed: number,
  ) {
    let sum = 0
    this.offsets = counts.map((n) => {
      const at = sum
      sum += n
      return at
    })
    this.rotation = deriveRandom(seed, 'shard', shard.total).int(0, shard.total - 1)
  }

  /** The slice of a run over these endpoints (in plan order). */
  static of(shard: Shard, endpoints: readonly Endpoint[], seed: number): ShardSlice {
    return new ShardSlice(shard, endpoints.map(countTrials), seed)
  }

  /** Is trial `id` (1-based) of the `position`-th endpoint of the run in this shard? */
  has(position: number, id: number): boolean {
    const offset = this.offsets[position]
    if (offset === undefined) return false
    return (offset + id - 1 + this.rotation) % this.shard.total === this.shard.index - 1
  }

  /** The trial numbers of the `position`-th endpoint in this shard, ascending. */
  *trials(position: number): Generator<number> {
    const count = this.counts[position] ?? 0
    for (let id = this.first(position); id <= count; id += this.shard.total) yield id
  }

  /** How many trials of the `position`-th endpoint are in this shard. */
  count(position: number): number {
    const count = this.counts[position] ?? 0
    const first = this.first(position)
    return first > count ? 0 : Math.floor((count - first) / this.shard.total) + 1
  }

  /**
   * Does this shard run the `position`-th endpoint's profile set rules (idempotency-key)? They
   * run once per endpoint: in the shard that trial 1 falls to, counted as if the endpoint had
   * one even when it plans none (an endpoint with only the set still gets exactly one shard).
   */
  runsConformance(position: number): boolean {
    const offset = this.offsets[position]
    if (offset === undefined) return false
    return (offset + this.rotation) % this.shard.total === this.shard.index - 1
  }

  /** The first trial number of the `position`-th endpoint whose unit falls to this shard. */
  private first(position: number): number {
    const {index, total} = this.shard
    const offset = this.offsets[position] ?? 0
    return ((((index - 1 - offset - this.rotation) % total) + total) % total) + 1
  }
}

/** The part of an endpoint's plan one shard runs. */
export interface TrialSelection {
  /** Its trial numbers, ascending. */
  ids: Iterable<number>
  count: number
  /** false: another shard runs the endpoint's profile set rules (default true). */
  conformance?: boolean
}

/** A sharded run's endpoints: the ones this shard runs something of, each with its trial numbers. */
export interface ShardedEndpoints<E> {
  info: ShardInfo
  endpoints: Array<E & {trials: TrialSelection}>
}

/**
 * Cut a run over `endpoints` (in plan order) to one shard. An endpoint with neither trials nor
 * its profile set rules in it is left out, so the shard runs no clean baseline for it; every
 * other endpoint keeps its baseline.
 */
export function shardEndpoints<E extends {endpoint: Endpoint}>(shard: Shard, endpoints: readonly E[], seed: number): ShardedEndpoints<E> {
  const slice = ShardSlice.of(shard, endpoints.map((e) => e.endpoint), seed)
  const info: ShardInfo = {...shard, plan: endpoints.map((e) => ({name: e.endpoint.name, trials: countTrials(e.endpoint)}))}
  const sharded = endpoints.map((e, position) => {
    const conformance = e.endpoint.idempotencyKey !== undefined && slice.runsConformance(position)
    return {...e, trials: {ids: slice.trials(position), count: slice.count(position), conformance}}
  })
  return {info, endpoints: sharded.filter((e) => e.trials.count > 0 || e.trials.conformance)}
}
