import {isDeepStrictEqual} from 'node:util'
import type {ClientPolicy, EffectProbe} from '../scenario/types.js'
import {readProbe, type PlainReading, type ProbeReading, type ReplicaReading} from './probe.js'
import type {Transport} from './protocol.js'

/** One replica as the effect probe reads it: straight (never through a proxy), and only while it is up. */
export interface ProbeReplica {
  name: string
  transport: Transport
  /** False while the replica is killed and not ready again: it is not read then. */
  up(): boolean
}

/** effect.replica any|all: the rule that combines the replicas' readings (docs/replicas.md). */
export type ReplicaRule = 'any' | 'all'

/**
 * Read the effect probe on every replica at once, primary first. A replica that is down is
 * not read (`down`); one that goes down while it is read counts as down too, since its
 * connection error says nothing about its state.
 */
export async function readReplicas(
  replicas: readonly ProbeReplica[],
  request: unknown,
  effect: Pick<EffectProbe, 'select' | 'as'>,
  policy: ClientPolicy,
  signal?: AbortSignal,
): Promise<ProbeReading> {
  const readings = await Promise.all(
    replicas.map(async (replica): Promise<ReplicaReading> => {
      if (!replica.up()) return {replica: replica.name, down: true}
      const reading = await readProbe(replica.transport, request, effect, policy, signal)
      if (reading.kind === 'error' && !replica.up()) return {replica: replica.name, down: true}
      return {replica: replica.name, reading}
    }),
  )
  return {kind: 'replicas', readings}
}

/** One replica's reading, `down` when it was not read, undefined when the reading is not per replica or does not name it. */
export function replicaReading(reading: ProbeReading | undefined, replica: string): PlainReading | 'down' | undefined {
  if (reading?.kind !== 'replicas') return undefined
  const found = reading.readings.find((r) => r.replica === replica)
  if (!found) return undefined
  return 'reading' in found ? found.reading : 'down'
}

/**
 * Does `after` still look like `before`, so the effect may not have arrived yet? One reading:
 * it is the same. Per replica under `all`: some replica read both times is unchanged (the
 * effect must reach every replica); under `any`: every one is.
 */
export function looksUnchanged(before: ProbeReading, after: ProbeReading, rule: ReplicaRule | undefined): boolean {
  if (before.kind !== 'replicas' || after.kind !== 'replicas') return isDeepStrictEqual(before, after)
  const pairs = before.readings.flatMap((b) => {
    const a = replicaReading(after, b.replica)
    return 'reading' in b && typeof a === 'object' ? [isDeepStrictEqual(b.reading, a)] : []
  })
  if (pairs.length === 0) return false
  return rule === 'any' ? pairs.every(Boolean) : pairs.some(Boolean)
}

/** `primary=down backup=1`: every replica's reading, by name, for timelines and evidence. */
export function describeReplicaReadings(readings: readonly ReplicaReading[], show: (reading: PlainReading) => string): string {
  return readings.map((r) => `${r.replica}=${'reading' in r ? show(r.reading) : 'down'}`).join(' ')
}
