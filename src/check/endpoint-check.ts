import {UsageError} from '../errors.js'
import {findTemplateNames} from '../scenario/template.js'
import type {Endpoint} from '../scenario/types.js'
import {runBaseline} from './baseline-run.js'
import type {EndpointReport} from './check-result.js'
import {mapLimit} from './map-limit.js'
import {measureTrial} from './oracle.js'
import {countTrials, planEndpoint, planTrial, type PlannedTrial} from './plan.js'
import type {TrialGate} from './trial-gate.js'
import {runTrial, type TrialEnvironment} from './trial-runner.js'
import {judgeEndpoint} from './endpoint-report.js'
import {CONTRACT_ORDER, type ContractName} from './verdict.js'

export interface EndpointCheckOptions {
  seed: number
  /** How the user named the scenario file, for replay commands. */
  scenarioArg: string
  /** Only this trial number. */
  trial?: number
  /** Only these trial numbers, ascending (a shard's slice). */
  trials?: {ids: Iterable<number>; count: number}
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
    if (options.trial > total) {
      throw new UsageError(`--trial ${options.trial}: endpoint "${endpoint.name}" has trials 1 to ${total} with this scenario`)
    }
    selected = [planTrial(env.scenario, endpoint, index, seed, options.trial)]
    count = 1
  } else if (options.trials) {
    selected = planIds(options.trials.ids, (id) => planTrial(env.scenario, endpoint, index, seed, id))
    count = options.trials.count
  }
  const {baseline, note: baselineNote} = await runBaseline(env, gate, endpoint, index)
  let done = 0
  const limit = isKeyed(endpoint) ? env.scenario.concurrency : 1
  const trials = await mapLimit(selected, limit, async (trial) => {
    const raw = await gate.run(trial.exclusive, () => runTrial(env, trial))
    done += 1
    options.onTrial?.(endpoint.name, done, count)
    return measureTrial(endpoint, baseline, raw, replayCommand(options.scenarioArg, seed, endpoint, trial.id), env.scenario.client.timeout)
  })
  return judgeEndpoint(endpoint, baseline.oracle, trials, baselineNote)
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

/** Endpoints whose request and probe use {{key}} get fresh state per trial, so their trials may overlap. */
function isKeyed(endpoint: Endpoint): boolean {
  return findTemplateNames(endpoint.request).includes('key') && (!endpoint.effect || findTemplateNames(endpoint.effect.request).includes('key'))
}

/** The command that runs exactly this trial again. */
function replayCommand(scenarioArg: string, seed: number, endpoint: Endpoint, trial: number): string {
  const quote = (s: string) => (/^[\w./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)
  return `faultline check ${quote(scenarioArg)} --seed ${seed} --only ${quote(endpoint.name)} --trial ${trial}`
}
