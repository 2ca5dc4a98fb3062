import {MAX_TIMER_MS} from '../timer-limit.js'
import type {PathSegment, YamlSource} from './source.js'
import type {Profile, Scenario} from './types.js'

/**
 * Limits on the work one scenario may ask for. Each single count has its bound in the JSON
 * Schema (trials ≤ 10000, attempts ≤ 100, …, listed in docs/scenario.md); the checks here
 * are the ones no single field shows: products of counts, and timers computed from several
 * fields. A scenario past one is refused at load time, at the field to change.
 */

/** Trials one run may plan: the sum over endpoints of profiles × trials. */
export const MAX_TRIALS_PER_RUN = 100_000

const LONGEST_TIMER = `the longest timer (${MAX_TIMER_MS}ms, about 24.8 days)`

/** `1234ms`, or `1.2e+300ms` when a plain number would be unreadable. */
function ms(value: number): string {
  return value < 1e15 ? `${Math.round(value)}ms` : `${value.toExponential(1)}ms`
}

/** The scenario as written, for where a problem sits; only the fields these checks point at. */
interface RawCounts {
  trials?: unknown
  client?: {timeout?: unknown; attempts?: unknown; backoff?: unknown; backoffFactor?: unknown}
  endpoints: Array<{trials?: unknown}>
}

/** Throws a ScenarioError at the field to change when the loaded scenario is past a limit. */
export function checkBounds(source: YamlSource, raw: RawCounts, scenario: Scenario): void {
  checkTrialTotal(source, raw, scenario)
  checkLastBackoff(source, raw, scenario)
  checkTimeoutDelays(source, raw, scenario)
}

function checkTrialTotal(source: YamlSource, raw: RawCounts, scenario: Scenario): void {
  const total = scenario.endpoints.reduce((sum, e) => sum + e.profiles.length * e.trials, 0)
  if (total <= MAX_TRIALS_PER_RUN) return
  let sum = 0
  const over = scenario.endpoints.findIndex((e) => (sum += e.profiles.length * e.trials) > MAX_TRIALS_PER_RUN)
  const at: PathSegment[] =
    raw.endpoints[over]?.trials !== undefined
      ? ['endpoints', over, 'trials']
      : raw.trials !== undefined
        ? ['trials']
        : ['endpoints', over]
  throw source.error(
    at,
    `the scenario plans ${total} trials (each endpoint's profiles × trials, summed); a run plans at most ${MAX_TRIALS_PER_RUN}: lower trials or split the endpoints over several scenarios`,
  )
}

function checkLastBackoff(source: YamlSource, raw: RawCounts, scenario: Scenario): void {
  const {backoff, backoffFactor, attempts} = scenario.client
  if (attempts < 2) return
  const longest = backoff * backoffFactor ** (attempts - 2)
  if (longest <= MAX_TIMER_MS) return
  const given = raw.client ?? {}
  const field =
    given.backoffFactor !== undefined ? 'backoffFactor' : given.backoff !== undefined ? 'backoff' : 'attempts'
  throw source.error(
    ['client', field],
    `the last retry would wait ${ms(longest)} (backoff × backoffFactor^(attempts − 2)), past ${LONGEST_TIMER}: lower backoff, backoffFactor or attempts`,
  )
}

/** The largest multiple of client.timeout a profile delays by, if any of its faults does. */
function largestTimeoutFactor(profile: Profile): number | undefined {
  const factors = profile.faults.flatMap((f) =>
    f.delayTimeoutFactor === undefined ? [] : [f.delayTimeoutFactor].flat(),
  )
  return factors.length === 0 ? undefined : Math.max(...factors)
}

function checkTimeoutDelays(source: YamlSource, raw: RawCounts, scenario: Scenario): void {
  const used = new Set([...scenario.profiles, ...scenario.endpoints.flatMap((e) => e.profiles)])
  for (const name of used) {
    const profile = scenario.profileCatalog.get(name)
    const factor = profile ? largestTimeoutFactor(profile) : undefined
    if (factor === undefined || factor * scenario.client.timeout <= MAX_TIMER_MS) continue
    const at: PathSegment[] = raw.client?.timeout !== undefined ? ['client', 'timeout'] : ['client']
    throw source.error(
      at,
      `profile "${name}" delays up to ${factor} × client.timeout = ${ms(factor * scenario.client.timeout)}, past ${LONGEST_TIMER}: lower client.timeout`,
    )
  }
}
