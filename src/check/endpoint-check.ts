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
import {computeVerdict, CONTRACT_ORDER, type ContractName} from './verdict.js'

export interface EndpointCheckOptions {
  seed: number
  /** How the user named the scenario file, for replay commands. */
  scenarioArg: string
  /** The arguments that name the scenario in a replay command, when it is not one file (`--from x.har …`). */
  replayArgs?: string[]
  /** Only this trial number. */
  trial?: number
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
  }
  const {baseline, note: baselineNote} = await runBaseline(env, gate, endpoint, index)
  let done = 0
  const limit = isKeyed(endpoint) ? env.scenario.concurrency : 1
  const trials = await mapLimit(selected, limit, async (trial) => {
    const raw = await gate.run(trial.exclusive, () => runTrial(env, trial))
    done += 1
    options.onTrial?.(endpoint.name, done, count)
    return measureTrial(endpoint, baseline, raw, replayCommand(options.replayArgs ?? [options.scenarioArg], seed, endpoint, trial.id), env.scenario.client.timeout)
  })
  const verdict = computeVerdict(baseline.oracle, trials, endpoint.expect)
  const breaches: EndpointReport['breaches'] = {}
  for (const [name, breach] of Object.entries(verdict.breaches)) {
    const trial = trials.find((t) => t.id === breach.trial)
    if (!trial) continue
    breaches[name as ContractName] = {trial: breach.trial, reason: breach.reason, fault: trial.fault, timeline: trial.timeline, replay: trial.replay}
  }
  return {
    name: endpoint.name,
    expect: endpoint.expect,
    met: verdict.met,
    unmetReason: verdict.unmetReason,
    oracle: baseline.oracle,
    inferred: verdict.inferred,
    contracts: verdict.contracts,
    breaches,
    evidence: verdict.evidence,
    inconclusive: verdict.inconclusive,
    variants: verdict.variants,
    baselineNote,
    trials,
    notInjected: trials.filter((t) => !t.injected).map((t) => t.id),
    errors: trials.filter((t) => t.error !== undefined).map((t) => ({trial: t.id, error: t.error as string})),
  }
}

/** An endpoint the run could not finish: nothing is known, and its expectation is not met. */
export function abortedReport(endpoint: Endpoint, reason: string): EndpointReport {
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

/** Endpoints whose request and probe use {{key}} get fresh state per trial, so their trials may overlap. */
function isKeyed(endpoint: Endpoint): boolean {
  return findTemplateNames(endpoint.request).includes('key') && (!endpoint.effect || findTemplateNames(endpoint.effect.request).includes('key'))
}

/** The command that runs exactly this trial again. */
function replayCommand(scenarioArgs: string[], seed: number, endpoint: Endpoint, trial: number): string {
  const quote = (s: string) => (/^[\w./:@=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)
  return `faultline check ${scenarioArgs.map(quote).join(' ')} --seed ${seed} --only ${quote(endpoint.name)} --trial ${trial}`
}
