import {join} from 'node:path'
import type {EventLog} from '../events/event-log.js'
import {InFlightTracker} from '../proxy/in-flight.js'
import type {ProxyHooks} from '../proxy/proxy-hooks.js'
import type {TrialOwner} from '../proxy/trial-owner.js'
import {RuleSet} from '../proxy/rule-set.js'
import {renderString} from '../scenario/template.js'
import type {Replica, Scenario} from '../scenario/types.js'
import {findFreePort} from '../supervisor/free-port.js'
import type {ProcessReaper} from '../supervisor/reaper.js'
import {FailoverTransport} from './failover-transport.js'
import type {ProtocolAdapter, Transport} from './protocol.js'
import {ReplicaCrashCoordinator} from './replica-crash-coordinator.js'
import {ReplicaEventLog} from './replica-event-log.js'
import {ReplicationLink} from './replica-link.js'
import type {ProbeReplica} from './replica-probe.js'
import {startTargetServer, type TargetServer} from './target-server.js'
import type {ActiveTrial} from './trial-runner.js'

export interface ReplicaClusterOptions {
  scenario: Scenario
  adapter: ProtocolAdapter
  events: EventLog
  /** The trials' fault rules: installed on the primary's proxy only. */
  rules: RuleSet
  activeTrials: Map<string, ActiveTrial>
  runDir: string
  captureBytes: number
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  reaper?: ProcessReaper
  /** A replica lost on its own, or a primary that will not come back, ends the run. */
  fail: (error: Error) => void
}

/** target.replicas, running: every replica started and behind its own fault proxy. */
export interface ReplicaCluster {
  /** The failover client: primary first, then the backups in scenario order. */
  client: Transport
  /** Probe transports straight to every replica, primary first (effect.replica picks, or reads them all). */
  probes: ProbeReplica[]
  /** In-flight work of every replica's proxy, per trial. */
  tracker: InFlightTracker
  restarts: number[]
  primaryUrl: string
  /** The primary's port ({{port}} in endpoint templates is not meaningful across replicas). */
  primaryPort?: number
  /** True once any replica exited on its own; `lost` resolves with the first such error. */
  readonly exited: boolean
  lost: Promise<Error>
  /** The primary's log (each replica logs to replica-NAME.log in the run folder). */
  logFile?: string
  /**
   * A client command's trial: one proxy listener of the trial's own per replica, primary
   * first, all sharing `owner` (attempts are numbered in arrival order across replicas). Only
   * the primary's carries the fault rules and the crash hooks; each is registered with
   * `defer` (closed once the trial is quiet) as soon as it listens.
   */
  openTrialListeners(owner: TrialOwner, defer: (close: () => Promise<void>) => void): Promise<TrialListener[]>
}

/** One replica's listener of one trial. */
export interface TrialListener {
  replica: string
  url: string
}

/**
 * Start a replicated target: pick every replica's port first (a replica's command may name
 * its peer through {{replicationUrl}}), start the backups, then the primary (it may copy
 * their state as it starts), and put one fault proxy in front of each. Whatever started is
 * registered in `closers` at once, so a failure halfway stops it.
 */
