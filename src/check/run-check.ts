import {randomBytes} from 'node:crypto'
import {setMaxListeners} from 'node:events'
import {EXIT, UsageError, type FaultlineError} from '../errors.js'
import {EventLog} from '../events/event-log.js'
import {RuleSet} from '../proxy/rule-set.js'
import {newSeed} from '../random.js'
import {RemoteToxiproxy} from '../control/remote-toxiproxy.js'
import type {ProcessReaper} from '../supervisor/reaper.js'
import type {Endpoint, Scenario} from '../scenario/types.js'
import type {CheckResult} from './check-result.js'
import {PROTOCOLS} from './protocols/registry.js'
import {startTargetServer} from './target-server.js'
import {startReplicaCluster} from './replica-cluster.js'
import type {ProtocolAdapter} from './protocol.js'
import {TrialEventCollector} from './trial-events.js'
import {RunDir} from './run-dir.js'
import type {ActiveTrial, TrialEnvironment} from './trial-runner.js'
import type {ProbeReplica} from './replica-probe.js'
import {CrashCoordinator} from './crash-coordinator.js'
import {abortedReport, checkEndpoint, selectTrial} from './endpoint-check.js'
import {TrialGate} from './trial-gate.js'
import {DEFAULT_SHRINK_LIMITS, type ShrinkLimits} from './shrink.js'
import {runClientCommand} from './client-command.js'
import {shardEndpoints, type Shard, type TrialSelection} from './shard.js'

export interface CheckOptions {
  scenario: Scenario
  /** How the user named the scenario file, for replay commands. */
  scenarioArg: string
  /** The arguments that name the scenario in replay commands, when it is not one file (`--from x.har --upstream …`). */
  replayArgs?: string[]
  seed?: number
  /** Only this endpoint. */
  only?: string
  /** Only this trial number (with `only`). */
  trial?: number
  /** With `trial`: run its n-th simpler candidate, as a minimal case's replay line says. */
  candidate?: number
  /**
   * Search each broken contract's simplest failing case (true: within DEFAULT_SHRINK_LIMITS,
   * or within the limits given). Off unless asked; the CLI asks unless --no-shrink.
   */
  shrink?: boolean | Partial<ShrinkLimits>
  /** Only this shard's slice of the trials (needs a seed every shard shares). */
  shard?: Shard
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
  const selected = selectEndpoints(scenario, options)
  const sharded = options.shard ? shardEndpoints(options.shard, selected, seed) : undefined
  const endpoints = sharded?.endpoints ?? selected
  // A trial or candidate outside the plan is refused before anything starts.
  if (options.trial !== undefined) for (const {endpoint, index} of endpoints) selectTrial(scenario, endpoint, index, seed, options.trial, options.candidate)
  options.onStart?.(seed)
  // A server that dies on its own, or will not come back after a crash, halts the run
  // (exit 3): every trial stops through this signal.
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
  const closers: Array<() => Promise<unknown> | void> = []
  try {
    const {env, server, restarts} = await openRun({options, seed, signal, fail}, closers)
    const gate = new TrialGate()
    const settled = await Promise.allSettled(
      endpoints.map(async ({endpoint, index, trials}) => {
        const report = await checkEndpoint(env, gate, endpoint, index, {...options, seed, trials, shrink: shrinkLimits(options.shrink)})
        // A server that died while this endpoint's last trials ran: never judge on the answers
        // of a dead server; its exit is known at once, its error once its log drained.
        if (server.exited) throw await server.lost
        return report
      }),
    )
    if (!fatal && server.exited) fatal = await server.lost
    const common = {seed, scenario: options.scenarioArg, serverLog: server.logFile, restarts, ...(sharded && {shard: sharded.info})}
    if (fatal) {
      // The environment failed mid-run: keep what finished, mark the rest aborted (exit 3).
      const reason = fatal.message
      const reports = settled.map((s, i) => (s.status === 'fulfilled' ? s.value : abortedReport((endpoints[i] as {endpoint: Endpoint}).endpoint, reason)))
      return {...common, ok: false, durationMs: performance.now() - started, endpoints: reports, aborted: describeAbort(fatal)}
    }
    const reports = settled.map((s) => {
      if (s.status === 'rejected') throw s.reason
      return s.value
    })
    return {...common, ok: reports.every((r) => r.met), durationMs: performance.now() - started, endpoints: reports}
  } finally {
    for (const close of closers.reverse()) await close()
  }
}

interface OpenRunInput {
  options: CheckOptions
  seed: number
  signal: AbortSignal
  fail: (error: Error) => void
}

/**
 * Set up everything a run needs, in order: the scenario's Toxiproxy proxies (the target may be
 * reached through one of them), the server, the fault proxy in front of it, the clients. Each
 * part registers how to close it in `closers` as soon as it exists, so a failure halfway
 * still stops what was started.
 */
