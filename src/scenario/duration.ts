import type {DurationSpec} from './types.js'
import {MAX_TIMER_MS} from '../timer-limit.js'

/**
 * Durations as users write them: `300ms`, `1.5s`, `2m`, or a bare number of milliseconds
 * (`300` or `"300"`). Where a range is allowed, `[10ms, 200ms]` means "somewhere in between,
 * picked by the seeded random source".
 *
 * The same pattern is in schema/*.schema.json (a test keeps them equal).
 */
export const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m)?\s*$/

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000}

export const MAX_DURATION_HINT = `must be at most ${MAX_TIMER_MS}ms (about 24.8 days, the longest a timer can wait)`

export const DURATION_HINT = 'must be a duration like 300ms, 1.5s or 2m (a bare number means milliseconds)'
export const DURATION_RANGE_HINT =
  'must be a duration like 300ms, 1.5s or 2m (a bare number means milliseconds) or a [min, max] range like [10ms, 200ms]'

/** A duration that cannot be parsed. The loader adds the file position. */
export class DurationError extends Error {
  constructor(
    message: string,
    /** `form`: not written as a duration; `too-long`: past MAX_TIMER_MS. */
    readonly kind: 'form' | 'too-long' = 'form',
  ) {
    super(message)
    this.name = 'DurationError'
  }
}

/** Render a value for an error message: strings quoted, lists and mappings named. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const text = JSON.stringify(value)
    return text.length > 50 ? `${text.slice(0, 46)}…"` : text
  }
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'a mapping'
  return String(value)
}

/** Parse one duration to milliseconds. Throws DurationError with a one-line message. */
export function parseDuration(value: unknown): number {
  let ms: number | undefined
  if (typeof value === 'number' && !Number.isNaN(value) && value >= 0) ms = value
  if (typeof value === 'string') {
    const m = DURATION_PATTERN.exec(value)
    if (m) ms = Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] as number)
  }
  if (ms === undefined) throw new DurationError(`${DURATION_HINT} (got ${describeValue(value)})`)
  if (!(ms <= MAX_TIMER_MS)) throw new DurationError(`${MAX_DURATION_HINT} (got ${describeValue(value)})`, 'too-long')
  return ms
}

/**
 * Parse a duration or, when `allowRange`, a `[min, max]` pair. A range whose ends are equal
 * collapses to a single value; min above max is an error.
 */
export function parseDurationSpec(value: unknown, options: {allowRange?: boolean} = {}): DurationSpec {
  if (!Array.isArray(value)) {
    try {
      return parseDuration(value)
    } catch (error) {
      if (options.allowRange && error instanceof DurationError && error.kind === 'form') {
        throw new DurationError(`${DURATION_RANGE_HINT} (got ${describeValue(value)})`)
      }
      throw error
    }
  }
  if (!options.allowRange)
    throw new DurationError(`${DURATION_HINT}; a range is not allowed here (got a list)`)
  if (value.length !== 2) {
    throw new DurationError(`a range must have exactly two ends, [min, max] (got ${value.length} items)`)
  }
  const [min, max] = value.map((end: unknown, i) => {
    try {
      return parseDuration(end)
    } catch (error) {
      const which = i === 0 ? 'min' : 'max'
      throw new DurationError(`range ${which}: ${(error as Error).message}`)
    }
  }) as [number, number]
  if (min > max) {
    throw new DurationError(
      `range [${formatDuration(min)}, ${formatDuration(max)}]: min must not be greater than max`,
    )
  }
  return min === max ? min : [min, max]
}

/** Milliseconds back to the shortest readable form: 300ms, 1.5s, 2m. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms >= 1000 && (ms / 1000) * 1000 === ms && Number.isInteger(ms / 100)) return `${ms / 1000}s`
  return `${ms}ms`
}
