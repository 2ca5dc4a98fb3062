import {describeFault, type FaultAction} from '../proxy/fault.js'
import type {PlannedFault, PlannedTrial} from './plan.js'

/**
 * The simplicity order shrinking uses (docs/verdicts.md, "The smallest failing case"): a trial
 * is simpler than another when it has fewer faults; with as many, when its faults hit earlier
 * attempts; then when its faults are of simpler kinds; then simpler modes (a sequential
 * duplicate before a concurrent one before a delayed one); then shorter delays. The order is
 * total: ties are broken by the faults' labels.
 */

/** Losing a message is the simplest failure, then answers the server did not give, then extra or late messages, then crashes. */
const KIND_RANK: Record<FaultAction['type'], number> = {
  'drop-request': 0,
  'drop-reply': 1,
  status: 2,
  reset: 3,
  'client-abort': 4,
  duplicate: 5,
  delay: 6,
  'crash-before-reply': 7,
  'crash-after-reply': 8,
  // Replicated targets: faults on the replication link, then a partition of the primary.
  'replication-delay': 9,
  'replication-drop': 10,
  'partition-primary': 11,
}

/** Toxics change a whole proxy for the whole trial: less simple than any message fault. */
const TOXIC_RANK = 12

const MODE_RANK: Record<string, number> = {timeout: 0, reset: 1, sequential: 0, concurrent: 1, delayed: 2, request: 0, reply: 1, 'before-delivery': 0, 'after-delivery': 1}

/** [attempt, kind, mode, delay]: smaller is simpler. */
function faultKey(fault: PlannedFault): number[] {
  const action = fault.action
  const mode = 'mode' in action ? action.mode : 'phase' in action ? action.phase : undefined
  const delay = 'delay' in action ? action.delay : 0
  return [fault.attempt, KIND_RANK[action.type], mode === undefined ? 0 : (MODE_RANK[String(mode)] ?? 0), delay]
}

/** The trial's simplicity key: its fault count, then its faults' keys, simplest fault first. */
export function simplicityKey(trial: Pick<PlannedTrial, 'faults' | 'toxics'>): number[] {
  const keys = [...trial.faults.map(faultKey), ...trial.toxics.map(() => [1, TOXIC_RANK, 0, 0])].sort(compareKeys)
  return [keys.length, ...keys.flat()]
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return a.length - b.length
}

/** Negative when `a` is simpler than `b`, 0 only for the same faults. */
export function compareSimplicity(a: Pick<PlannedTrial, 'faults' | 'toxics'>, b: Pick<PlannedTrial, 'faults' | 'toxics'>): number {
  return compareKeys(simplicityKey(a), simplicityKey(b)) || describeFaults(a).localeCompare(describeFaults(b))
}

/** `drop-reply on attempt 1`, `duplicate(concurrent) on attempt 2 + drop-reply on attempt 1`. */
export function describeFaults(trial: Pick<PlannedTrial, 'faults' | 'toxics'>): string {
  const labels = [
    ...trial.faults.map((f) => `${describeFault(f.action)} on attempt ${f.attempt}${f.probability < 1 ? ` (probability ${f.probability})` : ''}`),
    ...trial.toxics.map((t) => `toxic ${t.toxic.type} on ${t.proxy} (${t.toxic.stream})`),
  ]
  return labels.length === 0 ? 'no fault' : labels.join(' + ')
}