async function openRun({options, seed, signal, fail}: OpenRunInput, closers: Array<() => Promise<unknown> | void>) {
  const {scenario} = options
  const events = options.events ?? new EventLog()
  const adapter = PROTOCOLS.get(scenario.target.protocol)
  if (!adapter) throw new UsageError(`target.protocol ${scenario.target.protocol} is not supported; use one of ${[...PROTOCOLS.keys()].join(', ')}`)
  const runId = randomBytes(4).toString('hex')
  const runDir = options.runDir ?? RunDir.create()
  if (!options.runDir) closers.push(() => runDir.remove())
  let toxiproxy: RemoteToxiproxy | undefined
  if (scenario.toxiproxy) {
    const remote = new RemoteToxiproxy(scenario.toxiproxy.url)
    toxiproxy = remote
    const names = scenario.toxiproxy.proxies.map((p) => p.name)
    closers.push(async () => {
      for (const name of names) await remote.removeProxy(name).catch(() => undefined)
    })
    if (names.length > 0) await remote.populate(scenario.toxiproxy.proxies)
  }
  if (scenario.target.replicas) return openReplicaRun({options, seed, signal, fail, events, adapter, runId, runDir: runDir.path, toxiproxy}, closers)
  const server = await startTargetServer(scenario, {events, logFile: runDir.serverLog, runDir: runDir.path, env: options.env, signal, reaper: options.reaper})
  closers.push(() => server.stop())
  void server.lost.then(fail)
  if (server.canCrash) options.onServer?.({url: server.url, logFile: server.logFile})
  const collector = new TrialEventCollector(events)
  closers.push(() => collector.dispose())
  const activeTrials = new Map<string, ActiveTrial>()
  const rules = new RuleSet(seed)
  const crashes = new CrashCoordinator(server, events, activeTrials, fail)
  const proxy = await adapter.startProxy({upstream: server.url, events, rules, scenario, captureBytes: CAPTURE_BYTES, hooks: crashes.hooks()})
  closers.push(() => proxy.close())
  const client = adapter.createClient(proxy.url, scenario)
  const probeClient = adapter.createProbeClient(server.url, scenario)
  closers.push(() => Promise.allSettled([client.close(), probeClient.close()]))
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
  const command = scenario.clientCommand
  if (command) {
    const context = {scenario, command, adapter, upstream: server.url, events, rules, hooks: crashes.hooks(), tracker: proxy.tracker, captureBytes: CAPTURE_BYTES, env: options.env ?? process.env, reaper: options.reaper}
    env.operate = (input, defer) => runClientCommand(context, input, defer)
  }
  return {env, server, restarts: crashes.restarts}
}

/** openRun for target.replicas: every replica behind its own proxy, the failover client (replica-cluster.ts). */
async function openReplicaRun(
  input: OpenRunInput & {events: EventLog; adapter: ProtocolAdapter; runId: string; runDir: string; toxiproxy: RemoteToxiproxy | undefined},
  closers: Array<() => Promise<unknown> | void>,
) {
  const {options, seed, signal, fail, events} = input
  const collector = new TrialEventCollector(events)
  closers.push(() => collector.dispose())
  const activeTrials = new Map<string, ActiveTrial>()
  const rules = new RuleSet(seed)
  const cluster = await startReplicaCluster({scenario: options.scenario, adapter: input.adapter, events, rules, activeTrials, runDir: input.runDir, captureBytes: CAPTURE_BYTES, env: options.env, signal, reaper: options.reaper, fail}, closers)
  options.onServer?.({url: cluster.primaryUrl, logFile: cluster.logFile})
  const env: TrialEnvironment = {
    scenario: options.scenario,
    seed,
    runId: input.runId,
    client: cluster.client,
    probeClient: (cluster.probes[0] as ProbeReplica).transport,
    replicaProbes: cluster.probes,
    rules,
    tracker: cluster.tracker,
    events,
    collector,
    activeTrials,
    baseVars: {env: options.env ?? process.env, port: cluster.primaryPort},
    signal,
  }
  if (input.toxiproxy) env.toxiproxy = input.toxiproxy
  const command = options.scenario.clientCommand
  if (command) {
    const context = {scenario: options.scenario, command, events, env: options.env ?? process.env, reaper: options.reaper, replicas: cluster.openTrialListeners}
    env.operate = (input, defer) => runClientCommand(context, input, defer)
  }
  return {env, server: cluster, restarts: cluster.restarts}
}

/** The limits shrinking runs within, or undefined when it is off. */
function shrinkLimits(shrink: CheckOptions['shrink']): ShrinkLimits | undefined {
  if (shrink === undefined || shrink === false) return undefined
  return shrink === true ? DEFAULT_SHRINK_LIMITS : {...DEFAULT_SHRINK_LIMITS, ...shrink}
}

/** Reply bytes kept per delivery as evidence for the oracles. */
const CAPTURE_BYTES = 64 * 1024

/** What ended a run early, for reports and the exit code (3 for the environment). */
function describeAbort(error: Error): NonNullable<CheckResult['aborted']> {
  const coded = error as Partial<FaultlineError>
  return {code: coded.code ?? 'FL_ABORTED', message: error.message, exitCode: coded.exitCode ?? EXIT.environment}
}


function selectEndpoints(scenario: Scenario, options: CheckOptions): Array<{endpoint: Endpoint; index: number; trials?: TrialSelection}> {
  const all = scenario.endpoints.map((endpoint, index) => ({endpoint, index}))
  if (options.trial !== undefined && options.only === undefined) throw new UsageError('--trial needs --only ENDPOINT: trial numbers are per endpoint')
  if (options.candidate !== undefined && options.trial === undefined) throw new UsageError('--candidate needs --trial N: candidates are simpler variants of one trial')
  if (options.shard && options.trial !== undefined) throw new UsageError('--shard runs a slice of all trials; drop --trial (the replay line of a shard runs one trial unsharded)')
  if (options.shard && options.seed === undefined && scenario.seed === undefined) {
    throw new UsageError('--shard needs --seed N: every shard must plan the same trials (use one seed for the whole CI pipeline)')
  }
  if (options.only === undefined) return all
  const found = all.filter((e) => e.endpoint.name === options.only)
  if (found.length === 0) {
    throw new UsageError(`--only ${options.only}: no such endpoint; the scenario has ${all.map((e) => e.endpoint.name).join(', ')}`)
  }
  return found
}



