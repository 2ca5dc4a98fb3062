import {deriveRandom} from '../random.js'
import type {Profile} from '../scenario/types.js'

/**
 * Which operation gets which profile's fault. Each route walks its own seeded shuffle of the
 * profiles, one profile per new operation, round and round: with P profiles, every run of P
 * consecutive operations of a route sees each profile once. The same seed and the same
 * order of operations give the same faults.
 */
export class FaultSchedule {
  private readonly orders = new Map<string, {profiles: Profile[]; next: number}>()

  constructor(
    private readonly profiles: readonly Profile[],
    private readonly seed: number,
  ) {}

  /** The profile for the next new operation of `route`, undefined when there are no profiles. */
  next(route: string): Profile | undefined {
    if (this.profiles.length === 0) return undefined
    let order = this.orders.get(route)
    if (!order) {
      order = {profiles: shuffle(this.profiles, deriveRandom(this.seed, 'audit', route)), next: 0}
      this.orders.set(route, order)
    }
    const profile = order.profiles[order.next % order.profiles.length]
    order.next += 1
    return profile
  }
}

function shuffle<T>(items: readonly T[], random: {int(min: number, max: number): number}): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
