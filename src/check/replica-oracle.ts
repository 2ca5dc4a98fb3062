import type {Baseline} from './oracle.js'
import {replicaReading, type ReplicaRule} from './replica-probe.js'
import type {ReplicaMeasure, TrialResult} from './trial-result.js'
import type {RawTrial} from './trial-runner.js'

/**
 * effect.replica any|all: every replica's readings measured on their own, as if each were the
 * only server, then combined by the rule (docs/replicas.md, "Reading every replica"):
 * - all: the effect must be on every replica read; missing on one is a lost effect there.
 * - any: the effect is there when one replica read has it.
 * Under both, more than one execution on any replica is a duplicate execution there.
 */

/** Replica names of a trial's per-replica readings, primary first. */
function replicaNames(raw: RawTrial): string[] {
  const reading = [raw.before, raw.after, raw.afterRestart].find((r) => r?.kind === 'replicas')
  return reading?.kind === 'replicas' ? reading.readings.map((r) => r.replica) : []
}

/** One replica's view of a trial: its own readings in place of the combined ones; undefined when it was down before or after. */
function replicaTrial(raw: RawTrial, replica: string): RawTrial | undefined {
  const before = replicaReading(raw.before, replica)
  const after = replicaReading(raw.after, replica)
  if (typeof before !== 'object' || typeof after !== 'object') return undefined
  const failover = replicaReading(raw.afterRestart, replica)
  const one: RawTrial = {...raw, before, after}
  if (typeof failover === 'object') one.afterRestart = failover
  else delete one.afterRestart
  return one
}

/**
 * The baseline of a probe across replicas: the first replica (primary first) whose readings
 * show the clean execution defines what one execution does. A replica that does not show it
 * is no baseline problem under either rule: under `all` every trial then reports the effect
 * lost on that replica, which is what its users need to know. Only when no replica shows it
 * is the baseline unusable (the first replica's problem, named).
 */
export function baselineAcrossReplicas(raw: RawTrial, establish: (raw: RawTrial) => Baseline, problem: (message: string) => Error): Baseline {
  let firstProblem: Error | undefined
  for (const name of replicaNames(raw)) {
    const one = replicaTrial(raw, name)
    try {
      if (!one) throw problem(`replica ${name} was down during the clean baseline, so its effect could not be read`)
      return establish(one)
    } catch (error) {
      if (!(error instanceof Error)) throw error
      error.message = `on replica ${name}: ${error.message}`
      firstProblem ??= error
    }
  }
  throw firstProblem ?? problem('no replica could be read during the clean baseline')
}

/** Combine the replicas' measurements of one trial by the rule; `measure` measures one replica's readings. */
export function measureAcrossReplicas<T extends TrialResult>(rule: ReplicaRule, result: T, raw: RawTrial, measure: (raw: RawTrial) => TrialResult): T {
  const readings: ReplicaMeasure[] = []
  const measured: TrialResult[] = []
  for (const replica of replicaNames(raw)) {
    const entry: ReplicaMeasure = {replica, before: replicaReading(raw.before, replica) ?? 'down', after: replicaReading(raw.after, replica) ?? 'down', measured: false}
    const failover = replicaReading(raw.afterRestart, replica)
    if (failover !== undefined) entry.afterFailover = failover
    readings.push(entry)
    const one = replicaTrial(raw, replica)
    if (!one) continue
    const m = measure(one)
    if (m.error !== undefined) return {...result, replicas: {rule, readings}, error: `replica ${replica}: ${m.error}`}
    Object.assign(entry, {measured: true, executions: m.executions, effectVisible: m.effectVisible, stateMatchesClean: m.stateMatchesClean, effectAfterRestart: m.effectAfterRestart, effectSurvivedCrash: m.effectSurvivedCrash})
    measured.push(m)
  }
  const combined: T = {...result, replicas: {rule, readings}}
  if (measured.length === 0) {
    return {...combined, unmeasurableEffect: `no replica could be read (${downNames(readings).join(', ')} down), so nothing can be counted`}
  }
  const counts = measured.flatMap((m) => (m.executions === null ? [] : [m.executions]))
  combined.executions = counts.length === 0 ? null : Math.max(...counts)
  const pick = <K extends keyof TrialResult>(key: K) => measured.map((m) => m[key] as boolean | null)
  combined.effectVisible = rule === 'all' ? allOf(pick('effectVisible')) : anyOf(pick('effectVisible'))
  combined.effectAfterRestart = decided(pick('effectAfterRestart'), rule)
  combined.effectSurvivedCrash = decided(pick('effectSurvivedCrash'), rule)
  combined.stateMatchesClean = rule === 'all' ? allOf(pick('stateMatchesClean')) : visibleMatchClean(measured)
  const unmeasurable = measured.findIndex((m) => m.unmeasurableEffect !== undefined)
  if (combined.effectVisible === null && unmeasurable !== -1) {
    combined.unmeasurableEffect = `on replica ${readings.filter((r) => r.measured)[unmeasurable]?.replica}: ${measured[unmeasurable]?.unmeasurableEffect}`
  }
  return combined
}

/** all: false on any replica decides it; null (could not tell) on one leaves it open. */
function allOf(values: Array<boolean | null>): boolean | null {
  return values.includes(false) ? false : values.includes(null) ? null : true
}

/** any: true on one replica decides it. */
function anyOf(values: Array<boolean | null>): boolean | null {
  return values.includes(true) ? true : values.includes(null) ? null : false
}

/** A crash reading only some replicas have (the others were down): judged on those that have it. */
function decided(values: Array<boolean | null>, rule: ReplicaRule): boolean | null {
  const known = values.filter((v): v is boolean => v !== null)
  if (known.length === 0) return null
  return rule === 'all' ? known.every(Boolean) : known.some(Boolean)
}

/** any: the replicas that show the effect each show exactly one execution's state. */
function visibleMatchClean(measured: TrialResult[]): boolean | null {
  const visible = measured.filter((m) => m.effectVisible === true)
  if (visible.length > 0) return visible.every((m) => m.stateMatchesClean === true)
  return measured.some((m) => m.stateMatchesClean === false) ? false : null
}

function downNames(readings: readonly ReplicaMeasure[]): string[] {
  return readings.filter((r) => r.before === 'down' || r.after === 'down').map((r) => r.replica)
}

/** The replicas of a trial a breach is about, by the field that breaks, as `backup` or `backup, backup-2`. */
export function replicasWhere(t: TrialResult, test: (m: ReplicaMeasure) => boolean): string {
  return (t.replicas?.readings ?? []).filter((m) => m.measured && test(m)).map((m) => m.replica).join(', ')
}

/** ` (primary was down at the failover probe and not read)`, or '' when every replica was read. */
export function downAtFailover(t: TrialResult): string {
  const down = (t.replicas?.readings ?? []).filter((m) => m.afterFailover === 'down').map((m) => m.replica)
  if (down.length === 0) return ''
  return ` (${down.join(', ')} ${down.length === 1 ? 'was' : 'were'} down at the failover probe and not read)`
}
