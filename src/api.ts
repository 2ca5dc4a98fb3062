/**
 * faultline as a library, for test runners: `import {check} from 'faultline'`. Nothing here
 * prints or exits the process; failures reject with a FaultlineError (code, exitCode).
 */
import {relative} from 'node:path'
import {toJsonResult, type CheckJson} from './check/json-result.js'
import {runCheck} from './check/run-check.js'
import {parseShard, type Shard} from './check/shard.js'
import {UsageError} from './errors.js'
import {loadScenario} from './scenario/load-scenario.js'
import type {Scenario} from './scenario/types.js'

export interface CheckApiOptions {
  /** The scenario file's path, or a scenario from `loadScenario(path)`. */
  scenario: string | Scenario
  /** Default: the scenario's `seed`, else a fresh one (the result's `seed` says which). */
  seed?: number
  /** Only this endpoint (`--only`). */
  only?: string
  /** Only this trial of the `only` endpoint (`--trial`). */
  trial?: number
  /** Only this slice of the trials, `'2/3'` or `{index: 2, total: 3}` (`--shard`); needs a seed. */
  shard?: string | Shard
  /** Aborting stops the run in order (the server is stopped) and rejects with the signal's reason. */
  signal?: AbortSignal
  /** The environment for `{{env.NAME}}` templates and the server (default: process.env). */
  env?: NodeJS.ProcessEnv
  /** Called as each trial finishes, for progress. */
  onTrial?: (endpoint: string, done: number, total: number) => void
}

/**
 * Run a check and resolve to the document `faultline check --json` prints. The run's folder
 * (server log, `{{runDir}}`) is removed when it ends, so the result names no server log.
 */
export async function check(options: CheckApiOptions): Promise<CheckJson> {
  const {seed, signal} = options
  if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0)) throw new UsageError(`seed ${seed}: write a whole number from 0 to 2^53-1`)
  const scenario = typeof options.scenario === 'string' ? await loadScenario(options.scenario, {env: options.env}) : options.scenario
  const shard = options.shard === undefined ? undefined : parseShard(typeof options.shard === 'string' ? options.shard : `${options.shard.index}/${options.shard.total}`)
  signal?.throwIfAborted()
  const result = await runCheck({
    scenario,
    scenarioArg: typeof options.scenario === 'string' ? options.scenario : relative(process.cwd(), scenario.file),
    seed,
    only: options.only,
    trial: options.trial,
    shard,
    signal,
    env: options.env,
    onTrial: options.onTrial,
  })
  // An interrupted run's verdicts are not verdicts: reject as the CLI stops on Ctrl-C.
  signal?.throwIfAborted()
  const {serverLog: _removed, ...kept} = result
  return toJsonResult(kept)
}

export {loadScenario} from './scenario/load-scenario.js'
export {mergeShards, type ShardFile} from './check/merge.js'
export {fromJsonResult} from './check/result-from-json.js'
export {toJsonResult, RESULT_VERSION, type CheckJson} from './check/json-result.js'
export {readResultFile} from './report/result-file.js'
export {formatCheckReport} from './report/terminal-report.js'
export {formatJUnitReport} from './report/junit-report.js'
export {formatMarkdownReport} from './report/markdown-report.js'
export {EXIT, FaultlineError, UsageError, ScenarioError, EnvironmentError} from './errors.js'
export type {CheckResult, EndpointReport, BreachReport} from './check/check-result.js'
export type {Contracts, ContractName, ContractState, Inconclusive} from './check/verdict.js'
export type {Shard, ShardInfo} from './check/shard.js'
export type {Scenario} from './scenario/types.js'
export type {TrialResult} from './check/trial-result.js'
