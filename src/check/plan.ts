import {deriveRandom, type Random} from '../random.js'
import {describeFault, resolveFault, type FaultAction, type TimingChoice} from '../proxy/fault.js'
import type {Endpoint, ProfileFault, RemoteToxicSpec, Scenario} from '../scenario/types.js'

export interface PlannedFault {
  action: FaultAction
  /** Which attempt of the operation it hits. */
  attempt: number
  probability: number
}

/** A byte toxic put on a proxy of the scenario's Toxiproxy server for the whole trial. */
export interface PlannedToxic {
  proxy: string
  toxic: RemoteToxicSpec
}

/** One trial of one endpoint: its number, profile and the faults drawn for it. */
export interface PlannedTrial {
  /** 1-based within the endpoint, stable for a seed; 0 is the clean baseline. */
  id: number
  endpoint: Endpoint
  endpointIndex: number
  profile: string
  faults: PlannedFault[]
  /** Toxics on the Toxiproxy server (drawn with their probability at plan time). */
  toxics: PlannedToxic[]
  /** The faults' variants without exact timings (`duplicate(delayed, shortest gap)`). */
  variant: string
  /** Crash trials stop the whole server, and toxics change a whole proxy: they run alone. */
  exclusive: boolean
  /** Baseline only: the how-many-th try at a clean baseline (1 = the first), each on fresh keys. */
  try?: number
  /** Baseline only: the per-attempt timeout for this try, when longer than the scenario's. */
  clientTimeout?: number
  /** Shrinking only: this is the n-th simpler candidate of trial `id` (shrink-candidates.ts). */
  candidate?: number
}

/** Faults that change the whole target for a while: a crash, a partition, a faulted replication link (which carries no trial id). */
const CRASHES = new Set(['crash-before-reply', 'crash-after-reply', 'partition-primary', 'replication-delay', 'replication-drop'])

/** Crash-like faults (above) and toxics change the whole server or a whole proxy: a trial with either runs alone. */
export function runsAlone(faults: readonly PlannedFault[], toxics: readonly PlannedToxic[]): boolean {
  return toxics.length > 0 || faults.some((f) => CRASHES.has(f.action.type))
}

/** The label of a trial's faults, as shown in tables and JSON. */
export function faultLabel(trial: PlannedTrial): string {
  const labels = [
    ...trial.faults.map((f) => describeFault(f.action)),
    ...trial.toxics.map((t) => `toxic ${t.toxic.type} on ${t.proxy} (${t.toxic.stream})`),
  ]
  return labels.length === 0 ? 'none' : labels.join(' + ')
}

/**
 * A trial's number within its endpoint as keys and markers write it: `3`, `0r2` for a
 * baseline's second try, `3c2` for the second simpler candidate of trial 3 (shrinking).
 */
export function trialTag(trial: Pick<PlannedTrial, 'id' | 'try' | 'candidate'>): string {
  return `${trial.id}${trial.try !== undefined ? `r${trial.try}` : ''}${trial.candidate !== undefined ? `c${trial.candidate}` : ''}`
}

/** The clean baseline of an endpoint; later tries get fresh keys and a longer timeout. */
export function baselineTrial(endpoint: Endpoint, endpointIndex: number, attempt = 1, clientTimeout?: number): PlannedTrial {
  const trial: PlannedTrial = {id: 0, endpoint, endpointIndex, profile: 'baseline', faults: [], toxics: [], variant: 'none', exclusive: false}
  if (attempt > 1) trial.try = attempt
  if (clientTimeout !== undefined) trial.clientTimeout = clientTimeout
  return trial
}

/**
 * Is the fault meant to make a second delivery of the operation reach the server (a retry
 * after a lost reply, a duplicate, a retry after a crash)? Trials of such faults that see only
 * one delivery are inconclusive for the duplicate-sensitive contracts.
 */
export function seeksSecondDelivery(action: FaultAction, clientTimeout: number): boolean {
  switch (action.type) {
    case 'drop-request':
      return false
    case 'delay':
      return action.delay >= clientTimeout
    case 'status':
      return action.phase === 'reply'
    case 'partition-primary':
      return action.mode === 'after-delivery'
    case 'replication-delay':
      return false
    default:
      return true
  }
}

/** How many trials an endpoint runs: `trials` for each of its profiles. */
export function countTrials(endpoint: Endpoint): number {
  return endpoint.profiles.length * endpoint.trials
}

/**
 * Every trial of an endpoint, in order, made as it is asked for (a long plan is never held in
 * memory at once). For each profile, `trials` trials; see planTrial.
 */
