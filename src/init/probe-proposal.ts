/**
 * Which part of a read to select as the effect probe, proposed from what the recording saw
 * of one resource before and after each write: a count when a number changed by the same
 * step every time, else the state the write set.
 */

/** One write of the endpoint and the reads of its resource around it. */
export interface ProbeObservation {
  /** The read just before the write (undefined: none seen; `absent`: it did not exist yet). */
  before?: unknown
  /** The read just after the write. */
  after: unknown
  /** The write's JSON body, when it had one. */
  writeBody?: unknown
}

/** Marks a read that found nothing (404): its numbers count as 0. */
export const ABSENT = Symbol('absent')

export interface SelectProposal {
  select: string
  oracle: 'count' | 'state'
  /** One comment line: why this select. */
  reason: string
}

/** `$.value`, `$.items[0].n`, `$["total-count"]` */
function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`
}

/** Every number in a JSON value, by JSONPath. */
function numbers(value: unknown, at = '$', out = new Map<string, number>()): Map<string, number> {
  if (typeof value === 'number' && Number.isFinite(value)) out.set(at, value)
  else if (Array.isArray(value)) value.forEach((v, i) => numbers(v, childPath(at, i), out))
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) numbers(v, childPath(at, k), out)
  return out
}

/** Paths whose number changed by the same non-zero step across every write with a read before it. */
function constantSteps(observations: ProbeObservation[]): {path: string; step: number; seen: number} | undefined {
  const withBefore = observations.filter((o) => o.before !== undefined)
  if (withBefore.length === 0) return undefined
  let candidates: Map<string, number> | undefined
  for (const o of withBefore) {
    const after = numbers(o.after)
    const before = o.before === ABSENT ? new Map<string, number>() : numbers(o.before)
    const steps = new Map<string, number>()
    for (const [path, value] of after) {
      const from = before.get(path) ?? (o.before === ABSENT ? 0 : undefined)
      if (from !== undefined && value !== from) steps.set(path, value - from)
    }
    candidates = candidates === undefined ? steps : new Map([...candidates].filter(([p, s]) => steps.get(p) === s))
  }
  // Fields of the resource itself before numbers inside its lists, shallow before deep.
  const rank = (path: string) => (path.includes('[') ? 100 : 0) + path.split('.').length
  const best = [...(candidates ?? [])].sort((a, b) => rank(a[0]) - rank(b[0]))[0]
  return best ? {path: best[0], step: best[1], seen: withBefore.length} : undefined
}

/** The fields of the read that hold what the write sent: `$.value` for `PUT {value: …}`. */
function writtenField(observation: ProbeObservation): string | undefined {
  const after = observation.after
  const body = observation.writeBody
  if (after === null || typeof after !== 'object' || Array.isArray(after)) return undefined
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined
  const matching = Object.entries(body).filter(([k, v]) => JSON.stringify((after as Record<string, unknown>)[k]) === JSON.stringify(v))
  return matching.length === 1 ? childPath('$', (matching[0] as [string, unknown])[0]) : undefined
}

export function proposeSelect(observations: ProbeObservation[]): SelectProposal {
  const step = constantSteps(observations)
  if (step) {
    const times = step.seen === 1 ? 'the one write with a read before it' : `each of ${step.seen} writes`
    return {select: step.path, oracle: 'count', reason: `count: ${step.path} changed by ${step.step} with ${times} in the recording`}
  }
  const first = observations[0]
  const field = first ? writtenField(first) : undefined
  if (field) return {select: field, oracle: 'state', reason: `state: ${field} holds what the write sent; no number changed by a constant step`}
  return {select: '$', oracle: 'state', reason: 'state: the whole read, since no number changed by a constant step and no field echoes the write; narrow it and list volatile fields'}
}
