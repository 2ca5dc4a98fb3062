import {ScenarioError} from '../errors.js'
import type {Endpoint} from '../scenario/types.js'
import {BaselineProblem, establishBaseline, finalRefusal, uncleanBaseline, type Baseline} from './oracle.js'
import {baselineTrial} from './plan.js'
import type {TrialGate} from './trial-gate.js'
import {runTrial, type RawTrial, type TrialEnvironment} from './trial-runner.js'

/** How many times a clean baseline is tried, each with twice the previous attempt timeout (up to 8×). */
export const BASELINE_TRIES = 4

export interface BaselineRun {
  baseline: Baseline
  raw: RawTrial
  /** How many tries it took to get one clean execution (1 normally). */
  tries: number
  /** Why earlier tries were not clean, when there were any. */
  note?: string
}

/**
 * Run the clean baseline of an endpoint until it is clean (see uncleanBaseline): only then does
 * it define "one execution". A try with an attempt that timed out or lost its connection, or
 * that reached the server more often than it was sent, is run again on fresh keys with twice
 * the timeout. A
 * final refusal (a non-retryable error reply) or three unclean tries stop the run with a
 * scenario error that says, attempt by attempt, what happened.
 */
export async function runBaseline(env: TrialEnvironment, gate: TrialGate, endpoint: Endpoint, index: number): Promise<BaselineRun> {
  const {scenario} = env
  const tries: string[] = []
  let timeout = scenario.client.timeout
  for (let attempt = 1; attempt <= BASELINE_TRIES; attempt++) {
    const trial = baselineTrial(endpoint, index, attempt, attempt > 1 ? timeout : undefined)
    const raw = await gate.run(false, () => runTrial(env, trial))
    const problem = uncleanBaseline(raw)
    if (problem === undefined) {
      const baseline = establishOrExplain(env, endpoint, index, raw)
      const run: BaselineRun = {baseline, raw, tries: attempt}
      if (tries.length > 0) run.note = `the clean baseline needed ${attempt} tries (${tries.join('; ')}); it succeeded with a ${timeout}ms timeout`
      return run
    }
    tries.push(`try ${attempt} with a ${timeout}ms timeout: ${problem}`)
    if (finalRefusal(raw)) break
    timeout *= 2
  }
  throw failure(env, endpoint, index, tries)
}

function establishOrExplain(env: TrialEnvironment, endpoint: Endpoint, index: number, raw: RawTrial): Baseline {
  try {
    return establishBaseline(endpoint, raw)
  } catch (err) {
    if (!(err instanceof BaselineProblem)) throw err
    const position = (err.field === 'select' ? endpoint.positions?.select : endpoint.positions?.request) ?? {file: env.scenario.file}
    const field = err.field === 'select' ? `endpoints[${index}].effect.select` : `endpoints[${index}].request`
    throw new ScenarioError(position, `${field}: ${err.message}`)
  }
}

function failure(env: TrialEnvironment, endpoint: Endpoint, index: number, tries: string[]): ScenarioError {
  const timedOut = tries.some((t) => /no reply within/.test(t))
  const command = env.scenario.clientCommand !== undefined
  const advice = command
    ? 'with no fault, one run of client.command must exit 0 after one request per attempt that matches the endpoint; check the command and match'
    : timedOut
      ? `the clean call is slower than client.timeout (${env.scenario.client.timeout}ms) or was retried after a timeout; raise client.timeout`
      : 'a clean call of the endpoint must succeed; check its request method, path and body'
  const position = endpoint.positions?.request ?? {file: env.scenario.file}
  return new ScenarioError(position, `endpoints[${index}].${command ? 'match' : 'request'}: the clean baseline of endpoint "${endpoint.name}" never ran cleanly (ok, one delivery per attempt, no attempt timed out): ${tries.join(' | ')}; ${advice}`)
}