export async function startReplicaCluster(options: ReplicaClusterOptions, closers: Array<() => Promise<unknown> | void>): Promise<ReplicaCluster> {
  const {scenario, adapter, events} = options
  const replicas = orderedReplicas(scenario.target.replicas as Replica[])
  const env = options.env ?? process.env
  const ports = await Promise.all(replicas.map(async (r) => (JSON.stringify(r).includes('{{port}}') ? findFreePort('127.0.0.1') : undefined)))
  const urls = replicas.map((r, i) => renderString(r.url, {env, port: ports[i]}))
  const primaryUrl = urls[0] as string
  const firstBackupUrl = urls[1] as string
  // Replication-link faults: the primary replicates through a proxy of faultline's (replica-link.ts).
  const link = faultsReplicationLink(scenario)
    ? await ReplicationLink.start({from: (replicas[0] as Replica).name, to: (replicas[1] as Replica).name, upstream: new URL(firstBackupUrl).host, events, activeTrials: options.activeTrials})
    : undefined
  if (link) closers.push(() => link.close())
  const primaryReplicationUrl = link ? firstBackupUrl.replace(new URL(firstBackupUrl).host, link.address) : firstBackupUrl
  const replicationUrls = replicas.map((_, index) => (index === 0 ? primaryReplicationUrl : primaryUrl))
  const servers = await startReplicaServers(options, replicas, ports, replicationUrls, closers)
  const primary = replicas[0] as Replica
  const tracker = new InFlightTracker()
  const crashes = new ReplicaCrashCoordinator({name: primary.name, server: servers.get(primary.name) as TargetServer}, events, options.activeTrials, tracker, options.fail, options.signal)
  closers.push(() => crashes.close())
  const primaryHooks: ProxyHooks = {...crashes.primaryHooks(), ...(link && {faultLink: (context) => link.apply(context)})}
  // The primary's proxy carries the trials' fault rules and the crash hooks; the backups' hold
  // requests while a failover is read and inject nothing.
  const startProxy = (index: number, owner?: TrialOwner) => {
    const replica = replicas[index] as Replica
    return adapter.startProxy({
      upstream: urls[index] as string,
      events: new ReplicaEventLog(events, replica.name),
      rules: index === 0 ? options.rules : new RuleSet(0),
      scenario,
      captureBytes: options.captureBytes,
      hooks: index === 0 ? primaryHooks : crashes.backupHooks(),
      tracker,
      ...(owner && {owner}),
    })
  }
  const legs: Array<{name: string; transport: Transport}> = []
  for (const [index, replica] of replicas.entries()) {
    const proxy = await startProxy(index)
    closers.push(() => proxy.close())
    legs.push({name: replica.name, transport: adapter.createClient(proxy.url, scenario)})
  }
  const client = new FailoverTransport(legs, events)
  const probes = replicas.map((replica, index): ProbeReplica => {
    const server = servers.get(replica.name) as TargetServer
    return {name: replica.name, transport: adapter.createProbeClient(urls[index] as string, scenario), up: () => server.up}
  })
  closers.push(() => Promise.allSettled([client.close(), ...probes.map((p) => p.transport.close())]))
  const all = [...servers.values()]
  return {
    client,
    probes,
    tracker,
    restarts: crashes.restarts,
    primaryUrl,
    primaryPort: ports[0],
    get exited() {
      return all.some((s) => s.exited)
    },
    lost: Promise.race(all.map((s) => s.lost)),
    logFile: servers.get(primary.name)?.logFile,
    openTrialListeners: async (owner, defer) => {
      const listeners: TrialListener[] = []
      for (const [index, replica] of replicas.entries()) {
        const proxy = await startProxy(index, owner)
        defer(() => proxy.close())
        listeners.push({replica: replica.name, url: proxy.url})
      }
      return listeners
    },
  }
}

/**
 * Start every replica's server, backups first (a starting primary may copy their state), each
 * with its own log and event name; each is registered in `closers` as soon as it runs.
 */
async function startReplicaServers(
  options: ReplicaClusterOptions,
  replicas: readonly Replica[],
  ports: ReadonlyArray<number | undefined>,
  replicationUrls: readonly string[],
  closers: Array<() => Promise<unknown> | void>,
): Promise<Map<string, TargetServer>> {
  const servers = new Map<string, TargetServer>()
  for (const index of [...replicas.keys()].reverse()) {
    const replica = replicas[index] as Replica
    const server = await startTargetServer(options.scenario, {
      events: new ReplicaEventLog(options.events, replica.name),
      logFile: join(options.runDir, `replica-${replica.name}.log`),
      runDir: options.runDir,
      env: options.env,
      signal: options.signal,
      reaper: options.reaper,
      replica: {url: replica.url, server: replica.server, port: ports[index], replicationUrl: replicationUrls[index] as string},
    })
    closers.push(() => server.stop())
    void server.lost.then(options.fail)
    servers.set(replica.name, server)
  }
  return servers
}

/** Whether any profile the scenario runs faults the replication link (only then is the link proxied). */
function faultsReplicationLink(scenario: Scenario): boolean {
  return scenario.endpoints.some((e) => e.profiles.some((name) => scenario.profileCatalog.get(name)?.faults.some((f) => f.type === 'replication-delay' || f.type === 'replication-drop')))
}

/** The primary first, then the backups in the order the scenario lists them. */
function orderedReplicas(replicas: readonly Replica[]): Replica[] {
  return [...replicas.filter((r) => r.role === 'primary'), ...replicas.filter((r) => r.role !== 'primary')]
}
