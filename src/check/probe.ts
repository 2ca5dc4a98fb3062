import {selectJson} from '../jsonpath.js'
import type {ClientPolicy, EffectProbe} from '../scenario/types.js'
import {convertProbeValue} from './probe-conversion.js'
import type {Transport} from './protocol.js'
import {deadlineSignal} from './deadline-signal.js'

/**
 * What the effect probe read: `absent` when the resource does not exist (404 or no match).
 * A value read through the probe's `as` conversion carries `number`, the exact decimal text
 * the count oracle uses (kept as text so a reading stays plain JSON in the event log).
 */
export type PlainReading = ({kind: 'value'; value: unknown; number?: string} | {kind: 'absent'} | {kind: 'error'; message: string}) & {
  /** On a replicated target, the replica effect.replica named (primary or backup) that was read. */
  replica?: string
}

/**
 * What a probe read: one reading, or (effect.replica any|all) one per replica, primary first,
 * each replica read straight (replica-probe.ts).
 */
export type ProbeReading = PlainReading | {kind: 'replicas'; readings: ReplicaReading[]}

/** One replica's reading; `down`: the replica was down (killed, not yet ready again), so it was not read. */
export type ReplicaReading = {replica: string; reading: PlainReading} | {replica: string; down: true}

/**
 * Read the server's state straight from the server (never through the proxy) and select
 * the part the scenario names, converted as its `as` says.
 */
export async function readProbe(
  transport: Transport,
  request: unknown,
  effect: Pick<EffectProbe, 'select' | 'as'>,
  policy: ClientPolicy,
  signal?: AbortSignal,
): Promise<PlainReading> {
  const timeoutMs = Math.max(policy.timeout, 1000)
  const deadline = deadlineSignal(timeoutMs, signal)
  // Probes are read-only: no retry statuses, every non-ok reply is an error to report.
  const probePolicy: ClientPolicy = {...policy, retryOn: []}
  try {
    const reply = await transport.send(request, undefined, probePolicy, deadline.signal)
    if (reply.notFound) return {kind: 'absent'}
    if (reply.classification !== 'ok') return {kind: 'error', message: `the effect probe answered ${reply.status}`}
    if (typeof reply.body === 'string' && reply.bodyIsJson !== true) return {kind: 'error', message: 'the effect probe did not answer JSON'}
    const selected = selectJson(reply.body, effect.select)
    if (!selected.found) return {kind: 'absent'}
    if (effect.as === undefined) return {kind: 'value', value: selected.value}
    const converted = convertProbeValue(selected.value, effect.as)
    if (!converted.ok) return {kind: 'error', message: `as: ${effect.as} cannot read what ${effect.select} selected: ${converted.problem}`}
    return {kind: 'value', value: selected.value, number: converted.number.toString()}
  } catch (err) {
    signal?.throwIfAborted()
    const message = deadline.timedOut ? `no reply within ${timeoutMs}ms` : (err as Error).message
    return {kind: 'error', message: `the effect probe failed: ${message}`}
  } finally {
    deadline.dispose()
  }
}
