import {randomBytes} from 'node:crypto'
import {setMaxListeners} from 'node:events'
import {ScenarioError, UsageError} from '../errors.js'
import {EventLog} from '../proxy/events.js'
import type {CrashContext} from '../proxy/proxy-hooks.js'
import {RuleSet} from '../proxy/rule-set.js'
import {newSeed} from '../random.js'
import {RemoteToxiproxy} from '../control/remote-toxiproxy.js'
import type {ProcessReaper} from '../supervisor/reaper.js'
import {findTemplateNames} from '../scenario/template.js'
import type {Endpoint, Scenario} from '../scenario/types.js'
import type {CheckResult, EndpointReport} from './check-result.js'
import type {RunningFaultProxy, Transport} from './protocol.js'
import {PROTOCOLS} from './protocols/registry.js'
import {BaselineProblem, establishBaseline, measureTrial, type Baseline} from './oracle.js'
import {baselineTrial, planEndpoint, type PlannedTrial} from './plan.js'
import {startTargetServer, type TargetServer} from './target-server.js'
import {TrialEventCollector} from './trial-events.js'
import {RunDir} from './run-dir.js'
import {runTrial, type ActiveTrial, type TrialEnvironment} from './trial-runner.js'
import {mapLimit} from './map-limit.js'
import {TrialGate} from './trial-gate.js'
import {computeVerdict} from './verdict.js'

export interface CheckOptions {
  scenario: Scenario
  /** How the user named the scenario file, for replay commands. */
  scenarioArg: string
  seed?: number
  /** Only this endpoint. */
  only?: string
  /** Only this trial number (with `only`). */
  trial?: number
  /** Every event goes here too (the command writes them to --events FILE). */
  events?: EventLog
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  /** The run's folder (server log, {{runDir}}); the caller keeps or removes it. Default: a fresh one, removed at the end. */
  runDir?: RunDir
  /** Kills the server's process group if faultline is interrupted. */
  reaper?: ProcessReaper
  /** Called once the seed is chosen, before anything runs (so an interrupted run can be reproduced). */
  onStart?: (seed: number) => void
  /** Called once the server faultline started is ready, with its log file. */
  onServer?: (server: {url: string; logFile?: string}) => void
  /** Called as each trial finishes, for progress output. */
  onTrial?: (endpoint: string, done: number, total: number) => void
}

/**
 * Run a whole check: start the server (if the scenario says how), put the fault proxy in
 * front of it, run a clean baseline and the planned trials per endpoint, and judge.
 * Never prints; always stops what it started.
 */
export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const started = performance.now()
  const {scenario} = options
  const seed = options.seed ?? scenario.seed ?? newSeed()
  const endpoints = selectEndpoints(scenario, options)
  options.onStart?.(seed)
  // A server that dies on its own, or will not come back after a crash, halts the run
  // (exit 3): every trial stops through this signal, and the error is what runCheck throws.
  const halt = new AbortController()
  let fatal: Error | undefined
  const fail = (error: Error): void => {
    fatal ??= error
    halt.abort(error)
  }
  const signal = options.signal ? AbortSignal.any([options.signal, halt.signal]) : halt.signal
  // Every in-flight attempt listens on the run's signal; there may be hundreds.
  setMaxListeners(0, signal)
  if (options.signal) setMaxListeners(0, options.signal)
  const events = options.events ?? new EventLog()
  const adapter = PROTOCOLS.get(scenario.target.protocol)
  if (!adapter) throw new UsageError(`target.protocol ${scenario.target.protocol} is not supported; use one of ${[...PROTOCOLS.keys()].join(', ')}`)
  const runId = randomBytes(4).toString('hex')
  const runDir = options.runDir ?? RunDir.create()

  let server: TargetServer | undefined
  let proxy: RunningFaultProxy | undefined
  let client: Transport | undefined
  let probeClient: Transport | undefined
  const collector = new TrialEventCollector(events)
  const activeTrials = new Map<string, ActiveTrial>()
  const restarts: number[] = []
  let toxiproxy: RemoteToxiproxy | undefined
  let createdProxies: string[] = []
  /** Set while a crash restart is in progress; requests arriving meanwhile wait for it. */
  let restarting: Promise<void> | undefined
  try {
    // The Toxiproxy proxies first: the target may be reached through one of them.
    if (scenario.toxiproxy) {
      toxiproxy = new RemoteToxiproxy(scenario.toxiproxy.url)
      if (scenario.toxiproxy.proxies.length > 0) {
        await toxiproxy.populate(scenario.toxiproxy.proxies)
        createdProxies = scenario.toxiproxy.proxies.map((p) => p.name)
      }
    }
    server = await startTargetServer(scenario, {
      events,
      logFile: runDir.serverLog,
      runDir: runDir.path,
      env: options.env,
      signal,
      reaper: options.reaper,
    })
    void server.lost.then(fail)
    if (server.canCrash) options.onServer?.({url: server.url, logFile: server.logFile})
    const targetUrl = server.url
    const rules = new RuleSet(seed)
    proxy = await adapter.startProxy({
      upstream: targetUrl,
      events,
      rules,
      scenario,
      captureBytes: 64 * 1024,
      hooks: {
        crash: async (context: CrashContext) => {
          if (!server?.canCrash) throw new Error('crash faults need target.server so faultline can restart the server')
          const target = server
          let up: () => void = () => undefined
          restarting = new Promise<void>((resolve) => (up = resolve))
          try {
            const killToReadyMs = await target.crashAndRestart()
            restarts.push(killToReadyMs)
            const {trial, request, point} = context
            events.record({type: 'supervisor', trial, request, detail: {action: 'restarted', point, killToReadyMs}})
            // The state right after the restart, before the retry or duplicate is let through.
            // Only a trial's first crash is measured; a second one in the same trial is not.
            const active = trial ? activeTrials.get(trial) : undefined
            if (active && active.crashPoint === undefined) {
              active.crashPoint = point
              active.afterRestart = await active.probe()
              if (active.afterRestart) events.record({type: 'probe', trial, detail: {when: 'after restart', reading: active.afterRestart}})
            }
          } catch (error) {
            fail(error as Error)
            throw error
          } finally {
            restarting = undefined
            up()
          }
        },
        serverUp: () => restarting,
      },
    })
    client = adapter.createClient(proxy.url, scenario)
    probeClient = adapter.createProbeClient(targetUrl, scenario)
    const env: TrialEnvironment = {
      scenario,
      seed,
      runId,
      client,
      probeClient,
      rules,
      tracker: proxy.tracker,
      events,
      collector,
      activeTrials,
      baseVars: {env: options.env ?? process.env, port: server.port},
      signal,
    }
    if (toxiproxy) env.toxiproxy = toxiproxy
    const gate = new TrialGate()
    const settled = await Promise.allSettled(
      endpoints.map(({endpoint, index}) => checkEndpoint(env, gate, endpoint, index, options, seed)),
    )
    // A server that died just as the last trials ended: its exit is known at once, its error
    // once its log drained. Never judge on the answers of a dead server.
    if (!fatal && server.exited) fatal = await server.lost
    if (fatal) throw fatal
    const reports = settled.map((s) => {
      if (s.status === 'rejected') throw s.reason
      return s.value
    })
    return {
      seed,
      ok: reports.every((r) => r.met),
      scenario: options.scenarioArg,
      durationMs: performance.now() - started,
      endpoints: reports,
      serverLog: server.logFile,
      restarts,
    }
  } finally {
    for (const name of createdProxies) await toxiproxy?.removeProxy(name).catch(() => undefined)
    collector.dispose()
    await Promise.allSettled([client?.close(), probeClient?.close()])
    await proxy?.close()
    await server?.stop()
    if (!options.runDir) await runDir.remove()
  }
}

