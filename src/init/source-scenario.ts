import path from 'node:path'
import {UsageError} from '../errors.js'
import {loadScenario} from '../scenario/load-scenario.js'
import {builtinProfileCatalog} from '../scenario/profiles.js'
import type {Scenario} from '../scenario/types.js'
import {didYouMean} from '../scenario/validate.js'
import {draftScenario} from './draft-source.js'
import {writeScenario} from './scenario-writer.js'

export interface SourceScenarioOptions {
  /** Base URL of the server to test; required when the source's own is not on loopback. */
  upstream?: string
  /** Profiles for every endpoint; default the scenario defaults. */
  profiles?: string[]
}

/**
 * `check --from FILE`: the scenario `init --from FILE` would write, made in memory and loaded
 * as a scenario file is, with the arguments that name it again in replay commands.
 */
export async function scenarioFromSource(from: string, options: SourceScenarioOptions = {}): Promise<{scenario: Scenario; replayArgs: string[]}> {
  const known = builtinProfileCatalog()
  for (const name of options.profiles ?? []) {
    if (known.has(name)) continue
    const near = didYouMean(name, [...known.keys()])
    throw new UsageError(`--profiles: unknown profile "${name}"${near ? ` (did you mean ${near}?)` : ''}; faultline profiles lists them`)
  }
  const dir = path.dirname(path.resolve(from))
  const draft = await draftScenario(from, {...(options.upstream ? {upstream: options.upstream} : {}), outDir: dir})
  const url = String(draft.target.url)
  if (!options.upstream && !isLoopback(url)) {
    throw new UsageError(`--upstream: the recording went to ${url}, which faultline never contacts; give --upstream with the loopback URL of the server to test, e.g. --upstream http://127.0.0.1:3000`)
  }
  if (options.profiles) draft.profiles = options.profiles
  const scenario = await loadScenario(`${from} (as a scenario)`, {text: writeScenario(draft), dir})
  const replayArgs = ['--from', from, ...(options.upstream ? ['--upstream', options.upstream] : []), ...(options.profiles ? ['--profiles', options.profiles.join(',')] : [])]
  return {scenario, replayArgs}
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url.replace(/^grpc:/, 'http:')).hostname
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]'
  } catch {
    return false
  }
}

export interface CheckSource {
  /** The scenario file argument. */
  file?: string
  from?: string
  upstream?: string
  /** `a,b`: comma-separated profile names. */
  profiles?: string
}

/**
 * What `check` runs: a scenario file, or the scenario made from `--from FILE`; how reports
 * name it (`scenarioArg`) and the arguments replay commands repeat.
 */
export async function scenarioForCheck(source: CheckSource): Promise<{scenario: Scenario; scenarioArg: string; replayArgs?: string[]}> {
  if (source.file !== undefined && source.from !== undefined) throw new UsageError(`give a scenario file or --from ${source.from}, not both`)
  if (source.from === undefined) {
    if (source.file === undefined) throw new UsageError('give a scenario file (faultline check scenario.yaml), or --from a HAR recording with --upstream URL')
    for (const flag of ['upstream', 'profiles'] as const) {
      if (source[flag] !== undefined) throw new UsageError(`--${flag} goes with --from; a scenario file names its ${flag === 'upstream' ? 'target.url' : 'profiles'} itself`)
    }
    return {scenario: await loadScenario(source.file), scenarioArg: source.file}
  }
  const profiles = source.profiles?.split(',').map((p) => p.trim()).filter((p) => p !== '')
  if (profiles !== undefined && profiles.length === 0) throw new UsageError('--profiles: give profile names separated by commas, e.g. --profiles drop-reply,duplicate')
  const made = await scenarioFromSource(source.from, {...(source.upstream ? {upstream: source.upstream} : {}), ...(profiles ? {profiles} : {})})
  return {...made, scenarioArg: made.replayArgs.join(' ')}
}
