import type {EventLog, ProxyEvent} from '../events/event-log.js'
import type {InFlightTracker} from '../proxy/in-flight.js'
import type {ProxyHooks} from '../proxy/proxy-hooks.js'
import type {RuleSet} from '../proxy/rule-set.js'
import {TrialOwner} from '../proxy/trial-owner.js'
import {renderString, type TemplateVars} from '../scenario/template.js'
import type {ClientCommand, Scenario} from '../scenario/types.js'
import type {ProcessReaper} from '../supervisor/reaper.js'
import {runClientProcess, type ClientExit} from './client-process.js'
import type {ProtocolAdapter} from './protocol.js'
import type {TrialListener} from './replica-cluster.js'
import type {AttemptRecord, OperationResult} from './retrying-client.js'
import type {OperationInput} from './trial-runner.js'

/**
 * What a client-command trial needs of the run: the command, and either where the one server
 * is with the run's shared proxy parts, or (target.replicas) how to open the trial's listener
 * of every replica, primary first, sharing the trial's owner (replica-cluster.ts).
 */
export type ClientCommandContext = {
  scenario: Scenario
  command: ClientCommand
  events: EventLog
  env: NodeJS.ProcessEnv
  reaper?: ProcessReaper
} & (SingleServer | {replicas: (owner: TrialOwner, defer: (close: () => Promise<void>) => void) => Promise<TrialListener[]>})

interface SingleServer {
  adapter: ProtocolAdapter
  /** The server's address, as the run's main proxy forwards to it. */
  upstream: string
  rules: RuleSet
  hooks: ProxyHooks
  tracker: InFlightTracker
  captureBytes: number
}

/**
 * One trial's operation as the user's own client performs it: a proxy listener of the trial's
 * own in front of the server (everything through it is this trial's; the requests that match
 * the endpoint are its attempts), the command run once against it, and its exit status as the
 * outcome. On a replicated target the trial has one listener per replica, and the matching
 * requests through any of them are its attempts, numbered in arrival order. The listeners
 * stay open until the trial is quiet: `defer` closes them.
 */
export async function runClientCommand(ctx: ClientCommandContext, input: OperationInput, defer: (close: () => Promise<void>) => void): Promise<OperationResult> {
  const {trial, marker, values} = input
  const match = trial.endpoint.match
  if (!match) throw new TypeError(`endpoint ${trial.endpoint.name} has no match (the scenario loader requires one with client.command)`)
  const owner = new TrialOwner(marker, match)
  const replicated = 'replicas' in ctx
  const listeners = replicated ? await ctx.replicas(owner, defer) : [await singleListener(ctx, owner, defer)]
  const proxy = listeners[0] as TrialListener
  const address = new URL(proxy.url)
  const replicaUrls = replicated ? listeners.map((l) => ({name: l.replica, url: l.url})) : undefined
  const vars: TemplateVars = {
    env: ctx.env,
    key: values.key,
    requestId: values.requestId,
    trial: String(trial.id),
    proxyUrl: proxy.url,
    proxyHost: address.hostname,
    proxyPort: Number(address.port),
    ...(replicaUrls && {replicaUrls}),
  }
  const seen = watchAttempts(ctx.events, marker)
  let exit: ClientExit
  try {
    exit = await runClientProcess({
      command: renderString(ctx.command.command, vars),
      cwd: ctx.command.cwd,
      env: {
        ...ctx.env,
        ...Object.fromEntries(Object.entries(ctx.command.env).map(([name, value]) => [name, renderString(value, vars)])),
        FAULTLINE_PROXY_URL: proxy.url,
        ...(replicaUrls && {FAULTLINE_REPLICA_URLS: replicaUrls.map((r) => r.url).join(',')}),
        FAULTLINE_PROXY_HOST: address.hostname,
        FAULTLINE_PROXY_PORT: address.port,
        FAULTLINE_KEY: values.key,
        FAULTLINE_REQUEST_ID: values.requestId,
        FAULTLINE_TRIAL: String(trial.id),
        FAULTLINE_ENDPOINT: trial.endpoint.name,
      },
      timeoutMs: input.policy.timeout,
      events: ctx.events,
      trial: marker,
      signal: input.signal,
      reaper: ctx.reaper,
    })
  } finally {
    seen.stop()
  }
  return operationFrom(exit, seen.attempts(), input.policy.timeout)
}

/** The trial's one listener in front of the server, with the run's fault rules and crash hooks. */
async function singleListener(ctx: SingleServer & {scenario: Scenario; events: EventLog}, owner: TrialOwner, defer: (close: () => Promise<void>) => void): Promise<TrialListener> {
  const proxy = await ctx.adapter.startProxy({
    upstream: ctx.upstream,
    events: ctx.events,
    rules: ctx.rules,
    hooks: ctx.hooks,
    captureBytes: ctx.captureBytes,
    scenario: ctx.scenario,
    owner,
    tracker: ctx.tracker,
  })
  defer(() => proxy.close())
  return {replica: '', url: proxy.url}
}

/**
 * Exit 0 is ok, any other exit failed, killed at the deadline indeterminate. A client that
 * did not end ok gave up: faultline planned one fault, so the operation could have been
 * retried (docs/client-command.md, "Outcome").
 */
export function operationFrom(exit: ClientExit, attempts: AttemptRecord[], deadline: number): OperationResult {
  const lastStatus = attempts.findLast((a) => a.status !== undefined)?.status
  const result: OperationResult = {outcome: exit.timedOut ? 'indeterminate' : exit.code === 0 ? 'ok' : 'failed', attempts, stoppedEarly: false}
  if (lastStatus !== undefined) result.finalStatus = lastStatus
  if (result.outcome !== 'ok') {
    result.gaveUp = exit.timedOut ? `the client command was killed at its ${deadline} ms deadline` : exit.signal ? `the client command was ended by ${exit.signal}` : `the client command exited ${exit.code}`
  }
  return result
}

/**
 * The attempts of one trial as the proxy saw them: each request it numbered, with the reply it
 * passed on (or faultline's own status reply), or none. Read from the run's events while the
 * command runs.
 */
function watchAttempts(events: EventLog, marker: string) {
  const byRequest = new Map<string, AttemptRecord & {started: number}>()
  const listener = (e: ProxyEvent) => {
    if (e.trial !== marker || e.request === undefined) return
    if (e.type === 'request' && e.attempt !== undefined && !byRequest.has(e.request)) {
      byRequest.set(e.request, {attempt: e.attempt, result: 'error', error: 'no reply reached the client', durationMs: 0, started: e.time})
      return
    }
    const record = byRequest.get(e.request)
    if (!record) return
    const status = e.detail?.rpcStatus ?? e.detail?.status ?? e.status
    const ownReply = e.type === 'fault' && e.fault === 'status'
    if ((e.type === 'reply' || ownReply) && (typeof status === 'number' || typeof status === 'string')) record.status = status
    if (e.type === 'forwarded' || ownReply) {
      record.result = 'reply'
      delete record.error
      record.durationMs = e.time - record.started
    }
  }
  events.on('event', listener)
  return {
    stop: () => events.off('event', listener),
    attempts: (): AttemptRecord[] => [...byRequest.values()].sort((a, b) => a.attempt - b.attempt).map(({started: _, ...record}) => record),
  }
}
