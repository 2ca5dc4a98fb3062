import path from 'node:path'
import {ScenarioError} from '../errors.js'
import {checkBounds} from './bounds.js'
import {buildClient} from './client-policy.js'
import {buildClientCommand} from './client-command.js'
import {buildEndpoints} from './endpoints.js'
import {checkFaultNeeds, checkProfileNames, loadProfileFiles} from './profile-selection.js'
import type {RawScenario} from './raw-scenario.js'
import {SCENARIO_DEFAULTS} from './scenario-defaults.js'
import {Checker} from './scenario-checker.js'
import {parseYamlText, readYamlFile} from './source.js'
import {buildTarget, loadProto} from './target.js'
import type {Scenario} from './types.js'
import {schemaValidator, validateSource} from './validate.js'

export {SCENARIO_DEFAULTS} from './scenario-defaults.js'

export interface LoadScenarioOptions {
  /** Environment `{{env.NAME}}` templates are checked against (default process.env). */
  env?: NodeJS.ProcessEnv
  /**
   * The scenario's text, when it was made in memory (`check --from`) rather than read from
   * `file`, which then only names it in messages; relative paths resolve against `dir`.
   */
  text?: string
  dir?: string
}

/**
 * Read, validate and type a scenario file. Every problem is a ScenarioError (exit 2) whose
 * one-line message starts with file:line:column and names the field and what is allowed.
 * Defaults are filled here and nowhere else; profile files are loaded into the catalog.
 */
export async function loadScenario(file: string, options: LoadScenarioOptions = {}): Promise<Scenario> {
  const source = options.text === undefined ? await readYamlFile(file, 'scenario file') : parseYamlText(file, options.text)
  if (source.data === null || source.data === undefined) {
    throw new ScenarioError(
      {file, line: 1, column: 1},
      'the scenario file is empty; it starts with version: 1',
    )
  }
  validateSource(source, await schemaValidator('scenario.schema.json'))
  const raw = source.data as RawScenario
  const check = new Checker(source, options.env ?? process.env)
  const absolute = path.resolve(file)
  const dir = options.dir ?? path.dirname(absolute)

  const target = buildTarget(check, raw.target, dir)
  const proto = loadProto(check, target)
  const clientCommand = buildClientCommand(check, raw.client, dir, target.replicas?.map((r) => r.name))
  const client = buildClient(check, raw.client, target)
  // A client command's deadline is the whole operation's timeout (timeout-relative faults use it).
  if (clientCommand) client.timeout = clientCommand.timeout
  const {catalog, files} = await loadProfileFiles(check, raw, file, dir)
  const profiles = raw.profiles
    ? checkProfileNames(check, ['profiles'], raw.profiles, catalog, target.protocol)
    : [...SCENARIO_DEFAULTS.profiles]
  const trials = raw.trials ?? SCENARIO_DEFAULTS.trials
  const scenario: Scenario = {
    file: absolute,
    dir,
    version: 1,
    target,
    client,
    endpoints: buildEndpoints(check, raw, catalog, profiles, trials, proto, clientCommand !== undefined),
    profiles,
    profileCatalog: catalog,
    profileFiles: files,
    trials,
    settle: check.duration(['settle'], raw.settle, SCENARIO_DEFAULTS.settle),
    concurrency: raw.concurrency ?? SCENARIO_DEFAULTS.concurrency,
  }
  if (clientCommand) scenario.clientCommand = clientCommand
  if (raw.seed !== undefined) scenario.seed = raw.seed
  if (raw.toxiproxy !== undefined) scenario.toxiproxy = {url: raw.toxiproxy.url, proxies: raw.toxiproxy.proxies ?? []}
  checkFaultNeeds(check, raw, scenario)
  checkBounds(source, raw, scenario)
  return scenario
}
