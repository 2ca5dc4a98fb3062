/** Gaps below this are "at once": no wait, and no ratio is taken from them. */
export const IMMEDIATE_MS = 5
/** Successive gaps growing at least this much are exponential. */
export const GROWTH_RATIO = 1.5
/** The same retry's gap differing between operations by more than this factor is jitter. */
export const JITTER_SPREAD = 1.25

export type BackoffShape = 'immediate' | 'fixed' | 'exponential' | 'irregular'

export interface BackoffReading {
  shape: BackoffShape
  /** Shortest first wait, ms. */
  firstMs: number
  /** Median ratio between successive waits of the schedule (exponential: the multiplier). */
  factor?: number
  /** yes/no when at least two operations waited before the same retry; unknown otherwise. */
  jitter: 'yes' | 'no' | 'unknown'
}

/**
 * Classify waits before retries (docs/audit.md, "Backoff"). `sequences` holds, per operation,
 * the waits before its 2nd, 3rd, … attempt. Needs one operation with two waits; undefined
 * otherwise. The schedule read is the shortest wait seen before each retry across operations:
 * load only lengthens a wait, so the shortest is the nearest to the client's own. Ratios are
 * taken between successive waits of that schedule, both ≥ IMMEDIATE_MS: every ratio ≥
 * GROWTH_RATIO is exponential, every ratio within [1/GROWTH_RATIO, GROWTH_RATIO] is fixed,
 * anything else irregular; every wait below IMMEDIATE_MS is immediate.
 */
export function classifyBackoff(sequences: readonly number[][]): BackoffReading | undefined {
  if (!sequences.some((s) => s.length >= 2)) return undefined
  const schedule = shortestPerRetry(sequences)
  const firstMs = Math.round(schedule[0] as number)
  const jitter = jitterOf(sequences)
  if (schedule.every((g) => g < IMMEDIATE_MS)) return {shape: 'immediate', firstMs, jitter}
  const ratios: number[] = []
  for (let i = 1; i < schedule.length; i++) {
    const [a, b] = [schedule[i - 1] as number, schedule[i] as number]
    if (a >= IMMEDIATE_MS && b >= IMMEDIATE_MS) ratios.push(b / a)
  }
  if (ratios.length === 0) return {shape: 'irregular', firstMs, jitter}
  const factor = Math.round(median(ratios) * 100) / 100
  const shape: BackoffShape = ratios.every((r) => r >= GROWTH_RATIO)
    ? 'exponential'
    : ratios.every((r) => r >= 1 / GROWTH_RATIO && r <= GROWTH_RATIO)
      ? 'fixed'
      : 'irregular'
  return {shape, firstMs, factor, jitter}
}

/** The shortest wait before each retry (the 2nd attempt, the 3rd, …) over every operation that made it. */
function shortestPerRetry(sequences: readonly number[][]): number[] {
  const longest = Math.max(...sequences.map((s) => s.length))
  return Array.from({length: longest}, (_, i) => Math.min(...sequences.map((s) => s[i]).filter((g): g is number => g !== undefined)))
}

/** Compare the wait before the same retry across operations. */
function jitterOf(sequences: readonly number[][]): 'yes' | 'no' | 'unknown' {
  let compared = false
  const longest = Math.max(...sequences.map((s) => s.length))
  for (let i = 0; i < longest; i++) {
    const column = sequences.map((s) => s[i]).filter((g): g is number => g !== undefined && g >= IMMEDIATE_MS)
    if (column.length < 2) continue
    compared = true
    if (Math.max(...column) / Math.min(...column) > JITTER_SPREAD) return 'yes'
  }
  return compared ? 'no' : 'unknown'
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** `exponential ×2 from 503 ms, no jitter`. */
export function describeBackoff(reading: BackoffReading): string {
  const jitter = reading.jitter === 'unknown' ? 'jitter unknown' : reading.jitter === 'yes' ? 'with jitter' : 'no jitter'
  switch (reading.shape) {
    case 'immediate':
      return 'none: retries at once'
    case 'exponential':
      return `exponential ×${reading.factor} from ${reading.firstMs} ms, ${jitter}`
    case 'fixed':
      return `fixed ~${reading.firstMs} ms, ${jitter}`
    case 'irregular':
      return `irregular (first ${reading.firstMs} ms), ${jitter}`
  }
}
