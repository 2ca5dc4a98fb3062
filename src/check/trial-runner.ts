import {setTimeout as sleep} from 'node:timers/promises'
import type {EventLog, ProxyEvent} from '../events/event-log.js'
import type {InFlightTracker} from '../proxy/in-flight.js'
import type {CrashPoint} from '../proxy/proxy-hooks.js'
import type {RuleSet} from '../proxy/rule-set.js'
import type {TemplateVars} from '../scenario/template.js'
import type {ClientPolicy, EffectProbe, Scenario} from '../scenario/types.js'
import type {Transport} from './protocol.js'
import {trialTag, type PlannedTrial} from './plan.js'
import {readProbe, type ProbeReading} from './probe.js'
import {looksUnchanged, readReplicas, type ProbeReplica, type ReplicaRule} from './replica-probe.js'
import {runOperation, type OperationResult} from './retrying-client.js'
import type {TrialEventCollector} from './trial-events.js'
import {trialValues} from './trial-values.js'
import type {RemoteToxiproxy} from '../control/remote-toxiproxy.js'

/** What the runner shares across all trials of one check run. */
export interface TrialEnvironment {
  scenario: Scenario
  seed: number
  /** Random per run, so trials of two runs never share keys on a long-lived server. */
  runId: string
  /** Client → proxy. */
  client: Transport
  /** Probes → server, bypassing the proxy. */
  probeClient: Transport
  /** target.replicas: every replica, primary first, read straight (effect.replica picks one, or any|all reads them all). */
  replicaProbes?: ProbeReplica[]
  rules: RuleSet
  tracker: InFlightTracker
  events: EventLog
  collector: TrialEventCollector
  /** Crash hooks find a running trial's probe here, to read the state right after a restart. */
  activeTrials: Map<string, ActiveTrial>
  baseVars: Pick<TemplateVars, 'env' | 'port'>
  /** The scenario's Toxiproxy server, for trials with toxic faults. */
  toxiproxy?: RemoteToxiproxy
  /** Runs each trial's operation instead of the built-in client: the user's client command (client-command.ts). */
  operate?: OperationRunner
  signal?: AbortSignal
}

/** What a trial gives the code that performs its one operation. */
export interface OperationInput {
  trial: PlannedTrial
  marker: string
  /** The trial's fresh template values. */
  values: {key: string; requestId: string}
  policy: ClientPolicy
  signal?: AbortSignal
}

/** Performs a trial's operation; `defer` registers what to close once the trial is over (after it is quiet). */
export type OperationRunner = (input: OperationInput, defer: (close: () => Promise<void>) => void) => Promise<OperationResult>

export interface ActiveTrial {
  /** Read the effect probe now (used right after a crash restart). */
  probe(): Promise<ProbeReading | undefined>
  /** Crash trials: the state right after the restart, before any further delivery. */
  afterRestart?: ProbeReading
  /** Where the crash hit: before the reply left the server, or right after it was delivered. */
  crashPoint?: CrashPoint
  /** What a fault left changed for the rest of the trial, undone once the trial is over (a primary left down, a faulted replication link). */
  atEnd: Array<() => Promise<void>>
}

/** The raw measurements of one trial, before the oracles interpret them. */
export interface RawTrial {
  planned: PlannedTrial
  marker: string
  /** Template values of this trial, replaced by placeholders when comparing JSON. */
  substitutions: Array<readonly [string, string]>
  operation: OperationResult
  before?: ProbeReading
  after?: ProbeReading
  afterRestart?: ProbeReading
  crashPoint?: CrashPoint
  timeline: ProxyEvent[]
}

/** `t0.3`: endpoint 0, trial 3; a baseline's later tries are `t0.0r2`, `t0.0r3`. */
export function trialMarker(trial: PlannedTrial): string {
  return `t${trial.endpointIndex}.${trialTag(trial)}`
}

/**
 * Run one trial: fresh template values, probe before, install the trial's fault rules,
 * run the operation with the built-in client, wait until the trial is quiet, probe after.
 */
