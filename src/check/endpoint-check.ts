import {UsageError} from '../errors.js'
import {findTemplateNames} from '../scenario/template.js'
import type {Endpoint, Scenario} from '../scenario/types.js'
import {runBaseline} from './baseline-run.js'
import type {EndpointReport} from './check-result.js'
import {checkIdempotencyKey} from './conformance/idempotency-key.js'
import {conformanceShortfall} from './conformance/shortfall.js'
import {mapLimit} from './map-limit.js'
import {measureTrial} from './oracle.js'
import {countTrials, planEndpoint, planTrial, type PlannedTrial} from './plan.js'
import {shrinkBreaches, type ShrinkLimits} from './shrink.js'
import {shrinkCandidate} from './shrink-candidates.js'
import type {TrialSelection} from './shard.js'
import type {TrialGate} from './trial-gate.js'
import {runTrial, type TrialEnvironment} from './trial-runner.js'
import {judgeEndpoint} from './endpoint-report.js'
import {TrialTimelines} from './trial-timelines.js'
import {CONTRACT_ORDER, type ContractName} from './verdict.js'

export interface EndpointCheckOptions {
  seed: number
  /** How the user named the scenario file, for replay commands. */
  scenarioArg: string
  /** The arguments that name the scenario in a replay command, when it is not one file (`--from x.har …`). */
  replayArgs?: string[]
  /** Only this trial number. */
  trial?: number
  /** With `trial`: run its n-th simpler candidate instead (a minimal case's replay); never shrinks. */
  candidate?: number
  /** Search for the simplest fault that still breaks each broken contract, within these limits. */
  shrink?: ShrinkLimits
  /** Only these trial numbers, ascending (a shard's slice), and whether this shard runs the profile set rules. */
  trials?: TrialSelection
  onTrial?: (endpoint: string, done: number, total: number) => void
}

/**
 * Check one endpoint: its clean baseline, then its planned trials (overlapping when every
 * trial has fresh state), each measured by the oracle the baseline chose, then the verdict.
 */
export async function checkEndpoint(env: TrialEnvironment, gate: TrialGate, endpoint: Endpoint, index: number, options: EndpointCheckOptions): Promise<EndpointReport> {
  const {seed} = options
  const total = countTrials(endpoint)
  let selected: Iterable<PlannedTrial> = planEndpoint(env.scenario, endpoint, index, seed)
  let count = total
  if (options.trial !== undefined) {
    selected = [selectTrial(env.scenario, endpoint, index, seed, options.trial, options.candidate)]
    count = 1
  } else if (options.trials) {
    selected = planIds(options.trials.ids, (id) => planTrial(env.scenario, endpoint, index, seed, id))
    count = options.trials.count
  }
  const {baseline, note: baselineNote} = await runBaseline(env, gate, endpoint, index)
  let done = 0
  const limit = isKeyed(endpoint, env.scenario) ? env.scenario.concurrency : 1
  // Each trial is kept as its facts; only the timelines its evidence needs stay (trial-timelines.ts).
  const timelines = new TrialTimelines(baseline.oracle)
  const trials = await mapLimit(selected, limit, async (trial) => {
    const raw = await gate.run(trial.exclusive, () => runTrial(env, trial))
    done += 1
    options.onTrial?.(endpoint.name, done, count)
    const measured = measureTrial(endpoint, baseline, raw, replayCommand(options.replayArgs ?? [options.scenarioArg], seed, trial), env.scenario.client.timeout)
    return timelines.keep(trial.candidate === undefined ? measured : {...measured, candidate: trial.candidate})
  })
  const judged = judgeEndpoint(endpoint, baseline.oracle, timelines.attach(trials), baselineNote)
  // The set's rules run alone (no trial overlaps them), only in a full run of the endpoint, and
  // of a sharded run in one shard only (shard.ts).
  const runsSet = options.trial === undefined && options.trials?.conformance !== false
  const conformance = endpoint.idempotencyKey && runsSet ? await gate.run(true, () => checkIdempotencyKey(env, endpoint, index)) : undefined
  const shortfall = conformance ? conformanceShortfall(conformance) : undefined
  const shrunk =
    options.shrink && options.candidate === undefined
      ? await shrinkBreaches({
          env,
          gate,
          baseline,
          breaches: judged.breaches,
          planned: (id) => planTrial(env.scenario, endpoint, index, seed, id),
          replay: (trial) => replayCommand(options.replayArgs ?? [options.scenarioArg], seed, trial),
          limits: options.shrink,
        })
      : undefined
  return {
    ...judged,
    met: judged.met && shortfall === undefined,
    unmetReason: judged.unmetReason ?? shortfall,
    ...(shrunk ? {minimal: shrunk.minimal, shrink: {reruns: shrunk.reruns, ms: shrunk.ms}} : {}),
    ...(conformance ? {conformance} : {}),
  }
}

