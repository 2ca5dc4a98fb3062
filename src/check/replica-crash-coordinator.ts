import type {EventLog} from '../events/event-log.js'
import type {InFlightTracker} from '../proxy/in-flight.js'
import type {CrashContext, LinkContext, ProxyHooks, Unreachable} from '../proxy/proxy-hooks.js'
import type {TargetServer} from './target-server.js'
import type {ActiveTrial} from './trial-runner.js'

/**
 * Faults on the primary of a replicated target (only its proxy carries the trial's fault
 * rules). A crash SIGKILLs it at the request's exact point; the trial's effect probe is read
 * on the replica it names while no other replica takes traffic (the state the failover finds);
 * then the backups serve ("failed-over") and the primary is restarted and rejoins — or, with
 * `restart: never`, stays down until the trial is over (its proxy resets every connection).
 * A partition cuts the running primary off from clients (its proxy drops every request) until
 * it heals. Requests to a restarting primary wait for it. A restart that fails is fatal.
 */
export class ReplicaCrashCoordinator {
  /** Kill → ready milliseconds of the primary, per crash. */
  readonly restarts: number[] = []
  private failingOver: Promise<void> | undefined
  private primaryDown: Promise<void> | undefined
  /** Set while the primary is left down or partitioned off: its proxy delivers nothing. */
  private cutOff: Unreachable | undefined
  private readonly heals = new Set<NodeJS.Timeout>()

  constructor(
    private readonly primary: {name: string; server: TargetServer},
    private readonly events: EventLog,
    private readonly activeTrials: ReadonlyMap<string, ActiveTrial>,
    private readonly tracker: InFlightTracker,
    private readonly onFatal: (error: Error) => void,
    private readonly signal?: AbortSignal,
  ) {}

  primaryHooks(): ProxyHooks {
    return {
      crash: (context) => this.crash(context),
      serverUp: () => this.primaryDown,
      partition: (context) => this.partition(context),
      unreachable: () => this.cutOff,
    }
  }

  /** Backups take no faults; they only hold requests until the post-crash probe was read. */
  backupHooks(): ProxyHooks {
    return {serverUp: () => this.failingOver}
  }

  /** Stop every partition timer (the run is ending). */
  close(): void {
    for (const timer of this.heals) clearTimeout(timer)
    this.heals.clear()
  }

  private async crash(context: CrashContext): Promise<void> {
    let up: () => void = () => undefined
    this.primaryDown = new Promise<void>((resolve) => (up = resolve))
    // From the kill until the probe was read, the backups hold every request (a retry must not change what the failover finds).
    let failedOver = this.holdBackups()
    const {trial, request, point} = context
    const proxy = this.primary.name
    try {
      const killedAt = performance.now()
      await this.primary.server.crash()
      this.events.record({type: 'supervisor', proxy, trial, request, detail: {action: 'killed', point}})
      // What a failover finds: read before any retry reaches a backup. Only a trial's first crash.
      const active = trial ? this.activeTrials.get(trial) : undefined
      if (active && active.crashPoint === undefined) {
        active.crashPoint = point
        active.afterRestart = await active.probe()
        if (active.afterRestart) this.events.record({type: 'probe', trial, detail: {when: 'after failover', reading: active.afterRestart}})
      }
      this.events.record({type: 'supervisor', proxy, trial, detail: {action: 'failed-over'}})
      failedOver()
      failedOver = () => undefined
      if (context.restart === 'never' && active) {
        // Down for the rest of the trial: its proxy resets every connection; restarted once the trial is over.
        this.cutOff = 'down'
        this.events.record({type: 'supervisor', proxy, trial, detail: {action: 'left down'}})
        active.atEnd.push(async () => {
          if (this.signal?.aborted) return
          // Timed from the restart, not the kill: the trial in between is no part of a restart.
          await this.restart(performance.now(), context).catch((error: unknown) => {
            this.onFatal(error as Error)
            throw error
          })
        })
        return
      }
      await this.restart(killedAt, context)
    } catch (error) {
      this.onFatal(error as Error)
      throw error
    } finally {
      failedOver()
      this.primaryDown = undefined
      up()
    }
  }

  /** Restart the primary; `since` is when the time to ready (`killToReadyMs`) starts. */
  private async restart(since: number, {trial, request, point}: CrashContext): Promise<void> {
    try {
      await this.primary.server.restart()
    } finally {
      this.cutOff = undefined
    }
    const killToReadyMs = performance.now() - since
    this.restarts.push(killToReadyMs)
    this.events.record({type: 'supervisor', proxy: this.primary.name, trial, request, detail: {action: 'restarted', point, killToReadyMs}})
  }

  /**
   * Cut the primary off for `durationMs` (it keeps running). The probe reads the replica the
   * trial names while the backups hold their requests; the trial is not quiet until it heals.
   */
  private async partition({trial, request, durationMs}: LinkContext & {durationMs: number}): Promise<void> {
    const release = this.holdBackups()
    const proxy = this.primary.name
    this.cutOff = 'partitioned'
    this.events.record({type: 'supervisor', proxy, trial, request, detail: {action: 'partitioned', durationMs}})
    this.tracker.begin(trial)
    const timer = setTimeout(() => {
      this.heals.delete(timer)
      if (this.cutOff === 'partitioned') this.cutOff = undefined
      this.events.record({type: 'supervisor', proxy, trial, detail: {action: 'healed', durationMs}})
      this.tracker.end(trial)
    }, durationMs)
    this.heals.add(timer)
    try {
      const active = trial ? this.activeTrials.get(trial) : undefined
      const reading = await active?.probe()
      if (reading) this.events.record({type: 'probe', trial, detail: {when: 'at partition', reading}})
    } finally {
      release()
    }
  }

  /** Hold every request to a backup until the returned function is called. */
  private holdBackups(): () => void {
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    this.failingOver = held
    return () => {
      if (this.failingOver === held) this.failingOver = undefined
      release()
    }
  }
}