export async function runTrial(env: TrialEnvironment, trial: PlannedTrial): Promise<RawTrial> {
  const {scenario} = env
  const endpoint = trial.endpoint
  const marker = trialMarker(trial)
  const policy = trial.clientTimeout === undefined ? scenario.client : {...scenario.client, timeout: trial.clientTimeout}
  const {render, substitutions, key, requestId} = trialValues(env.runId, trial, env.baseVars)
  const effect = endpoint.effect
  const probe = effect ? effectProbe(env, effect, render(effect.request, 1)) : undefined
  const active: ActiveTrial = {probe: async () => probe?.(), atEnd: []}

  env.collector.watch(marker)
  env.activeTrials.set(marker, active)
  const ruleIds: string[] = []
  const toxicsAdded: Array<{proxy: string; name: string}> = []
  const closers: Array<() => Promise<void>> = []
  try {
    const before = probe ? await probe() : undefined
    if (before) env.events.record({type: 'probe', trial: marker, detail: {when: 'before', reading: before}})
    addFaultRules(env, trial, marker, ruleIds)
    await addToxics(env, trial, marker, toxicsAdded)
    const operation = env.operate
      ? await env.operate({trial, marker, values: {key, requestId}, policy, signal: env.signal}, (close) => closers.push(close))
      : await runOperation({
          transport: env.client,
          policy,
          render: (attempt) => render(endpoint.request, attempt),
          trial: marker,
          events: env.events,
          signal: env.signal,
        })
    for (const id of ruleIds) env.rules.remove(id)
    await env.tracker.waitQuiet(marker, scenario.settle, env.signal)
    await removeToxics(env, toxicsAdded)
    let after = probe ? await probe() : undefined
    if (probe && before && after && operation.outcome === 'ok' && looksUnchanged(before, after, replicaRule(effect))) {
      // The client saw ok but nothing changed yet: the server may apply effects after it
      // replies (a queue, a write-behind). Look again, a little later each time, before
      // anyone concludes the effect was lost.
      after = await confirmUnchanged(probe, before, after, replicaRule(effect), env)
    }
    if (after) env.events.record({type: 'probe', trial: marker, detail: {when: 'after', reading: after}})
    return {
      planned: trial,
      marker,
      substitutions: substitutions(),
      operation,
      before,
      after,
      afterRestart: active.afterRestart,
      crashPoint: active.crashPoint,
      timeline: env.collector.take(marker),
    }
  } finally {
    // A failure here is the fault's owner's to report (a primary that will not restart ends the run).
    for (const undo of active.atEnd.splice(0)) await undo().catch(() => undefined)
    for (const close of closers) await close().catch(() => undefined)
    await removeToxics(env, toxicsAdded).catch(() => undefined)
    for (const id of ruleIds) env.rules.remove(id)
    env.activeTrials.delete(marker)
    env.tracker.forget(marker)
    env.collector.take(marker)
  }
}

/** One proxy rule per planned fault, matched to this trial only; their ids go into `ruleIds`. */
function addFaultRules(env: TrialEnvironment, trial: PlannedTrial, marker: string, ruleIds: string[]): void {
  trial.faults.forEach((fault, index) => {
    const id = `${marker}#${index}`
    ruleIds.push(id)
    env.rules.add({id, match: {trial: marker, attempt: fault.attempt}, probability: fault.probability, scope: 'trial', limit: 1, action: fault.action})
  })
}

/** Put the trial's toxics on the Toxiproxy server; each one added goes into `added` at once, so a failure still removes it. */
async function addToxics(env: TrialEnvironment, trial: PlannedTrial, marker: string, added: Array<{proxy: string; name: string}>): Promise<void> {
  for (const [index, {proxy, toxic}] of trial.toxics.entries()) {
    if (!env.toxiproxy) throw new Error('toxic faults need the scenario\'s toxiproxy server')
    const name = `faultline-${env.runId}-${marker}-${index}`
    await env.toxiproxy.addToxic(proxy, {...toxic, name})
    added.push({proxy, name})
    env.events.record({type: 'fault', trial: marker, fault: 'toxic', phase: 'connection', detail: {label: `${toxic.type} on ${proxy}`, proxy, toxic: name, attributes: toxic.attributes}})
  }
}

/** Take a trial's toxics off the Toxiproxy server again (each at most once). */
async function removeToxics(env: TrialEnvironment, added: Array<{proxy: string; name: string}>): Promise<void> {
  while (added.length > 0) {
    const {proxy, name} = added.pop() as {proxy: string; name: string}
    await env.toxiproxy?.removeToxic(proxy, name)
  }
}

/**
 * The effect probe of a trial: straight to the server, or on a replicated target to the
 * replica effect.replica names (primary, or the first backup), or to every replica (any|all).
 */
function effectProbe(env: TrialEnvironment, effect: EffectProbe, request: unknown): () => Promise<ProbeReading> {
  const replicas = env.replicaProbes
  const rule = replicaRule(effect)
  if (replicas && rule) return () => readReplicas(replicas, request, effect, env.scenario.client, env.signal)
  const replica = effect.replica === 'backup' ? replicas?.[1] : replicas?.[0]
  if (!replica) return () => readProbe(env.probeClient, request, effect, env.scenario.client, env.signal)
  // The reading names its replica, so timelines say which one was read.
  return async () => ({...(await readProbe(replica.transport, request, effect, env.scenario.client, env.signal)), replica: replica.name})
}

function replicaRule(effect: EffectProbe | undefined): ReplicaRule | undefined {
  return effect?.replica === 'any' || effect?.replica === 'all' ? effect.replica : undefined
}

/** Waits before each extra look at an unchanged state; their sum bounds the cost (~1.5 s). */
const CONFIRM_DELAYS_MS = [100, 200, 400, 800]

/** Probe again with growing pauses until the state changes; the last reading is the answer. */
async function confirmUnchanged(
  probe: () => Promise<ProbeReading>,
  before: ProbeReading,
  after: ProbeReading,
  rule: ReplicaRule | undefined,
  env: TrialEnvironment,
): Promise<ProbeReading> {
  let reading = after
  for (const ms of CONFIRM_DELAYS_MS) {
    await sleep(ms, undefined, {signal: env.signal})
    reading = await probe()
    if (!looksUnchanged(before, reading, rule)) break
  }
  return reading
}