export function* planEndpoint(scenario: Scenario, endpoint: Endpoint, endpointIndex: number, seed: number): Generator<PlannedTrial> {
  const total = countTrials(endpoint)
  for (let id = 1; id <= total; id++) yield planTrial(scenario, endpoint, endpointIndex, seed, id)
}

/**
 * Trial `id` (1-based) of an endpoint. Trials are numbered profile by profile. Within a
 * profile the planning is stratified: every variant of a fault (each of its modes, and both
 * ends of each timing range) is planned once, in a seeded order, before any repeats; later
 * rounds repeat the variants with timings drawn from the range. Every choice comes from
 * generators derived from (seed, endpoint name, …), so a trial is the same whether it runs
 * alone (`--trial N`) or with all the others.
 */
export function planTrial(scenario: Scenario, endpoint: Endpoint, endpointIndex: number, seed: number, id: number): PlannedTrial {
  const profileIndex = Math.floor((id - 1) / endpoint.trials)
  const round = (id - 1) % endpoint.trials
  const profileName = endpoint.profiles[profileIndex]
  const profile = profileName === undefined ? undefined : scenario.profileCatalog.get(profileName)
  if (!profile || profileName === undefined) throw new RangeError(`trial ${id} is outside the plan of endpoint ${endpoint.name}`)
  const random = deriveRandom(seed, endpoint.name, id)
  const faults: PlannedFault[] = []
  const toxics: PlannedToxic[] = []
  const variants: string[] = []
  profile.faults.forEach((f, index) => {
    if (f.type === 'toxic') {
      if (f.proxy !== undefined && f.toxic !== undefined && random.chance(f.probability)) {
        toxics.push({proxy: f.proxy, toxic: f.toxic})
        variants.push(`toxic ${f.toxic.type}`)
      }
      return
    }
    const variant = pickVariant(f, round, deriveRandom(seed, endpoint.name, profileName, index, 'round', Math.floor(round / variantsOf(f).length)))
    const action = resolveFault(f, random, scenario.client.timeout, variant)
    faults.push({action, attempt: f.attempt, probability: f.probability})
    variants.push(variantLabel(action, variant.timing, hasRange(f, action)))
  })
  return {
    id,
    endpoint,
    endpointIndex,
    profile: profileName,
    faults,
    toxics,
    variant: variants.length === 0 ? 'none' : variants.join(' + '),
    exclusive: runsAlone(faults, toxics),
  }
}

interface Variant {
  mode?: string
  timing: TimingChoice
}

/** The variants of a fault as a profile states it: each mode, and each end of a timing range. */
function variantsOf(fault: ProfileFault): Variant[] {
  const modes = fault.mode === undefined ? [undefined] : Array.isArray(fault.mode) ? fault.mode : [fault.mode]
  return modes.flatMap((mode): Variant[] =>
    rangedFor(fault, mode) ? [{mode, timing: 'min'}, {mode, timing: 'max'}] : [{mode, timing: 'drawn'}],
  )
}

/** Does this mode of the fault take its timing from a range? */
function rangedFor(fault: ProfileFault, mode: string | undefined): boolean {
  if (fault.type === 'duplicate') return mode === 'delayed' && Array.isArray(fault.delay)
  if (fault.type === 'delay') return Array.isArray(fault.delay) || Array.isArray(fault.delayTimeoutFactor)
  return false
}

function hasRange(fault: ProfileFault, action: FaultAction): boolean {
  return rangedFor(fault, 'mode' in action ? action.mode : undefined)
}

/**
 * The variant for the `round`-th trial of a profile: round r belongs to block ⌊r / n⌋ of the
 * n variants, each block a seeded permutation of them. The first block takes both ends of each
 * range; later blocks draw the timing.
 */
function pickVariant(fault: ProfileFault, round: number, blockRandom: Random): Variant {
  const all = variantsOf(fault)
  const order = shuffle(all, blockRandom)
  const chosen = order[round % all.length] as Variant
  return round < all.length ? chosen : {...chosen, timing: 'drawn'}
}

function shuffle<T>(items: readonly T[], random: Random): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

const TIMING_WORDS: Record<TimingChoice, string> = {min: 'shortest', max: 'longest', drawn: 'drawn'}

/** `duplicate(concurrent)`, `duplicate(delayed, shortest)`, `delay(request, longest)`. */
function variantLabel(action: FaultAction, timing: TimingChoice, ranged: boolean): string {
  if (action.type === 'duplicate') return action.mode === 'delayed' && ranged ? `duplicate(delayed, ${TIMING_WORDS[timing]})` : `duplicate(${action.mode})`
  if (action.type === 'delay' && ranged) return `delay(${action.phase}, ${TIMING_WORDS[timing]})`
  return describeFault(action)
}