/** An endpoint the run could not finish: nothing is known, and its expectation is not met. */
export function abortedReport(endpoint: Pick<Endpoint, 'name' | 'expect'>, reason: string): EndpointReport {
  const each = <T>(make: () => T) => Object.fromEntries(CONTRACT_ORDER.map((name) => [name, make()])) as Record<ContractName, T>
  return {
    name: endpoint.name,
    expect: endpoint.expect,
    met: false,
    unmetReason: `aborted: ${reason.split('\n')[0]}`,
    aborted: reason,
    oracle: 'none',
    inferred: false,
    contracts: each(() => 'unknown' as const),
    breaches: {},
    evidence: each((): number[] => []),
    inconclusive: each(() => []),
    variants: each(() => ({})),
    trials: [],
    notInjected: [],
    errors: [],
  }
}

function* planIds(ids: Iterable<number>, plan: (id: number) => PlannedTrial): Generator<PlannedTrial> {
  for (const id of ids) yield plan(id)
}

/** Endpoints whose request (or client command) and probe use {{key}} get fresh state per trial, so their trials may overlap. */
function isKeyed(endpoint: Endpoint, scenario: Scenario): boolean {
  // A client command's trials each have their own listener; its command line and env carry the key.
  const request = scenario.clientCommand ? [scenario.clientCommand.command, scenario.clientCommand.env] : endpoint.request
  return findTemplateNames(request).includes('key') && (!endpoint.effect || findTemplateNames(endpoint.effect.request).includes('key'))
}

/**
 * Trial `id` of an endpoint's plan, or with `candidate` its n-th simpler candidate
 * (shrink-candidates.ts); a number outside the plan is a usage error.
 */
export function selectTrial(scenario: Scenario, endpoint: Endpoint, index: number, seed: number, id: number, candidate?: number): PlannedTrial {
  const total = countTrials(endpoint)
  if (id > total) throw new UsageError(`--trial ${id}: endpoint "${endpoint.name}" has trials 1 to ${total} with this scenario`)
  const planned = planTrial(scenario, endpoint, index, seed, id)
  if (candidate === undefined) return planned
  const found = shrinkCandidate(scenario, planned, seed, candidate)
  if (!found.candidate) {
    const has = found.count === 0 ? 'no simpler candidates' : `simpler candidates 1 to ${found.count}`
    throw new UsageError(`--candidate ${candidate}: trial ${id} of endpoint "${endpoint.name}" has ${has} with this scenario and seed`)
  }
  return found.candidate
}

/** The command that runs exactly this trial (or this simpler candidate of it) again. */
function replayCommand(scenarioArgs: string[], seed: number, trial: PlannedTrial): string {
  const quote = (s: string) => (/^[\w./:@=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)
  const candidate = trial.candidate === undefined ? '' : ` --candidate ${trial.candidate}`
  return `faultline check ${scenarioArgs.map(quote).join(' ')} --seed ${seed} --only ${quote(trial.endpoint.name)} --trial ${trial.id}${candidate}`
}