function selectEndpoints(scenario: Scenario, options: CheckOptions): Array<{endpoint: Endpoint; index: number}> {
  const all = scenario.endpoints.map((endpoint, index) => ({endpoint, index}))
  if (options.trial !== undefined && options.only === undefined) throw new UsageError('--trial needs --only ENDPOINT: trial numbers are per endpoint')
  if (options.only === undefined) return all
  const found = all.filter((e) => e.endpoint.name === options.only)
  if (found.length === 0) {
    throw new UsageError(`--only ${options.only}: no such endpoint; the scenario has ${all.map((e) => e.endpoint.name).join(', ')}`)
  }
  return found
}

/** Endpoints whose request and probe use {{key}} get fresh state per trial, so their trials may overlap. */
function isKeyed(endpoint: Endpoint): boolean {
  return findTemplateNames(endpoint.request).includes('key') && (!endpoint.effect || findTemplateNames(endpoint.effect.request).includes('key'))
}

function replayCommand(options: CheckOptions, seed: number, endpoint: Endpoint, trial: number): string {
  const quote = (s: string) => (/^[\w./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)
  return `faultline check ${quote(options.scenarioArg)} --seed ${seed} --only ${quote(endpoint.name)} --trial ${trial}`
}

async function checkEndpoint(
  env: TrialEnvironment,
  gate: TrialGate,
  endpoint: Endpoint,
  index: number,
  options: CheckOptions,
  seed: number,
): Promise<EndpointReport> {
  const planned = planEndpoint(env.scenario, endpoint, index, seed)
  let selected: PlannedTrial[] = planned
  if (options.trial !== undefined) {
    selected = planned.filter((t) => t.id === options.trial)
    if (selected.length === 0) {
      throw new UsageError(`--trial ${options.trial}: endpoint "${endpoint.name}" has trials 1 to ${planned.length} with this scenario`)
    }
  }
  const baselineRaw = await gate.run(false, () => runTrial(env, baselineTrial(endpoint, index)))
  let baseline: Baseline
  try {
    baseline = establishBaseline(endpoint, baselineRaw)
  } catch (err) {
    if (err instanceof BaselineProblem) {
      const position = (err.field === 'select' ? endpoint.positions?.select : endpoint.positions?.request) ?? {file: env.scenario.file}
      const field = err.field === 'select' ? `endpoints[${index}].effect.select` : `endpoints[${index}].request`
      throw new ScenarioError(position, `${field}: ${err.message}`)
    }
    throw err
  }
  let done = 0
  const limit = isKeyed(endpoint) ? env.scenario.concurrency : 1
  const trials = await mapLimit(selected, limit, async (trial) => {
    const raw = await gate.run(trial.exclusive, () => runTrial(env, trial))
    done += 1
    options.onTrial?.(endpoint.name, done, selected.length)
    return measureTrial(endpoint, baseline, raw, replayCommand(options, seed, endpoint, trial.id))
  })
  const verdict = computeVerdict(baseline.oracle, trials, endpoint.expect)
  const breaches: EndpointReport['breaches'] = {}
  for (const [name, breach] of Object.entries(verdict.breaches)) {
    const trial = trials.find((t) => t.id === breach.trial)
    if (!trial) continue
    breaches[name as keyof typeof verdict.breaches] = {
      trial: breach.trial,
      reason: breach.reason,
      fault: trial.fault,
      timeline: trial.timeline,
      replay: trial.replay,
    }
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
    trials,
    notInjected: trials.filter((t) => !t.injected).map((t) => t.id),
    errors: trials.filter((t) => t.error !== undefined).map((t) => ({trial: t.id, error: t.error as string})),
  }
}

