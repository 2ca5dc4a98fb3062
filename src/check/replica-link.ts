import {EventLog, type ProxyEventInput} from '../events/event-log.js'
import {describeFault} from '../proxy/fault.js'
import {L4Proxy} from '../proxy/l4/l4-proxy.js'
import type {ToxicSpec} from '../proxy/l4/toxic.js'
import type {LinkContext, LinkFault} from '../proxy/proxy-hooks.js'
import type {ActiveTrial} from './trial-runner.js'

/**
 * The replication link from the primary to the first backup, behind a TCP proxy of its own so
 * `{{replicationUrl}}` can point at it. Replication messages carry no trial id: a link fault
 * belongs to the trial whose attempt triggered it and lasts until that trial is over (such
 * trials run alone). Whatever the link does meanwhile — a connection reset or closed by the
 * fault — is recorded in that trial's timeline under the link's name (`primary→backup`).
 */
export class ReplicationLink {
  private fault: ToxicSpec | undefined

  private constructor(
    readonly name: string,
    private readonly proxy: L4Proxy,
    /** The trial the link's current fault belongs to; the link's events are stamped with it. */
    private readonly owner: {trial?: string},
    private readonly events: EventLog,
    private readonly activeTrials: ReadonlyMap<string, ActiveTrial>,
  ) {}

  /** Listen on a free loopback port in front of `upstream` (the backup's `host:port`). */
  static async start(options: {from: string; to: string; upstream: string; events: EventLog; activeTrials: ReadonlyMap<string, ActiveTrial>}): Promise<ReplicationLink> {
    const name = `${options.from}→${options.to}`
    const owner: {trial?: string} = {}
    const stamp = (input: ProxyEventInput): ProxyEventInput =>
      input.type === 'fault' && owner.trial ? {...input, trial: owner.trial, detail: {label: `${input.fault} on the replication link`, ...input.detail}} : input
    // Every toxic has toxicity 1: the seed never decides anything here.
    const proxy = new L4Proxy({name, listen: '127.0.0.1:0', upstream: options.upstream, seed: 0, events: new TrialStampLog(options.events, stamp)})
    await proxy.start()
    return new ReplicationLink(name, proxy, owner, options.events, options.activeTrials)
  }

  /** `127.0.0.1:PORT`: where the primary replicates to instead of the backup. */
  get address(): string {
    return this.proxy.listen
  }

  /** Put `action` on the link for the rest of the trial (undone when the trial is over). */
  async apply({trial, action}: LinkContext & {action: LinkFault}): Promise<void> {
    this.clear()
    const spec = toxicOf(action)
    this.owner.trial = trial
    this.fault = spec
    this.proxy.addToxic(spec)
    this.events.record({type: 'supervisor', proxy: this.name, trial, detail: {action: `link faulted: ${describeFault(action)}`}})
    const active = trial ? this.activeTrials.get(trial) : undefined
    active?.atEnd.push(async () => this.clear())
  }

  /** Take the link's fault off: messages flow again. */
  clear(): void {
    if (!this.fault) return
    this.proxy.removeToxic(this.fault.name)
    this.events.record({type: 'supervisor', proxy: this.name, trial: this.owner.trial, detail: {action: 'link restored'}})
    this.fault = undefined
    this.owner.trial = undefined
  }

  close(): Promise<void> {
    return this.proxy.stop()
  }
}

/** The toxic that does to every message primary → backup what the fault says. */
function toxicOf(action: LinkFault): ToxicSpec {
  const base = {name: 'replication-fault', stream: 'upstream' as const, toxicity: 1}
  if (action.type === 'replication-delay') return {...base, type: 'latency', attributes: {latency: action.delay}}
  // timeout 0: the bytes are swallowed and the connection held; reset_peer 0: reset at once.
  return action.mode === 'timeout' ? {...base, type: 'timeout', attributes: {timeout: 0}} : {...base, type: 'reset_peer', attributes: {timeout: 0}}
}

/** The run's event log, each event first passed through `stamp` (which names the trial that owns the link). */
class TrialStampLog extends EventLog {
  constructor(
    private readonly parent: EventLog,
    private readonly stamp: (input: ProxyEventInput) => ProxyEventInput,
  ) {
    super()
  }

  override record(input: ProxyEventInput) {
    return this.parent.record(this.stamp(input))
  }

  override get observed(): boolean {
    return this.parent.observed
  }

  override nextId(prefix: string): string {
    return this.parent.nextId(prefix)
  }
}
